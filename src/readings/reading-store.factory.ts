import type { AppConfig } from '../config/config.js';
import { InfluxReadingStore } from './influx-reading-store.js';
import type { ReadingStore } from './reading-store.js';

/** InfluxDB when INFLUX_URL is set, else the PostgreSQL store. */
export function createReadingStore(config: AppConfig, postgres: () => ReadingStore): ReadingStore {
  const i = config.influx;
  if (!i) return postgres();
  return new InfluxReadingStore({ url: i.url, db: i.db, token: i.token, user: i.user, password: i.password, retentionDays: i.retentionDays, timeoutMs: config.ingestStoreTimeoutMs });
}
