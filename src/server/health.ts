import type { Container } from '../app/container.js';

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

/** Readiness: the database, and Redis / InfluxDB when configured, answer within a second. */
export async function checkReadiness(c: Container, timeoutMs = 1000): Promise<Readiness> {
  const probes: [string, () => Promise<unknown>][] = [['database', () => c.db.ping()]];
  if (c.redis) probes.push(['redis', () => c.redis!.ping()]);
  if (c.config.influx) {
    const url = new URL('/ping', c.config.influx.url);
    probes.push(['influxdb', async () => {
      const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!r.ok && r.status !== 204) throw new Error(`HTTP ${r.status}`);
    }]);
  }
  const checks: Readiness['checks'] = {};
  await Promise.all(
    probes.map(async ([name, fn]) => {
      const t = Date.now();
      try {
        await withTimeout(fn(), timeoutMs, name);
        checks[name] = { ok: true, ms: Date.now() - t };
      } catch (err) {
        checks[name] = { ok: false, error: (err as Error).message, ms: Date.now() - t };
      }
    }),
  );
  return { ready: Object.values(checks).every((x) => x.ok), checks };
}
