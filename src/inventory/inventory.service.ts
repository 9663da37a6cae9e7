import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { userIdOf } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { escapeLike } from '../common/sql.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { partLowStockTopic, stockChangedTopic } from './inventory.events.js';
import { InventoryErrors } from './inventory.errors.js';
import { INVENTORY_LIMITS as L, isTransactionType, optionalText, parseDecimal, STOCK_TRANSACTION_TYPES, text } from './inventory.rules.js';
import type { PartCategoryView, PartView, StockTransactionView, WorkOrderPartView } from './inventory.views.js';
import { announce, lockParts, move, PART_COLUMNS, partView, transactionView, type Movement } from './stock-ledger.js';
import type { WorkOrderPartService } from './work-order-part.service.js';

type Row = Record<string, unknown>;

export interface PartInput {
  partNumber?: string | null;
  name?: string | null;
  categoryId?: string | null;
  /** number or decimal text (both doors): parsed exactly */
  quantityOnHand?: unknown;
  reorderPoint?: unknown;
  reorderQuantity?: unknown;
  unitCost?: unknown;
  unit?: string | null;
  location?: string | null;
  supplier?: string | null;
  manufacturerPartNumber?: string | null;
}

export interface PartFilter extends PageArgs {
  categoryId?: string | null;
  search?: string | null;
  lowStockOnly?: boolean | null;
}

export interface StockTransactionInput {
  type?: string | null;
  /** receive/consume/return/transfer: > 0; adjust: a signed, non-zero delta */
  quantity?: unknown;
  /** adjust only, instead of quantity: the counted stock, which becomes the quantity on hand */
  countedQuantity?: unknown;
  /** transfer only: the part that receives the quantity */
  toPartId?: string | null;
  notes?: string | null;
}

export interface CategoryInput {
  name?: string | null;
  description?: string | null;
}

const quantity = (field: string, value: unknown) => parseDecimal(field, value, { scale: L.quantityScale, sign: 'positive' });
const level = (field: string, value: unknown) => parseDecimal(field, value, { scale: L.quantityScale, sign: 'nonNegative' });
const cost = (value: unknown) => parseDecimal('unit_cost', value, { scale: L.costScale, sign: 'nonNegative' });

