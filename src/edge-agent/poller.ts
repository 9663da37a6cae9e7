/**
 * Reads one `[[source]]` at its poll interval with the platform's drivers and appends every value
 * to the buffer, once. A device that does not answer is one log line when it goes down and one
 * when it comes back (each failed cycle is a debug line); the next attempts back off up to 30 s.
 */
import type { DeviceDriver, PointStatus, PollResult } from '../connectivity/driver.js';
import type { AgentSource } from './config.js';

export type SourceState = 'pending' | 'ok' | 'degraded' | 'failing';

export interface SourceHealth {
  name: string;
  state: SourceState;
  lastError: string | null;
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  /** readings appended to the buffer since start */
  readings: number;
  cycles: number;
  /** cycles that started late enough that one or more intervals were skipped */
  missedCycles: number;
  badPoints: PointStatus[];
}

export interface PollerLog {
  debug(o: object, m?: string): void;
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface ReadingSink {
  append(items: readonly string[]): Promise<void>;
}

/** Longest wait between two attempts at a device that does not answer. */
const MAX_RETRY_MS = 30_000;

/** Where the source is, for log lines. */
export function sourceAddress(s: AgentSource): string {
  return s.protocol === 'modbus' ? `modbus ${s.modbus!.host}:${s.modbus!.port} unit ${s.modbus!.unitId}` : `opcua ${s.opcua!.endpointUrl}`;
}

/** The reading's JSON as `POST /ingest` takes it (what the buffer stores). */
export function readingJson(machineIdentifier: string, v: { metricName: string; unit: string; value: number; timestamp: Date; rawTag: string }): string {
  return JSON.stringify({
    machine_identifier: machineIdentifier,
    timestamp: v.timestamp.toISOString(),
    metric_name: v.metricName,
    value: v.value,
    unit: v.unit,
    raw_tag: v.rawTag,
  });
}

const pointsKey = (points: PointStatus[]) =>
  points
    .map((p) => `${p.point}=${p.status}`)
    .sort()
    .join('|');

export class SourcePoller {
  readonly health: SourceHealth;
  private stopped = false;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private downSince: Date | null = null;

  constructor(
    readonly source: AgentSource,
    private readonly driver: DeviceDriver,
    private readonly sink: ReadingSink,
    private readonly log: PollerLog,
  ) {
    this.health = { name: source.name, state: 'pending', lastError: null, consecutiveFailures: 0, lastSuccessAt: null, readings: 0, cycles: 0, missedCycles: 0, badPoints: [] };
  }

  start(): void {
    this.running ??= this.loop().catch((err) => this.log.error({ err: String(err) }, `poller of ${this.source.name} stopped: ${String(err)}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
    await this.driver.close().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, Math.max(0, ms));
    });
  }

  private async loop(): Promise<void> {
    const interval = this.source.pollIntervalMs;
    let due = Date.now();
    while (!this.stopped) {
      const ok = await this.cycle();
      if (this.stopped) break;
      const now = Date.now();
      if (!ok) {
        const n = this.health.consecutiveFailures;
        const wait = Math.min(interval * 2 ** Math.min(20, n - 1), Math.max(interval, MAX_RETRY_MS));
        due = now + wait;
      } else {
        due += interval;
        if (due <= now) {
          // the cycle took longer than the interval: skip the missed slots instead of bunching up
          const missed = Math.floor((now - due) / interval) + 1;
          this.health.missedCycles += missed;
          due += missed * interval;
          this.log.debug({ missed }, `source ${this.source.name}: poll took longer than poll_interval; skipped ${missed} cycle(s)`);
        }
      }
      await this.sleep(due - Date.now());
    }
  }

  /** One poll; true when the device answered. */
  private async cycle(): Promise<boolean> {
    const h = this.health;
    h.cycles++;
    let result: PollResult;
    try {
      result = await this.driver.poll();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      h.consecutiveFailures++;
      h.lastError = message;
      if (h.state !== 'failing') {
        this.downSince = new Date();
        const host = this.source.protocol === 'modbus' ? this.source.modbus!.host : this.source.opcua!.endpointUrl;
        const where = message.includes(host) ? '' : ` (${sourceAddress(this.source)})`;
        this.log.warn(
          { address: sourceAddress(this.source), error: message },
          `source ${this.source.name}${where} unreachable: ${message}; retrying with back-off up to ${Math.round(Math.max(this.source.pollIntervalMs, MAX_RETRY_MS) / 1000)} s (logged again when it recovers)`,
        );
      } else {
        this.log.debug({ error: message, failures: h.consecutiveFailures }, `source ${this.source.name}: still unreachable`);
      }
      h.state = 'failing';
      return false;
    }
    const lines: string[] = [];
    for (const v of result.values) {
      if (!Number.isFinite(v.value)) continue;
      lines.push(readingJson(this.source.machineIdentifier, v));
    }
    if (lines.length > 0) {
      try {
        await this.sink.append(lines);
        h.readings += lines.length;
        this.log.debug({ values: lines.length, cycle: h.cycles }, `source ${this.source.name}: ${lines.length} reading(s) written to the buffer`);
      } catch (err) {
        this.log.error({ err: String(err), lost: lines.length }, `cannot write ${lines.length} reading(s) of ${this.source.name} to the buffer: ${String(err)}`);
      }
    }
    const before = h.state;
    const badBefore = pointsKey(h.badPoints);
    h.badPoints = result.badPoints;
    h.lastSuccessAt = new Date();
    h.state = result.badPoints.length > 0 ? 'degraded' : 'ok';
    if (before === 'failing') {
      this.log.info(
        { failures: h.consecutiveFailures, downSince: this.downSince?.toISOString() },
        `source ${this.source.name} (${sourceAddress(this.source)}) reachable again after ${h.consecutiveFailures} failed attempt(s)`,
      );
    }
    h.consecutiveFailures = 0;
    h.lastError = null;
    const badNow = pointsKey(result.badPoints);
    if (badNow !== badBefore) {
      if (result.badPoints.length > 0) {
        const named = result.badPoints.slice(0, 5).map((p) => `${p.point}: ${p.status}`).join('; ');
        const more = result.badPoints.length > 5 ? `; and ${result.badPoints.length - 5} more` : '';
        this.log.warn({ badPoints: result.badPoints.slice(0, 20) }, `source ${this.source.name}: ${result.badPoints.length} point(s) not readable: ${named}${more}`);
      } else if (before !== 'pending') {
        this.log.info({}, `source ${this.source.name}: every point readable again`);
      }
    }
    if (before === 'pending' && h.state === 'ok') {
      this.log.info({ values: result.values.length }, `source ${this.source.name} (${sourceAddress(this.source)}) connected; ${result.values.length} value(s) per cycle`);
    }
    return true;
  }
}
