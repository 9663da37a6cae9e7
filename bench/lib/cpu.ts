import { readFile } from 'node:fs/promises';
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

async function cpuMsOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0; // gone, or not readable (PostgreSQL on another host)
  }
}

/**
 * Samples CPU time of `serverPid` and of the backends of the database at `databaseUrl` (same host)
 * around `run`; backends that start during the run count from zero.
 */
export async function withCpuCost<T extends { requests: number }>(serverPid: number, databaseUrl: string | undefined, run: () => Promise<T>): Promise<T & CpuCost> {
  const c = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : undefined;
  await c?.connect();
  try {
    const backends = async () =>
      c ? ((await c.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => r.pid)) : [];
    const before = new Map<number, number>();
    for (const pid of await backends()) before.set(pid, await cpuMsOf(pid));
    // backends come and go with the pool: sample every 200 ms and keep each one's last reading
    const last = new Map(before);
    const sample = async () => {
      for (const pid of await backends()) {
        const ms = await cpuMsOf(pid);
        if (ms > 0) last.set(pid, ms);
      }
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sample();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const server0 = await cpuMsOf(serverPid);
    const client0 = process.cpuUsage();
    const result = await run();
    const client = process.cpuUsage(client0);
    const server1 = await cpuMsOf(serverPid);
    sampling = false;
    await sampler;
    await sample();
    let pgMs = 0;
    for (const [pid, ms] of last) pgMs += ms - (before.get(pid) ?? 0);
    const per = (ms: number) => Math.round((ms / Math.max(1, result.requests)) * 100) / 100;
    return { ...result, serverCpuMsPerReq: per(server1 - server0), pgCpuMsPerReq: c ? per(pgMs) : 0, clientCpuMsPerReq: per((client.user + client.system) / 1000) };
  } finally {
    await c?.end();
  }
}
