import type { RequestContext } from '../common/context.js';
import { invalid } from '../common/errors.js';
import type { EventBus } from '../infra/event-bus.js';
import type { Database } from '../infra/database.js';
import type { MachineStatusService } from '../machines/machine-status.service.js';
import { checkReading, INGEST_MAX_BATCH, isRejected, type ValidReading } from './ingest.rules.js';
import { readingsTopic, type LiveReading } from './reading.events.js';
import { ReadingErrors } from './reading.errors.js';
import { ReadingStoreUnavailableError, type ReadingStore } from './reading-store.js';

export interface IngestError {
  index: number;
  machineIdentifier: string | null;
  error: string;
}

export interface IngestResult {
  acceptedCount: number;
  rejectedCount: number;
  errors: IngestError[];
}

/**
 * Work done in this process on every batch once it is stored (alert evaluation): in-process, so
 * each batch is judged once, by the instance that stored it, without shipping it over the bus.
 */
export interface StoredReadingsConsumer {
  readingsStored(tenantId: string, readings: readonly LiveReading[]): Promise<void>;
}

/** Seconds a client should wait before retrying a batch the store could not take. */
const RETRY_AFTER_SEC = 5;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ReadingStoreUnavailableError(`reading store did not acknowledge within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Batch ingestion: every reading is validated on its own; the valid ones are reported accepted
 * only after the store acknowledged them. A store failure fails the whole batch with 503 and
 * reports nothing accepted; resending is safe because duplicates overwrite.
 */
export class IngestService {
  constructor(
    private readonly db: Database,
    private readonly store: ReadingStore,
    private readonly bus: EventBus,
    private readonly status: MachineStatusService,
    private readonly storeTimeoutMs: number,
    private readonly consumers: readonly StoredReadingsConsumer[] = [],
  ) {}

  /** Validates, stores and announces a batch of readings for the caller's tenant. */
  async ingest(ctx: RequestContext, readings: unknown[]): Promise<IngestResult> {
    return this.ingestForTenant(ctx.principal!.tenantId, ctx.log, readings);
  }

  /**
   * The same path for a tenant the platform acts for (direct ingestion: the source poller), with
   * no request: the same validation, durability rule, status upkeep, alert evaluation and events.
   * Readings are in the service's camelCase form (`machineIdentifier`, `metricName`, `rawTag`).
   */
  async ingestForTenant(tenantId: string, log: Pick<RequestContext['log'], 'warn' | 'error'>, readings: unknown[]): Promise<IngestResult> {
    if (!Array.isArray(readings)) throw invalid('readings', 'Input should be a valid list', 'list_type');
    if (readings.length > INGEST_MAX_BATCH) {
      throw invalid('readings', `List should have at most ${INGEST_MAX_BATCH} items after validation, not ${readings.length}`, 'too_long');
    }
    const now = Date.now();
    const errors: IngestError[] = [];
    const valid: ValidReading[] = [];
    const validIndex: number[] = [];
    for (let index = 0; index < readings.length; index++) {
      const c = checkReading(readings[index], now, tenantId);
      if (isRejected(c)) {
        errors.push({ index, machineIdentifier: c.machineIdentifier, error: c.error });
      } else {
        valid.push(c);
        validIndex.push(index);
      }
    }

    const identifiers = new Set<string>();
    for (const r of valid) identifiers.add(r.machineIdentifier);
    const machines = await this.status.resolveActive(tenantId, [...identifiers]);
    // one object per reading: stored as a ReadingPoint, announced as a LiveReading
    const points: ValidReading[] = [];
    for (let i = 0; i < valid.length; i++) {
      const r = valid[i]!;
      const m = machines.get(r.machineIdentifier);
      if (!m) {
        errors.push({ index: validIndex[i]!, machineIdentifier: r.machineIdentifier, error: 'Machine not found' });
        continue;
      }
      r.machineId = m.id;
      points.push(r);
    }

    try {
      await withTimeout(this.store.write(points), this.storeTimeoutMs);
    } catch (err) {
      if (err instanceof ReadingStoreUnavailableError) {
        log.warn({ err: err.message, points: points.length }, 'reading store unavailable; batch refused');
        throw ReadingErrors.storeUnavailable('Reading store unavailable; nothing was stored, retry the batch', RETRY_AFTER_SEC);
      }
      throw err;
    }

    // Stored: from here on, side effects must not turn the answer into a failure.
    if (points.length) {
      const topic = readingsTopic(tenantId);
      // Encoding and shipping a 1,000-reading batch cost about a third of the server's time per
      // reading; most batches have no live listener anywhere.
      const listened = this.bus.hasListeners(topic);
      listened.catch(() => undefined);
      // Apart: one failed status statement fails every batch sharing its round, and their stored
      // readings must still reach live subscribers.
      try {
        await this.status.readingsArrived(tenantId, points);
      } catch (err) {
        log.error({ err }, 'machine status upkeep failed (readings are stored)');
      }
      // After the status upkeep, so a machine coming back online is online before its alerts move it.
      for (const consumer of this.consumers) {
        try {
          await consumer.readingsStored(tenantId, points);
        } catch (err) {
          log.error({ err }, 'stored readings consumer failed (readings are stored)');
        }
      }
      try {
        if (await listened) await this.bus.publish(topic, { tenantId, readings: points });
      } catch (err) {
        log.error({ err }, 'publishing stored readings failed (readings are stored)');
      }
    }
    errors.sort((a, b) => a.index - b.index);
    return { acceptedCount: points.length, rejectedCount: errors.length, errors };
  }
}
