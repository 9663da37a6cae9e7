/**
 * `GET {api_url}/api/v1/agent/heartbeat` every `heartbeat_interval` (and once at start), with the
 * API key (scope `agent`). What the agent reports travels as query parameters (the endpoint is a
 * GET; see docs/decisions.md "Edge agent"): `version`, `hostname`, `buffered`, `dropped`,
 * `sources_total` and one `source=<state>:<name>` per source (the first HEARTBEAT_MAX_SOURCES).
 * The answer's `server_time` is compared with the local clock: the API refuses readings more than
 * 5 minutes in the future, so a skewed clock is worth a warning.
 */
import type { SourceHealth } from './poller.js';

/** Sources named in one heartbeat (the server accepts up to 100; a URL must stay well under 16 KB). */
export const HEARTBEAT_MAX_SOURCES = 50;
/** characters of a source name sent in a heartbeat */
const MAX_NAME_IN_HEARTBEAT = 100;
/** clock difference worth a warning */
const SKEW_WARN_MS = 60_000;

export interface HeartbeatLog {
  debug(o: object, m?: string): void;
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface HeartbeatReport {
  buffered: number;
  dropped: number;
  sources: SourceHealth[];
}

export interface HeartbeatOptions {
  apiUrl: string;
  apiKey: string;
  intervalMs: number;
  version: string;
  hostname: string;
  report: () => HeartbeatReport;
  log: HeartbeatLog;
  requestTimeoutMs?: number;
  userAgent?: string;
}

export type HeartbeatState = 'pending' | 'ok' | 'failing' | 'refused';

/** The heartbeat URL with the agent's report as query parameters. */
export function heartbeatUrl(apiUrl: string, r: HeartbeatReport & { version: string; hostname: string }): string {
  const q = new URLSearchParams();
  q.set('version', r.version.slice(0, 64));
  q.set('hostname', r.hostname.slice(0, 255));
  q.set('buffered', String(Math.max(0, Math.floor(r.buffered))));
  q.set('dropped', String(Math.max(0, Math.floor(r.dropped))));
  q.set('sources_total', String(r.sources.length));
  for (const s of r.sources.slice(0, HEARTBEAT_MAX_SOURCES)) q.append('source', `${s.state}:${[...s.name].slice(0, MAX_NAME_IN_HEARTBEAT).join('')}`);
  return `${apiUrl}/api/v1/agent/heartbeat?${q.toString()}`;
}

export class Heartbeat {
  state: HeartbeatState = 'pending';
  lastSuccessAt: Date | null = null;
  /** server clock minus local clock, from the last answer */
  skewMs: number | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly controller = new AbortController();
  private skewWarned = false;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.inFlight = this.beat().finally(() => {
        this.inFlight = null;
        if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort();
    await this.inFlight;
  }

  /** One heartbeat; never throws. */
  async beat(): Promise<void> {
    const log = this.o.log;
    const url = heartbeatUrl(this.o.apiUrl, { ...this.o.report(), version: this.o.version, hostname: this.o.hostname });
    const sentAt = Date.now();
    let status = 0;
    let text = '';
    try {
      const res = await fetch(url, {
        headers: { 'x-api-key': this.o.apiKey, accept: 'application/json', ...(this.o.userAgent ? { 'user-agent': this.o.userAgent } : {}) },
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.o.requestTimeoutMs ?? 15_000)]),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      if (this.stopped) return;
      const e = err as { cause?: { code?: string; message?: string }; message?: string; name?: string };
      const reason = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
      if (this.state !== 'failing') log.warn({ reason }, `heartbeat failed (${reason}); the agent keeps collecting`);
      else log.debug({ reason }, 'heartbeat failed');
      this.state = 'failing';
      return;
    }
    if (status === 200) {
      if (this.state === 'failing' || this.state === 'refused') log.info({}, 'heartbeat answered again');
      this.state = 'ok';
      this.lastSuccessAt = new Date();
      try {
        const serverTime = Date.parse((JSON.parse(text) as { server_time?: string }).server_time ?? '');
        if (!Number.isNaN(serverTime)) {
          const receivedAt = Date.now();
          this.skewMs = serverTime - (sentAt + receivedAt) / 2;
          if (Math.abs(this.skewMs) > SKEW_WARN_MS && !this.skewWarned) {
            this.skewWarned = true;
            log.warn(
              { skewMs: Math.round(this.skewMs) },
              `local clock is ${Math.round(Math.abs(this.skewMs) / 1000)} s ${this.skewMs < 0 ? 'ahead of' : 'behind'} the platform's; the API refuses readings more than 5 minutes in the future: synchronise the clock (NTP)`,
            );
          } else if (Math.abs(this.skewMs) <= SKEW_WARN_MS) this.skewWarned = false;
        }
      } catch {
        /* an answer without server_time is still a heartbeat */
      }
      log.debug({ skewMs: this.skewMs }, 'heartbeat ok');
      return;
    }
    let detail = text.slice(0, 200);
    try {
      const d = (JSON.parse(text) as { detail?: unknown }).detail;
      if (typeof d === 'string') detail = d;
    } catch {
      /* not JSON */
    }
    const refused = status === 401 || status === 403 || status === 404;
    const next: HeartbeatState = refused ? 'refused' : 'failing';
    if (this.state !== next) {
      const msg = refused
        ? `heartbeat refused (${status}: ${detail}); the API key needs the scope agent (preset edge_agent)`
        : `heartbeat failed (${status}: ${detail}); the agent keeps collecting`;
      (refused ? log.error : log.warn).call(log, { status }, msg);
    }
    this.state = next;
  }
}
