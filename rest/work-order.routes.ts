import { z } from 'zod';
import { WorkOrderResolver } from '../resolvers/work-order.resolver.js';
import { WorkOrderPriority, WorkOrderStatus, type WorkOrder, type WorkOrderComment } from '../schema/work-order.type.js';
import { WORK_ORDER_LIMITS as L } from '../src/work-orders/work-order.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const WorkOrderShape = shape(
  'WorkOrder',
  z.object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    machine_id: z.uuid(),
    machine_name: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    priority: z.enum(WorkOrderPriority),
    status: z.enum(WorkOrderStatus),
    assigned_to: z.uuid().nullable().meta({ description: 'the assigned user' }),
    created_by: z.uuid().nullable(),
    alert_id: z.uuid().nullable().meta({ description: 'the alert it answers (same machine)' }),
    downtime_record_id: z.uuid().nullable().meta({ description: 'the downtime record it repairs (same machine)' }),
    maintenance_event_id: z.uuid().nullable().meta({ description: 'the maintenance event it carries out (same machine)' }),
    started_at: isoInstant().nullable().meta({ description: 'when it went in_progress' }),
    completed_at: isoInstant().nullable().meta({ description: 'when it went completed' }),
    cancelled_at: isoInstant().nullable().meta({ description: 'when it went cancelled' }),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const WorkOrderCommentShape = shape(
  'WorkOrderComment',
  z.object({
    id: z.uuid(),
    work_order_id: z.uuid(),
    user_id: z.uuid().meta({ description: 'the author' }),
    author_name: z.string().nullable().meta({ description: "the author's name (null once the user is deleted)" }),
    body: z.string(),
    created_at: isoInstant(),
  }),
);

export const mapWorkOrder = mapper(WorkOrderShape, (w: WorkOrder) => ({
  id: w.id,
  tenant_id: w.tenantId,
  machine_id: w.machineId,
  machine_name: w.machineName,
  title: w.title,
  description: w.description,
  priority: w.priority as WorkOrderPriority,
  status: w.status as WorkOrderStatus,
  assigned_to: w.assignedTo,
  created_by: w.createdBy,
  alert_id: w.alertId,
  downtime_record_id: w.downtimeRecordId,
  maintenance_event_id: w.maintenanceEventId,
  started_at: iso(w.startedAt),
  completed_at: iso(w.completedAt),
  cancelled_at: iso(w.cancelledAt),
  created_at: iso(w.createdAt),
  updated_at: iso(w.updatedAt),
}));

const mapComment = mapper(WorkOrderCommentShape, (c: WorkOrderComment) => ({
  id: c.id,
  work_order_id: c.workOrderId,
  user_id: c.userId,
  author_name: c.authorName,
  body: c.body,
  created_at: iso(c.createdAt),
}));

const workOrderId = z.object({ work_order_id: v.uuid('work_order_id') });
const link = (what: string) => v.uuid(what).nullable().optional();
const tag = 'Work orders';