/** Spare parts, their categories and the append-only stock ledger (spec: inventory.md). */
export class InventoryService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly lines: WorkOrderPartService,
  ) {}

  /** Parts of the tenant (not archived), by part number; filters: category, search text (name or part number), low stock. */
  async list(ctx: RequestContext, f: PartFilter): Promise<Page<PartView>> {
    const w = pageWindow(f);
    const where = ['p.tenant_id = ?', 'p.archived_at is null'];
    const params: unknown[] = [ctx.principal!.tenantId];
    if (f.categoryId != null) {
      if (!isUuid(f.categoryId)) throw invalid('category_id', 'Input should be a valid UUID (category_id)', 'uuid_parsing');
      where.push('p.category_id = ?');
      params.push(f.categoryId.toLowerCase());
    }
    if (f.search != null && f.search.trim()) {
      const s = text('search', f.search, L.search);
      where.push(`(p.name ilike ? escape '\\' or p.part_number ilike ? escape '\\')`);
      params.push(`%${escapeLike(s)}%`, `%${escapeLike(s)}%`);
    }
    if (f.lowStockOnly) where.push('p.quantity_on_hand <= p.reorder_point');
    return this.page(where, params, w);
  }

  /** Parts at or below their reorder point (design decision 6), by part number. */
  lowStock(ctx: RequestContext, args: PageArgs): Promise<Page<PartView>> {
    return this.page(['p.tenant_id = ?', 'p.archived_at is null', 'p.quantity_on_hand <= p.reorder_point'], [ctx.principal!.tenantId], pageWindow(args));
  }

  private async page(where: string[], params: unknown[], w: ReturnType<typeof pageWindow>): Promise<Page<PartView>> {
    const rows = await this.db.query<Row>(
      `select ${PART_COLUMNS}, count(*) over () as total_count from parts p where ${where.join(' and ')}
       order by lower(p.part_number), p.id limit ? offset ?`,
      [...params, w.pageSize, w.offset],
    );
    const total = rows.length ? Number(rows[0]!.total_count) : w.offset > 0 ? await this.count(where, params) : 0;
    return toPage(rows.map(partView), total, w);
  }

  private async count(where: string[], params: unknown[]): Promise<number> {
    const [r] = await this.db.query<{ n: string }>(`select count(*) as n from parts p where ${where.join(' and ')}`, params);
    return Number(r!.n);
  }

  /** One part of the caller's tenant (archived parts are gone: 404). */
  async get(ctx: RequestContext, id: string): Promise<PartView> {
    if (!isUuid(id)) throw InventoryErrors.partNotFound();
    const [r] = await this.db.query<Row>(`select ${PART_COLUMNS} from parts p where p.id = ? and p.tenant_id = ? and p.archived_at is null`, [id.toLowerCase(), ctx.principal!.tenantId]);
    if (!r) throw InventoryErrors.partNotFound();
    return partView(r);
  }

  /** Creates a part at 0 and books its initial quantity as an `adjust` entry, so stock is the ledger's sum from the start. */
  async create(ctx: RequestContext, input: PartInput): Promise<PartView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.partNumber == null) throw InventoryErrors.invalid('part_number', 'Field required', 'missing');
    if (input.name == null) throw InventoryErrors.invalid('name', 'Field required', 'missing');
    const partNumber = text('part_number', input.partNumber, L.partNumber);
    const name = text('name', input.name, L.name);
    const initial = input.quantityOnHand == null ? '0' : level('quantity_on_hand', input.quantityOnHand);
    const reorderPoint = input.reorderPoint == null ? '0' : level('reorder_point', input.reorderPoint);
    const reorderQuantity = input.reorderQuantity == null ? '0' : level('reorder_quantity', input.reorderQuantity);
    const unitCost = input.unitCost == null ? null : cost(input.unitCost);
    const unit = input.unit == null ? 'piece' : text('unit', input.unit, L.unit);
    const location = optionalText('location', input.location, L.location);
    const supplier = optionalText('supplier', input.supplier, L.supplier);
    const mpn = optionalText('manufacturer_part_number', input.manufacturerPartNumber, L.manufacturerPartNumber);
    const categoryId = input.categoryId == null ? null : this.uuid('category_id', input.categoryId);
    const id = randomUUID();
    const movements: Movement[] = [];
    const ev = await this.unique(partNumber, () =>
      this.db.em().transactional(async (em) => {
        if (categoryId) await this.assertCategory(em, tenantId, categoryId);
        await this.exec(
          em,
          `insert into parts (id, tenant_id, part_number, name, category_id, quantity_on_hand, reorder_point, reorder_quantity, unit_cost, unit, location, supplier, manufacturer_part_number)
           values (?, ?, ?, ?, ?, 0, ?::numeric, ?::numeric, ?::numeric, ?, ?, ?, ?)`,
          [id, tenantId, partNumber, name, categoryId, reorderPoint, reorderQuantity, unitCost, unit, location, supplier, mpn],
        );
        if (initial !== '0') movements.push(await move(em, tenantId, id, initial, { type: 'adjust', notes: 'Initial quantity', userId: userIdOf(ctx) }));
        return this.audit.stage(em, ctx, {
          action: 'create_part',
          resourceType: 'part',
          resourceId: id,
          details: { part_number: partNumber, name, quantity_on_hand: initial, reorder_point: reorderPoint, category_id: categoryId },
        });
      }),
    );
    await this.audit.announce([ev]);
    await announce(this.bus, tenantId, movements);
    return this.get(ctx, id);
  }

  /**
   * Partial update. A new quantity_on_hand is booked as an `adjust` entry of the difference (a
   * count), never written directly; a part that becomes low stock by it (or by a raised reorder
   * point) is announced once.
   */
  async update(ctx: RequestContext, id: string, patch: PartInput): Promise<PartView> {
    const tenantId = ctx.principal!.tenantId;
    if (!isUuid(id)) throw InventoryErrors.partNotFound();
    const partId = id.toLowerCase();
    const sets: string[] = [];
    const params: unknown[] = [];
    const changes: Record<string, unknown> = {};
    const set = (column: string, value: unknown, cast = '') => {
      sets.push(`${column} = ?${cast}`);
      params.push(value);
      changes[column] = value;
    };
    if (patch.partNumber != null) set('part_number', text('part_number', patch.partNumber, L.partNumber));
    if (patch.name != null) set('name', text('name', patch.name, L.name));
    if (patch.reorderPoint != null) set('reorder_point', level('reorder_point', patch.reorderPoint), '::numeric');
    if (patch.reorderQuantity != null) set('reorder_quantity', level('reorder_quantity', patch.reorderQuantity), '::numeric');
    if (patch.unitCost !== undefined) set('unit_cost', patch.unitCost === null ? null : cost(patch.unitCost), '::numeric');
    if (patch.unit != null) set('unit', text('unit', patch.unit, L.unit));
    if (patch.location !== undefined) set('location', optionalText('location', patch.location, L.location));
    if (patch.supplier !== undefined) set('supplier', optionalText('supplier', patch.supplier, L.supplier));
    if (patch.manufacturerPartNumber !== undefined) set('manufacturer_part_number', optionalText('manufacturer_part_number', patch.manufacturerPartNumber, L.manufacturerPartNumber));
    const categoryId = patch.categoryId === undefined ? undefined : patch.categoryId === null ? null : this.uuid('category_id', patch.categoryId);
    if (categoryId !== undefined) set('category_id', categoryId);
    const counted = patch.quantityOnHand == null ? null : level('quantity_on_hand', patch.quantityOnHand);
    const movements: Movement[] = [];
    let becameLow = false;
    const ev = await this.unique(String(changes.part_number ?? ''), () =>
      this.db.em().transactional(async (em) => {
        const [before] = await this.exec(em, 'select (quantity_on_hand <= reorder_point) as low from parts where id = ? and tenant_id = ? and archived_at is null for update', [partId, tenantId]);
        if (!before) throw InventoryErrors.partNotFound();
        if (categoryId) await this.assertCategory(em, tenantId, categoryId);
        if (sets.length) await this.exec(em, `update parts set ${sets.join(', ')}, updated_at = clock_timestamp() where id = ?`, [...params, partId]);
        if (counted !== null) {
          const [d] = await this.exec(em, 'select (?::numeric - quantity_on_hand)::text as delta from parts where id = ?', [counted, partId]);
          const delta = d!.delta as string;
          if (!/^-?0(\.0+)?$/.test(delta)) {
            movements.push(await move(em, tenantId, partId, delta, { type: 'adjust', notes: 'Quantity on hand set by a part update', userId: userIdOf(ctx) }));
            changes.quantity_on_hand = counted;
          }
        }
        const [after] = await this.exec(em, 'select (quantity_on_hand <= reorder_point) as low from parts where id = ?', [partId]);
        becameLow = before.low !== true && after!.low === true;
        return this.audit.stage(em, ctx, { action: 'update_part', resourceType: 'part', resourceId: partId, details: changes });
      }),
    );
    await this.audit.announce([ev]);
    const part = await this.get(ctx, partId);
    if (movements.length) await this.bus.publish(stockChangedTopic(tenantId), part);
    // a new count or a raised reorder point: either way one crossing, announced once
    if (becameLow) await this.bus.publish(partLowStockTopic(tenantId), part);
    return part;
  }

  /** Archives a part: it leaves lists and lookups, its ledger and work-order lines stay; its part number is free again. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    if (!isUuid(id)) throw InventoryErrors.partNotFound();
    const ev = await this.db.em().transactional(async (em) => {
      const rows = await this.exec(em, 'update parts set archived_at = clock_timestamp() where id = ? and tenant_id = ? and archived_at is null returning part_number', [id.toLowerCase(), tenantId]);
      if (!rows.length) throw InventoryErrors.partNotFound();
      return this.audit.stage(em, ctx, { action: 'delete_part', resourceType: 'part', resourceId: id.toLowerCase(), details: { part_number: rows[0]!.part_number, archived: true } });
    });
    await this.audit.announce([ev]);
    return true;
  }

  /** A part's ledger, newest first. */
  async transactions(ctx: RequestContext, partId: string, args: PageArgs): Promise<Page<StockTransactionView>> {
    const w = pageWindow(args);
    const part = await this.get(ctx, partId);
    const rows = await this.db.query<Row>(
      `select t.id, t.part_id, t.type, t.delta::text as delta, t.balance_after::text as balance_after, t.notes, t.work_order_id, t.work_order_part_id,
              t.related_part_id, t.user_id, t.created_at, count(*) over () as total_count
         from stock_transactions t where t.part_id = ? and t.tenant_id = ? order by t.seq desc limit ? offset ?`,
      [part.id, part.tenantId, w.pageSize, w.offset],
    );
    let total = rows.length ? Number(rows[0]!.total_count) : 0;
    if (!rows.length && w.offset > 0) total = Number((await this.db.query<{ n: string }>('select count(*) as n from stock_transactions where part_id = ?', [part.id]))[0]!.n);
    return toPage(rows.map(transactionView), total, w);
  }

  /**
   * Books one ledger entry: receive/return add, consume subtracts, adjust adds a signed delta (or
   * sets a counted quantity), transfer subtracts here and adds to `toPartId` when given. A
   * shortfall is a 409 and changes nothing.
   */
  async transact(ctx: RequestContext, partId: string, input: StockTransactionInput): Promise<StockTransactionView> {
    const tenantId = ctx.principal!.tenantId;
    if (!isUuid(partId)) throw InventoryErrors.partNotFound();
    const id = partId.toLowerCase();
    if (input.type == null) throw InventoryErrors.invalid('type', 'Field required', 'missing');
    if (!isTransactionType(input.type)) throw InventoryErrors.invalid('type', `Input should be ${STOCK_TRANSACTION_TYPES.map((t) => `'${t}'`).join(', ')}`, 'enum');
    const type = input.type;
    const notes = optionalText('notes', input.notes, L.notes, true);
    const userId = userIdOf(ctx);
    let delta: string | null = null;
    let counted: string | null = null;
    if (type === 'adjust') {
      if ((input.quantity == null) === (input.countedQuantity == null)) {
        throw InventoryErrors.invalid('quantity', 'An adjust takes exactly one of quantity (a signed delta) and counted_quantity', 'value_error');
      }
      if (input.quantity != null) delta = parseDecimal('quantity', input.quantity, { scale: L.quantityScale, sign: 'nonZero' });
      else counted = level('counted_quantity', input.countedQuantity);
    } else {
      if (input.countedQuantity != null) throw InventoryErrors.invalid('counted_quantity', 'counted_quantity is for adjust only', 'value_error');
      if (input.quantity == null) throw InventoryErrors.invalid('quantity', 'Field required', 'missing');
      const q = quantity('quantity', input.quantity);
      delta = type === 'consume' || type === 'transfer' ? `-${q}` : q;
    }
    if (input.toPartId != null && type !== 'transfer') throw InventoryErrors.invalid('to_part_id', 'to_part_id is for transfer only', 'value_error');
    const toPartId = type === 'transfer' && input.toPartId != null ? this.uuid('to_part_id', input.toPartId) : null;
    if (toPartId === id) throw InventoryErrors.invalid('to_part_id', 'A part cannot transfer to itself', 'value_error');
    const movements: Movement[] = [];
    const ev = await this.db.em().transactional(async (em) => {
      if (toPartId) {
        const found = await lockParts(em, tenantId, [id, toPartId]);
        if (!found.has(id)) throw InventoryErrors.partNotFound();
        if (!found.has(toPartId)) throw InventoryErrors.partNotFound();
      }
      if (counted !== null) {
        const [d] = await this.exec(em, 'select (?::numeric - quantity_on_hand)::text as delta from parts where id = ? and tenant_id = ? and archived_at is null for update', [counted, id, tenantId]);
        if (!d) throw InventoryErrors.partNotFound();
        delta = d.delta as string;
      }
      movements.push(await move(em, tenantId, id, delta!, { type, notes, relatedPartId: toPartId, userId }, { requested: delta!.replace(/^-/, '') }));
      if (toPartId) movements.push(await move(em, tenantId, toPartId, delta!.slice(1), { type, notes, relatedPartId: id, userId }));
      const t = movements[0]!.transaction;
      return this.audit.stage(em, ctx, {
        action: 'create_stock_transaction',
        resourceType: 'part',
        resourceId: id,
        details: { transaction_id: t.id, type, delta: t.delta, balance_after: t.balanceAfter, to_part_id: toPartId },
      });
    });
    await this.audit.announce([ev]);
    await announce(this.bus, tenantId, movements);
    return movements[0]!.transaction;
  }

  /** The tenant's categories by name, each with its number of parts. */
  async categories(ctx: RequestContext, args: PageArgs): Promise<Page<PartCategoryView>> {
    const w = pageWindow(args);
    const tenantId = ctx.principal!.tenantId;
    const rows = await this.db.query<Row>(
      `select c.id, c.name, c.description, c.created_at,
              (select count(*) from parts p where p.category_id = c.id and p.archived_at is null) as part_count, count(*) over () as total_count
         from part_categories c where c.tenant_id = ? order by lower(c.name), c.id limit ? offset ?`,
      [tenantId, w.pageSize, w.offset],
    );
    let total = rows.length ? Number(rows[0]!.total_count) : 0;
    if (!rows.length && w.offset > 0) total = Number((await this.db.query<{ n: string }>('select count(*) as n from part_categories where tenant_id = ?', [tenantId]))[0]!.n);
    return toPage(rows.map(categoryView), total, w);
  }

  async createCategory(ctx: RequestContext, input: CategoryInput): Promise<PartCategoryView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.name == null) throw InventoryErrors.invalid('name', 'Field required', 'missing');
    const name = text('name', input.name, L.categoryName);
    const description = optionalText('description', input.description, L.categoryDescription, true);
    const id = randomUUID();
    const [n] = await this.db.query<{ n: string }>('select count(*) as n from part_categories where tenant_id = ?', [tenantId]);
    if (Number(n!.n) >= L.categoriesPerTenant) throw InventoryErrors.tooManyCategories(L.categoriesPerTenant);
    let created: Row | undefined;
    const ev = await this.unique(name, () =>
      this.db.em().transactional(async (em) => {
        [created] = await this.exec(em, 'insert into part_categories (id, tenant_id, name, description) values (?, ?, ?, ?) returning id, name, description, created_at', [id, tenantId, name, description]);
        return this.audit.stage(em, ctx, { action: 'create_part_category', resourceType: 'part_category', resourceId: id, details: { name } });
      }),
      InventoryErrors.duplicateCategory,
    );
    await this.audit.announce([ev]);
    return categoryView({ ...created!, part_count: 0 });
  }

  /** Deletes a category no part uses (archived parts lose it); one in use is a 409. */
  async deleteCategory(ctx: RequestContext, id: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    if (!isUuid(id)) throw InventoryErrors.categoryNotFound();
    const categoryId = id.toLowerCase();
    const ev = await this.db.em().transactional(async (em) => {
      const [c] = await this.exec(em, 'select name from part_categories where id = ? and tenant_id = ? for update', [categoryId, tenantId]);
      if (!c) throw InventoryErrors.categoryNotFound();
      const [used] = await this.exec(em, 'select count(*) as n from parts where category_id = ? and archived_at is null', [categoryId]);
      if (Number(used!.n) > 0) throw InventoryErrors.categoryInUse(Number(used!.n));
      await this.exec(em, 'update parts set category_id = null where category_id = ? and archived_at is not null', [categoryId]);
      // the foreign key (on delete restrict) refuses a part that took the category since the count
      try {
        await this.exec(em, 'delete from part_categories where id = ?', [categoryId]);
      } catch (err) {
        if ((err as { code?: string }).code === '23503' || /foreign key/i.test(String((err as Error).message))) throw InventoryErrors.categoryInUse('new');
        throw err;
      }
      return this.audit.stage(em, ctx, { action: 'delete_part_category', resourceType: 'part_category', resourceId: categoryId, details: { name: c.name } });
    });
    await this.audit.announce([ev]);
    return true;
  }

  /** The part lines of a work order, oldest first (what a sign-off signs and a certificate prints). */
  partsOfWorkOrder(tenantId: string, workOrderId: string): Promise<WorkOrderPartView[]> {
    return this.lines.partsOfWorkOrder(tenantId, workOrderId);
  }

  /** Runs a statement of the transaction `em` belongs to. */
  private exec(em: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
    return em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext());
  }

  private uuid(field: string, value: string): string {
    if (!isUuid(value)) throw invalid(field, `Input should be a valid UUID (${field})`, 'uuid_parsing');
    return value.toLowerCase();
  }

  /** A category of the tenant, held (key share) until the transaction ends so it cannot be deleted under the part. */
  private async assertCategory(em: EntityManager, tenantId: string, id: string): Promise<void> {
    const rows = await this.exec(em, 'select id from part_categories where id = ? and tenant_id = ? for key share', [id, tenantId]);
    if (!rows.length) throw InventoryErrors.categoryNotFound();
  }

  /** Runs a write whose unique index is the duplicate check (two creates racing). */
  private async unique<R>(name: string, write: () => Promise<R>, conflict: (n: string) => Error = InventoryErrors.duplicatePartNumber): Promise<R> {
    try {
      return await write();
    } catch (err) {
      if ((err as { code?: string }).code === '23505' || (err as Error).name === 'UniqueConstraintViolationException') throw conflict(name);
      throw err;
    }
  }
}

function categoryView(r: Row): PartCategoryView {
  return {
    id: r.id as string,
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    partCount: Number(r.part_count ?? 0),
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
  };
}
