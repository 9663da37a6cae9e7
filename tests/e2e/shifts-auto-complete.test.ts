/**
 * The auto-complete job (issue 15): a log still active SHIFT_AUTO_COMPLETE_MINUTES past its
 * planned end is completed at its planned end, once, with an audit row of the platform and one
 * shiftLogChanged event; a log inside the grace period stays active. Run by the module's own
 * handler on the in-process runner, and on BullMQ with two API processes sharing one database and
 * one queue (each process's worker takes rounds; every log still closes once).
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullJobRunner, InProcessJobRunner, type JobRunner } from '../../src/infra/jobs.js';
import { shiftLogChangedTopic, type ShiftLogChanged } from '../../src/shifts/shift.events.js';
import { SHIFT_AUTO_COMPLETE_JOB, shiftsModule } from '../../src/shifts/shifts.module.js';
import { registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService, SERVICE_URLS } from '../helpers/services.js';
import { suiteInstancePair } from '../helpers/suite-apps.js';
import { shiftsApi } from './shifts.fixtures.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/** A one-hour definition body whose window ended `endedMinutesAgo` minutes ago (UTC tenant), and the log date it belongs to. */
function pastWindow(name: string, endedMinutesAgo: number) {
  const end = new Date(Math.floor((Date.now() - endedMinutesAgo * 60_000) / 60_000) * 60_000);
  const start = new Date(end.getTime() - 60 * 60_000);
  return { body: { name, start_time: hhmm(start), end_time: hhmm(end) }, date: start.toISOString().slice(0, 10), end };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two logs of a fresh tenant: one 2 h past its planned end, one 30 min past it. */
async function overdueAndRecent(t: TestApp, tag: string) {
  const s = shiftsApi(() => t.api);
  const admin: TenantSession = await registerTenant(t.api, tag);
  const overdueWin = pastWindow('Overdue', 120);
  const recentWin = pastWindow('Recent', 30);
  const overdueDef = await s.definition(admin, overdueWin.body);
  const recentDef = await s.definition(admin, recentWin.body);
  const overdue = await s.log(admin, { shift_definition_id: overdueDef.id, machine_id: await s.machine(admin), date: overdueWin.date });
  const recent = await s.log(admin, { shift_definition_id: recentDef.id, machine_id: await s.machine(admin), date: recentWin.date });
  expect(overdue.planned_end).toBe(overdueWin.end.toISOString());
  return { admin, overdue, recent, s };
}

async function auditOf(sql: pg.Client, logId: string) {
  const { rows } = await sql.query(`select action, user_id, details from audit_events where resource_id = $1 and action = 'update_shift_log'`, [logId]);
  return rows;
}

const runners: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

describe.skipIf(pgSvc.skip)(`shift auto-complete on the in-process runner${pgSvc.label}`, () => {
  let t: TestApp;
  let sql: pg.Client;

  beforeAll(async () => {
    // the app's own schedule is off: the test drives a runner of its own at a short interval
    t = await startTestApp({ env: { JOBS_ENABLED: 'false', SHIFT_AUTO_COMPLETE_MINUTES: '60' } });
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  it('completes the overdue log at its planned end, once, and leaves the recent one active', async () => {
    const { admin, overdue, recent, s } = await overdueAndRecent(t, 'auto-inproc');
    const events: ShiftLogChanged[] = [];
    const off = t.app.container.bus.on(shiftLogChangedTopic(admin.tenantId), (e) => void events.push(e));
    try {
      const runner = new InProcessJobRunner();
      runners.push(runner);
      await shiftsModule.jobs!.register!(runner, t.app.container.services, undefined as never);
      await runner.start();
      await runner.every(SHIFT_AUTO_COMPLETE_JOB, SHIFT_AUTO_COMPLETE_JOB, {}, 200);
      const done = await until('the overdue log completed', async () => {
        const r = await s.call(admin, 'GET', `/shifts/logs/${overdue.id}`);
        return r.body.status === 'completed' ? r.body : undefined;
      });
      expect(done.ended_at).toBe(overdue.planned_end);
      // a few more rounds, and two at once by hand: nothing is closed twice
      await new Promise((r) => setTimeout(r, 600));
      expect(await Promise.all([t.app.container.services.shifts.autoComplete(), t.app.container.services.shifts.autoComplete()])).toEqual([0, 0]);
      expect((await s.call(admin, 'GET', `/shifts/logs/${recent.id}`)).body.status).toBe('active');
      const audit = await auditOf(sql, overdue.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ user_id: null, details: { status: 'completed', origin: 'auto_complete', ended_at: overdue.planned_end } });
      expect(events.filter((e) => e.log.id === overdue.id).map((e) => [e.change, e.log.status])).toEqual([['updated', 'completed']]);
    } finally {
      off();
    }
  }, 30_000);
});

describe.skipIf(pgSvc.skip || redisSvc.skip)(`shift auto-complete on BullMQ with two API processes${pgSvc.label}${redisSvc.label}`, () => {
  // the apps' own workers stay off (the default queue prefix is shared by every app on this Redis)
  const apps = suiteInstancePair({ env: { JOBS_ENABLED: 'false', SHIFT_AUTO_COMPLETE_MINUTES: '60' } }, 60_000);
  let sql: pg.Client;

  beforeAll(async () => {
    sql = new pg.Client({ connectionString: apps.one.databaseUrl });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
  });

  it('each overdue log is completed once, whichever process runs the round', async () => {
    const { one: a, two: b } = apps;
    const { admin, overdue, recent, s } = await overdueAndRecent(a, 'auto-bull');
    const events: ShiftLogChanged[] = [];
    // a's bus hears what either process publishes (Redis)
    const off = a.app.container.bus.on(shiftLogChangedTopic(admin.tenantId), (e) => void events.push(e));
    const prefix = `hf:test:shifts:${randomUUID()}`;
    const rounds = { a: 0, b: 0 };
    try {
      for (const [name, app] of [['a', a], ['b', b]] as const) {
        const runner = new BullJobRunner(SERVICE_URLS.redis, { prefix });
        runners.push(runner);
        const shifts = app.app.container.services.shifts;
        const original = shifts.autoComplete.bind(shifts);
        // count each process's rounds, then run the module's own handler
        await shiftsModule.jobs!.register!(runner, { ...app.app.container.services, shifts: { autoComplete: async () => ((rounds[name] += 1), original()) } } as never, undefined as never);
        await runner.start();
      }
      await runners[0]!.every(SHIFT_AUTO_COMPLETE_JOB, SHIFT_AUTO_COMPLETE_JOB, {}, 250);
      await until('the overdue log completed', async () => {
        const r = await s.call(admin, 'GET', `/shifts/logs/${overdue.id}`);
        return r.body.status === 'completed' ? true : undefined;
      });
      // more rounds run (on either worker) and change nothing
      await until('more rounds', async () => (rounds.a + rounds.b >= 4 ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      expect((await auditOf(sql, overdue.id)).map((r) => r.details.origin)).toEqual(['auto_complete']);
      expect(events.filter((e) => e.log.id === overdue.id && e.log.status === 'completed')).toHaveLength(1);
      expect((await s.call(admin, 'GET', `/shifts/logs/${recent.id}`)).body.status).toBe('active');
    } finally {
      off();
      await Promise.all(runners.splice(0).map((r) => r.close()));
      // the test's queue and its scheduler leave nothing behind in Redis
      const q = new Queue(SHIFT_AUTO_COMPLETE_JOB, { connection: { url: SERVICE_URLS.redis }, prefix });
      await q.obliterate({ force: true });
      await q.close();
    }
  }, 60_000);
});
