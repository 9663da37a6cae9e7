import type { DeviceSource } from '../connectivity/device-source.js';
import type { PointStatus } from '../connectivity/driver.js';

/** What the poller needs of one source: the device as drivers see it (password decrypted) and where its readings go. */
export interface PollTarget {
  source: DeviceSource;
  tenantId: string;
  machineId: string;
  machineIdentifier: string;
  /** the source is active and its machine is not deleted */
  isActive: boolean;
  updatedAt: Date;
}

export type SourceState = 'pending' | 'ok' | 'degraded' | 'failing' | 'disabled';
export const SOURCE_STATES: readonly SourceState[] = ['pending', 'ok', 'degraded', 'failing', 'disabled'];

/** Payload of `sourceHealthChanged` (published by the poller when state, last error or the bad points change). */
export interface SourceHealth {
  sourceId: string;
  tenantId: string;
  machineId: string;
  state: SourceState;
  lastPollAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  pointStatus: PointStatus[];
}

/** Payload of `ingestSourcesChanged`: a source was created, changed or deleted; the poller reloads it. */
export interface IngestSourcesChanged {
  sourceId: string;
  tenantId: string;
  change: 'created' | 'updated' | 'deleted';
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [health: `sourceHealthChanged:${string}`]: SourceHealth;
    [changed: `ingestSourcesChanged:${string}`]: IngestSourcesChanged;
  }
}

export const sourceHealthChangedTopic = (tenantId: string) => `sourceHealthChanged:${tenantId}` as const;
export const ingestSourcesChangedTopic = (tenantId: string) => `ingestSourcesChanged:${tenantId}` as const;
