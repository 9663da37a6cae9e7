import type { EventTopic, EventTopics } from '../infra/event-bus.js';

/** One server -> client message; every message carries a `type` discriminator. */
export type DashboardMessage = { type: string } & Record<string, unknown>;

/**
 * Maps a tenant's bus topic onto dashboard messages. A module lists its feeds in its manifest
 * (e.g. alerts: `feed(alertTopic, (a) => [{ type: 'alert', ... }])`); the socket subscribes to
 * every module's feeds without knowing them.
 */
export interface DashboardFeed {
  topic(tenantId: string): EventTopic;
  messages(payload: unknown): DashboardMessage[];
}

/** Builds a feed with the payload type of its topic. */
export function feed<K extends EventTopic>(
  topic: (tenantId: string) => K,
  messages: (payload: EventTopics[K]) => DashboardMessage[],
): DashboardFeed {
  return { topic, messages: (payload) => messages(payload as EventTopics[K]) };
}

/** ISO 8601 UTC with Z; payloads that crossed Redis have their Dates restored, but be lenient with strings. */
export function feedInstant(value: Date | string | number): string | null {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
