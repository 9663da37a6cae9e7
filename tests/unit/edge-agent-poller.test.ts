import { describe, expect, it } from 'vitest';
import { DeviceUnreachableError, type DeviceDriver, type PollResult } from '../../src/connectivity/driver.js';
import type { AgentSource } from '../../src/edge-agent/config.js';
import { heartbeatUrl, HEARTBEAT_MAX_SOURCES } from '../../src/edge-agent/heartbeat.js';
import { readingJson, SourcePoller, type SourceHealth } from '../../src/edge-agent/poller.js';
import { formatStatus } from '../../src/edge-agent/status.js';

const source: AgentSource = {
  id: 'press',
  name: 'press',
  protocol: 'modbus',
  machineIdentifier: 'PRESS-1',
  pollIntervalMs: 1000,
  modbus: { host: '10.0.0.5', port: 502, unitId: 1, registers: [] },
};

function memoryLog() {
  const lines: { level: string; m?: string }[] = [];
  const at = (level: string) => (_o: object, m?: string) => void lines.push({ level, m });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A driver that plays a script of outcomes, one per poll. */
function scripted(steps: (PollResult | Error)[]): DeviceDriver & { polls: number; closed: boolean } {
  const d = {
    polls: 0,
    closed: false,
    async poll(): Promise<PollResult> {
      const step = steps[Math.min(d.polls++, steps.length - 1)]!;
      if (step instanceof Error) throw step;
      return step;
    },
    async close() {
      d.closed = true;
    },
  };
  return d;
}

const value = (v: number, at = new Date('2026-01-01T00:00:00Z')) => ({ metricName: 'temperature', unit: 'celsius', value: v, timestamp: at, rawTag: 'hr100' });
const down = new DeviceUnreachableError('Modbus device 10.0.0.5:502 unreachable: connect ECONNREFUSED 10.0.0.5:502');

describe('source poller', () => {
  it('appends each polled value once, as the JSON /ingest takes; logs going down and coming back once each', async () => {
    const driver = scripted([
      { values: [value(1)], badPoints: [] },
      down,
      down,
      down,
      { values: [value(2), value(Number.NaN)], badPoints: [] },
      { values: [value(3)], badPoints: [{ point: 'holding:200-201', metricNames: ['speed'], good: false, status: 'IllegalDataAddress' }] },
      { values: [value(4)], badPoints: [{ point: 'holding:200-201', metricNames: ['speed'], good: false, status: 'IllegalDataAddress' }] },
      { values: [value(5)], badPoints: [] },
    ]);
    const appended: string[][] = [];
    const log = memoryLog();
    // a 1 ms interval: failures back off 1, 2, 4 ms
    const poller = new SourcePoller({ ...source, pollIntervalMs: 1 }, driver, { append: async (items) => void appended.push([...items]) }, log);
    const states: SourceHealth['state'][] = [];
    poller.start();
    const deadline = Date.now() + 5000;
    while (driver.polls < 8 && Date.now() < deadline) {
      states.push(poller.health.state);
      await new Promise((r) => setTimeout(r, 1));
    }
    await poller.stop();
    expect(driver.closed).toBe(true);
    const values = appended.flat().map((j) => (JSON.parse(j) as { value: number }).value);
    // NaN is never buffered; every other value exactly once, in order
    expect(values.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.parse(appended[0]![0]!)).toEqual({ machine_identifier: 'PRESS-1', timestamp: '2026-01-01T00:00:00.000Z', metric_name: 'temperature', value: 1, unit: 'celsius', raw_tag: 'hr100' });
    expect(states).toContain('failing');
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.m);
    expect(warnings).toEqual([
      'source press unreachable: Modbus device 10.0.0.5:502 unreachable: connect ECONNREFUSED 10.0.0.5:502; retrying with back-off up to 30 s (logged again when it recovers)',
      'source press: 1 point(s) not readable: holding:200-201: IllegalDataAddress',
    ]);
    const infos = log.lines.filter((l) => l.level === 'info').map((l) => l.m);
    expect(infos).toEqual([
      'source press (modbus 10.0.0.5:502 unit 1) connected; 1 value(s) per cycle',
      'source press (modbus 10.0.0.5:502 unit 1) reachable again after 3 failed attempt(s)',
      'source press: every point readable again',
    ]);
    expect(log.lines.filter((l) => l.m?.includes('still unreachable'))).toHaveLength(2);
  });

  it('backs off while the device is down (interval doubling, at most 30 s)', async () => {
    const driver = scripted([down]);
    const log = memoryLog();
    const poller = new SourcePoller({ ...source, pollIntervalMs: 20 }, driver, { append: async () => undefined }, log);
    poller.start();
    await new Promise((r) => setTimeout(r, 330));
    await poller.stop();
    // attempts at 0, 20, 60, 140, 300 ms: five, where a fixed interval would give seventeen
    expect(driver.polls).toBeGreaterThanOrEqual(2);
    expect(driver.polls).toBeLessThanOrEqual(6);
    expect(poller.health).toMatchObject({ state: 'failing', lastError: down.message });
  });

  it('readingJson writes the documented reading fields', () => {
    expect(JSON.parse(readingJson('M-1', value(7.5)))).toEqual({ machine_identifier: 'M-1', timestamp: '2026-01-01T00:00:00.000Z', metric_name: 'temperature', value: 7.5, unit: 'celsius', raw_tag: 'hr100' });
  });
});

describe('heartbeat report', () => {
  const health = (name: string, state: SourceHealth['state']): SourceHealth => ({ name, state, lastError: null, consecutiveFailures: 0, lastSuccessAt: null, readings: 0, cycles: 0, missedCycles: 0, badPoints: [] });

  it('goes as query parameters, sources as state:name, bounded', () => {
    const sources = Array.from({ length: 70 }, (_, i) => health(i === 0 ? `Press: ${'x'.repeat(200)}` : `s${i}`, i % 2 ? 'failing' : 'ok'));
    const url = new URL(heartbeatUrl('http://api:8080', { version: '0.1.0', hostname: 'gw', buffered: 12.7, dropped: 0, sources }));
    expect(url.pathname).toBe('/api/v1/agent/heartbeat');
    expect(url.searchParams.get('version')).toBe('0.1.0');
    expect(url.searchParams.get('hostname')).toBe('gw');
    expect(url.searchParams.get('buffered')).toBe('12');
    expect(url.searchParams.get('sources_total')).toBe('70');
    const listed = url.searchParams.getAll('source');
    expect(listed).toHaveLength(HEARTBEAT_MAX_SOURCES);
    expect(listed[0]).toBe(`ok:Press: ${'x'.repeat(93)}`);
    expect(listed[1]).toBe('failing:s1');
    expect(url.toString().length).toBeLessThan(8000);
  });

  it('the status line names the buffer, the rate and each source', () => {
    const line = formatStatus(
      {
        buffered: 1500,
        bufferBytes: 300_000,
        maxBufferBytes: 500 * 1024 * 1024,
        sent: 600,
        ratePerSecond: 20,
        rejected: 2,
        dropped: 0,
        api: 'ok',
        heartbeat: 'ok',
        sources: [
          { name: 'press', state: 'ok', error: null, readings: 10 },
          { name: 'pump', state: 'failing', error: 'connect ECONNREFUSED', readings: 0 },
        ],
      },
      30_000,
    );
    expect(line).toBe('status: 1500 buffered (0.29 of 500 MB); sent 600 in 30 s (20.0/s); rejected 2, dropped 0 since start; API ok; heartbeat ok; sources: press ok, pump failing (connect ECONNREFUSED)');
  });
});
