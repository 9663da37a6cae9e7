import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { findInTenantOrThrow, uniqueOrThrow } from '../common/persistence.js';
import { codePointLength } from '../common/text-rules.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { escapeLike } from '../common/sql.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Database } from '../infra/database.js';
import { MachineGroup } from '../machine-groups/machine-group.entity.js';
import { Machine, MACHINE_STATUSES, type MachineStatus } from './machine.entity.js';
import { MachineErrors } from './machine.errors.js';
import { MACHINE_LIMITS, machineRules } from './machine.rules.js';
import { MachineGroupErrors } from '../machine-groups/machine-group.errors.js';
import { EFFECTIVE_STATUS_SQL, withLiveStatus } from './machine-status.service.js';
import { GROUP_SUBTREE_SQL } from '../machine-groups/machine-group.sql.js';

export const MACHINE_SORT_FIELDS = ['name', 'machine_identifier', 'status', 'created_at', 'updated_at', 'location'] as const;
export type MachineSortField = (typeof MACHINE_SORT_FIELDS)[number];

export interface MachineFilter extends PageArgs {
  groupId?: string | null;
  search?: string | null;
  status?: string | null;
  sortBy?: string | null;
  sortDir?: string | null;
}

export interface MachineInput {
  name: string;
  machineIdentifier: string;
  protocol: string;
  location?: string | null;
  idealCycleTimeSeconds?: number | null;
}

export interface MachinePatch {
  name?: string | null;
  machineIdentifier?: string | null;
  protocol?: string | null;
  /** null clears the location; undefined leaves it */
  location?: string | null;
  /** null clears it; undefined leaves it */
  idealCycleTimeSeconds?: number | null;
}

/** The columns of a machine (not the search copies), for a `machines` row aliased `m`. */
const MACHINE_COLUMNS = 'm.id, m.tenant_id, m.name, m.machine_identifier, m.protocol, m.location, m.ideal_cycle_time_seconds, m.status, m.is_active, m.last_reading_at, m.deleted_at, m.created_at, m.updated_at';

