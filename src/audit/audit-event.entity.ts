import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

@Entity({ tableName: 'audit_events' })
@Index({ properties: ['tenantId', 'createdAt'] })
@Index({ properties: ['tenantId', 'action', 'createdAt'] })
@Index({ properties: ['tenantId', 'resourceType', 'createdAt'] })
export class AuditEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid', nullable: true })
  userId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  apiKeyId: string | null = null;

  @Property({ type: 'string', length: 100 })
  action!: string;

  @Property({ type: 'string', length: 100 })
  resourceType!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  resourceId: string | null = null;

  @Property({ type: 'json' })
  details: Record<string, unknown> = {};

  @Property({ type: 'string', length: 64, nullable: true })
  ipAddress: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  userAgent: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  requestId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
