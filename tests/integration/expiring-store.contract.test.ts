import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExpiringStore, SqlExpiringStore, type ExpiringStore } from '../../src/auth/expiring-store.js';
import { openDatabase, type Database } from '../../src/infra/database.js';
import { createTestDatabase } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

function contract(name: string, skip: boolean, setup: () => Promise<{ store: ExpiringStore; close: () => Promise<void> }>) {
  describe.skipIf(skip)(name, () => {
    let store: ExpiringStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await setup());
    });
    afterAll(async () => {
      await close?.();
    });

    it('returns stored values and null for unknown keys, in key order', async () => {
      const a = `a:${randomUUID()}`;
      const b = `b:${randomUUID()}`;
      await store.set(a, 7, 60);
      expect(await store.getMany([b, a])).toEqual([null, 7]);
    });

    it('forgets values after their time to live', async () => {
      const k = `ttl:${randomUUID()}`;
      await store.set(k, 1, 1);
      expect(await store.getMany([k])).toEqual([1]);
      await new Promise((r) => setTimeout(r, 2100));
      expect(await store.getMany([k])).toEqual([null]);
    });

    it('setIfAbsent stores only the first of concurrent claims', async () => {
      const k = `claim:${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => store.setIfAbsent(k, i + 1, 60)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true) + 1;
      expect(await store.getMany([k])).toEqual([winner]);
    });

    it('setIfAbsent takes over an expired key', async () => {
      const k = `claim-ttl:${randomUUID()}`;
      expect(await store.setIfAbsent(k, 1, 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 2100));
      expect(await store.setIfAbsent(k, 2, 60)).toBe(true);
      expect(await store.getMany([k])).toEqual([2]);
    });

    it('answers an empty key list without a round trip', async () => {
      expect(await store.getMany([])).toEqual([]);
    });
  });
}

contract(`ExpiringStore on PostgreSQL${pgSvc.label}`, pgSvc.skip, async () => {
  const tdb = await createTestDatabase();
  const db: Database = await openDatabase({ url: tdb.url, dataDir: '/nonexistent', poolMax: 2, embeddedPort: 0, log: pino({ level: 'silent' }) });
  await db.migrate();
  return {
    store: new SqlExpiringStore(db),
    close: async () => {
      await db.close();
      await tdb.drop();
    },
  };
});

contract(`ExpiringStore on Redis${redisSvc.label}`, redisSvc.skip, async () => {
  const redis = new Redis(redisSvc.url);
  return { store: new RedisExpiringStore(redis, `hf:test:${randomUUID()}:`), close: async () => void (await redis.quit()) };
});
