import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { PointStatus } from '../connectivity/driver.js';
import type { SourceProtocol } from '../connectivity/device-source.js';
import type { SourceState } from './ingest-source.events.js';
import type { StoredSourceConfig } from './ingest-source.rules.js';

/**
 * A device the platform polls (direct ingestion). The connection settings are `config` (snake_case,
 * as returned, never a secret); the password lives encrypted in `secret`. The health and lease
 * columns are written by the poller with SQL.
 */
@Entity({ tableName: 'ingest_sources' })
export class IngestSource {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'string', length: 16 })
  protocol!: SourceProtocol;

  @Property({ type: 'string', length: 255 })
  host!: string;

  @Property({ type: 'integer' })
  port!: number;

  @Property({ type: 'integer' })
  pollIntervalSeconds!: number;

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'json' })
  config!: StoredSourceConfig;

  /** AES-256-GCM box (src/common/secret-box.ts) of `{"password": "..."}` */
  @Property({ type: 'text', nullable: true, lazy: false })
  secret: string | null = null;

  @Property({ type: 'string', length: 16 })
  state: SourceState = 'pending';

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastPollAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'integer' })
  consecutiveFailures: number = 0;

  @Property({ type: 'json' })
  pointStatus: PointStatus[] = [];

  @Property({ type: 'string', length: 64, nullable: true })
  leaseOwner: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leaseUntil: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
