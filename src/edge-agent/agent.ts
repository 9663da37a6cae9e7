/**
 * The running agent: one buffer, one forwarder, one heartbeat and one poller per `[[source]]`.
 * Polled readings go to the buffer first; the forwarder only ever sends from the buffer.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDriver } from '../connectivity/drivers.js';
import type { DriverFactory, ResolveTarget } from '../connectivity/driver.js';
import { ReadingBuffer } from './buffer.js';
import type { AgentConfig } from './config.js';
import { Forwarder, type ForwarderLog } from './forwarder.js';
import { Heartbeat } from './heartbeat.js';
import { SourcePoller } from './poller.js';
import { formatStatus, StatusTracker, type StatusSnapshot } from './status.js';

/** Tuning that is not part of agent.toml (environment variables, see the CLI). */
export interface AgentTuning {
  /** back-off cap for API retries (default 60 s) */
  retryMaxMs?: number;
  /** wait after the API refused the key or URL (default 5 min) */
  authRetryMs?: number;
  requestTimeoutMs?: number;
  /** status line period (default: push_interval, at least 5 s) */
  statusIntervalMs?: number;
  /** drivers (tests substitute fakes); default createDriver */
  driverFactory?: DriverFactory;
}

export interface RunningAgent {
  buffer: ReadingBuffer;
  forwarder: Forwarder;
  heartbeat: Heartbeat;
  pollers: SourcePoller[];
  status(): StatusSnapshot;
  stop(): Promise<void>;
}

/** The package's version (package.json next to src/ or dist/src/). */
export function agentVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.version) return pkg.version;
    } catch {
      /* not here */
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

/** The agent runs on the plant network and reads the devices its operator configured: no guard. */
const dialAsConfigured: ResolveTarget = async (host, port) => ({ address: host, port });

export interface AgentLog extends ForwarderLog {
  child(bindings: Record<string, unknown>): AgentLog;
}

/** Opens the buffer and starts polling, forwarding, the heartbeat and the status line. */
export async function startAgent(config: AgentConfig, log: AgentLog, tuning: AgentTuning = {}): Promise<RunningAgent> {
  const version = agentVersion();
  const userAgent = `haltfree-agent/${version}`;
  const buffer = await ReadingBuffer.open(path.join(config.bufferDir, 'readings'), { maxBytes: config.maxBufferBytes, log: log.child({ component: 'buffer' }) });
  const forwarder = new Forwarder(buffer, {
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    batchSize: config.batchSize,
    pushIntervalMs: config.pushIntervalMs,
    retryMaxMs: tuning.retryMaxMs,
    authRetryMs: tuning.authRetryMs,
    requestTimeoutMs: tuning.requestTimeoutMs,
    userAgent,
    log: log.child({ component: 'forwarder' }),
  });
  const factory = tuning.driverFactory ?? createDriver;
  const pollers = config.sources.map((s) => {
    const slog = log.child({ component: 'source', source: s.name });
    const driver = factory(s, { resolveTarget: dialAsConfigured, pkiDir: path.join(config.bufferDir, 'opcua-pki'), log: slog });
    return new SourcePoller(s, driver, buffer, slog);
  });
  const heartbeat = new Heartbeat({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    intervalMs: config.heartbeatIntervalMs,
    version,
    hostname: hostname(),
    userAgent,
    report: () => ({ buffered: buffer.count, dropped: buffer.dropped, sources: pollers.map((p) => p.health) }),
    log: log.child({ component: 'heartbeat' }),
  });
  const tracker = new StatusTracker(buffer, forwarder, () => pollers.map((p) => p.health), () => heartbeat.state);
  const statusEvery = tuning.statusIntervalMs ?? Math.max(5000, config.pushIntervalMs);
  const statusTimer = setInterval(() => {
    const s = tracker.snapshot();
    log.info({ status: s }, formatStatus(s, statusEvery));
  }, statusEvery);

  log.info(
    { version, apiUrl: config.apiUrl, sources: config.sources.length, bufferDir: config.bufferDir, buffered: buffer.count },
    `haltfree-agent ${version} started: ${config.sources.length} source(s), pushing to ${config.apiUrl} every ${config.pushIntervalMs / 1000} s (batches of ${config.batchSize}), buffer ${config.bufferDir}`,
  );
  if (config.sources.length === 0) log.warn({}, 'no [[source]] configured: the agent only forwards what its buffer holds');
  forwarder.start();
  heartbeat.start();
  for (const p of pollers) p.start();

  let stopping: Promise<void> | null = null;
  return {
    buffer,
    forwarder,
    heartbeat,
    pollers,
    status: () => tracker.snapshot(),
    stop() {
      stopping ??= (async () => {
        clearInterval(statusTimer);
        // polling first, so every reading read so far reaches the buffer before it closes
        await Promise.all(pollers.map((p) => p.stop()));
        await Promise.all([forwarder.stop(), heartbeat.stop()]);
        await buffer.close();
        log.info({ buffered: buffer.count }, `haltfree-agent stopped; ${buffer.count} reading(s) stay buffered for the next start`);
      })();
      return stopping;
    },
  };
}
