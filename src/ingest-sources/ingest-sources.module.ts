import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { secretBoxFor } from '../common/secret-box.js';
import type { IngestService } from '../readings/ingest.service.js';
import { IngestSource } from './ingest-source.entity.js';
import { INGEST_SOURCE_ERROR_CODES } from './ingest-source.errors.js';
import { IngestSourceService } from './ingest-source.service.js';
import { sourcePollerFor } from './ingest-source-poller.js';

/**
 * Direct ingestion: the devices the platform polls. Listed after `readings`, so the poller can
 * hand its readings to the IngestService (`ingest`).
 */
export const ingestSourcesModule = defineModule({
  name: 'ingest-sources',
  entities: [IngestSource],
  services: ({ db, bus, config, log, onClose }, { audit, ingest }: { audit: AuditService; ingest: IngestService }) => {
    const ingestSources = new IngestSourceService(db, bus, audit, secretBoxFor({ secretKey: config.sources.secretKey, dataDir: config.dataDir }), config);
    // the poller: one loop per active source across the cluster (src/ingest-sources/ingest-source-poller.ts)
    const sourcePoller = sourcePollerFor({ db, bus, log, config }, ingest, ingestSources);
    onClose(() => sourcePoller.close());
    return { ingestSources, sourcePoller };
  },
  jobs: {
    register: (jobs, { sourcePoller }) => sourcePoller.register(jobs),
    schedule: (jobs, { sourcePoller }) => sourcePoller.schedule(jobs),
  },
  topics: ['ingestSourcesChanged', 'sourceHealthChanged'],
  feeds: [],
  errors: INGEST_SOURCE_ERROR_CODES,
});
