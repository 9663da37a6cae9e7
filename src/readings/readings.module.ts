import { defineModule } from '../app/module.js';
import type { MachineService } from '../machines/machine.service.js';
import type { MachineStatusService } from '../machines/machine-status.service.js';
import { feed, feedInstant } from '../server/dashboard-feed.js';
import { IngestService, type StoredReadingsConsumer } from './ingest.service.js';
import { readingsTopic } from './reading.events.js';
import { ReadingService } from './reading.service.js';
import { READING_ERROR_CODES } from './reading.errors.js';

/**
 * Ingestion and time series. The reading store itself (InfluxDB or the PostgreSQL table) is shared
 * storage built by the composition root, like the database: readiness checks it and its bootstrap
 * is retried in the background.
 */
export const readingsModule = defineModule({
  name: 'readings',
  entities: [],
  services: (
    { db, bus, config, readingStore },
    { machines, machineStatus, alertEngine }: { machines: MachineService; machineStatus: MachineStatusService; alertEngine: StoredReadingsConsumer },
  ) => ({
    ingest: new IngestService(db, readingStore, bus, machineStatus, config.ingestStoreTimeoutMs, [alertEngine]),
    readings: new ReadingService(readingStore, machines),
  }),
  topics: ['readingsStored'],
  feeds: [
    // One message per reading, as documented; the batch is only the transport unit of the bus.
    feed(readingsTopic, (e) =>
      e.readings.map((r) => ({
        type: 'sensor_update',
        machine_id: r.machineId,
        metric_name: r.metric,
        value: r.value,
        unit: r.unit,
        timestamp: feedInstant(r.timestamp),
      })),
    ),
  ],
  errors: READING_ERROR_CODES,
});
