import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { userIdOf } from '../common/context.js';
import { isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { InventoryErrors } from './inventory.errors.js';
import { canonicalDecimal, INVENTORY_LIMITS as L, optionalText, parseDecimal } from './inventory.rules.js';
import type { WorkOrderPartView } from './inventory.views.js';
import { announce, lockParts, move, type Movement } from './stock-ledger.js';

type Row = Record<string, unknown>;

/**
 * What the inventory needs of the work-orders module (its WorkOrderService, by the contract of
 * issue 16): the order row locked in our transaction, so a part line racing a completion or a
 * deletion is decided by that lock, and a hook inside the order's DELETE whose returned callback
 * runs once that DELETE has committed (never after a rollback).
 */
export interface WorkOrderGate {
  get(tenantId: string, id: string): Promise<{ id: string }>;
  lockInTx(tx: EntityManager, tenantId: string, id: string): Promise<{ id: string; status: string }>;
  onDelete(hook: (tx: EntityManager, tenantId: string, workOrderId: string, actor: RequestContext) => Promise<(() => Promise<void>) | void>): void;
}

export interface WorkOrderPartInput {
  sparePartId?: string | null;
  quantity?: unknown;
  notes?: string | null;
}

/** Statuses in which an order takes parts. */
const OPEN_STATUSES = new Set(['open', 'in_progress']);

const LINE_SELECT = `select l.id, l.work_order_id, l.part_id, p.part_number, p.name, l.quantity::text as quantity, p.unit, l.unit_cost::text as unit_cost,
  l.transaction_id, l.created_by, l.created_at
  from work_order_parts l join parts p on p.id = l.part_id`;

function lineView(r: Row): WorkOrderPartView {
  return {
    id: r.id as string,
    workOrderId: r.work_order_id as string,
    partId: r.part_id as string,
    partNumber: r.part_number as string,
    name: r.name as string,
    quantity: canonicalDecimal(r.quantity as string),
    unit: r.unit as string,
    unitCost: canonicalDecimal((r.unit_cost as string | null) ?? null),
    transactionId: r.transaction_id as string,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
  };
}

/** Parts used by work orders: each line is a linked `consume` of the ledger, its removal a `return`. */
export class WorkOrderPartService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly orders: WorkOrderGate,
  ) {
    orders.onDelete((tx, tenantId, workOrderId, actor) => this.returnAll(tx, tenantId, workOrderId, actor));
  }

  /** The lines of a work order of the caller's tenant (404 otherwise), oldest first. */
  async list(ctx: RequestContext, workOrderId: string, args: PageArgs): Promise<Page<WorkOrderPartView>> {
    const w = pageWindow(args);
    const tenantId = ctx.principal!.tenantId;
    const order = await this.orders.get(tenantId, workOrderId);
    const rows = await this.db.query<Row>(
      `${LINE_SELECT} where l.work_order_id = ? and l.tenant_id = ? order by l.created_at, l.id limit ? offset ?`,
      [order.id, tenantId, w.pageSize, w.offset],
    );
    const [n] = await this.db.query<{ n: string }>('select count(*) as n from work_order_parts where work_order_id = ? and tenant_id = ?', [order.id, tenantId]);
    return toPage(rows.map(lineView), Number(n!.n), w);
  }

  /** Every line of a work order (bounded by INVENTORY_LIMITS.linesPerWorkOrder), oldest first. */
  async partsOfWorkOrder(tenantId: string, workOrderId: string): Promise<WorkOrderPartView[]> {
    if (!isUuid(workOrderId)) return [];
    const rows = await this.db.query<Row>(`${LINE_SELECT} where l.work_order_id = ? and l.tenant_id = ? order by l.created_at, l.id`, [workOrderId.toLowerCase(), tenantId]);
    return rows.map(lineView);
  }

  /**
   * Uses a part on an open or in-progress order: the order row is locked first (a completion
   * racing this line waits for it or wins), then the stock is consumed by the guarded update. A
   * shortfall or a closed order is a 409 and changes nothing.
   */
  async add(ctx: RequestContext, workOrderId: string, input: WorkOrderPartInput): Promise<WorkOrderPartView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.sparePartId == null) throw InventoryErrors.invalid('spare_part_id', 'Field required', 'missing');
    if (!isUuid(input.sparePartId)) throw InventoryErrors.invalid('spare_part_id', 'Input should be a valid UUID (spare_part_id)', 'uuid_parsing');
    const partId = input.sparePartId.toLowerCase();
    if (input.quantity == null) throw InventoryErrors.invalid('quantity', 'Field required', 'missing');
    const quantity = parseDecimal('quantity', input.quantity, { scale: L.quantityScale, sign: 'positive' });
    const notes = optionalText('notes', input.notes, L.notes, true);
    const lineId = randomUUID();
    let moved: Movement | undefined;
    let orderId = '';
    const ev = await this.db.em().transactional(async (em) => {
      const order = await this.orders.lockInTx(em, tenantId, workOrderId);
      if (!OPEN_STATUSES.has(order.status)) throw InventoryErrors.workOrderClosed(order.status);
      orderId = order.id;
      const [n] = await this.exec(em, 'select count(*) as n from work_order_parts where work_order_id = ?', [orderId]);
      if (Number(n!.n) >= L.linesPerWorkOrder) throw InventoryErrors.tooManyLines(L.linesPerWorkOrder);
      moved = await move(em, tenantId, partId, `-${quantity}`, { type: 'consume', notes, workOrderId: orderId, workOrderPartId: lineId, userId: userIdOf(ctx) }, { requested: quantity });
      await this.exec(
        em,
        `insert into work_order_parts (id, tenant_id, work_order_id, part_id, quantity, unit_cost, transaction_id, created_by)
         values (?, ?, ?, ?, ?::numeric, ?::numeric, ?, ?)`,
        [lineId, tenantId, orderId, partId, quantity, moved.part.unitCost, moved.transaction.id, userIdOf(ctx)],
      );
      return this.audit.stage(em, ctx, {
        action: 'add_work_order_part',
        resourceType: 'work_order',
        resourceId: orderId,
        details: { work_order_part_id: lineId, part_id: partId, quantity, transaction_id: moved.transaction.id },
      });
    });
    await this.audit.announce([ev]);
    await announce(this.bus, tenantId, [moved!]);
    const p = moved!.part;
    return {
      id: lineId, workOrderId: orderId, partId, partNumber: p.partNumber, name: p.name, quantity, unit: p.unit, unitCost: p.unitCost,
      transactionId: moved!.transaction.id, createdBy: userIdOf(ctx), createdAt: moved!.transaction.createdAt,
    };
  }

  /** Removes a line and returns its quantity to stock (a `return` entry); a completed order's parts are locked (409). */
  async remove(ctx: RequestContext, workOrderId: string, lineId: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    let moved: Movement | undefined;
    let orderId = '';
    const ev = await this.db.em().transactional(async (em) => {
      const order = await this.orders.lockInTx(em, tenantId, workOrderId);
      orderId = order.id;
      if (!isUuid(lineId)) throw InventoryErrors.workOrderPartNotFound();
      if (order.status === 'completed') throw InventoryErrors.workOrderClosed(order.status);
      const [line] = await this.exec(em, 'delete from work_order_parts where id = ? and work_order_id = ? and tenant_id = ? returning part_id, quantity::text as quantity', [lineId.toLowerCase(), orderId, tenantId]);
      if (!line) throw InventoryErrors.workOrderPartNotFound();
      // an archived part takes its quantity back too: the ledger stays whole
      moved = await move(em, tenantId, line.part_id as string, line.quantity as string, { type: 'return', notes: 'Removed from work order', workOrderId: orderId, workOrderPartId: lineId.toLowerCase(), userId: userIdOf(ctx) }, { archivedToo: true });
      return this.audit.stage(em, ctx, {
        action: 'remove_work_order_part',
        resourceType: 'work_order',
        resourceId: orderId,
        details: { work_order_part_id: lineId.toLowerCase(), part_id: line.part_id, quantity: canonicalDecimal(line.quantity as string), transaction_id: moved.transaction.id },
      });
    });
    await this.audit.announce([ev]);
    await announce(this.bus, tenantId, [moved!]);
    return true;
  }

  /**
   * The order's DELETE hook (inside its transaction, the order row locked): every line goes back
   * to stock as a `return` and the lines go. The events (and the audit row's) are returned as the
   * after-commit callback: a DELETE refused by a later hook rolls the returns back and announces nothing.
   */
  private async returnAll(em: EntityManager, tenantId: string, workOrderId: string, actor: RequestContext): Promise<(() => Promise<void>) | void> {
    const lines = await this.exec(em, 'select id, part_id, quantity::text as quantity from work_order_parts where work_order_id = ? and tenant_id = ? order by part_id, id', [workOrderId, tenantId]);
    if (!lines.length) return;
    await lockParts(em, tenantId, lines.map((l) => l.part_id as string), true);
    const movements: Movement[] = [];
    for (const l of lines) {
      movements.push(
        await move(em, tenantId, l.part_id as string, l.quantity as string, { type: 'return', notes: 'Work order deleted', workOrderId, workOrderPartId: l.id as string, userId: userIdOf(actor) }, { archivedToo: true }),
      );
    }
    await this.exec(em, 'delete from work_order_parts where work_order_id = ? and tenant_id = ?', [workOrderId, tenantId]);
    const ev = this.audit.stage(em, actor, {
      action: 'return_work_order_parts',
      resourceType: 'work_order',
      resourceId: workOrderId,
      details: { lines: lines.length, transaction_ids: movements.map((m) => m.transaction.id) },
    });
    return async () => {
      await this.audit.announce([ev]);
      await announce(this.bus, tenantId, movements);
    };
  }

  private exec(em: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
    return em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext());
  }
}
