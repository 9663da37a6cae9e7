import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PollerTotals } from '../ingest-sources/ingest-source-poller.js';

/** Prometheus registry of one process: HTTP traffic by route and status, plus process metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  /** Exports the source poller's lifetime counters (read at each scrape). */
  watchSourcePoller(poller: { lifetimeStats(): PollerTotals }): void {
    const counter = (name: string, help: string, read: (t: PollerTotals) => number) => {
      let last = 0;
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const v = read(poller.lifetimeStats());
          if (v > last) this.inc(v - last);
          last = Math.max(last, v);
        },
      });
    };
    counter('haltfree_source_poll_cycles_total', 'Source poll cycles run by this process (good or failed)', (t) => t.cycles);
    counter('haltfree_source_poll_failed_cycles_total', 'Source poll cycles that failed (device unreachable or readings not stored)', (t) => t.failedCycles);
    counter('haltfree_source_poll_missed_cycles_total', 'Planned source poll cycles skipped because the previous one overran its slot', (t) => t.missed);
    counter('haltfree_source_poll_readings_total', 'Readings from polled sources stored by the ingest service', (t) => t.readings);
    new Gauge({
      name: 'haltfree_source_polled_sources',
      help: 'Sources this process polls now',
      registers: [this.registry],
      collect() {
        this.set(poller.lifetimeStats().sources);
      },
    });
  }
}
