import type { AuditEvent } from '../audit/audit-event.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import { tenantOf, userIdOf, type RequestContext } from '../common/context.js';
import type { Database } from '../infra/database.js';

/** Audit action of a settings change; every instance follows it (see AutoDowntime). */
export const UPDATE_DOWNTIME_SETTINGS = 'update_downtime_settings';

/** A tenant's downtime settings (the defaults while it never changed them). */
export interface DowntimeSettings {
  tenantId: string;
  /** open an `unplanned` record when a machine goes offline, end it when readings return */
  autoDowntimeEnabled: boolean;
  /** when automatic downtime was last switched on (null while never on) */
  autoEnabledAt: Date | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

interface Row {
  tenant_id: string;
  auto_downtime_enabled: boolean;
  auto_enabled_at: Date | string | null;
  updated_at: Date | string;
  updated_by: string | null;
}

// raw statements may answer timestamps as text
const instant = (v: Date | string | null): Date | null => (v == null ? null : v instanceof Date ? v : new Date(v));

const toSettings = (r: Row): DowntimeSettings => ({
  tenantId: r.tenant_id,
  autoDowntimeEnabled: r.auto_downtime_enabled === true,
  autoEnabledAt: instant(r.auto_enabled_at),
  updatedAt: instant(r.updated_at),
  updatedBy: r.updated_by,
});

/** Per-tenant downtime settings: read by any role, changed by admins (audited). */
export class DowntimeSettingsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  /** The caller's tenant settings (defaults when never set). */
  async get(ctx: RequestContext): Promise<DowntimeSettings> {
    const tenantId = tenantOf(ctx);
    const rows = await this.db.query<Row>(`select * from downtime_settings where tenant_id = ?`, [tenantId]);
    return rows[0] ? toSettings(rows[0]) : { tenantId, autoDowntimeEnabled: false, autoEnabledAt: null, updatedAt: null, updatedBy: null };
  }

  /** Changes the caller's tenant settings; fields left undefined keep their value. */
  async update(ctx: RequestContext, input: { autoDowntimeEnabled?: boolean | null }): Promise<DowntimeSettings> {
    const tenantId = tenantOf(ctx);
    const em = this.db.em();
    let ev: AuditEvent | undefined;
    const row = await em.transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      const enabled = input.autoDowntimeEnabled ?? null;
      // auto_enabled_at moves only when the switch goes from off to on
      const rows = await conn.execute<Row[]>(
        `insert into downtime_settings as s (tenant_id, auto_downtime_enabled, auto_enabled_at, updated_by, updated_at)
         values (?, coalesce(?::boolean, false), case when coalesce(?::boolean, false) then now() end, ?, now())
         on conflict (tenant_id) do update set
           auto_downtime_enabled = coalesce(?::boolean, s.auto_downtime_enabled),
           auto_enabled_at = case when ?::boolean and not s.auto_downtime_enabled then now() else s.auto_enabled_at end,
           updated_by = excluded.updated_by, updated_at = now()
         returning s.*`,
        [tenantId, enabled, enabled, userIdOf(ctx), enabled, enabled],
        'all',
        tx,
      );
      const r = rows[0]!;
      ev = this.audit.stage(tem, ctx, {
        action: UPDATE_DOWNTIME_SETTINGS,
        resourceType: 'tenant',
        resourceId: tenantId,
        details: { auto_downtime_enabled: r.auto_downtime_enabled },
      });
      return r;
    });
    await this.audit.announce([ev!]);
    return toSettings(row);
  }

  /** Tenants with automatic downtime on (every instance follows their machine status events). */
  async autoEnabledTenants(): Promise<string[]> {
    const rows = await this.db.query<{ tenant_id: string }>(`select tenant_id from downtime_settings where auto_downtime_enabled`);
    return rows.map((r) => r.tenant_id);
  }

  /** Whether automatic downtime is on for a tenant now. */
  async isAutoEnabled(tenantId: string): Promise<boolean> {
    const rows = await this.db.query<{ enabled: boolean }>(`select auto_downtime_enabled as enabled from downtime_settings where tenant_id = ?`, [tenantId]);
    return rows[0]?.enabled === true;
  }
}