/** Machines of a tenant: registration, listing with filters, soft delete. */
export class MachineService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly offlineAfterMs: number,
  ) {}

  /** The machine as clients see it: silent longer than the window means offline, even before the sweep ran. */
  private live(m: Machine): Machine {
    return withLiveStatus(m, this.offlineAfterMs);
  }

  /** Active machines, filtered, searched and sorted, one page. */
  async list(ctx: RequestContext, f: MachineFilter): Promise<Page<Machine>> {
    const w = pageWindow(f);
    const tenantId = ctx.principal!.tenantId;
    const sortBy = (f.sortBy ?? 'name') as MachineSortField;
    if (!MACHINE_SORT_FIELDS.includes(sortBy)) {
      throw invalid('sort_by', `Input should be ${MACHINE_SORT_FIELDS.map((s) => `'${s}'`).join(', ')}`, 'enum');
    }
    const dir = (f.sortDir ?? 'asc').toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw invalid('sort_dir', "Input should be 'asc' or 'desc'", 'enum');
    const q = await this.filter(ctx, f);
    // Column names come from the whitelist above, never from the request text.
    const nulls = sortBy === 'location' ? (dir === 'asc' ? ' nulls last' : ' nulls first') : '';
    const orderBy = (key: string) => `order by ${key} ${dir}${nulls}, m.id ${dir}`;
    // With a search or group filter the matches are found first (trigram / membership indexes), then
    // counted and sorted: walking an index in sort order would pass every non-match when they cluster
    // (e.g. 'pump' sorted by name), and the count needs every match anyway. Only the row address,
    // sort key and id of each match are kept; the page's rows are then fetched by address (a TID
    // scan). Within one statement every part reads one snapshot, so the address still holds the
    // version that matched.
    // Without a filter, the count and the page are separate scans of one statement, so the page can
    // stop after `limit` rows of a sort-order index.
    const sql = q.selective
      ? `${q.cte ? `${q.cte},` : 'with'} matched as materialized (select m.ctid as tid, m.${sortBy} as k, m.id from machines m where ${q.where})
      select ${MACHINE_COLUMNS}, (select count(*) from matched) as total_count from machines m
       where m.ctid = any(array(select m.tid from matched m ${orderBy('m.k')} limit ? offset ?))
       ${orderBy(`m.${sortBy}`)}`
      : `select ${MACHINE_COLUMNS}, (select count(*) from machines m where ${q.where}) as total_count from machines m where ${q.where} ${orderBy(`m.${sortBy}`)} limit ? offset ?`;
    const params = q.selective ? [...q.params, w.pageSize, w.offset] : [...q.params, ...q.params, w.pageSize, w.offset];
    // a prepared statement: the few dozen shapes (filters x sort) are planned once per connection
    const rows = await this.db.query<Record<string, unknown> & { total_count: string }>(sql, params);
    let total = rows.length ? Number(rows[0]!.total_count) : 0;
    if (!rows.length && w.offset > 0) {
      // A page past the end has no row to carry the count.
      const [c] = await this.db.query<{ n: string }>(`${q.cte} select count(*) as n from machines m where ${q.where}`, q.params);
      total = Number(c!.n);
    }
    const em = this.db.em();
    // A read-only page: the ORM's column-to-property mapping and type conversion (the same values
    // em.map yields), without hydrating managed entities into the identity map, which cost more than
    // the query itself for 100 rows.
    const meta = em.getMetadata().get(Machine);
    const driver = em.getDriver();
    const items = rows.map((r) => {
      const { total_count: _t, ...row } = r;
      return this.live(driver.mapResult(row, meta) as Machine);
    });
    return toPage(items, total, w);
  }

  /**
   * Validates the group, search and status filters and returns the WHERE clause (and group CTE) over
   * active machines aliased `m`, shared by the page query, the count query and the fleet view.
   */
  async filter(ctx: RequestContext, f: Pick<MachineFilter, 'groupId' | 'search' | 'status'>): Promise<{ cte: string; where: string; params: unknown[]; selective: boolean }> {
    const tenantId = ctx.principal!.tenantId;
    if (f.status != null && !MACHINE_STATUSES.includes(f.status as MachineStatus)) {
      throw invalid('status', `Input should be ${MACHINE_STATUSES.map((s) => `'${s}'`).join(', ')}`, 'enum');
    }
    if (f.search != null && codePointLength(f.search) > MACHINE_LIMITS.search) {
      throw invalid('search', `String should have at most ${MACHINE_LIMITS.search} characters`, 'string_too_long');
    }
    // PostgreSQL refuses NUL in text parameters (a 500); no stored name or identifier can contain one
    if (f.search?.includes('\u0000')) throw invalid('search', 'String must not contain NUL characters', 'value_error');
    if (f.groupId != null) await this.assertGroup(tenantId, f.groupId);
    return this.filterSql(tenantId, f);
  }

  /** The SQL of filter(), for already validated arguments. */
  private filterSql(tenantId: string, f: Pick<MachineFilter, 'groupId' | 'search' | 'status'>): { cte: string; where: string; params: unknown[]; selective: boolean } {
    const params: unknown[] = [];
    let cte = '';
    if (f.groupId != null) {
      cte = GROUP_SUBTREE_SQL;
      params.push(f.groupId, tenantId, tenantId);
    }
    let where = 'm.tenant_id = ? and m.is_active';
    params.push(tenantId);
    if (f.groupId != null) {
      // the subtree as an array (computed once): PostgreSQL cannot estimate a recursive CTE's size
      // (it guesses hundreds of groups) and would scan every membership instead of the index
      where += ' and exists (select 1 from machine_group_members mm where mm.machine_id = m.id and mm.group_id = any(array(select id from subtree)))';
    }
    const search = f.search?.trim();
    if (search) {
      const like = `%${escapeLike(search)}%`;
      // name_lc / identifier_lc are lower(name) / lower(machine_identifier), stored: the ILIKE test
      // (PostgreSQL lower-cases both sides) without lower-casing every candidate row per search.
      // The pattern is lowered once per execution (a sub-select), not per row, also in a prepared
      // statement's generic plan; backslash is LIKE's default escape character.
      where += ` and (m.name_lc like (select lower(?)) or m.identifier_lc like (select lower(?)))`;
      params.push(like, like);
    }
    if (f.status != null) {
      where += ` and ${EFFECTIVE_STATUS_SQL} = ?`;
      params.push(String(this.offlineAfterMs), f.status);
    }
    // the group CTE only ever comes with a selective filter (the unselective query repeats the params)
    return { cte, where, params, selective: f.groupId != null || Boolean(search) };
  }

  /** One active machine of the caller's tenant; 404 for unknown, deleted or foreign ids. */
  async get(ctx: RequestContext, id: string, em = this.db.em()): Promise<Machine> {
    return findInTenantOrThrow(em, ctx, Machine, id, MachineErrors.notFound, { isActive: true });
  }

  /** One machine with its live status (read paths only). */
  async view(ctx: RequestContext, id: string): Promise<Machine> {
    return this.live(await this.get(ctx, id));
  }

  /** Registers a machine; it starts `offline` until readings arrive. */
  async create(ctx: RequestContext, input: MachineInput): Promise<Machine> {
    const em = this.db.em();
    const m = em.create(Machine, {
      tenantId: ctx.principal!.tenantId,
      name: machineRules.name(input.name),
      machineIdentifier: machineRules.identifier(input.machineIdentifier),
      protocol: machineRules.protocol(input.protocol),
      location: machineRules.location(input.location ?? null),
      idealCycleTimeSeconds: machineRules.idealCycleTimeSeconds(input.idealCycleTimeSeconds ?? null),
    } as Machine);
    const ev = this.audit.stage(em, ctx, {
      action: 'create_machine',
      resourceType: 'machine',
      resourceId: m.id,
      details: { name: m.name, identifier: m.machineIdentifier },
    });
    await uniqueOrThrow(() => em.flush(), () => MachineErrors.duplicateIdentifier(m.machineIdentifier));
    await this.audit.announce([ev]);
    return m;
  }

  /** Partial update; status is computed by the server and cannot be set. */
  async update(ctx: RequestContext, id: string, patch: MachinePatch): Promise<Machine> {
    const em = this.db.em();
    const m = await this.get(ctx, id, em);
    const changes: Record<string, unknown> = {};
    if (patch.name != null) changes.name = m.name = machineRules.name(patch.name);
    if (patch.machineIdentifier != null) changes.machine_identifier = m.machineIdentifier = machineRules.identifier(patch.machineIdentifier);
    if (patch.protocol != null) changes.protocol = m.protocol = machineRules.protocol(patch.protocol);
    if (patch.location !== undefined) changes.location = m.location = machineRules.location(patch.location);
    if (patch.idealCycleTimeSeconds !== undefined) {
      changes.ideal_cycle_time_seconds = m.idealCycleTimeSeconds = machineRules.idealCycleTimeSeconds(patch.idealCycleTimeSeconds);
    }
    const ev = this.audit.stage(em, ctx, { action: 'update_machine', resourceType: 'machine', resourceId: m.id, details: changes });
    await uniqueOrThrow(() => em.flush(), () => MachineErrors.duplicateIdentifier(m.machineIdentifier));
    await this.audit.announce([ev]);
    // after the flush: the response shows the status GET would show, without storing it
    return this.live(m);
  }

  /** Soft delete: gone from lists and from ingestion; the identifier stays reserved. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const em = this.db.em();
    const m = await this.get(ctx, id, em);
    m.isActive = false;
    m.deletedAt = new Date();
    const ev = this.audit.stage(em, ctx, {
      action: 'delete_machine',
      resourceType: 'machine',
      resourceId: m.id,
      details: { name: m.name, identifier: m.machineIdentifier },
    });
    await em.flush();
    await this.audit.announce([ev]);
    return true;
  }

  /** Groups of each machine (for the batched `Machine.groups` field). */
  async groupsOf(tenantId: string, machineIds: readonly string[]): Promise<Map<string, MachineGroup[]>> {
    if (machineIds.length === 0) return new Map();
    const em = this.db.em();
    const rows: Record<string, unknown>[] = await em.getConnection().execute(
      `select mm.machine_id as member_machine_id, g.* from machine_group_members mm
         join machine_groups g on g.id = mm.group_id
        where mm.tenant_id = ? and mm.machine_id in (${machineIds.map(() => '?').join(',')}) order by g.name, g.id`,
      [tenantId, ...machineIds],
    );
    const out = new Map<string, MachineGroup[]>();
    for (const r of rows) {
      const { member_machine_id: mid, ...g } = r;
      const list = out.get(mid as string) ?? [];
      list.push(em.map(MachineGroup, g));
      out.set(mid as string, list);
    }
    return out;
  }

  private async assertGroup(tenantId: string, groupId: string): Promise<void> {
    if (!isUuid(groupId)) throw invalid('group_id', 'Input should be a valid UUID (group_id)', 'uuid_parsing');
    const n = await this.db.em().count(MachineGroup, { id: groupId, tenantId });
    if (n === 0) throw MachineGroupErrors.notFound();
  }
}

