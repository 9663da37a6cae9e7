import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { SignoffMeaning } from './signoff.rules.js';

/**
 * One electronic signature of a completed work order. Append-only: a trigger refuses UPDATE and
 * DELETE, and no endpoint changes or removes one. The signer's name and role are copied as they
 * were at signing, so a later rename or role change neither alters the record nor voids it.
 */
@Entity({ tableName: 'signoffs' })
export class Signoff {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  workOrderId!: string;

  /** 1, 2, ... per work order: the chain order (unique, so two concurrent sign-offs cannot both be n) */
  @Property({ type: 'integer' })
  seq!: number;

  @Property({ type: 'uuid' })
  signedBy!: string;

  @Property({ type: 'string', length: 200 })
  signerName!: string;

  @Property({ type: 'string', length: 20 })
  signerRole!: string;

  @Property({ type: 'string', length: 20 })
  meaning!: SignoffMeaning;

  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  /** the id of the SIGNOFF_KEYS entry that signed it */
  @Property({ type: 'string', length: 32 })
  keyId!: string;

  /** the previous sign-off's signature_hash (null for the first): part of what is signed */
  @Property({ type: 'string', length: 64, nullable: true })
  prevHash: string | null = null;

  @Property({ type: 'string', length: 64 })
  signatureHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  signedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
