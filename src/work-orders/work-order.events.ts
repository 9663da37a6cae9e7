import type { WorkOrderPriority, WorkOrderStatus } from './work-order.rules.js';

/** A work order as the API answers it and as it crosses the bus (plain data; Dates stay Dates across Redis). */
export interface WorkOrderSnapshot {
  id: string;
  tenantId: string;
  machineId: string;
  machineName: string;
  title: string;
  description: string | null;
  priority: WorkOrderPriority;
  status: WorkOrderStatus;
  assignedTo: string | null;
  createdBy: string | null;
  alertId: string | null;
  downtimeRecordId: string | null;
  maintenanceEventId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type WorkOrderChange = 'created' | 'updated' | 'deleted';

/** Payload of `workOrderChanged`: the order after the change (before it, for `deleted`) and which change it was. */
export interface WorkOrderChanged extends WorkOrderSnapshot {
  change: WorkOrderChange;
  /** the status before the change (equal to `status` when it did not change) */
  previousStatus: WorkOrderStatus;
}

/** A comment as the API answers it and as `workOrderCommentAdded` carries it. */
export interface WorkOrderCommentSnapshot {
  id: string;
  tenantId: string;
  workOrderId: string;
  userId: string;
  /** the author's name now (null once the user is deleted) */
  authorName: string | null;
  body: string;
  createdAt: Date;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [changed: `workOrderChanged:${string}`]: WorkOrderChanged;
    [comment: `workOrderCommentAdded:${string}`]: WorkOrderCommentSnapshot;
  }
}

/** An order was created, changed (fields or status) or deleted. */
export const workOrderChangedTopic = (tenantId: string) => `workOrderChanged:${tenantId}` as const;
/** A comment was added to an order. */
export const workOrderCommentAddedTopic = (tenantId: string) => `workOrderCommentAdded:${tenantId}` as const;
