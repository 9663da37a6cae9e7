import type { MaintenanceStatus, MaintenanceType } from './maintenance.rules.js';

/** A maintenance event as the API answers it and as it crosses the bus (plain data; Dates stay Dates across Redis). */
export interface MaintenanceEventSnapshot {
  id: string;
  tenantId: string;
  machineId: string;
  machineName: string;
  title: string;
  description: string | null;
  type: MaintenanceType;
  status: MaintenanceStatus;
  scheduledStart: Date;
  scheduledEnd: Date;
  actualStart: Date | null;
  actualEnd: Date | null;
  createsDowntime: boolean;
  downtimeRecordId: string | null;
  alertId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type MaintenanceChange = 'created' | 'updated' | 'deleted';

/** Payload of `maintenanceEventChanged`: the event after the change (as it was, for a deletion) and which change. */
export interface MaintenanceEventChanged {
  change: MaintenanceChange;
  event: MaintenanceEventSnapshot;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [changed: `maintenanceEventChanged:${string}`]: MaintenanceEventChanged;
  }
}

/** An event of the tenant was created, changed (fields or status) or deleted. */
export const maintenanceEventChangedTopic = (tenantId: string) => `maintenanceEventChanged:${tenantId}` as const;
