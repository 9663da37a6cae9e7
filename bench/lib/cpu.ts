import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';

/**
 * CPU time per request of the server process, of its PostgreSQL backends and of this load generator
 * (all on one host): less sensitive to other load than latency, and their sum bounds the throughput.
 */
export interface CpuCost {
  serverCpuMsPerReq: number;
  pgCpuMsPerReq: number;
  clientCpuMsPerReq: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

export async function cpuMsOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0; // gone, or not readable (PostgreSQL on another host)
  }
}

/** Pids of the processes on this host whose command name (/proc/<pid>/comm) is `comm`. */
export async function pidsByComm(comm: string): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if ((await readFile(`/proc/${d}/comm`, 'utf8')).trim() === comm) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Pids of the PostgreSQL backends serving the database of `c` (other than c's own). */
async function backendsOf(c: pg.Client): Promise<number[]> {
  return (await c.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => r.pid);
}

/**
 * Samples CPU time of `serverPid` and of the backends of the database at `databaseUrl` (same host)
 * around `run`; backends that start during the run count from zero.
 */
export async function withCpuCost<T extends { requests: number }>(serverPid: number, databaseUrl: string | undefined, run: () => Promise<T>): Promise<T & CpuCost> {
  const meter = await CpuMeter.start({ processes: { server: [serverPid] }, databaseUrl });
  const result = await run();
  const cpu = await meter.stop();
  const per = (ms: number) => Math.round((ms / Math.max(1, result.requests)) * 100) / 100;
  return { ...result, serverCpuMsPerReq: per(cpu.ms.server ?? 0), pgCpuMsPerReq: databaseUrl ? per(cpu.ms.postgres ?? 0) : 0, clientCpuMsPerReq: per(cpu.ms.generator ?? 0) };
}

export interface CpuReading {
  /** wall time between start and stop */
  wallMs: number;
  /** CPU ms per named process group, plus `postgres` (backends of the database) and `generator` (this process) */
  ms: Record<string, number>;
}

/**
 * CPU time of named process groups (by pid), of the PostgreSQL backends of one database (sampled
 * every 200 ms: the pool opens and closes backends) and of this process, between start() and stop().
 */
export class CpuMeter {
  private readonly before = new Map<number, number>();
  private readonly lastBackend = new Map<number, number>();
  private readonly backendBefore = new Map<number, number>();
  private sampling = true;
  private sampler: Promise<void> = Promise.resolve();
  private client0 = process.cpuUsage();
  private wall0 = Date.now();

  private constructor(
    private readonly processes: Record<string, number[]>,
    private readonly pgClient: pg.Client | undefined,
  ) {}

  static async start(opts: { processes: Record<string, number[]>; databaseUrl?: string }): Promise<CpuMeter> {
    const c = opts.databaseUrl ? new pg.Client({ connectionString: opts.databaseUrl }) : undefined;
    await c?.connect();
    const m = new CpuMeter(opts.processes, c);
    for (const pids of Object.values(opts.processes)) for (const pid of pids) m.before.set(pid, await cpuMsOf(pid));
    if (c) {
      for (const pid of await backendsOf(c)) {
        const ms = await cpuMsOf(pid);
        m.backendBefore.set(pid, ms);
        m.lastBackend.set(pid, ms);
      }
      m.sampler = (async () => {
        while (m.sampling) {
          await m.sampleBackends();
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
    }
    m.client0 = process.cpuUsage();
    m.wall0 = Date.now();
    return m;
  }

  private async sampleBackends(): Promise<void> {
    if (!this.pgClient) return;
    for (const pid of await backendsOf(this.pgClient)) {
      const ms = await cpuMsOf(pid);
      if (ms > 0) this.lastBackend.set(pid, ms);
    }
  }

  async stop(): Promise<CpuReading> {
    const client = process.cpuUsage(this.client0);
    const wallMs = Date.now() - this.wall0;
    const ms: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.processes)) {
      let sum = 0;
      for (const pid of pids) sum += (await cpuMsOf(pid)) - (this.before.get(pid) ?? 0);
      ms[name] = sum;
    }
    this.sampling = false;
    await this.sampler;
    if (this.pgClient) {
      await this.sampleBackends();
      let pgMs = 0;
      for (const [pid, last] of this.lastBackend) pgMs += last - (this.backendBefore.get(pid) ?? 0);
      ms.postgres = pgMs;
      await this.pgClient.end();
    }
    ms.generator = (client.user + client.system) / 1000;
    return { wallMs, ms };
  }
}
