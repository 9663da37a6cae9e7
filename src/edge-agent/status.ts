/**
 * The status line the agent logs every interval: buffered readings, send rate since the last line,
 * rejections and drops, the API link and each source's health.
 */
import type { ReadingBuffer } from './buffer.js';
import type { Forwarder } from './forwarder.js';
import type { HeartbeatState } from './heartbeat.js';
import type { SourceHealth } from './poller.js';

export interface StatusSnapshot {
  buffered: number;
  bufferBytes: number;
  maxBufferBytes: number;
  /** readings the API accepted since the previous line */
  sent: number;
  ratePerSecond: number;
  rejected: number;
  dropped: number;
  api: string;
  heartbeat: HeartbeatState | 'off';
  sources: { name: string; state: string; error: string | null; readings: number }[];
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(b < 10 * 1024 * 1024 ? 2 : 0);

/** One line for humans, from a snapshot. */
export function formatStatus(s: StatusSnapshot, intervalMs: number): string {
  const sources = s.sources.length === 0 ? 'none' : s.sources.map((x) => `${x.name} ${x.state}${x.error ? ` (${x.error.slice(0, 80)})` : ''}`).join(', ');
  return (
    `status: ${s.buffered} buffered (${mb(s.bufferBytes)} of ${mb(s.maxBufferBytes)} MB); ` +
    `sent ${s.sent} in ${Math.round(intervalMs / 1000)} s (${s.ratePerSecond.toFixed(1)}/s); ` +
    `rejected ${s.rejected}, dropped ${s.dropped} since start; API ${s.api}; heartbeat ${s.heartbeat}; sources: ${sources}`
  );
}

/** Snapshots with the send rate measured between two calls. */
export class StatusTracker {
  private lastAccepted = 0;
  private lastAt = Date.now();

  constructor(
    private readonly buffer: ReadingBuffer,
    private readonly forwarder: Forwarder,
    private readonly sources: () => SourceHealth[],
    private readonly heartbeat: () => HeartbeatState | 'off',
  ) {}

  snapshot(): StatusSnapshot {
    const now = Date.now();
    const f = this.forwarder.stats;
    const sent = f.accepted + f.rejected - this.lastAccepted;
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    this.lastAccepted = f.accepted + f.rejected;
    this.lastAt = now;
    return {
      buffered: this.buffer.count,
      bufferBytes: this.buffer.bytes,
      maxBufferBytes: this.buffer.maxBytes,
      sent,
      ratePerSecond: sent / seconds,
      rejected: f.rejected + f.poisoned,
      dropped: this.buffer.dropped,
      api: f.state === 'retrying' || f.state === 'refused' ? `${f.state} (${f.lastError ?? ''})` : f.state,
      heartbeat: this.heartbeat(),
      sources: this.sources().map((h) => ({ name: h.name, state: h.state, error: h.lastError, readings: h.readings })),
    };
  }
}
