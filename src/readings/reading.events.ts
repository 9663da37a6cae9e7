/** One accepted reading as it travels to live subscribers. */
export interface LiveReading {
  machineId: string;
  machineIdentifier: string;
  metric: string;
  value: number;
  unit: string;
  rawTag: string | null;
  timestamp: Date;
}

/** Published once per stored batch on the tenant's own topic, so an instance only hears tenants it serves. */
export interface ReadingsStored {
  tenantId: string;
  readings: LiveReading[];
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [readings: `readingsStored:${string}`]: ReadingsStored;
  }
}

/** Topic of one tenant's stored readings. */
export const readingsTopic = (tenantId: string) => `readingsStored:${tenantId}` as const;
