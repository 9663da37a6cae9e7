import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { isUuid } from '../common/errors.js';
import { isValidHhmm } from '../common/local-time.js';
import type { Database } from '../infra/database.js';
import { MachineGroupErrors } from '../machine-groups/machine-group.errors.js';
import { ShiftErrors } from './shift.errors.js';
import { constrained, textArg, toDate } from './shift-input.js';
import { COLOR_RE, SHIFT_LIMITS as L, windowsOverlap } from './shift.rules.js';

export interface ShiftDefinitionView {
  id: string;
  tenantId: string;
  siteId: string | null;
  name: string;
  startTime: string;
  endTime: string;
  color: string;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields of a definition; on update an absent (undefined) field keeps its value. */
export interface ShiftDefinitionInput {
  name?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  color?: string | null;
  isActive?: boolean | null;
  /** null: tenant-wide */
  siteId?: string | null;
}

type Row = Record<string, unknown>;

export function definitionView(r: Row): ShiftDefinitionView {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    siteId: (r.site_id as string | null) ?? null,
    name: r.name as string,
    startTime: r.start_time as string,
    endTime: r.end_time as string,
    color: r.color as string,
    isActive: r.is_active as boolean,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

const fail = ShiftErrors.invalidDefinition;

function timeArg(value: unknown, field: string, allow2400: boolean): string {
  if (typeof value !== 'string' || !isValidHhmm(value, allow2400)) {
    throw fail(field, `Input should be a time HH:MM (00:00 to 23:59${allow2400 ? ', or 24:00' : ''})`, 'time_parsing');
  }
  return value;
}

function colorArg(value: unknown): string {
  if (typeof value !== 'string' || !COLOR_RE.test(value)) throw fail('color', 'Input should be a hex colour #RRGGBB', 'string_pattern_mismatch');
  return value.toUpperCase();
}

/**
 * Shift definitions of a tenant: tenant-wide (`site_id` null) or of one site group. Within one
 * scope names are unique (case-insensitive; the unique index decides races) and active windows do
 * not overlap (checked under a per-tenant advisory lock, so two writers cannot both pass).
 */
export class ShiftDefinitionService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  /** Every definition of the tenant (at most 200), active ones only unless `activeOnly` is false; by start time. */
  async list(ctx: RequestContext, f: { activeOnly?: boolean | null; siteId?: string | null }): Promise<ShiftDefinitionView[]> {
    const tenantId = ctx.principal!.tenantId;
    let sql = 'select * from shift_definitions where tenant_id = ?';
    const params: unknown[] = [tenantId];
    if (f.activeOnly ?? true) sql += ' and is_active';
    if (f.siteId != null) {
      sql += ' and site_id = ?';
      params.push(await this.site(tenantId, f.siteId));
    }
    const rows = await this.db.query<Row>(`${sql} order by start_time, lower(name), id`, params);
    return rows.map(definitionView);
  }

  async get(ctx: RequestContext, id: string): Promise<ShiftDefinitionView> {
    return this.find(ctx.principal!.tenantId, id);
  }

  /** A definition of the tenant by id (404 for unknown, foreign or malformed ids). */
  async find(tenantId: string, id: string): Promise<ShiftDefinitionView> {
    if (!isUuid(id)) throw ShiftErrors.definitionNotFound();
    const rows = await this.db.query<Row>('select * from shift_definitions where id = ? and tenant_id = ?', [id.toLowerCase(), tenantId]);
    if (!rows[0]) throw ShiftErrors.definitionNotFound();
    return definitionView(rows[0]);
  }

  async create(ctx: RequestContext, input: ShiftDefinitionInput): Promise<ShiftDefinitionView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.name == null) throw fail('name', 'Field required', 'missing');
    if (input.startTime == null) throw fail('start_time', 'Field required', 'missing');
    if (input.endTime == null) throw fail('end_time', 'Field required', 'missing');
    const next = {
      name: textArg(input.name, 'name', L.name, fail),
      startTime: timeArg(input.startTime, 'start_time', false),
      endTime: timeArg(input.endTime, 'end_time', true),
      color: input.color != null ? colorArg(input.color) : '#3B82F6',
      isActive: input.isActive ?? true,
      siteId: input.siteId != null ? await this.site(tenantId, input.siteId) : null,
    };
    if (next.startTime === next.endTime) throw fail('end_time', 'end_time must differ from start_time (a shift cannot last 0 or 24 hours)');
    const { id, ev } = await this.locked(tenantId, async (tem, conn, tx) => {
      const [count] = await conn.execute<{ n: number }[]>('select count(*)::int as n from shift_definitions where tenant_id = ?', [tenantId], 'all', tx);
      if (count!.n >= L.definitionsPerTenant) throw ShiftErrors.tooMany(L.definitionsPerTenant);
      await this.refuseDuplicate(conn, tx, tenantId, null, next);
      if (next.isActive) await this.refuseOverlap(conn, tx, tenantId, null, next);
      const rows = await constrained(
        () =>
          conn.execute<{ id: string }[]>(
            `insert into shift_definitions (id, tenant_id, site_id, name, start_time, end_time, color, is_active, created_at, updated_at)
             values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, now(), now()) returning id`,
            [tenantId, next.siteId, next.name, next.startTime, next.endTime, next.color, next.isActive],
            'all',
            tx,
          ),
        { unique: () => ShiftErrors.duplicateName(next.name) },
      );
      const id = rows[0]!.id;
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_shift_definition',
        resourceType: 'shift_definition',
        resourceId: id,
        details: { name: next.name, start_time: next.startTime, end_time: next.endTime, site_id: next.siteId, is_active: next.isActive },
      });
      await tem.flush();
      return { id, ev };
    });
    await this.audit.announce([ev]);
    return this.find(tenantId, id);
  }

  /** Changes the fields given (PUT takes a partial body); the rules of create hold for the result. */
  async update(ctx: RequestContext, id: string, patch: ShiftDefinitionInput): Promise<ShiftDefinitionView> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.find(tenantId, id);
    const next = {
      name: patch.name != null ? textArg(patch.name, 'name', L.name, fail) : current.name,
      startTime: patch.startTime != null ? timeArg(patch.startTime, 'start_time', false) : current.startTime,
      endTime: patch.endTime != null ? timeArg(patch.endTime, 'end_time', true) : current.endTime,
      color: patch.color != null ? colorArg(patch.color) : current.color,
      isActive: patch.isActive ?? current.isActive,
      siteId: patch.siteId === undefined ? current.siteId : patch.siteId === null ? null : await this.site(tenantId, patch.siteId),
    };
    if (next.startTime === next.endTime) throw fail('end_time', 'end_time must differ from start_time (a shift cannot last 0 or 24 hours)');
    const changes: Record<string, unknown> = {};
    for (const [k, col] of [['name', 'name'], ['startTime', 'start_time'], ['endTime', 'end_time'], ['color', 'color'], ['isActive', 'is_active'], ['siteId', 'site_id']] as const) {
      if (next[k] !== current[k]) changes[col] = next[k];
    }
    const ev = await this.locked(tenantId, async (tem, conn, tx) => {
      await this.refuseDuplicate(conn, tx, tenantId, current.id, next);
      if (next.isActive) await this.refuseOverlap(conn, tx, tenantId, current.id, next);
      const rows = await constrained(
        () =>
          conn.execute<{ id: string }[]>(
            `update shift_definitions set name = ?, start_time = ?, end_time = ?, color = ?, is_active = ?, site_id = ?, updated_at = now()
              where id = ? and tenant_id = ? returning id`,
            [next.name, next.startTime, next.endTime, next.color, next.isActive, next.siteId, current.id, tenantId],
            'all',
            tx,
          ),
        { unique: () => ShiftErrors.duplicateName(next.name) },
      );
      if (!rows.length) throw ShiftErrors.definitionNotFound();
      const staged = this.audit.stage(tem, ctx, { action: 'update_shift_definition', resourceType: 'shift_definition', resourceId: current.id, details: changes });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    return this.find(tenantId, current.id);
  }

  /** Deletes a definition without logs; one with logs is a 409 (deactivate it instead). */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.find(tenantId, id);
    const ev = await this.locked(tenantId, async (tem, conn, tx) => {
      const used = await conn.execute<Row[]>('select 1 from shift_logs where shift_definition_id = ? limit 1', [current.id], 'all', tx);
      if (used.length) throw ShiftErrors.inUse();
      // a log made meanwhile (logs take another lock) is caught by the foreign key
      const rows = await constrained(() => conn.execute<Row[]>('delete from shift_definitions where id = ? and tenant_id = ? returning id', [current.id, tenantId], 'all', tx), {
        foreignKey: ShiftErrors.inUse,
      });
      if (!rows.length) throw ShiftErrors.definitionNotFound();
      const staged = this.audit.stage(tem, ctx, {
        action: 'delete_shift_definition',
        resourceType: 'shift_definition',
        resourceId: current.id,
        details: { name: current.name, start_time: current.startTime, end_time: current.endTime, site_id: current.siteId },
      });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    return true;
  }

  /** A site group of the tenant (404 for unknown or foreign ids; 422 for a group of another type). */
  private async site(tenantId: string, siteId: string): Promise<string> {
    if (!isUuid(siteId)) throw fail('site_id', 'Input should be a valid UUID (site_id)', 'uuid_parsing');
    const rows = await this.db.query<{ group_type: string }>('select group_type from machine_groups where id = ? and tenant_id = ?', [siteId.toLowerCase(), tenantId]);
    if (!rows[0]) throw MachineGroupErrors.notFound();
    if (rows[0].group_type !== 'site') throw fail('site_id', `The group is a ${rows[0].group_type}, not a site`);
    return siteId.toLowerCase();
  }

  /** Another definition of the same scope with the name (case-insensitive): 409. */
  private async refuseDuplicate(conn: Conn, tx: Tx, tenantId: string, self: string | null, d: { siteId: string | null; name: string }): Promise<void> {
    const rows = await conn.execute<Row[]>(
      `select 1 from shift_definitions where tenant_id = ? and site_id is not distinct from ?::uuid and lower(name) = lower(?)
          and id <> coalesce(?::uuid, '00000000-0000-0000-0000-000000000000'::uuid) limit 1`,
      [tenantId, d.siteId, d.name, self],
      'all',
      tx,
    );
    if (rows.length) throw ShiftErrors.duplicateName(d.name);
  }

  /** The first other active definition of the same scope whose daily window shares a minute with `d`: 409. */
  private async refuseOverlap(conn: Conn, tx: Tx, tenantId: string, self: string | null, d: { siteId: string | null; startTime: string; endTime: string }): Promise<void> {
    const rows = await conn.execute<Row[]>(
      `select * from shift_definitions where tenant_id = ? and is_active and site_id is not distinct from ?::uuid and id <> coalesce(?::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
        order by start_time, id`,
      [tenantId, d.siteId, self],
      'all',
      tx,
    );
    const clash = rows.map(definitionView).find((o) => windowsOverlap(o, d));
    if (clash) throw ShiftErrors.overlap(clash);
  }

  /** Runs `work` in a transaction holding the tenant's shift-definition lock. */
  private locked<T>(tenantId: string, work: (tem: ReturnType<Database['em']>, conn: Conn, tx: Tx) => Promise<T>): Promise<T> {
    return this.db.em().transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      await conn.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`shift-definitions:${tenantId}`], 'all', tx);
      return work(tem as ReturnType<Database['em']>, conn, tx);
    });
  }
}

type Conn = ReturnType<ReturnType<Database['em']>['getConnection']>;
type Tx = ReturnType<ReturnType<Database['em']>['getTransactionContext']>;
