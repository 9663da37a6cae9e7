import type { AuditService } from '../audit/audit.service.js';
import { tenantOf, type RequestContext } from '../common/context.js';
import type { Database } from '../infra/database.js';
import { Tenant } from './tenant.entity.js';
import { TenantErrors } from './tenant.errors.js';
import { knownZone } from './tenant.rules.js';

/** Audit action of a change of the tenant's settings. */
export const UPDATE_TENANT_SETTINGS = 'update_tenant_settings';

/** What `/settings/tenant` shows and changes. */
export interface TenantSettings {
  tenantId: string;
  name: string;
  timeZone: string;
  updatedAt: Date;
}

const toSettings = (t: Tenant): TenantSettings => ({ tenantId: t.id, name: t.name, timeZone: t.timeZone, updatedAt: t.updatedAt });

/** The caller's tenant settings: read by any role, changed by admins (audited). */
export class TenantSettingsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  /** The caller's tenant settings. */
  async get(ctx: RequestContext): Promise<TenantSettings> {
    const t = await this.db.em().findOne(Tenant, { id: tenantOf(ctx) });
    if (!t) throw TenantErrors.notFound();
    return toSettings(t);
  }

  /** Changes the caller's tenant settings; fields left undefined or null keep their value. */
  async update(ctx: RequestContext, input: { timeZone?: string | null }): Promise<TenantSettings> {
    const zone = input.timeZone == null ? null : await knownZone(this.db, input.timeZone);
    const em = this.db.em();
    const t = await em.findOne(Tenant, { id: tenantOf(ctx) });
    if (!t) throw TenantErrors.notFound();
    const details: Record<string, unknown> = {};
    if (zone !== null) {
      details.time_zone = { from: t.timeZone, to: zone };
      t.timeZone = zone;
    }
    const ev = this.audit.stage(em, ctx, { action: UPDATE_TENANT_SETTINGS, resourceType: 'tenant', resourceId: t.id, details });
    await em.flush();
    await this.audit.announce([ev]);
    return toSettings(t);
  }
}
