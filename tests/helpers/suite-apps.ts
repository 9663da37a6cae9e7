/** Test apps that live as long as the enclosing describe block: started before its tests, stopped after them. */
import { afterAll, beforeAll } from 'vitest';
import { startTestApp, type TestApp, type TestAppOptions } from './app.js';

/** One app; read `.t` inside the block's tests and hooks (set once started). */
export function suiteApp(opts: TestAppOptions = {}, startTimeoutMs?: number): { t: TestApp } {
  const suite = {} as { t: TestApp };
  beforeAll(async () => {
    suite.t = await startTestApp(opts);
  }, startTimeoutMs);
  afterAll(async () => {
    await suite.t?.stop();
  });
  return suite;
}

/** Two API instances on one database, joined over Redis (`opts` apply to both); read `.one` and `.two` once started. */
export function suiteInstancePair(opts: TestAppOptions = {}, startTimeoutMs?: number): { one: TestApp; two: TestApp } {
  const pair = {} as { one: TestApp; two: TestApp };
  beforeAll(async () => {
    pair.one = await startTestApp({ ...opts, redis: true });
    pair.two = await startTestApp({ ...opts, redis: true, databaseUrl: pair.one.databaseUrl });
  }, startTimeoutMs);
  afterAll(async () => {
    await pair.two?.stop();
    await pair.one?.stop();
  });
  return pair;
}
