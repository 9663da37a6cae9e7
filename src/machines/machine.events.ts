/** Payload of a tenant's `machineStatusChanged` topic (plain data, crosses Redis). */
export interface MachineStatusChanged {
  tenantId: string;
  machineId: string;
  oldStatus: string;
  newStatus: string;
  timestamp: Date;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [status: `machineStatusChanged:${string}`]: MachineStatusChanged;
  }
}

/** Topic of one tenant's machine status changes. */
export const machineStatusTopic = (tenantId: string) => `machineStatusChanged:${tenantId}` as const;
