/**
 * The source poller against a real database, with scripted drivers and fast intervals: fixed-rate
 * cadence without drift, overruns counted as missed cycles, exponential back-off and recovery,
 * one claim per source among contending pollers, a stolen lease stopping the loop, and a close
 * that releases everything. The app runs with JOBS_ENABLED=false so only the pollers built here poll.
 */
import 'reflect-metadata';
import { pino } from 'pino';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceUnreachableError, type DeviceDriver, type PollResult } from '../../src/connectivity/driver.js';
import { InProcessJobRunner } from '../../src/infra/jobs.js';
import { SourcePoller, type PollTargets, type SourcePollerOptions } from '../../src/ingest-sources/ingest-source-poller.js';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A driver whose every poll is scripted: `behaviour` decides each cycle's outcome and duration. */
class ScriptedDriver implements DeviceDriver {
  polls: number[] = [];
  closed = false;
  constructor(private readonly behaviour: () => { fail?: boolean; takeMs?: number; value?: number }) {}
  async poll(): Promise<PollResult> {
    this.polls.push(Date.now());
    const b = this.behaviour();
    if (b.takeMs) await sleep(b.takeMs);
    if (b.fail) throw new DeviceUnreachableError('device 10.0.0.9:502 unreachable: connect ECONNREFUSED');
    return { values: [{ metricName: 'temperature', unit: 'C', value: b.value ?? 1, timestamp: new Date(), rawTag: 'hr0' }], badPoints: [] };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe.skipIf(pgSvc.skip)(`source poller: cadence, back-off and leases${pgSvc.label}`, () => {
  let t: TestApp;
  let admin: TenantSession;
  let machineId: string;
  let identifier: string;
  let sql: pg.Client;
  const pollers: SourcePoller[] = [];
  const runners: InProcessJobRunner[] = [];

  async function newSource(): Promise<string> {
    const r = await http('POST', `${t.api}/ingest-sources`, {
      token: admin.token,
      body: {
        machine_id: machineId,
        name: `src ${Math.random()}`,
        protocol: 'modbus',
        host: '10.0.0.9',
        port: 502,
        poll_interval_seconds: 1,
        config: { registers: [{ address: 0, count: 1, register_type: 'holding', metric_name: 'temperature', unit: 'C' }] },
      },
    });
    expect(r.status, r.text).toBe(201);
    return r.body.id;
  }

  /** A poller on the app's database, bus and ingest service, with the source's interval overridden. */
  async function poller(intervalMs: number, driver: (id: string) => DeviceDriver, opts: Partial<SourcePollerOptions> = {}): Promise<{ p: SourcePoller; jobs: InProcessJobRunner }> {
    const s = t.app.container.services;
    const targets: PollTargets = {
      async loadPollTarget(id) {
        const target = await s.ingestSources.loadPollTarget(id);
        return target && { ...target, source: { ...target.source, pollIntervalMs: intervalMs } };
      },
    };
    const p = new SourcePoller(t.app.container.db, t.app.container.bus, s.ingest, targets, pino({ level: 'silent' }), {
      leaseMs: 1500,
      reconcileEveryMs: 200,
      runPeriodMs: 60_000,
      maxBackoffMs: 800,
      pollConcurrency: 100,
      driverOptions: { resolveTarget: async () => ({ address: '10.0.0.9', port: 502 }) },
      driverFactory: (source) => driver(source.id),
      ...opts,
    });
    const jobs = new InProcessJobRunner();
    await p.register(jobs);
    await jobs.start();
    pollers.push(p);
    runners.push(jobs);
    return { p, jobs };
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { JOBS_ENABLED: 'false' } });
    sql = new pg.Client({ connectionString: t.databaseUrl });
    sql.on('error', () => undefined);
    await sql.connect();
    admin = await registerTenant(t.api, 'poller');
    identifier = `P-${Date.now()}`;
    const m = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'P', machine_identifier: identifier, protocol: 'modbus' } });
    expect(m.status, m.text).toBe(201);
    machineId = m.body.id;
  }, 60_000);

  afterEach(async () => {
    for (const p of pollers.splice(0)) await p.close();
    for (const j of runners.splice(0)) await j.close();
    await sql.query(`update ingest_sources set is_active = false`);
  });

  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  it('plans cycles at fixed rate: no drift; slots skipped are counted as missed', async () => {
    const id = await newSource();
    const I = 400;
    const d = new ScriptedDriver(() => ({ takeMs: 120, value: 42 }));
    const { p } = await poller(I, () => d);
    void p.run({ sourceId: id });
    await eventually(() => (d.polls.length >= 9 ? true : undefined), 10_000, '9 polls');
    const polls = d.polls.slice(0, 9);
    const t0 = polls[0]!;
    // each poll starts on a slot of the grid t0 + k * I (late by the timer at most), never a fixed
    // pause after the previous cycle ended: that would drift 120 ms per cycle
    const slots = polls.map((at) => Math.floor((at - t0 + 20) / I));
    slots.slice(1).forEach((k, n) => expect(k).toBeGreaterThan(slots[n]!));
    polls.forEach((at, n) => expect(at - t0 - slots[n]! * I).toBeGreaterThanOrEqual(-20));
    // a slot without a poll is a counted missed cycle (none on an idle machine)
    const skipped = slots[slots.length - 1]! - (slots.length - 1);
    expect(skipped).toBeLessThanOrEqual(p.stats().missed);
    expect(p.stats()).toMatchObject({ sources: 1, failedCycles: 0 });
    expect(p.stats().cycles).toBeGreaterThanOrEqual(8); // the 9th may still be under way
    // through the ingest service: the machine's latest reading is the polled value
    const latest = await http('GET', `${t.api}/machines/${machineId}/readings/latest`, { token: admin.token });
    expect(latest.body.readings).toEqual([expect.objectContaining({ metric_name: 'temperature', value: 42, unit: 'C', raw_tag: 'hr0' })]);
    const h = await sql.query(`select state, lease_owner from ingest_sources where id = $1`, [id]);
    expect(h.rows[0]).toEqual({ state: 'ok', lease_owner: p.ownerId });
  });

  it('counts the slots an overrunning cycle skips as missed, and waits for the next slot instead of catching up', async () => {
    const id = await newSource();
    const I = 300;
    const d = new ScriptedDriver(() => ({ takeMs: 450 }));
    const { p } = await poller(I, () => d);
    void p.run({ sourceId: id });
    await eventually(() => (d.polls.length >= 5 ? true : undefined), 10_000, '5 polls');
    // a 450 ms cycle on a 300 ms grid ends past the next slot: that slot is skipped (and counted),
    // the next poll waits for the slot after
    d.polls.slice(1, 5).forEach((at, n) => expect(at - d.polls[n]!).toBeGreaterThanOrEqual(2 * I - 20));
    expect(p.stats().missed).toBeGreaterThanOrEqual(4);
  });

  it('backs off exponentially up to the maximum while failing, writes the health on change only, and recovers at the next attempt', async () => {
    const id = await newSource();
    let failing = true;
    const I = 200;
    const d = new ScriptedDriver(() => ({ fail: failing }));
    const { p } = await poller(I, () => d, { maxBackoffMs: 1600 });
    const events: { state: string; consecutiveFailures: number }[] = [];
    const tenantId = admin.tenantId;
    const off = t.app.container.bus.on(`sourceHealthChanged:${tenantId}`, (e) => void events.push(e));
    try {
      void p.run({ sourceId: id });
      await eventually(() => (d.polls.length >= 6 ? true : undefined), 15_000, '6 failed polls');
      const gaps = d.polls.slice(1, 6).map((at, i) => at - d.polls[i]!);
      // 200, 400, 800, 1600 (the maximum), 1600: never sooner, and late only by the timer
      const expected = [200, 400, 800, 1600, 1600];
      gaps.forEach((g, i) => {
        expect(g, JSON.stringify(gaps)).toBeGreaterThanOrEqual(expected[i]! - 20);
        expect(g, JSON.stringify(gaps)).toBeLessThan(expected[i]! + 700);
      });
      const row = (await sql.query(`select state, last_error, consecutive_failures from ingest_sources where id = $1`, [id])).rows[0];
      expect(row.state).toBe('failing');
      expect(row.last_error).toBe('device 10.0.0.9:502 unreachable: connect ECONNREFUSED');
      expect(row.consecutive_failures).toBeGreaterThanOrEqual(5);
      // one event for the change to failing, not one per failed cycle
      expect(events.filter((e) => e.state === 'failing')).toHaveLength(1);

      failing = false;
      const recoveredFrom = d.polls.length;
      await eventually(() => (d.polls.length >= recoveredFrom + 5 ? true : undefined), 6_000, 'polls after recovery');
      // the first good poll comes at the next back-off step; then the normal cadence, not the back-off
      const after = d.polls.slice(recoveredFrom, recoveredFrom + 5);
      const meanGap = (after[4]! - after[0]!) / 4;
      expect(meanGap).toBeGreaterThanOrEqual(I - 20);
      expect(meanGap).toBeLessThan(I + 300);
      await eventually(() => (events.some((e) => e.state === 'ok') ? true : undefined), 3_000, 'the ok event');
      const healed = (await sql.query(`select state, last_error, consecutive_failures from ingest_sources where id = $1`, [id])).rows[0];
      expect(healed).toEqual({ state: 'ok', last_error: null, consecutive_failures: 0 });
      expect(p.stats().failedCycles).toBeGreaterThanOrEqual(5);
    } finally {
      off();
    }
  }, 30_000);

  it('two pollers given the same source: one claims it, the other does not poll it', async () => {
    const id = await newSource();
    const d1 = new ScriptedDriver(() => ({}));
    const d2 = new ScriptedDriver(() => ({}));
    const { p: p1 } = await poller(100, () => d1);
    const { p: p2 } = await poller(100, () => d2);
    void p1.run({ sourceId: id });
    void p2.run({ sourceId: id });
    // and the same process twice
    void p1.run({ sourceId: id });
    await sleep(800);
    const polled = [d1.polls.length, d2.polls.length];
    expect(polled.filter((n) => n > 0)).toHaveLength(1);
    expect(p1.polledSourceIds().length + p2.polledSourceIds().length).toBe(1);
  });

  it('a loop whose lease is taken stops polling before the lease could overlap', async () => {
    const id = await newSource();
    const d = new ScriptedDriver(() => ({}));
    const { p } = await poller(100, () => d);
    const done = p.run({ sourceId: id });
    await eventually(() => (d.polls.length >= 2 ? true : undefined), 2_000, 'polling');
    await sql.query(`update ingest_sources set lease_owner = 'someone-else', lease_until = now() + interval '1 hour' where id = $1`, [id]);
    // renewals run every third of the 1.5 s lease
    await done;
    const stoppedAt = d.polls.length;
    await sleep(300);
    expect(d.polls.length).toBe(stoppedAt);
    expect(d.closed).toBe(true);
    expect(p.polledSourceIds()).toEqual([]);
    const row = (await sql.query(`select lease_owner from ingest_sources where id = $1`, [id])).rows[0];
    expect(row.lease_owner).toBe('someone-else');
  });

  it('the reconcile pass starts free sources; close stops the loops, closes the drivers and releases the leases', async () => {
    const ids = [await newSource(), await newSource(), await newSource()];
    const drivers = new Map<string, ScriptedDriver>();
    const { p } = await poller(100, (id) => {
      const d = new ScriptedDriver(() => ({}));
      drivers.set(id, d);
      return d;
    });
    expect(await p.reconcile()).toBeGreaterThanOrEqual(3);
    await eventually(() => (ids.every((id) => (drivers.get(id)?.polls.length ?? 0) > 0) ? true : undefined), 3_000, 'every source polled');
    await p.close();
    expect(ids.every((id) => drivers.get(id)!.closed)).toBe(true);
    const rows = (await sql.query(`select lease_owner, lease_until <= now() as free from ingest_sources where id = any($1)`, [ids])).rows;
    expect(rows).toEqual(ids.map(() => ({ lease_owner: null, free: true })));
    const counts = ids.map((id) => drivers.get(id)!.polls.length);
    await sleep(300);
    expect(ids.map((id) => drivers.get(id)!.polls.length)).toEqual(counts);
  });

  it('a deactivated source is marked disabled and its loop ends at the next cycle', async () => {
    const id = await newSource();
    const d = new ScriptedDriver(() => ({}));
    const { p } = await poller(100, () => d);
    const done = p.run({ sourceId: id });
    await eventually(() => (d.polls.length >= 2 ? true : undefined), 2_000, 'polling');
    const r = await http('PATCH', `${t.api}/ingest-sources/${id}`, { token: admin.token, body: { is_active: false } });
    expect(r.status, r.text).toBe(200);
    const at = d.polls.length;
    await done;
    expect(d.polls.length - at).toBeLessThanOrEqual(1);
    const row = (await sql.query(`select state, lease_owner from ingest_sources where id = $1`, [id])).rows[0];
    expect(row).toEqual({ state: 'disabled', lease_owner: null });
  });
});
