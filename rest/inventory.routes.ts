import { z } from 'zod';
import { InventoryResolver } from '../resolvers/inventory.resolver.js';
import { INVENTORY_LIMITS as L, STOCK_TRANSACTION_TYPES } from '../src/inventory/inventory.rules.js';
import type { PartCategoryView, PartView, StockTransactionView, WorkOrderPartView } from '../src/inventory/inventory.views.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

/**
 * Quantities and costs answer as JSON numbers, as the spec's examples show: the service holds them
 * as exact decimal texts of at most 15 significant digits, which a JSON number carries exactly.
 */
const num = (d: string) => Number(d);
const numOrNull = (d: string | null) => (d === null ? null : Number(d));

/** A decimal in a body: a number or a decimal string, checked exactly (scale, sign) by the service. */
const decimal = () => z.union([z.number(), z.string().max(40)]).meta({ description: 'a decimal (number or string)' });

const PartShape = shape(
  'Part',
  z.object({
    id: z.uuid(),
    part_number: z.string(),
    name: z.string(),
    category_id: z.uuid().nullable(),
    quantity_on_hand: z.number().min(0).meta({ description: 'changes only through stock transactions' }),
    reorder_point: z.number().min(0),
    reorder_quantity: z.number().min(0),
    unit_cost: z.number().min(0).nullable(),
    unit: z.string(),
    location: z.string().nullable(),
    supplier: z.string().nullable(),
    manufacturer_part_number: z.string().nullable(),
    is_low_stock: z.boolean().meta({ description: 'quantity_on_hand at or below reorder_point' }),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const CategoryShape = shape(
  'PartCategory',
  z.object({ id: z.uuid(), name: z.string(), description: z.string().nullable(), part_count: z.number().int().min(0), created_at: isoInstant() }),
);

const TransactionShape = shape(
  'StockTransaction',
  z.object({
    id: z.uuid(),
    part_id: z.uuid(),
    type: z.enum(STOCK_TRANSACTION_TYPES),
    quantity: z.number().meta({ description: 'the amount moved (signed for adjust)' }),
    delta: z.number().meta({ description: 'signed change of quantity_on_hand' }),
    balance_after: z.number().min(0),
    notes: z.string().nullable(),
    work_order_id: z.uuid().nullable(),
    work_order_part_id: z.uuid().nullable(),
    related_part_id: z.uuid().nullable().meta({ description: 'the other part of a transfer' }),
    user_id: z.uuid().nullable(),
    created_at: isoInstant(),
  }),
);

const WorkOrderPartShape = shape(
  'WorkOrderPart',
  z.object({
    id: z.uuid(),
    work_order_id: z.uuid(),
    spare_part_id: z.uuid(),
    part_number: z.string(),
    name: z.string(),
    quantity: z.number(),
    unit: z.string(),
    unit_cost: z.number().nullable().meta({ description: "the part's unit cost when the line was added" }),
    transaction_id: z.uuid().meta({ description: 'the consume entry of the ledger' }),
    created_by: z.uuid().nullable(),
    created_at: isoInstant(),
  }),
);

const mapPart = mapper(PartShape, (p: PartView) => ({
  id: p.id,
  part_number: p.partNumber,
  name: p.name,
  category_id: p.categoryId,
  quantity_on_hand: num(p.quantityOnHand),
  reorder_point: num(p.reorderPoint),
  reorder_quantity: num(p.reorderQuantity),
  unit_cost: numOrNull(p.unitCost),
  unit: p.unit,
  location: p.location,
  supplier: p.supplier,
  manufacturer_part_number: p.manufacturerPartNumber,
  is_low_stock: p.isLowStock,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
}));

const mapCategory = mapper(CategoryShape, (c: PartCategoryView) => ({ id: c.id, name: c.name, description: c.description, part_count: c.partCount, created_at: iso(c.createdAt) }));

const mapTransaction = mapper(TransactionShape, (t: StockTransactionView) => ({
  id: t.id,
  part_id: t.partId,
  type: t.type,
  quantity: num(t.quantity),
  delta: num(t.delta),
  balance_after: num(t.balanceAfter),
  notes: t.notes,
  work_order_id: t.workOrderId,
  work_order_part_id: t.workOrderPartId,
  related_part_id: t.relatedPartId,
  user_id: t.userId,
  created_at: iso(t.createdAt),
}));

const mapLine = mapper(WorkOrderPartShape, (l: WorkOrderPartView) => ({
  id: l.id,
  work_order_id: l.workOrderId,
  spare_part_id: l.partId,
  part_number: l.partNumber,
  name: l.name,
  quantity: num(l.quantity),
  unit: l.unit,
  unit_cost: numOrNull(l.unitCost),
  transaction_id: l.transactionId,
  created_by: l.createdBy,
  created_at: iso(l.createdAt),
}));

const partId = z.object({ part_id: v.uuid('part_id') });
const categoryId = z.object({ category_id: v.uuid('category_id') });
const workOrderId = z.object({ work_order_id: v.uuid('work_order_id') });
const lineIds = z.object({ work_order_id: v.uuid('work_order_id'), wop_id: v.uuid('wop_id') });
const page = (q: { page?: number; page_size?: number }) => ({ page: q.page, pageSize: q.page_size });
const tag = 'Spare parts inventory';

const partFields = {
  category_id: v.uuid('category_id').nullable().optional(),
  reorder_point: decimal().optional(),
  reorder_quantity: decimal().optional(),
  unit_cost: decimal().nullable().optional(),
  unit: v.str(L.unit, 1).optional(),
  location: v.str(L.location).nullable().optional(),
  supplier: v.str(L.supplier).nullable().optional(),
  manufacturer_part_number: v.str(L.manufacturerPartNumber).nullable().optional(),
};

export const inventoryRoutes = [
  route({
    method: 'GET', path: '/inventory/parts', tag, summary: 'List parts by part number (low_stock_only: at or below the reorder point)',
    resolver: InventoryResolver, operation: 'parts',
    query: z.object({
      ...pageQuery,
      category_id: v.uuid('category_id').optional(),
      search: v.str(L.search).optional(),
      low_stock_only: z.enum(['true', 'false']).transform((b) => b === 'true').optional(),
    }),
    call: (r, ctx, { query }) => r.parts(ctx, { ...page(query), categoryId: query.category_id, search: query.search, lowStockOnly: query.low_stock_only }),
    map: pageOf(mapPart),
  }),
  route({
    method: 'POST', path: '/inventory/parts', tag, summary: 'Create a part (its initial quantity is booked as an adjust entry)', status: 201, errors: [404, 409],
    resolver: InventoryResolver, operation: 'createPart',
    body: z.object({ part_number: v.str(L.partNumber, 1), name: v.str(L.name, 1), quantity_on_hand: decimal().optional(), ...partFields }),
    call: (r, ctx, { body }) =>
      r.createPart(ctx, {
        partNumber: body.part_number, name: body.name, categoryId: body.category_id, quantityOnHand: body.quantity_on_hand, reorderPoint: body.reorder_point,
        reorderQuantity: body.reorder_quantity, unitCost: body.unit_cost, unit: body.unit, location: body.location, supplier: body.supplier,
        manufacturerPartNumber: body.manufacturer_part_number,
      }),
    map: mapPart,
  }),
  // before /inventory/parts/{part_id}: rows match in order
  route({
    method: 'GET', path: '/inventory/parts/low-stock', tag, summary: 'Parts at or below their reorder point',
    resolver: InventoryResolver, operation: 'lowStockParts', query: z.object(pageQuery),
    call: (r, ctx, { query }) => r.lowStockParts(ctx, page(query)),
    map: pageOf(mapPart),
  }),
  route({
    method: 'GET', path: '/inventory/parts/{part_id}', tag, summary: 'Get a part',
    resolver: InventoryResolver, operation: 'part', params: partId,
    call: (r, ctx, { params }) => r.part(ctx, params.part_id),
    map: mapPart,
  }),
  route({
    method: 'PATCH', path: '/inventory/parts/{part_id}', tag, summary: 'Update a part (partial; a new quantity_on_hand is booked as an adjust entry)', errors: [409],
    resolver: InventoryResolver, operation: 'updatePart', params: partId,
    body: z.object({ part_number: v.str(L.partNumber, 1).optional(), name: v.str(L.name, 1).optional(), quantity_on_hand: decimal().optional(), ...partFields }),
    call: (r, ctx, { params, body }) =>
      r.updatePart(ctx, params.part_id, {
        partNumber: body.part_number, name: body.name, categoryId: body.category_id, quantityOnHand: body.quantity_on_hand, reorderPoint: body.reorder_point,
        reorderQuantity: body.reorder_quantity, unitCost: body.unit_cost, unit: body.unit, location: body.location, supplier: body.supplier,
        manufacturerPartNumber: body.manufacturer_part_number,
      }),
    map: mapPart,
  }),
  route({
    method: 'DELETE', path: '/inventory/parts/{part_id}', tag, summary: 'Archive a part (its history stays)', status: 204,
    resolver: InventoryResolver, operation: 'deletePart', params: partId,
    call: (r, ctx, { params }) => r.deletePart(ctx, params.part_id),
  }),
  route({
    method: 'GET', path: '/inventory/parts/{part_id}/transactions', tag, summary: "A part's stock ledger, newest first",
    resolver: InventoryResolver, operation: 'partTransactions', params: partId, query: z.object(pageQuery),
    call: (r, ctx, { params, query }) => r.partTransactions(ctx, params.part_id, page(query)),
    map: pageOf(mapTransaction),
  }),
  route({
    method: 'POST', path: '/inventory/parts/{part_id}/transactions', tag, status: 201, errors: [409],
    summary: 'Book a stock movement: receive/return add, consume subtracts, adjust by a signed quantity or a counted_quantity, transfer subtracts (and adds to to_part_id); a shortfall is a 409',
    resolver: InventoryResolver, operation: 'createStockTransaction', params: partId,
    body: z.object({
      type: z.enum(STOCK_TRANSACTION_TYPES),
      quantity: decimal().optional(),
      counted_quantity: decimal().optional(),
      to_part_id: v.uuid('to_part_id').nullable().optional(),
      notes: v.str(L.notes).nullable().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.createStockTransaction(ctx, params.part_id, { type: body.type, quantity: body.quantity, countedQuantity: body.counted_quantity, toPartId: body.to_part_id, notes: body.notes }),
    map: mapTransaction,
  }),
  route({
    method: 'GET', path: '/inventory/categories', tag, summary: 'List part categories by name',
    resolver: InventoryResolver, operation: 'partCategories', query: z.object(pageQuery),
    call: (r, ctx, { query }) => r.partCategories(ctx, page(query)),
    map: pageOf(mapCategory),
  }),
  route({
    method: 'POST', path: '/inventory/categories', tag, summary: 'Create a part category', status: 201, errors: [409],
    resolver: InventoryResolver, operation: 'createPartCategory',
    body: z.object({ name: v.str(L.categoryName, 1), description: v.str(L.categoryDescription).nullable().optional() }),
    call: (r, ctx, { body }) => r.createPartCategory(ctx, { name: body.name, description: body.description }),
    map: mapCategory,
  }),
  route({
    method: 'DELETE', path: '/inventory/categories/{category_id}', tag, summary: 'Delete a category no part uses (409 otherwise)', status: 204, errors: [409],
    resolver: InventoryResolver, operation: 'deletePartCategory', params: categoryId,
    call: (r, ctx, { params }) => r.deletePartCategory(ctx, params.category_id),
  }),
  route({
    method: 'GET', path: '/inventory/work-orders/{work_order_id}/parts', tag, summary: 'Parts used by a work order, oldest first',
    resolver: InventoryResolver, operation: 'workOrderParts', params: workOrderId, query: z.object(pageQuery),
    call: (r, ctx, { params, query }) => r.workOrderParts(ctx, params.work_order_id, page(query)),
    map: pageOf(mapLine),
  }),
  route({
    method: 'POST', path: '/inventory/work-orders/{work_order_id}/parts', tag, status: 201, errors: [409],
    summary: 'Use a part on an open or in-progress work order (a consume entry); 409 when stock is short or the order is closed',
    resolver: InventoryResolver, operation: 'addWorkOrderPart', params: workOrderId,
    body: z.object({ spare_part_id: v.uuid('spare_part_id'), quantity: decimal(), notes: v.str(L.notes).nullable().optional() }),
    call: (r, ctx, { params, body }) => r.addWorkOrderPart(ctx, params.work_order_id, { sparePartId: body.spare_part_id, quantity: body.quantity, notes: body.notes }),
    map: mapLine,
  }),
  route({
    method: 'DELETE', path: '/inventory/work-orders/{work_order_id}/parts/{wop_id}', tag, summary: 'Remove a part line (its quantity returns to stock); 409 on a completed order', status: 204, errors: [409],
    resolver: InventoryResolver, operation: 'removeWorkOrderPart', params: lineIds,
    call: (r, ctx, { params }) => r.removeWorkOrderPart(ctx, params.work_order_id, params.wop_id),
  }),
];
