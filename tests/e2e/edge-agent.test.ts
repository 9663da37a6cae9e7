/**
 * The edge agent as a real process (the compiled CLI) polling a modbus-serial server and pushing
 * to a real API: forwarding, 207 rejections, the heartbeat, the status line, config errors, and
 * the fault test: API stopped while the agent polls, the agent SIGKILLed and restarted before the
 * API returns on the same port and database; every value the device served is stored exactly once.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import ModbusSerial from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createTestDatabase, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { ensureBuilt, NODE24, ROOT } from '../helpers/build.js';
import { startModbusServer, stopAllModbusServers } from '../helpers/modbus-servers.js';
import { freePort } from '../helpers/sockets.js';
import { startOpcuaServer, type TestOpcuaServer } from '../helpers/opcua-server.js';
import { probeService } from '../helpers/services.js';

const pg = await probeService('postgres');
const CLI = path.join(ROOT, 'dist/src/edge-agent/cli.js');
const BIN = path.join(ROOT, 'bin/haltfree-agent.js');

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A running agent process and what it logged. */
class AgentProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;

  constructor(configFile: string, env: Record<string, string> = {}) {
    this.child = spawn(NODE24, [CLI, '--config', configFile], {
      cwd: ROOT,
      env: { ...process.env, HALTLESS_RETRY_MAX: '0.5', HALTLESS_AUTH_RETRY: '1', HALTLESS_STATUS_INTERVAL: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) {
        if (!l.trim()) continue;
        try {
          this.logs.push(JSON.parse(l) as LogLine);
        } catch {
          this.logs.push({ level: 0, msg: l });
        }
      }
    });
    this.child.stderr.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits until `count` lines from index `from` on match; returns the index after the last one. */
  async waitFor(match: (l: LogLine) => boolean, o: { from?: number; count?: number; timeoutMs?: number; what: string }): Promise<number> {
    const deadline = Date.now() + (o.timeoutMs ?? 20_000);
    for (;;) {
      let seen = 0;
      for (let i = o.from ?? 0; i < this.logs.length; i++) {
        if (match(this.logs[i]!) && ++seen === (o.count ?? 1)) return i + 1;
      }
      if (Date.now() > deadline) throw new Error(`agent did not log ${o.what} in time; stderr: ${this.stderr}\nlast lines:\n${this.logs.slice(-15).map((l) => l.msg).join('\n')}`);
      await sleep(50);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const buffered = (l: LogLine) => /^source press: \d+ reading\(s\) written to the buffer$/.test(l.msg);

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * A modbus-serial server whose holding register 0 holds a counter that moves on after every read,
 * so each poll is served a distinct value, and which records every value it served. Register 1
 * holds the counter + 1000 (read in the same request).
 */
async function startCountingDevice(): Promise<{ port: number; served: number[]; stop(): Promise<void> }> {
  const served: number[] = [];
  let counter = 100;
  let last = counter;
  const word = (addr: number) => (addr === 0 ? last : addr === 1 ? last + 1000 : 0);
  const serve = (addr: number, len: number) => {
    if (addr <= 0 && addr + len > 0) {
      last = counter++;
      served.push(last);
    }
    return Array.from({ length: len }, (_, i) => word(addr + i));
  };
  const vector = {
    getHoldingRegister: (addr: number, _unit: number, cb: (err: unknown, v?: number) => void) => cb(null, serve(addr, 1)[0]),
    getMultipleHoldingRegisters: (addr: number, len: number, _unit: number, cb: (err: unknown, v?: number[]) => void) => cb(null, serve(addr, len)),
  };
  const port = await freePort();
  const server = await new Promise<InstanceType<typeof ModbusSerial.ServerTCP>>((resolve, reject) => {
    const s = new ModbusSerial.ServerTCP(vector as never, { host: '127.0.0.1', port });
    s.on('initialized', () => resolve(s));
    s.on('serverError', reject);
    s.on('socketError', () => undefined);
    s.on('error', () => undefined);
  });
  return {
    port,
    served,
    stop: () =>
      new Promise<void>((resolve) => {
        const open = (server as unknown as { socks: Map<{ destroy(): void }, unknown> }).socks;
        for (const sock of open?.keys() ?? []) sock.destroy();
        const timer = setTimeout(resolve, 3000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

function agentToml(o: { apiUrl: string; key: string; bufferDir: string; sources: string; extra?: string }): string {
  return `[agent]
api_key = "${o.key}"
api_url = "${o.apiUrl}"
push_interval = 0.2
batch_size = 5
buffer_dir = "${o.bufferDir}"
max_buffer_mb = 50
heartbeat_interval = 1
log_level = "debug"
${o.extra ?? ''}
${o.sources}`;
}

const countingSource = (name: string, identifier: string, port: number) => `
[[source]]
name = "${name}"
machine_identifier = "${identifier}"
protocol = "modbus"

[source.modbus]
host = "127.0.0.1"
port = ${port}
unit_id = 1
poll_interval = 1

[[source.modbus.registers]]
address = 0
count = 1
register_type = "holding"
metric_name = "counter"
unit = "count"
scale = 1
offset = 0

[[source.modbus.registers]]
address = 1
register_type = "holding"
metric_name = "scaled"
unit = "u"
scale = 0.5
offset = 10
`;

async function newMachine(api: string, admin: TenantSession, identifier: string): Promise<string> {
  const r = await http('POST', `${api}/machines`, { token: admin.token, body: { name: identifier, machine_identifier: identifier, protocol: 'modbus_tcp' } });
  if (r.status !== 201) throw new Error(`create machine: ${r.status} ${r.text}`);
  return r.body.id;
}

/** Stored points of one metric, oldest first. */
async function stored(api: string, admin: TenantSession, machineId: string, metric: string, since: Date): Promise<{ timestamp: string; value: number }[]> {
  const q = new URLSearchParams({ metric, start: since.toISOString(), limit: '100000' });
  const r = await http('GET', `${api}/machines/${machineId}/readings?${q}`, { token: admin.token });
  if (r.status !== 200) throw new Error(`readings: ${r.status} ${r.text}`);
  return (r.body.series[0]?.points ?? []) as { timestamp: string; value: number }[];
}

describe.skipIf(pg.skip)(`edge agent process${pg.label}`, () => {
  let workDir: string;
  const agents: AgentProcess[] = [];
  const apps: TestApp[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    await ensureBuilt('edge-agent');
    workDir = await mkdtemp(path.join(tmpdir(), 'hf-agent-e2e-'));
  }, 300_000);

  afterAll(async () => {
    for (const a of agents) a.kill('SIGKILL');
    await Promise.all(agents.map((a) => a.exited));
    for (const t of apps) await t.stop().catch(() => undefined);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await stopAllModbusServers();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 60_000);

  const spawnAgent = (file: string, env?: Record<string, string>) => {
    const a = new AgentProcess(file, env);
    agents.push(a);
    return a;
  };

  it('a bad config names the key and the line and exits 2; --check and the bin shim work', async () => {
    const file = path.join(workDir, 'bad.toml');
    await writeFile(file, '[agent]\napi_key = "k"\nbatch_size = 5000\n\n[[source]]\nname = "x"\nmachine_identifier = "X"\nprotocol = "modbus"\n[source.modbus]\nhost = "127.0.0.1"\nregisters = [{ address = 1, metric_name = "m", unit = "u", register_type = "holdng" }]\n');
    const bad = spawnSync(NODE24, [CLI, '--config', file], { encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${file}:3: agent.batch_size: must be between 1 and 1000 (got 5000)`);
    expect(bad.stderr).toContain(`${file}:11: source[0].modbus.registers[0].register_type: must be one of holding, input, coil, discrete_input (got "holdng")`);
    const missing = spawnSync(NODE24, [CLI], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, HALTLESS_CONFIG: path.join(workDir, 'nope.toml') } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.toml: (file): config file not found');
    const good = path.join(workDir, 'good.toml');
    await writeFile(good, agentToml({ apiUrl: 'http://127.0.0.1:9', key: 'hk_x', bufferDir: path.join(workDir, 'unused'), sources: countingSource('s', 'S-1', 502) }));
    const check = spawnSync(NODE24, [CLI, '--config', good, '--check'], { encoding: 'utf8', timeout: 20_000 });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('OK (1 source(s)');
    const version = spawnSync(NODE24, [BIN, '--version'], { encoding: 'utf8', timeout: 20_000 });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 60_000);

  it('polls, forwards, drops 207 rejections, reports an unreachable device once, sends heartbeats and status lines', async () => {
    const t = await startTestApp();
    apps.push(t);
    const admin = await registerTenant(t.api, 'agent-ok');
    const machineId = await newMachine(t.api, admin, 'AGENT-OK-1');
    const key = await createApiKey(t.api, admin, 'edge_agent');
    const dev = await startCountingDevice();
    cleanups.push(dev.stop);
    const other = await startModbusServer({ holding: { 7: 42 } });
    const deadPort = await freePort();
    const since = new Date(Date.now() - 60_000);
    const file = path.join(workDir, 'ok.toml');
    await writeFile(
      file,
      agentToml({
        apiUrl: t.url,
        key: key.key,
        bufferDir: path.join(workDir, 'buf-ok'),
        sources:
          countingSource('press', 'AGENT-OK-1', dev.port) +
          `\n[[source]]\nname = "ghost"\nmachine_identifier = "NOT-REGISTERED"\nprotocol = "modbus"\n[source.modbus]\nhost = "127.0.0.1"\nport = ${other.port}\npoll_interval = 1\n[[source.modbus.registers]]\naddress = 7\nmetric_name = "m"\nunit = "u"\n` +
          `\n[[source]]\nname = "dead"\nmachine_identifier = "AGENT-OK-1"\nprotocol = "modbus"\n[source.modbus]\nhost = "127.0.0.1"\nport = ${deadPort}\npoll_interval = 1\n[[source.modbus.registers]]\naddress = 0\nmetric_name = "d"\nunit = "u"\n`,
      }),
    );
    const agent = spawnAgent(file);
    await agent.waitFor((l) => l.msg.startsWith('haltfree-agent') && l.msg.includes('started: 3 source(s)'), { what: 'the start line' });

    // readings arrive, scale and offset applied, one per cycle
    const points = await until('3 stored counter readings', async () => {
      const p = await stored(t.api, admin, machineId, 'counter', since);
      return p.length >= 3 && p;
    });
    const scaled = await stored(t.api, admin, machineId, 'scaled', since);
    for (const p of points.slice(0, 3)) expect(scaled.find((s) => s.timestamp === p.timestamp)?.value).toBe((p.value + 1000) * 0.5 + 10);

    // the unregistered machine's readings: rejected in a 207, logged, dropped (never retried)
    await agent.waitFor((l) => l.msg.startsWith('API rejected') && l.msg.includes('Machine not found'), { what: 'the 207 rejection' });
    // the dead device: one warning, then debug lines while it stays down
    await agent.waitFor((l) => l.msg.includes('still unreachable'), { count: 2, what: 'repeated failures of the dead source' });
    const deadWarnings = agent.logs.filter((l) => l.level === 40 && l.msg.startsWith('source dead') && l.msg.includes('unreachable'));
    expect(deadWarnings).toHaveLength(1);
    expect(deadWarnings[0]!.msg).toMatch(new RegExp(`^source dead unreachable: .*127\\.0\\.0\\.1:${deadPort}.*ECONNREFUSED`));

    // a status line every interval: buffered count, send rate, per-source health
    type Status = { rejected: number; heartbeat: string; api: string; buffered: number };
    const statusAt = await agent.waitFor(
      (l) => l.msg.startsWith('status:') && (l.status as Status).rejected > 0 && (l.status as Status).heartbeat === 'ok' && (l.status as Status).api === 'ok',
      { what: 'a status line with rejections' },
    );
    const status = agent.logs[statusAt - 1]!;
    expect(status.msg).toMatch(/^status: \d+ buffered \([\d.]+ of 50 MB\); sent \d+ in 1 s \([\d.]+\/s\); rejected \d+, dropped 0 since start; API ok; heartbeat ok; sources: press ok, ghost ok, dead failing \(/);
    // rejected readings leave the buffer: it never holds more than a few cycles
    expect((status.status as Status).buffered).toBeLessThan(20);

    // the heartbeat reached the server
    const seen = await until('the agent in GET /agents', async () => {
      const r = await http('GET', `${t.api}/agents`, { token: admin.token });
      const a = r.body.items?.[0];
      return a?.sources?.length === 3 && a.sources[2].state === 'failing' && a;
    });
    expect(seen).toMatchObject({ api_key_id: key.id, hostname: hostname().slice(0, 255), agent_version: expect.stringMatching(/^\d+\.\d+\.\d+/), sources_total: 3 });
    expect(seen.sources.map((s: { name: string }) => s.name)).toEqual(['press', 'ghost', 'dead']);

    agent.kill('SIGTERM');
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(agent.logs.some((l) => l.msg.startsWith('haltfree-agent stopped'))).toBe(true);
  }, 90_000);

  it('reads an OPC-UA server over SignAndEncrypt with a username, and reports a missing node without stopping the others', async () => {
    const t = await startTestApp();
    apps.push(t);
    const admin = await registerTenant(t.api, 'agent-opcua');
    const machineId = await newMachine(t.api, admin, 'AGENT-OPC-1');
    const key = await createApiKey(t.api, admin, 'edge_agent');
    const srv: TestOpcuaServer = await startOpcuaServer({ pkiDir: path.join(workDir, 'opcua-server'), nodes: [{ nodeId: 'ns=2;s=Temperature', value: 72.5 }, { nodeId: 'ns=2;i=1002', value: 3.25 }] });
    cleanups.push(() => srv.close());
    const file = path.join(workDir, 'opcua.toml');
    await writeFile(
      file,
      agentToml({
        apiUrl: t.url,
        key: key.key,
        bufferDir: path.join(workDir, 'buf-opcua'),
        sources: `
[[source]]
name = "mill"
machine_identifier = "AGENT-OPC-1"
protocol = "opcua"

[source.opcua]
endpoint = "${srv.endpointUrl}"
security_mode = "SignAndEncrypt"
security_policy = "Basic256Sha256"
username = "opcuser"
password = "securepass"
poll_interval = 1

[[source.opcua.nodes]]
node_id = "ns=2;s=Temperature"
metric_name = "temperature"
unit = "celsius"

[[source.opcua.nodes]]
node_id = "ns=2;i=1002"
metric_name = "vibration"
unit = "mm/s"

[[source.opcua.nodes]]
node_id = "ns=2;s=NoSuchNode"
metric_name = "missing"
unit = "x"
`,
      }),
    );
    const agent = spawnAgent(file);
    const latest = await until(
      'both OPC-UA metrics stored',
      async () => {
        const r = await http('GET', `${t.api}/machines/${machineId}/readings/latest`, { token: admin.token });
        return r.status === 200 && r.body.readings.length >= 2 && r.body.readings;
      },
      45_000,
    );
    expect(latest).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ metric_name: 'temperature', value: 72.5, unit: 'celsius', raw_tag: 'ns2_sTemperature' }),
        expect.objectContaining({ metric_name: 'vibration', value: 3.25, unit: 'mm/s', raw_tag: 'ns2_i1002' }),
      ]),
    );
    expect(latest.map((r: { metric_name: string }) => r.metric_name)).not.toContain('missing');
    const bad = await agent.waitFor((l) => l.msg.startsWith('source mill: 1 point(s) not readable'), { what: 'the bad node warning' });
    expect(agent.logs[bad - 1]!.msg).toMatch(/ns=2;s=NoSuchNode: BadNodeIdUnknown/);
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  }, 90_000);

  it('fault test: API down, agent SIGKILLed and restarted, API back on the same port and database: every served value stored exactly once', async () => {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const port = await freePort();
    const appOn = () => startTestApp({ databaseUrl: db.url, env: { PORT: String(port) } });
    let t = await appOn();
    apps.push(t);
    const admin = await registerTenant(t.api, 'agent-fault');
    const machineId = await newMachine(t.api, admin, 'AGENT-FAULT-1');
    const key = await createApiKey(t.api, admin, 'edge_agent');
    const dev = await startCountingDevice();
    cleanups.push(dev.stop);
    const since = new Date(Date.now() - 60_000);
    const file = path.join(workDir, 'fault.toml');
    await writeFile(file, agentToml({ apiUrl: `http://127.0.0.1:${port}`, key: key.key, bufferDir: path.join(workDir, 'buf-fault'), sources: countingSource('press', 'AGENT-FAULT-1', dev.port) }));

    const first = spawnAgent(file);
    await until('readings through the API', async () => (await stored(t.api, admin, machineId, 'counter', since)).length >= 3);

    // the API goes away; the agent keeps polling into its buffer
    await t.stop();
    apps.splice(apps.indexOf(t), 1);
    const servedBeforeOutage = dev.served.length;
    const outageFrom = first.logs.length;
    await first.waitFor((l) => l.msg.includes('cannot deliver'), { from: outageFrom, what: 'the delivery failure' });
    const killAt = await first.waitFor(buffered, { from: outageFrom, count: 4, what: '4 cycles buffered during the outage' });
    // killed right after a cycle reached the buffer (the next poll is a second away)
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(first.logs.slice(killAt).some((l) => l.msg.startsWith('haltfree-agent stopped'))).toBe(false);

    // restarted while the API is still down: it finds the readings of the killed run
    const second = spawnAgent(file);
    const recovered = await second.waitFor((l) => l.msg.includes('from a previous run'), { what: 'the buffer recovery' });
    expect(second.logs[recovered - 1]!.buffered as number).toBeGreaterThanOrEqual(8);
    await second.waitFor(buffered, { count: 3, what: '3 more cycles buffered' });
    const servedInOutage = dev.served.length - servedBeforeOutage;
    expect(servedInOutage).toBeGreaterThanOrEqual(7);

    // the API returns on the same port and database
    t = await appOn();
    apps.push(t);
    await second.waitFor((l) => l.msg.startsWith('API reachable again'), { what: 'the API recovery' });
    // stop the device just after a cycle was buffered, so no value is served without being read
    const lastCycle = second.logs.length;
    await second.waitFor(buffered, { from: lastCycle, what: 'one more cycle' });
    await dev.stop();
    const total = dev.served.length;
    const counter = await until(`all ${total} served values stored`, async () => {
      const p = await stored(t.api, admin, machineId, 'counter', since);
      return p.length >= total && p;
    });
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    // exactly the values the device served, each once, in order, with one timestamp per cycle
    expect(counter.map((p) => p.value)).toEqual(dev.served);
    expect(new Set(counter.map((p) => p.timestamp)).size).toBe(total);
    const scaled = await stored(t.api, admin, machineId, 'scaled', since);
    expect(scaled.map((p) => p.value)).toEqual(dev.served.map((v) => (v + 1000) * 0.5 + 10));
    expect(scaled.map((p) => p.timestamp)).toEqual(counter.map((p) => p.timestamp));
    console.info(`fault test: ${total} cycles served, ${servedInOutage} during the outage (across a SIGKILL), all stored exactly once`);
  }, 120_000);
});
