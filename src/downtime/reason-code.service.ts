import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import type { Database } from '../infra/database.js';
import { DowntimeErrors } from './downtime.errors.js';
import { DOWNTIME_CATEGORIES, enumMessage, isCategory, REASON_CODE_LIMITS as L, type DowntimeCategory } from './downtime.rules.js';
import { ReasonCode } from './reason-code.entity.js';

export interface ReasonCodeInput {
  code?: string | null;
  name?: string | null;
  description?: string | null;
  category?: string | null;
  parentId?: string | null;
  isActive?: boolean | null;
}

/** A code and its descendants (GET /reason-codes/tree). */
export interface ReasonCodeNode {
  code: ReasonCode;
  children: ReasonCodeNode[];
}

/** What a record needs of its reason code. */
export interface UsableReasonCode {
  id: string;
  name: string;
  category: DowntimeCategory | null;
}

type Row = Record<string, unknown>;

/** A name-like field: trimmed, 1..max characters, one line, no control or bidi characters. */
function text(field: string, value: unknown, max: number, multiline = false): string {
  if (typeof value !== 'string') throw DowntimeErrors.invalidReasonCode(field, 'Input should be a valid string', 'string_type');
  const v = value.trim();
  if (!v) throw DowntimeErrors.invalidReasonCode(field, 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > max) throw DowntimeErrors.invalidReasonCode(field, `String should have at most ${max} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(v, multiline);
  if (unsafe) throw DowntimeErrors.invalidReasonCode(field, `String ${unsafe}`);
  if (/\p{Cs}/u.test(v)) throw DowntimeErrors.invalidReasonCode(field, 'String must be valid Unicode text');
  return v;
}

/** A tenant's reason-code taxonomy: list, tree, create and update (admins), deactivate; never deleted while used. */
export class ReasonCodeService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  /** The tenant's codes ordered by code (only active ones unless `activeOnly` is false). */
  async list(ctx: RequestContext, activeOnly = true): Promise<ReasonCode[]> {
    const where: Record<string, unknown> = { tenantId: ctx.principal!.tenantId };
    if (activeOnly) where.isActive = true;
    // bounded: a tenant holds at most REASON_CODE_LIMITS.perTenant codes
    return this.db.em().find(ReasonCode, where, { orderBy: { code: 'asc', id: 'asc' } });
  }

  /** Every code of the tenant as a nested forest (inactive ones included, flagged), children ordered by code. */
  async tree(ctx: RequestContext): Promise<ReasonCodeNode[]> {
    const codes = await this.list(ctx, false);
    const nodes = new Map(codes.map((c) => [c.id, { code: c, children: [] as ReasonCodeNode[] }]));
    const roots: ReasonCodeNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.code.parentId ? nodes.get(node.code.parentId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  /** One code of the caller's tenant; 404 for unknown or foreign ids. */
  async get(ctx: RequestContext, id: string): Promise<ReasonCode> {
    if (!isUuid(id)) throw DowntimeErrors.reasonCodeNotFound();
    const c = await this.db.em().findOne(ReasonCode, { id: id.toLowerCase(), tenantId: ctx.principal!.tenantId });
    if (!c) throw DowntimeErrors.reasonCodeNotFound();
    return c;
  }

  async create(ctx: RequestContext, input: ReasonCodeInput): Promise<ReasonCode> {
    const tenantId = ctx.principal!.tenantId;
    if (input.code == null) throw DowntimeErrors.invalidReasonCode('code', 'Field required', 'missing');
    if (input.name == null) throw DowntimeErrors.invalidReasonCode('name', 'Field required', 'missing');
    const em = this.db.em();
    const c = new ReasonCode();
    c.tenantId = tenantId;
    c.code = text('code', input.code, L.code);
    c.name = text('name', input.name, L.name);
    c.description = this.description(input.description);
    c.category = this.category(input.category);
    c.parentId = input.parentId == null ? null : await this.parent(tenantId, input.parentId);
    c.isActive = input.isActive ?? true;
    const n = await em.count(ReasonCode, { tenantId });
    if (n >= L.perTenant) throw DowntimeErrors.tooMany(L.perTenant);
    await this.assertCodeFree(tenantId, c.code, null);
    em.persist(c);
    const ev = this.audit.stage(em, ctx, {
      action: 'create_reason_code',
      resourceType: 'reason_code',
      resourceId: c.id,
      details: { code: c.code, name: c.name, category: c.category, parent_id: c.parentId },
    });
    await this.flushUnique(em, c.code);
    await this.audit.announce([ev]);
    return c;
  }

  /** Partial update: absent fields keep their value; `parentId: null` moves the code to the top level. */
  async update(ctx: RequestContext, id: string, patch: ReasonCodeInput): Promise<ReasonCode> {
    const em = this.db.em();
    if (!isUuid(id)) throw DowntimeErrors.reasonCodeNotFound();
    const c = await em.findOne(ReasonCode, { id: id.toLowerCase(), tenantId: ctx.principal!.tenantId });
    if (!c) throw DowntimeErrors.reasonCodeNotFound();
    const changes: Record<string, unknown> = {};
    if (patch.code != null) {
      const code = text('code', patch.code, L.code);
      if (code !== c.code) {
        // automatic downtime finds its system code by code
        if (c.isSystem) throw DowntimeErrors.invalidReasonCode('code', 'The code of a system reason code cannot change');
        await this.assertCodeFree(c.tenantId, code, c.id);
        changes.code = c.code = code;
      }
    }
    if (patch.name != null) changes.name = c.name = text('name', patch.name, L.name);
    if (patch.description !== undefined) changes.description = c.description = this.description(patch.description);
    if (patch.category !== undefined) changes.category = c.category = this.category(patch.category);
    if (patch.parentId !== undefined) {
      const parentId = patch.parentId === null ? null : await this.parent(c.tenantId, patch.parentId);
      if (parentId !== null && (await this.isInSubtree(c.tenantId, c.id, parentId))) throw DowntimeErrors.cycle();
      changes.parent_id = c.parentId = parentId;
    }
    if (patch.isActive != null) changes.is_active = c.isActive = patch.isActive;
    const ev = this.audit.stage(em, ctx, { action: 'update_reason_code', resourceType: 'reason_code', resourceId: c.id, details: changes });
    await this.flushUnique(em, c.code);
    await this.audit.announce([ev]);
    return c;
  }

  /** Deletes an unused code without children; a code records use (or that has children) is a 409: deactivate it instead. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const em = this.db.em();
    const c = await this.get(ctx, id);
    const [used] = await em.getConnection().execute<{ records: string; children: string }[]>(
      `select (select count(*) from downtime_records where reason_code_id = ?) as records, (select count(*) from reason_codes where parent_id = ?) as children`,
      [c.id, c.id],
    );
    if (Number(used!.records) > 0) throw DowntimeErrors.reasonCodeInUse(`${used!.records} downtime record(s)`);
    if (Number(used!.children) > 0) throw DowntimeErrors.reasonCodeInUse(`${used!.children} child code(s)`);
    const ev = this.audit.stage(em, ctx, { action: 'delete_reason_code', resourceType: 'reason_code', resourceId: c.id, details: { code: c.code } });
    try {
      await em.transactional(async (tem) => {
        // the foreign keys (on delete restrict) refuse a record or child added since the check
        await tem.getConnection().execute('delete from reason_codes where id = ? and tenant_id = ?', [c.id, c.tenantId], 'run', tem.getTransactionContext());
        tem.persist(ev);
        await tem.flush();
      });
    } catch (err) {
      if (err instanceof ForeignKeyConstraintViolationException || (err as { code?: string }).code === '23503') throw DowntimeErrors.reasonCodeInUse('records or child codes');
      throw err;
    }
    await this.audit.announce([ev]);
    return true;
  }

  /**
   * The reason code a record may name: of the tenant (else 422 "not found" on `field`, also for
   * another tenant's id) and active (else 422 "inactive").
   */
  async usable(tenantId: string, id: string, field = 'reason_code_id'): Promise<UsableReasonCode> {
    if (!isUuid(id)) throw invalid(field, `Input should be a valid UUID (${field})`, 'uuid_parsing');
    const rows = await this.db.query<Row>('select id, name, category, is_active from reason_codes where id = ? and tenant_id = ?', [id.toLowerCase(), tenantId]);
    const r = rows[0];
    if (!r) throw DowntimeErrors.invalid(field, 'Reason code not found', 'value_error');
    if (r.is_active !== true) throw DowntimeErrors.invalid(field, 'Reason code is inactive', 'value_error');
    return { id: r.id as string, name: r.name as string, category: (r.category as DowntimeCategory | null) ?? null };
  }

  /**
   * The tenant's system code `code` (created on first use, idempotent across processes): automatic
   * downtime names its records with it.
   */
  async ensureSystemCode(tenantId: string, code: string, name: string, category: DowntimeCategory | null): Promise<UsableReasonCode> {
    const conn = this.db.em().getConnection();
    await conn.execute(
      `insert into reason_codes (id, tenant_id, code, name, category, is_active, is_system, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, ?, ?, true, true, now(), now()) on conflict (tenant_id, lower(code)) do nothing`,
      [tenantId, code, name, category],
    );
    const rows = await conn.execute<Row[]>('select id, name, category from reason_codes where tenant_id = ? and lower(code) = lower(?)', [tenantId, code]);
    const r = rows[0]!;
    return { id: r.id as string, name: r.name as string, category: (r.category as DowntimeCategory | null) ?? null };
  }

  /** Free text over lines; empty (or blank) means none. */
  private description(value: string | null | undefined): string | null {
    if (value == null || (typeof value === 'string' && !value.trim())) return null;
    return text('description', value, L.description, true);
  }

  private category(value: string | null | undefined): DowntimeCategory | null {
    if (value == null) return null;
    if (!isCategory(value)) throw DowntimeErrors.invalidReasonCode('category', enumMessage(DOWNTIME_CATEGORIES), 'enum');
    return value;
  }

  private async parent(tenantId: string, parentId: string): Promise<string> {
    if (!isUuid(parentId)) throw invalid('parent_id', 'Input should be a valid UUID (parent_id)', 'uuid_parsing');
    const rows = await this.db.query('select id from reason_codes where id = ? and tenant_id = ?', [parentId.toLowerCase(), tenantId]);
    if (!rows.length) throw DowntimeErrors.invalidReasonCode('parent_id', 'Parent reason code not found');
    return parentId.toLowerCase();
  }

  /** Whether `candidate` is `id` or one of its descendants. */
  private async isInSubtree(tenantId: string, id: string, candidate: string): Promise<boolean> {
    const rows = await this.db.query(
      `with recursive subtree(id) as (
         select id from reason_codes where id = ? and tenant_id = ?
         union
         select c.id from reason_codes c join subtree s on c.parent_id = s.id where c.tenant_id = ?
       ) select 1 from subtree where id = ?`,
      [id, tenantId, tenantId, candidate],
    );
    return rows.length > 0;
  }

  private async assertCodeFree(tenantId: string, code: string, self: string | null): Promise<void> {
    const rows = await this.db.query<{ id: string }>('select id from reason_codes where tenant_id = ? and lower(code) = lower(?)', [tenantId, code]);
    if (rows.some((r) => r.id !== self)) throw DowntimeErrors.duplicateReasonCode(code);
  }

  /** Flushes; the unique index is the final duplicate check (two creates racing). */
  private async flushUnique(em: ReturnType<Database['em']>, code: string): Promise<void> {
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException || (err as { code?: string }).code === '23505') throw DowntimeErrors.duplicateReasonCode(code);
      throw err;
    }
  }
}
