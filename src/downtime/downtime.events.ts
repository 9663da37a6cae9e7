import type { DowntimeCategory, DowntimeOrigin } from './downtime.rules.js';

/**
 * A downtime record as the API answers it and as it crosses the bus (plain data; Dates stay Dates
 * across Redis): the row, its machine's name and its reason code's name.
 */
export interface DowntimeSnapshot {
  id: string;
  tenantId: string;
  machineId: string;
  machineName: string;
  reason: string;
  category: DowntimeCategory;
  reasonCodeId: string | null;
  reasonCodeName: string | null;
  startedAt: Date;
  endedAt: Date | null;
  /** null while open */
  durationMinutes: number | null;
  origin: DowntimeOrigin;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [started: `downtimeStarted:${string}`]: DowntimeSnapshot;
    [ended: `downtimeEnded:${string}`]: DowntimeSnapshot;
  }
}

/** A record was created (open, or already ended: then downtimeEnded follows). */
export const downtimeStartedTopic = (tenantId: string) => `downtimeStarted:${tenantId}` as const;
/** A record got its ended_at (end, an update that ends it, or a record created ended). */
export const downtimeEndedTopic = (tenantId: string) => `downtimeEnded:${tenantId}` as const;
