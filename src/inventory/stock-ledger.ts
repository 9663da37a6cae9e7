import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { EventBus } from '../infra/event-bus.js';
import { partLowStockTopic, stockChangedTopic } from './inventory.events.js';
import { InventoryErrors } from './inventory.errors.js';
import { canonicalDecimal, MAX_QUANTITY, type StockTransactionType } from './inventory.rules.js';
import type { PartView, StockTransactionView } from './inventory.views.js';

type Row = Record<string, unknown>;

/** The part columns every view reads (numerics as text: exact, never a float). */
export const PART_COLUMNS = `p.id, p.tenant_id, p.part_number, p.name, p.category_id, p.quantity_on_hand::text as quantity_on_hand,
  p.reorder_point::text as reorder_point, p.reorder_quantity::text as reorder_quantity, p.unit_cost::text as unit_cost, p.unit,
  p.location, p.supplier, p.manufacturer_part_number, (p.quantity_on_hand <= p.reorder_point) as is_low_stock, p.created_at, p.updated_at`;

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

export function partView(r: Row): PartView {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    partNumber: r.part_number as string,
    name: r.name as string,
    categoryId: (r.category_id as string | null) ?? null,
    quantityOnHand: canonicalDecimal(r.quantity_on_hand as string),
    reorderPoint: canonicalDecimal(r.reorder_point as string),
    reorderQuantity: canonicalDecimal(r.reorder_quantity as string),
    unitCost: canonicalDecimal((r.unit_cost as string | null) ?? null),
    unit: r.unit as string,
    location: (r.location as string | null) ?? null,
    supplier: (r.supplier as string | null) ?? null,
    manufacturerPartNumber: (r.manufacturer_part_number as string | null) ?? null,
    isLowStock: r.is_low_stock === true,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

export function transactionView(r: Row): StockTransactionView {
  const type = r.type as StockTransactionType;
  const delta = canonicalDecimal(r.delta as string);
  return {
    id: r.id as string,
    partId: r.part_id as string,
    type,
    delta,
    quantity: type === 'adjust' ? delta : delta.replace(/^-/, ''),
    balanceAfter: canonicalDecimal(r.balance_after as string),
    notes: (r.notes as string | null) ?? null,
    workOrderId: (r.work_order_id as string | null) ?? null,
    workOrderPartId: (r.work_order_part_id as string | null) ?? null,
    relatedPartId: (r.related_part_id as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    createdAt: toDate(r.created_at),
  };
}

export interface LedgerEntry {
  type: StockTransactionType;
  notes?: string | null;
  workOrderId?: string | null;
  workOrderPartId?: string | null;
  relatedPartId?: string | null;
  userId: string | null;
}

/** One applied ledger entry: the part after it, and whether it crossed the reorder point downwards. */
export interface Movement {
  part: PartView;
  transaction: StockTransactionView;
  /** the part was above its reorder point before and is at or below it now */
  crossedLow: boolean;
}

/**
 * The only writer of quantity_on_hand (besides part creation at 0): a guarded update that adds a
 * signed delta only while the result stays within 0..MAX_QUANTITY, and the ledger row, in one
 * statement of the caller's transaction. Concurrent writers of one part queue on its row lock and
 * each re-checks the guard against the committed quantity, so stock is never negative and always
 * the sum of the ledger's deltas. `requested` is what the caller asked for (the 409's wording).
 */
export async function move(
  em: EntityManager,
  tenantId: string,
  partId: string,
  delta: string,
  entry: LedgerEntry,
  opts: { requested?: string; archivedToo?: boolean } = {},
): Promise<Movement> {
  const conn = em.getConnection();
  const tx = em.getTransactionContext();
  const id = randomUUID();
  const rows = await conn.execute<Row[]>(
    `with upd as (
       update parts set quantity_on_hand = quantity_on_hand + ?::numeric, updated_at = clock_timestamp()
        where id = ? and tenant_id = ? ${opts.archivedToo ? '' : 'and archived_at is null'}
          and quantity_on_hand + ?::numeric >= 0 and quantity_on_hand + ?::numeric <= ${MAX_QUANTITY}
       returning *
     ), led as (
       insert into stock_transactions (id, tenant_id, part_id, type, delta, balance_after, notes, work_order_id, work_order_part_id, related_part_id, user_id)
       select ?, tenant_id, id, ?, ?::numeric, quantity_on_hand, ?, ?, ?, ?, ? from upd
       returning *
     )
     select ${PART_COLUMNS}, (p.quantity_on_hand - ?::numeric) > p.reorder_point as was_above,
       led.id as tx_id, led.type as tx_type, led.delta::text as tx_delta, led.balance_after::text as tx_balance_after, led.notes as tx_notes,
       led.work_order_id as tx_work_order_id, led.work_order_part_id as tx_work_order_part_id, led.related_part_id as tx_related_part_id,
       led.user_id as tx_user_id, led.created_at as tx_created_at
     from upd p, led`,
    [delta, partId, tenantId, delta, delta, id, entry.type, delta, entry.notes ?? null, entry.workOrderId ?? null, entry.workOrderPartId ?? null, entry.relatedPartId ?? null, entry.userId, delta],
    'all',
    tx,
  );
  const r = rows[0];
  if (!r) {
    const [cur] = await conn.execute<Row[]>(
      `select quantity_on_hand::text as q from parts where id = ? and tenant_id = ? ${opts.archivedToo ? '' : 'and archived_at is null'}`,
      [partId, tenantId],
      'all',
      tx,
    );
    if (!cur) throw InventoryErrors.partNotFound();
    const onHand = canonicalDecimal(cur.q as string);
    if (delta.startsWith('-')) throw InventoryErrors.insufficient(onHand, opts.requested ?? delta.slice(1));
    throw InventoryErrors.limit(onHand, MAX_QUANTITY);
  }
  const part = partView(r);
  const transaction = transactionView({
    id: r.tx_id, part_id: part.id, type: r.tx_type, delta: r.tx_delta, balance_after: r.tx_balance_after, notes: r.tx_notes,
    work_order_id: r.tx_work_order_id, work_order_part_id: r.tx_work_order_part_id, related_part_id: r.tx_related_part_id,
    user_id: r.tx_user_id, created_at: r.tx_created_at,
  });
  return { part, transaction, crossedLow: r.was_above === true && part.isLowStock };
}

/** Locks parts of the tenant in id order (the one lock order, so two transfers in opposite directions cannot deadlock); returns the ids found. */
export async function lockParts(em: EntityManager, tenantId: string, ids: string[], archivedToo = false): Promise<Set<string>> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select id from parts where tenant_id = ? and id = any(?::uuid[]) ${archivedToo ? '' : 'and archived_at is null'} order by id for update`,
    [tenantId, `{${[...new Set(ids)].join(',')}}`],
    'all',
    em.getTransactionContext(),
  );
  return new Set(rows.map((r) => r.id));
}

/** Announces committed movements: every part's new stock, and each downward crossing of a reorder point once. */
export async function announce(bus: EventBus, tenantId: string, movements: readonly Movement[]): Promise<void> {
  const last = new Map<string, Movement>();
  for (const m of movements) last.set(m.part.id, m);
  for (const m of last.values()) await bus.publish(stockChangedTopic(tenantId), m.part);
  for (const m of movements) if (m.crossedLow) await bus.publish(partLowStockTopic(tenantId), m.part);
}
