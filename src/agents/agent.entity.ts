import { BigIntType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

/** A source's health as the agent reported it in its last heartbeat. */
export interface ReportedSource {
  name: string;
  state: string;
}

/**
 * An edge agent as the platform knows it: one row per API key that sent a heartbeat (an agent is
 * identified by its key; several processes sharing a key share the row, the last one wins).
 * Written by `GET /agent/heartbeat`, removed with its key.
 */
@Entity({ tableName: 'agents' })
@Index({ properties: ['tenantId', 'lastSeenAt'] })
export class Agent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid', unique: true })
  apiKeyId!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  hostname: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  agentVersion: string | null = null;

  /** the address the last heartbeat came from (as the server saw it, behind TRUST_PROXY rules) */
  @Property({ type: 'string', length: 64, nullable: true })
  remoteAddress: string | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  bufferedCount: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  droppedCount: number | null = null;

  @Property({ type: 'integer', nullable: true })
  sourcesTotal: number | null = null;

  @Property({ type: 'json', nullable: true })
  sources: ReportedSource[] | null = null;

  @Property({ type: new BigIntType('number') })
  heartbeatCount: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  firstSeenAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  lastSeenAt: Date = new Date();
}
