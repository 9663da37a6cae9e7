import type { Redis } from 'ioredis';
import type { Database } from '../infra/database.js';

/**
 * Short-lived shared facts (a revoked token id, a user's token version, a login lock-out),
 * shared by every API instance: Redis when configured, else the database.
 */
export interface ExpiringStore {
  set(key: string, value: number, ttlSec: number): Promise<void>;
  getMany(keys: string[]): Promise<(number | null)[]>;
  /** Stores the value only if the key is absent (or expired); true when this call stored it. */
  setIfAbsent(key: string, value: number, ttlSec: number): Promise<boolean>;
}

export class RedisExpiringStore implements ExpiringStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'hf:exp:') {}

  async set(key: string, value: number, ttlSec: number): Promise<void> {
    await this.redis.set(this.prefix + key, String(value), 'EX', Math.max(1, Math.ceil(ttlSec)));
  }

  async setIfAbsent(key: string, value: number, ttlSec: number): Promise<boolean> {
    const r = await this.redis.set(this.prefix + key, String(value), 'EX', Math.max(1, Math.ceil(ttlSec)), 'NX');
    return r === 'OK';
  }

  async getMany(keys: string[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys.map((k) => this.prefix + k));
    return values.map((v) => (v === null ? null : Number(v)));
  }
}

export class SqlExpiringStore implements ExpiringStore {
  private lastSweep = 0;

  constructor(private readonly db: Database) {}

  async set(key: string, value: number, ttlSec: number): Promise<void> {
    const conn = this.db.em().getConnection();
    await conn.execute(
      `insert into token_revocations (key, value, expires_at) values (?, ?, now() + (? || ' seconds')::interval)
       on conflict (key) do update set value = greatest(token_revocations.value, excluded.value), expires_at = greatest(token_revocations.expires_at, excluded.expires_at)`,
      [key, value, String(Math.ceil(ttlSec))],
    );
    // Expired rows are useless; sweep now and then instead of on every read.
    if (Date.now() - this.lastSweep > 60_000) {
      this.lastSweep = Date.now();
      await conn.execute('delete from token_revocations where expires_at < now()');
    }
  }

  async setIfAbsent(key: string, value: number, ttlSec: number): Promise<boolean> {
    // An expired row counts as absent: take it over in the same statement.
    const rows: unknown[] = await this.db
      .em()
      .getConnection()
      .execute(
        `insert into token_revocations (key, value, expires_at) values (?, ?, now() + (? || ' seconds')::interval)
         on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at
         where token_revocations.expires_at <= now()
         returning key`,
        [key, value, String(Math.ceil(ttlSec))],
      );
    return rows.length === 1;
  }

  async getMany(keys: string[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    // asked on every authenticated request: a prepared statement, one text per key count
    const rows = await this.db.query<{ key: string; value: string }>(
      `select key, value from token_revocations where key in (${keys.map(() => '?').join(',')}) and expires_at > now()`,
      keys,
    );
    const byKey = new Map(rows.map((r) => [r.key, Number(r.value)]));
    return keys.map((k) => byKey.get(k) ?? null);
  }
}
