import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pg = await probeService('postgres');
const redis = await probeService('redis');
const influx = await probeService('influxdb');
const skip = pg.skip || redis.skip || influx.skip;

describe.skipIf(skip)(`operations: health, readiness, metrics, request ids${pg.label}${redis.label}${influx.label}`, () => {
  let all: TestApp;
  let deadInflux: TestApp;
  beforeAll(async () => {
    all = await startTestApp({ redis: true, env: { INFLUX_URL: influx.url, INFLUX_DB: `hf_ops_${Date.now()}` } });
    // a port nothing listens on: InfluxDB configured but unreachable
    deadInflux = await startTestApp({ env: { INFLUX_URL: 'http://127.0.0.1:9', INFLUX_DB: 'unreachable' } }).catch((e: unknown) => {
      throw new Error(`an unreachable InfluxDB must not stop start-up: ${String(e)}`);
    });
  });
  afterAll(async () => {
    if (all) {
      await fetch(new URL('/query', influx.url), { method: 'POST', body: new URLSearchParams({ q: `DROP DATABASE "${all.app.container.config.influx!.db}"` }) });
      await all.stop();
    }
    await deadInflux?.stop();
  });

  it('/healthz answers while the process is up', async () => {
    const r = await http('GET', `${all.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });

  it('/readyz checks the database, Redis and InfluxDB when configured', async () => {
    const r = await http('GET', `${all.url}/readyz`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ready');
    expect(Object.keys(r.body.checks).sort()).toEqual(['database', 'influxdb', 'redis']);
    for (const c of Object.values(r.body.checks) as { ok: boolean }[]) expect(c.ok).toBe(true);
  });

  it('/readyz is 503 naming the failing dependency when InfluxDB is unreachable', async () => {
    const r = await http('GET', `${deadInflux.url}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('not_ready');
    expect(r.body.checks.database.ok).toBe(true);
    expect(r.body.checks.influxdb.ok).toBe(false);
    expect(typeof r.body.checks.influxdb.error).toBe('string');
  });

  it('/metrics exposes request counts and latency by route and status, and process metrics', async () => {
    const s = await registerTenant(all.api, 'ops');
    await http('GET', `${all.api}/auth/me`, { token: s.token });
    await http('GET', `${all.api}/auth/me`);
    const r = await http('GET', `${all.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    expect(r.text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="200"\} \d+/);
    expect(r.text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="401"\} \d+/);
    const bucket = r.text.split('\n').find((l) => l.startsWith('http_request_duration_seconds_bucket{') && l.includes('le="0.1"') && l.includes('route="/api/v1/auth/me"') && l.includes('status="200"'));
    expect(bucket, 'latency histogram bucket for GET /api/v1/auth/me 200').toMatch(/ \d+$/);
    expect(r.text).toContain('process_resident_memory_bytes');
  });

  it('returns a request id on every response and keeps a sane one the client sent', async () => {
    const generated = await http('GET', `${all.api}/no-such-route`);
    expect(generated.status).toBe(404);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await http('GET', `${all.url}/healthz`, { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123');
    const replaced = await http('GET', `${all.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id with spaces');
  });
});