export const workOrderRoutes = [
  route({
    method: 'POST', path: '/work-orders', tag, summary: 'Open a work order on a machine (status open)', status: 201, errors: [404],
    resolver: WorkOrderResolver, operation: 'createWorkOrder',
    body: z.object({
      machine_id: v.uuid('machine_id'),
      title: v.str(L.title, 1),
      description: v.str(L.description).nullable().optional(),
      priority: z.enum(WorkOrderPriority).optional().meta({ description: 'default medium' }),
      assigned_to: v.uuid('assigned_to').nullable().optional().meta({ description: 'an active user of the tenant' }),
      alert_id: link('alert_id').meta({ description: 'an alert of the same machine' }),
      downtime_record_id: link('downtime_record_id').meta({ description: 'a downtime record of the same machine' }),
      maintenance_event_id: link('maintenance_event_id').meta({ description: 'a maintenance event of the same machine' }),
    }),
    call: (r, ctx, { body }) =>
      r.createWorkOrder(ctx, {
        machineId: body.machine_id, title: body.title, description: body.description, priority: body.priority, assignedTo: body.assigned_to,
        alertId: body.alert_id, downtimeRecordId: body.downtime_record_id, maintenanceEventId: body.maintenance_event_id,
      }),
    map: mapWorkOrder,
  }),
  route({
    method: 'GET', path: '/work-orders', tag, summary: 'List work orders, newest first',
    resolver: WorkOrderResolver, operation: 'workOrders',
    query: z.object({
      ...pageQuery,
      machine_id: v.uuid('machine_id').optional(),
      status: z.enum(WorkOrderStatus).optional(),
      priority: z.enum(WorkOrderPriority).optional(),
      assigned_to: v.uuid('assigned_to').optional(),
    }),
    call: (r, ctx, { query }) =>
      r.workOrders(ctx, { page: query.page, pageSize: query.page_size, machineId: query.machine_id, status: query.status, priority: query.priority, assignedTo: query.assigned_to }),
    map: pageOf(mapWorkOrder),
  }),
  route({
    method: 'GET', path: '/work-orders/{work_order_id}', tag, summary: 'Get a work order',
    resolver: WorkOrderResolver, operation: 'workOrder', params: workOrderId,
    call: (r, ctx, { params }) => r.workOrder(ctx, params.work_order_id),
    map: mapWorkOrder,
  }),
  route({
    method: 'PATCH', path: '/work-orders/{work_order_id}', tag, errors: [409],
    summary: 'Change a work order (absent fields keep their value, null clears); status: open → in_progress → completed, open | in_progress → cancelled (409 otherwise); a completed order refuses changes (409)',
    resolver: WorkOrderResolver, operation: 'updateWorkOrder', params: workOrderId,
    body: z.object({
      title: v.str(L.title, 1).optional(),
      description: v.str(L.description).nullable().optional(),
      priority: z.enum(WorkOrderPriority).optional(),
      status: z.enum(WorkOrderStatus).optional(),
      assigned_to: v.uuid('assigned_to').nullable().optional(),
      alert_id: link('alert_id'),
      downtime_record_id: link('downtime_record_id'),
      maintenance_event_id: link('maintenance_event_id'),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateWorkOrder(ctx, params.work_order_id, {
        title: body.title, description: body.description, priority: body.priority, status: body.status, assignedTo: body.assigned_to,
        alertId: body.alert_id, downtimeRecordId: body.downtime_record_id, maintenanceEventId: body.maintenance_event_id,
      }),
    map: mapWorkOrder,
  }),
  route({
    method: 'DELETE', path: '/work-orders/{work_order_id}', tag, summary: 'Delete an open or cancelled work order without sign-offs (409 otherwise); its parts go back to stock', status: 204, errors: [409],
    resolver: WorkOrderResolver, operation: 'deleteWorkOrder', params: workOrderId,
    call: (r, ctx, { params }) => r.deleteWorkOrder(ctx, params.work_order_id),
  }),
  route({
    method: 'GET', path: '/work-orders/{work_order_id}/comments', tag, summary: 'Comments on a work order, oldest first',
    resolver: WorkOrderResolver, operation: 'workOrderComments', params: workOrderId, query: z.object(pageQuery),
    call: (r, ctx, { params, query }) => r.workOrderComments(ctx, params.work_order_id, { page: query.page, pageSize: query.page_size }),
    map: pageOf(mapComment),
  }),
  route({
    method: 'POST', path: '/work-orders/{work_order_id}/comments', tag, summary: 'Comment on a work order (also a completed one)', status: 201,
    resolver: WorkOrderResolver, operation: 'addWorkOrderComment', params: workOrderId,
    body: z.object({ body: v.str(L.commentBody, 1) }),
    call: (r, ctx, { params, body }) => r.addWorkOrderComment(ctx, params.work_order_id, { body: body.body }),
    map: mapComment,
  }),
];
