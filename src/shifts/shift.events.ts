import type { ShiftLogStatus } from './shift.rules.js';

/** A shift log's per-shift OEE (ISO 22400 over its planned window; null parts are underivable). */
export interface ShiftOee {
  plannedMinutes: number;
  runMinutes: number;
  availability: number | null;
  performance: number | null;
  quality: number;
  oee: number | null;
}

/** A shift log as the API answers it and as it crosses the bus (plain data; Dates stay Dates across Redis). */
export interface ShiftLogSnapshot {
  id: string;
  tenantId: string;
  shiftDefinitionId: string;
  shiftName: string;
  siteId: string | null;
  machineId: string | null;
  machineName: string | null;
  date: string;
  plannedStart: Date;
  plannedEnd: Date;
  startedAt: Date;
  endedAt: Date | null;
  status: ShiftLogStatus;
  supervisorName: string | null;
  supervisorId: string | null;
  notes: string | null;
  handoverNotes: string | null;
  totalPieces: number;
  goodPieces: number;
  /** null for a log of a whole scope (no machine) */
  oee: ShiftOee | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What changed: a log made, edited (status or fields), or deleted. */
export type ShiftLogChange = 'created' | 'updated' | 'deleted';

export interface ShiftLogChanged {
  change: ShiftLogChange;
  log: ShiftLogSnapshot;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [changed: `shiftLogChanged:${string}`]: ShiftLogChanged;
  }
}

/** Every change of a tenant's shift logs (the auto-complete job's too). */
export const shiftLogChangedTopic = (tenantId: string) => `shiftLogChanged:${tenantId}` as const;
