import net from 'node:net';

/** Real services the integration suites talk to; URLs overridable from env. */
export const SERVICE_URLS = {
  postgres: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  influxdb: process.env.TEST_INFLUX_URL ?? 'http://127.0.0.1:8086',
} as const;

export type ServiceName = keyof typeof SERVICE_URLS;

export interface ServiceProbe {
  name: ServiceName;
  url: string;
  /** true when the suite must be skipped (service unreachable and REQUIRE_SERVICES unset). */
  skip: boolean;
  /** suite-name suffix that states why it was skipped */
  label: string;
}

function tcpReachable(host: string, port: number, timeoutMs = 1500): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (err: string | null) => {
      socket.destroy();
      resolve(err);
    };
    socket.setTimeout(timeoutMs, () => done(`timeout after ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (e) => done(e.message));
  });
}

/**
 * Probes a service. Unreachable: the suite reports itself skipped with the reason,
 * unless REQUIRE_SERVICES=1 (CI), where an unreachable service is a failure.
 */
export async function probeService(name: ServiceName): Promise<ServiceProbe> {
  const url = SERVICE_URLS[name];
  const u = new URL(url);
  const defaultPort = name === 'postgres' ? 5432 : name === 'redis' ? 6379 : 8086;
  const err = await tcpReachable(u.hostname, Number(u.port || defaultPort));
  if (err === null) return { name, url, skip: false, label: '' };
  const reason = `${name} unreachable at ${u.host}: ${err}`;
  if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  }
  console.warn(`[skipped] ${reason}`);
  return { name, url, skip: true, label: ` [skipped: ${reason}]` };
}
