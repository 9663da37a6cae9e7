import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/config.js';
import type { RequestContext, Role } from '../common/context.js';
import { ROLES } from '../common/context.js';
import { invalid } from '../common/errors.js';
import { findInTenantOrThrow, uniqueOrThrow } from '../common/persistence.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import type { Database } from '../infra/database.js';
import type { AuditService } from '../audit/audit.service.js';
import { revocationKeys } from '../auth/authenticator.js';
import type { ExpiringStore } from '../auth/expiring-store.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { AuthErrors } from '../auth/auth.errors.js';
import { User } from './user.entity.js';
import { UserErrors } from './user.errors.js';
import { validateEmail, validateName, validatePassword } from './user.rules.js';

function validateRole(role: string): Role {
  if (!ROLES.includes(role as Role)) {
    throw invalid('role', `Input should be ${ROLES.map((r) => `'${r}'`).join(', ')}`, 'enum');
  }
  return role as Role;
}

/** Tenant user management (admins) and self-service profile/password. */
export class UserService {
  constructor(
    private readonly db: Database,
    private readonly config: AppConfig,
    private readonly store: ExpiringStore,
    private readonly audit: AuditService,
  ) {}

  /** Lists the caller's tenant users, oldest first. */
  async list(ctx: RequestContext, args: PageArgs): Promise<Page<User>> {
    const w = pageWindow(args);
    const [items, total] = await this.db.em().findAndCount(
      User,
      { tenantId: ctx.principal!.tenantId },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: w.pageSize, offset: w.offset },
    );
    return toPage(items, total, w);
  }

  /** One user of the caller's tenant (404 for other tenants). */
  async get(ctx: RequestContext, id: string, em = this.db.em()): Promise<User> {
    return findInTenantOrThrow(em, ctx, User, id, UserErrors.notFound);
  }

  /** Creates a user in the caller's tenant with an initial password chosen by the admin. */
  async create(ctx: RequestContext, input: { email: string; fullName: string; role: string; password: string }): Promise<User> {
    const email = validateEmail(input.email);
    const fullName = validateName('full_name', input.fullName);
    const role = validateRole(input.role);
    validatePassword(input.password);
    const em = this.db.em();
    const user = em.create(User, {
      tenantId: ctx.principal!.tenantId,
      email,
      fullName,
      role,
      passwordHash: await hashPassword(input.password),
    } as User);
    const ev = this.audit.stage(em, ctx, { action: 'create_user', resourceType: 'user', resourceId: user.id, details: { email, role } });
    await uniqueOrThrow(() => em.flush(), UserErrors.duplicateEmail);
    await this.audit.announce([ev]);
    return user;
  }

  /** Changes a user's role, name or active flag; role changes and deactivation end the user's sessions. */
  async update(ctx: RequestContext, id: string, input: { role?: string | null; fullName?: string | null; isActive?: boolean | null }): Promise<User> {
    const em = this.db.em();
    const user = await this.get(ctx, id, em);
    const changes: Record<string, unknown> = {};
    let endSessions = false;
    if (input.fullName != null) {
      user.fullName = validateName('full_name', input.fullName);
      changes.full_name = user.fullName;
    }
    if (input.role != null) {
      const role = validateRole(input.role);
      if (role !== user.role) {
        if (user.role === 'admin') await this.assertAnotherAdmin(em, user);
        user.role = role;
        changes.role = role;
        endSessions = true;
      }
    }
    if (input.isActive != null && input.isActive !== user.isActive) {
      if (!input.isActive && user.role === 'admin') await this.assertAnotherAdmin(em, user);
      user.isActive = input.isActive;
      changes.is_active = input.isActive;
      endSessions = true;
    }
    if (endSessions) user.tokenVersion += 1;
    const action = changes.is_active === false ? 'deactivate_user' : 'update_user';
    const ev = this.audit.stage(em, ctx, { action, resourceType: 'user', resourceId: user.id, details: changes });
    await em.flush();
    if (endSessions) await this.publishTokenVersion(user);
    await this.audit.announce([ev]);
    return user;
  }

  /** Updates the caller's own name and/or e-mail (e-mail needs the current password). */
  async updateProfile(ctx: RequestContext, input: { fullName?: string | null; email?: string | null; currentPassword?: string | null }): Promise<User> {
    const em = this.db.em();
    const user = await this.self(ctx, em);
    const changes: Record<string, unknown> = {};
    if (input.fullName != null) {
      user.fullName = validateName('full_name', input.fullName);
      changes.full_name = user.fullName;
    }
    if (input.email != null) {
      const email = validateEmail(input.email);
      if (email !== user.email) {
        if (!input.currentPassword) throw UserErrors.currentPasswordRequired('current_password is required to change the e-mail');
        if (!(await verifyPassword(user.passwordHash, input.currentPassword))) throw UserErrors.currentPasswordIncorrect();
        user.email = email;
        changes.email = email;
      }
    }
    const ev = this.audit.stage(em, ctx, { action: 'update_profile', resourceType: 'user', resourceId: user.id, details: changes });
    await uniqueOrThrow(() => em.flush(), UserErrors.duplicateEmail);
    await this.audit.announce([ev]);
    return user;
  }

  /** Changes the caller's password; every session of the user (this one included) ends. */
  async changePassword(ctx: RequestContext, input: { currentPassword: string; newPassword: string }): Promise<{ detail: string }> {
    const em = this.db.em();
    const user = await this.self(ctx, em);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw UserErrors.currentPasswordIncorrect();
    }
    validatePassword(input.newPassword, 'new_password');
    user.passwordHash = await hashPassword(input.newPassword);
    user.tokenVersion += 1;
    const ev = this.audit.stage(em, ctx, { action: 'change_password', resourceType: 'user', resourceId: user.id });
    await em.flush();
    await this.publishTokenVersion(user);
    await this.audit.announce([ev]);
    return { detail: 'Password changed; sign in again' };
  }

  private async self(ctx: RequestContext, em: EntityManager): Promise<User> {
    const p = ctx.principal;
    if (p?.kind !== 'user') throw AuthErrors.invalidToken();
    const user = await em.findOne(User, { id: p.userId, tenantId: p.tenantId });
    if (!user || !user.isActive) throw AuthErrors.inactiveUser();
    return user;
  }

  private async assertAnotherAdmin(em: EntityManager, user: User): Promise<void> {
    const admins = await em.count(User, { tenantId: user.tenantId, role: 'admin', isActive: true, id: { $ne: user.id } });
    if (admins === 0) throw UserErrors.lastActiveAdmin();
  }

  /** Access tokens carry the version they were issued under; older ones are refused from now on. */
  private async publishTokenVersion(user: User): Promise<void> {
    const ttl = Math.max(this.config.jwt.accessTtlSec, this.config.jwt.refreshTtlSec);
    await this.store.set(revocationKeys.userVersion(user.id), user.tokenVersion, ttl);
  }
}
