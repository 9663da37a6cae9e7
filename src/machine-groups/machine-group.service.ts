import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { findInTenantOrThrow } from '../common/persistence.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Database } from '../infra/database.js';
import { Machine } from '../machines/machine.entity.js';
import { withLiveStatus } from '../machines/machine-status.service.js';
import { GROUP_SUBTREE_SQL } from './machine-group.sql.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import { knownZone } from '../tenants/tenant.rules.js';
import { validateName } from '../users/user.rules.js';
import { GROUP_TYPES, MachineGroup, MachineGroupMember, type GroupType } from './machine-group.entity.js';
import { MachineGroupErrors } from './machine-group.errors.js';
import { MACHINE_GROUP_LIMITS, parentMove } from './machine-group.rules.js';

export interface GroupInput {
  name: string;
  groupType: string;
  parentId?: string | null;
  description?: string | null;
  /** IANA zone of a site's machines (site groups only) */
  timeZone?: string | null;
}

export interface GroupPatch {
  name?: string | null;
  groupType?: string | null;
  /** null moves the group to the root; undefined leaves it */
  parentId?: string | null;
  /** true moves the group to the root (GraphQL's explicit form of `parentId: null`) */
  moveToRoot?: boolean | null;
  description?: string | null;
  /** null clears it (the machines use the tenant's zone again); undefined leaves it */
  timeZone?: string | null;
}

export interface GroupTreeNode {
  group: MachineGroup;
  machineCount: number;
  children: GroupTreeNode[];
}

/** Most members one PUT may set. */
export const MAX_GROUP_MEMBERS = MACHINE_GROUP_LIMITS.members;

function groupType(v: string): GroupType {
  if (!GROUP_TYPES.includes(v as GroupType)) throw invalid('group_type', `Input should be ${GROUP_TYPES.map((t) => `'${t}'`).join(', ')}`, 'enum');
  return v as GroupType;
}

function description(v: string | null | undefined): string | null {
  if (v == null) return null;
  if (codePointLength(v) > MACHINE_GROUP_LIMITS.description) {
    throw invalid('description', `String should have at most ${MACHINE_GROUP_LIMITS.description} characters`, 'string_too_long');
  }
  // free text may span lines; other control characters (NUL is refused by PostgreSQL: a 500) may not
  const unsafe = unsafeTextReason(v, true);
  if (unsafe) throw invalid('description', `String ${unsafe}`, 'value_error');
  if (/\p{Cs}/u.test(v)) throw invalid('description', 'String must be valid Unicode text', 'value_error');
  return v.trim() || null;
}

