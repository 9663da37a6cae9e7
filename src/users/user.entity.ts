import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { Role } from '../common/context.js';

@Entity({ tableName: 'users' })
@Index({ properties: ['tenantId', 'createdAt'] })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  /** stored lower-cased; unique across the platform because login has no tenant selector */
  @Property({ type: 'string', length: 320, unique: true })
  email!: string;

  @Property({ type: 'string', length: 255, hidden: true })
  passwordHash!: string;

  @Property({ type: 'string', length: 200 })
  fullName!: string;

  @Property({ type: 'string', length: 20 })
  role: Role = 'viewer';

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'boolean' })
  mfaEnabled: boolean = false;

  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  mfaSecret: string | null = null;

  /** secret issued by mfa/setup, becomes mfaSecret once verify-setup proves the app has it */
  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  mfaPendingSecret: string | null = null;

  /** newest TOTP time step accepted for mfaSecret: a code is good once, so steps up to this one are refused */
  @Property({ type: 'integer', nullable: true, hidden: true })
  mfaLastStep: number | null = null;

  @Property({ type: 'boolean' })
  onboardingCompleted: boolean = false;

  /** bumped when the user's tokens must stop working (deactivation, role change, password change) */
  @Property({ type: 'integer' })
  tokenVersion: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastLoginAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
