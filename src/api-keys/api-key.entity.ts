import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { Scope } from '../common/context.js';

@Entity({ tableName: 'api_keys' })
@Index({ properties: ['tenantId', 'createdAt'] })
export class ApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 16 })
  keyPrefix!: string;

  /** SHA-256 of the plaintext; the plaintext is shown once and never stored */
  @Property({ type: 'string', length: 64, unique: true, hidden: true })
  keyHash!: string;

  @Property({ type: 'json' })
  scopes: Scope[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
