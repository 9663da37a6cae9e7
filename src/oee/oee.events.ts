import type { OeeRecordView } from './oee.service.js';

/** A record was created, replaced or changed (`updated`), or deleted; the record as it is (or was). */
export interface OeeRecordChange {
  action: 'created' | 'updated' | 'deleted';
  tenantId: string;
  machineId: string;
  record: OeeRecordView;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [changed: `oeeRecordChanged:${string}`]: OeeRecordChange;
  }
}

export const oeeRecordChangedTopic = (tenantId: string) => `oeeRecordChanged:${tenantId}` as const;
