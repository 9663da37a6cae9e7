import { z } from 'zod';
import { MaintenanceResolver } from '../resolvers/maintenance.resolver.js';
import type { MaintenanceEventView } from '../src/maintenance/maintenance.service.js';
import { MAINTENANCE_LIMITS as L, MAINTENANCE_SORT_DIRS, MAINTENANCE_STATUSES, MAINTENANCE_TYPES } from '../src/maintenance/maintenance.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const type = z.enum(MAINTENANCE_TYPES);
const status = z.enum(MAINTENANCE_STATUSES);
const STATUS_FLOW = 'scheduled → in_progress → completed; scheduled or in_progress → cancelled; completed and cancelled are final';

const MaintenanceEventShape = shape(
  'MaintenanceEvent',
  z.object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    machine_id: z.uuid(),
    machine_name: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    type,
    status: status.meta({ description: STATUS_FLOW }),
    scheduled_start: isoInstant(),
    scheduled_end: isoInstant(),
    actual_start: isoInstant().nullable().meta({ description: 'set when the event starts (in_progress)' }),
    actual_end: isoInstant().nullable().meta({ description: 'set when a started event is completed or cancelled' }),
    creates_downtime: z.boolean().meta({ description: 'starting the event opens a maintenance downtime record; completing or cancelling it ends the record' }),
    downtime_record_id: z.uuid().nullable(),
    alert_id: z.uuid().nullable(),
    created_by: z.uuid().nullable(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

export const mapMaintenanceEvent = mapper(MaintenanceEventShape, (e: MaintenanceEventView) => ({
  id: e.id,
  tenant_id: e.tenantId,
  machine_id: e.machineId,
  machine_name: e.machineName,
  title: e.title,
  description: e.description,
  type: e.type as z.output<typeof type>,
  status: e.status as z.output<typeof status>,
  scheduled_start: iso(e.scheduledStart),
  scheduled_end: iso(e.scheduledEnd),
  actual_start: iso(e.actualStart),
  actual_end: iso(e.actualEnd),
  creates_downtime: e.createsDowntime,
  downtime_record_id: e.downtimeRecordId,
  alert_id: e.alertId,
  created_by: e.createdBy,
  created_at: iso(e.createdAt),
  updated_at: iso(e.updatedAt),
}));

const eventId = z.object({ event_id: v.uuid('event_id') });
const tag = 'Maintenance';

export const maintenanceRoutes = [
  route({
    method: 'POST', path: '/maintenance', tag, summary: 'Schedule a maintenance event (status scheduled)', status: 201,
    resolver: MaintenanceResolver, operation: 'createMaintenanceEvent', errors: [404],
    body: z.object({
      machine_id: v.uuid('machine_id'),
      title: v.str(L.title, 1),
      description: v.str(L.description).nullable().optional(),
      scheduled_start: v.instant(),
      scheduled_end: v.instant().meta({ description: 'not before scheduled_start' }),
      type: type.optional().default('preventive'),
      creates_downtime: z.boolean().optional().default(false),
      alert_id: v.uuid('alert_id').nullable().optional().meta({ description: 'an alert of the same machine' }),
      downtime_record_id: v.uuid('downtime_record_id').nullable().optional().meta({ description: 'a downtime record of the same machine' }),
    }),
    call: (r, ctx, { body }) =>
      r.createMaintenanceEvent(ctx, {
        machineId: body.machine_id, title: body.title, description: body.description, scheduledStart: body.scheduled_start, scheduledEnd: body.scheduled_end,
        type: body.type, createsDowntime: body.creates_downtime, alertId: body.alert_id, downtimeRecordId: body.downtime_record_id,
      }),
    map: mapMaintenanceEvent,
  }),
  route({
    method: 'GET', path: '/maintenance', tag, summary: 'Maintenance events by scheduled start (newest first by default)', errors: [404],
    resolver: MaintenanceResolver, operation: 'maintenanceEvents',
    query: z.object({
      ...pageQuery,
      machine_id: v.uuid('machine_id').optional(),
      status: status.optional(),
      type: type.optional(),
      start_after: v.instant().optional().meta({ description: 'events whose scheduled_start is after this instant' }),
      end_before: v.instant().optional().meta({ description: 'events whose scheduled_end is before this instant' }),
      sort_dir: z.enum(MAINTENANCE_SORT_DIRS).optional().default('desc'),
    }),
    call: (r, ctx, { query }) =>
      r.maintenanceEvents(ctx, {
        page: query.page, pageSize: query.page_size, machineId: query.machine_id, status: query.status, type: query.type,
        startAfter: query.start_after, endBefore: query.end_before, sortDir: query.sort_dir,
      }),
    map: pageOf(mapMaintenanceEvent),
  }),
  route({
    method: 'GET', path: '/maintenance/{event_id}', tag, summary: 'One maintenance event',
    resolver: MaintenanceResolver, operation: 'maintenanceEvent', params: eventId,
    call: (r, ctx, { params }) => r.maintenanceEvent(ctx, params.event_id),
    map: mapMaintenanceEvent,
  }),
  route({
    method: 'PUT', path: '/maintenance/{event_id}', tag, errors: [409],
    summary: `Change a maintenance event (absent fields keep their value; null clears description, alert_id, downtime_record_id) or its status (${STATUS_FLOW})`,
    resolver: MaintenanceResolver, operation: 'updateMaintenanceEvent', params: eventId,
    body: z.object({
      machine_id: v.uuid('machine_id').optional().meta({ description: 'only while scheduled' }),
      title: v.str(L.title, 1).optional(),
      description: v.str(L.description).nullable().optional(),
      type: type.optional(),
      status: status.optional(),
      scheduled_start: v.instant().optional(),
      scheduled_end: v.instant().optional(),
      creates_downtime: z.boolean().optional().meta({ description: 'only while scheduled' }),
      alert_id: v.uuid('alert_id').nullable().optional(),
      downtime_record_id: v.uuid('downtime_record_id').nullable().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateMaintenanceEvent(ctx, params.event_id, {
        machineId: body.machine_id, title: body.title, description: body.description, type: body.type, status: body.status,
        scheduledStart: body.scheduled_start, scheduledEnd: body.scheduled_end, createsDowntime: body.creates_downtime, alertId: body.alert_id, downtimeRecordId: body.downtime_record_id,
      }),
    map: mapMaintenanceEvent,
  }),
  route({
    method: 'DELETE', path: '/maintenance/{event_id}', tag, summary: 'Delete a scheduled or cancelled maintenance event', status: 204, errors: [409],
    resolver: MaintenanceResolver, operation: 'deleteMaintenanceEvent', params: eventId,
    call: (r, ctx, { params }) => r.deleteMaintenanceEvent(ctx, params.event_id),
  }),
];
