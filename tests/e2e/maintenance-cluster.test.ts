/**
 * maintenanceEventChanged across OS processes (issue 16): the built server (`dist/rest/main.js`)
 * runs as a second process on the same database and Redis; a change made through either process
 * reaches a GraphQL subscriber of the other.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { ensureBuilt } from '../helpers/build.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { probeService } from '../helpers/services.js';
import { subscribe, warmUp, type Subscription } from '../helpers/subscriptions.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const CHANGED = 'subscription($m: ID) { maintenanceEventChanged(machineId: $m) { change event { id machineId title status } } }';

describe.skipIf(pgSvc.skip || redisSvc.skip)(`maintenance subscriptions across processes${pgSvc.label}${redisSvc.label}`, () => {
  let app: TestApp;
  let child: ServerProcess | undefined;
  let s: TenantSession;
  let machineId: string;

  /** Creates events through `api` until the subscriber has one. */
  async function warm(api: string, sub: Subscription): Promise<void> {
    await warmUp(sub.inbox, async () => {
      const id = await create(api, 'Warm-up');
      return (x) => x.event.id === id;
    }, 'warm-up event');
  }

  async function create(api: string, title: string): Promise<string> {
    const r = await http('POST', `${api}/maintenance`, { token: s.token, body: { machine_id: machineId, title, scheduled_start: '2026-04-10T08:00:00Z', scheduled_end: '2026-04-10T12:00:00Z' } });
    expect(r.status, r.text).toBe(201);
    return r.body.id;
  }

  beforeAll(async () => {
    await ensureBuilt('maintenance-cluster');
    app = await startTestApp({ redis: true });
    child = await startServerProcess(app.databaseUrl!);
    s = await registerTenant(app.api, 'mntproc');
    const m = await http('POST', `${app.api}/machines`, { token: s.token, body: { name: 'Shared', machine_identifier: `MP-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    machineId = m.body.id;
  }, 300_000);
  afterAll(async () => {
    await child?.stop('SIGKILL');
    await app?.stop();
  });

  it('a change made in one process reaches a subscriber of the other, both ways', async () => {
    const onChild = subscribe(child!.url, s.token, CHANGED, 'maintenanceEventChanged', { m: machineId });
    const inProcess = subscribe(app.url, s.token, CHANGED, 'maintenanceEventChanged', { m: machineId });
    try {
      await warm(app.api, onChild);
      await warm(child!.api, inProcess);
      const here = await create(app.api, 'Made in the test process');
      expect(await onChild.inbox.waitFor((x) => x.event.id === here, 'event from the test process')).toEqual({
        change: 'created', event: { id: here, machineId, title: 'Made in the test process', status: 'scheduled' },
      });
      const r = await http('PUT', `${child!.api}/maintenance/${here}`, { token: s.token, body: { status: 'in_progress' } });
      expect(r.status, r.text).toBe(200);
      const got = await inProcess.inbox.waitFor((x) => x.event.id === here && x.event.status === 'in_progress', 'status change from the child process');
      expect(got.change).toBe('updated');
    } finally {
      await Promise.all([onChild.client.dispose(), inProcess.client.dispose()]);
    }
  });
});