/** Machine groups: a tree by parent_id (sites, lines, departments, custom), with many-to-many membership. */
export class MachineGroupService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly offlineAfterMs: number,
  ) {}

  /** A member machine as clients see it (live status, as the machine endpoints show it). */
  private live(m: Machine): Machine {
    return withLiveStatus(m, this.offlineAfterMs);
  }

  /** Groups of the tenant by name, one page. */
  async list(ctx: RequestContext, args: PageArgs & { groupType?: string | null; parentId?: string | null }): Promise<Page<MachineGroup>> {
    const w = pageWindow(args);
    const where: Record<string, unknown> = { tenantId: ctx.principal!.tenantId };
    if (args.groupType != null) where.groupType = groupType(args.groupType);
    if (args.parentId != null) {
      if (!isUuid(args.parentId)) throw invalid('parent_id', 'Input should be a valid UUID (parent_id)', 'uuid_parsing');
      where.parentId = args.parentId;
    }
    const [items, total] = await this.db.em().findAndCount(MachineGroup, where, {
      orderBy: { name: 'asc', id: 'asc' },
      limit: w.pageSize,
      offset: w.offset,
    });
    return toPage(items, total, w);
  }

  /** One group of the caller's tenant; 404 for unknown or foreign ids. */
  async get(ctx: RequestContext, id: string, em = this.db.em()): Promise<MachineGroup> {
    return findInTenantOrThrow(em, ctx, MachineGroup, id, MachineGroupErrors.notFound);
  }

  /** Creates a group, optionally under a parent of the same tenant. */
  async create(ctx: RequestContext, input: GroupInput): Promise<MachineGroup> {
    const em = this.db.em();
    const type = groupType(input.groupType);
    const g = em.create(MachineGroup, {
      tenantId: ctx.principal!.tenantId,
      name: validateName('name', input.name, MACHINE_GROUP_LIMITS.name),
      groupType: type,
      parentId: input.parentId ? (await this.parent(ctx, em, input.parentId)).id : null,
      description: description(input.description),
      timeZone: await this.zone(type, input.timeZone ?? null),
    } as MachineGroup);
    const ev = this.audit.stage(em, ctx, {
      action: 'create_machine_group',
      resourceType: 'machine_group',
      resourceId: g.id,
      details: { name: g.name, group_type: g.groupType, parent_id: g.parentId, time_zone: g.timeZone },
    });
    await em.flush();
    await this.audit.announce([ev]);
    return g;
  }

  /** Partial update; moving under itself or a descendant is refused (422). */
  async update(ctx: RequestContext, id: string, patch: GroupPatch): Promise<MachineGroup> {
    const em = this.db.em();
    const g = await this.get(ctx, id, em);
    const changes: Record<string, unknown> = {};
    if (patch.name != null) changes.name = g.name = validateName('name', patch.name, MACHINE_GROUP_LIMITS.name);
    if (patch.groupType != null) changes.group_type = g.groupType = groupType(patch.groupType);
    if (patch.description !== undefined) changes.description = g.description = description(patch.description);
    if (patch.timeZone !== undefined) changes.time_zone = g.timeZone = patch.timeZone;
    // a site turned into a line keeps no zone: refused unless the same patch clears it
    g.timeZone = await this.zone(g.groupType, g.timeZone, patch.timeZone !== undefined);
    const move = parentMove(patch);
    if (move === 'ambiguous') throw MachineGroupErrors.parentAmbiguous();
    if (move.kind !== 'keep') {
      if (move.kind === 'root') g.parentId = null;
      else {
        const parent = await this.parent(ctx, em, move.parentId);
        if (await this.isInSubtree(em, g, parent.id)) throw MachineGroupErrors.cycle();
        g.parentId = parent.id;
      }
      changes.parent_id = g.parentId;
    }
    const ev = this.audit.stage(em, ctx, { action: 'update_machine_group', resourceType: 'machine_group', resourceId: g.id, details: changes });
    await em.flush();
    await this.audit.announce([ev]);
    return g;
  }

  /** Deletes a childless group (409 while it has children); memberships go with it. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const em = this.db.em();
    const g = await this.get(ctx, id, em);
    const children = await em.count(MachineGroup, { parentId: g.id, tenantId: g.tenantId });
    if (children > 0) throw MachineGroupErrors.hasChildren(children);
    await em.nativeDelete(MachineGroupMember, { groupId: g.id });
    em.remove(g);
    const ev = this.audit.stage(em, ctx, { action: 'delete_machine_group', resourceType: 'machine_group', resourceId: g.id, details: { name: g.name } });
    await em.flush();
    await this.audit.announce([ev]);
    return true;
  }

  /** The tenant's groups as a nested forest, each node with its direct machine count. */
  async tree(ctx: RequestContext): Promise<GroupTreeNode[]> {
    const em = this.db.em();
    const tenantId = ctx.principal!.tenantId;
    const groups = await em.find(MachineGroup, { tenantId }, { orderBy: { name: 'asc', id: 'asc' } });
    const counts: { group_id: string; n: string }[] = await em.getConnection().execute(
      `select mm.group_id, count(*) as n from machine_group_members mm join machines m on m.id = mm.machine_id
        where mm.tenant_id = ? and m.is_active group by mm.group_id`,
      [tenantId],
    );
    const countOf = new Map(counts.map((c) => [c.group_id, Number(c.n)]));
    const nodes = new Map(groups.map((g) => [g.id, { group: g, machineCount: countOf.get(g.id) ?? 0, children: [] as GroupTreeNode[] }]));
    const roots: GroupTreeNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.group.parentId ? nodes.get(node.group.parentId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  /** Replaces the group's members with exactly these machines (active machines of the tenant). */
  async setMembers(ctx: RequestContext, id: string, machineIds: string[]): Promise<MachineGroup> {
    const em = this.db.em();
    const g = await this.get(ctx, id, em);
    const unique = [...new Set(machineIds.map((m) => m.toLowerCase()))];
    if (unique.length > MAX_GROUP_MEMBERS) throw MachineGroupErrors.tooManyMembers(MAX_GROUP_MEMBERS);
    unique.forEach((m, i) => {
      if (!isUuid(m)) throw invalid(['machine_ids', i], 'Input should be a valid UUID', 'uuid_parsing');
    });
    // Plain statements with the ids as one array literal (validated UUIDs): loading and persisting
    // 10,000 entities through the unit of work blocked the event loop for 150-700 ms.
    const idArray = `{${unique.join(',')}}`;
    const found: { id: string }[] = unique.length
      ? await em.getConnection().execute('select id from machines where id = any(?::uuid[]) and tenant_id = ? and is_active', [idArray, g.tenantId])
      : [];
    if (found.length !== unique.length) {
      const known = new Set(found.map((m) => m.id));
      const missing = unique.filter((m) => !known.has(m));
      throw MachineGroupErrors.membersNotFound(missing);
    }
    const ev = await em.transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      await conn.execute('delete from machine_group_members where group_id = ?', [g.id], 'run', tx);
      if (unique.length) {
        await conn.execute(
          'insert into machine_group_members (group_id, machine_id, tenant_id, created_at) select ?, unnest(?::uuid[]), ?, now()',
          [g.id, idArray, g.tenantId],
          'run',
          tx,
        );
      }
      const staged = this.audit.stage(tem, ctx, {
        action: 'set_machine_group_members',
        resourceType: 'machine_group',
        resourceId: g.id,
        details: { machine_count: unique.length },
      });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    return g;
  }

  /** Active machines directly in a group, by name, one page. */
  async members(ctx: RequestContext, id: string, args: PageArgs): Promise<Page<Machine>> {
    const em = this.db.em();
    const g = await this.get(ctx, id, em);
    const w = pageWindow(args);
    const rows: (Record<string, unknown> & { total_count: string })[] = await em.getConnection().execute(
      `select m.*, count(*) over () as total_count from machines m join machine_group_members mm on mm.machine_id = m.id
        where mm.group_id = ? and m.tenant_id = ? and m.is_active order by m.name, m.id limit ? offset ?`,
      [g.id, g.tenantId, w.pageSize, w.offset],
    );
    // Past the last page no row carries the window count: count the same (active) members.
    const total = rows.length
      ? Number(rows[0]!.total_count)
      : Number(
          (
            await em.getConnection().execute<{ n: string }[]>(
              `select count(*) as n from machines m join machine_group_members mm on mm.machine_id = m.id
                where mm.group_id = ? and m.tenant_id = ? and m.is_active`,
              [g.id, g.tenantId],
            )
          )[0]!.n,
        );
    return toPage(rows.map(({ total_count: _t, ...r }) => this.live(em.map(Machine, r))), total, w);
  }

  /** Member machine ids of each group (for the batched `MachineGroup.machines` field). */
  async machinesOf(tenantId: string, groupIds: readonly string[]): Promise<Map<string, Machine[]>> {
    if (groupIds.length === 0) return new Map();
    const em = this.db.em();
    const rows: Record<string, unknown>[] = await em.getConnection().execute(
      `select mm.group_id as member_group_id, m.* from machine_group_members mm join machines m on m.id = mm.machine_id
        where mm.tenant_id = ? and m.is_active and mm.group_id in (${groupIds.map(() => '?').join(',')}) order by m.name, m.id`,
      [tenantId, ...groupIds],
    );
    const out = new Map<string, Machine[]>();
    for (const r of rows) {
      const { member_group_id: gid, ...m } = r;
      const list = out.get(gid as string) ?? [];
      list.push(this.live(em.map(Machine, m)));
      out.set(gid as string, list);
    }
    return out;
  }

  /** A group's zone: only sites have one, and it must be a zone both Luxon and the database know. */
  private async zone(type: GroupType, zone: string | null, check = true): Promise<string | null> {
    if (zone === null) return null;
    if (type !== 'site') throw MachineGroupErrors.zoneNotSite();
    return check ? knownZone(this.db, zone) : zone;
  }

  private async parent(ctx: RequestContext, em: EntityManager, parentId: string): Promise<MachineGroup> {
    if (!isUuid(parentId)) throw invalid('parent_id', 'Input should be a valid UUID (parent_id)', 'uuid_parsing');
    return findInTenantOrThrow(em, ctx, MachineGroup, parentId, MachineGroupErrors.parentNotFound);
  }

  /** true when candidate is g itself or below g. */
  private async isInSubtree(em: EntityManager, g: MachineGroup, candidate: string): Promise<boolean> {
    const rows: { id: string }[] = await em.getConnection().execute(
      `${GROUP_SUBTREE_SQL} select id from subtree where id = ?`,
      [g.id, g.tenantId, g.tenantId, candidate],
    );
    return rows.length > 0;
  }
}
