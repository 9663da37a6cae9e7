import { z } from 'zod';
import { MachineResolver } from '../resolvers/machine.resolver.js';
import { MachineProtocol, MachineStatus, type Machine, type MachineImportResult } from '../schema/machine.type.js';
import { IMPORT_MAX_BYTES } from '../src/machines/machine-import.parser.js';
import { MACHINE_LIMITS as L } from '../src/machines/machine.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const MachineShape = shape(
  'Machine',
  z.object({
    id: z.uuid(),
    name: z.string(),
    machine_identifier: z.string(),
    protocol: z.enum(MachineProtocol),
    location: z.string().nullable(),
    ideal_cycle_time_seconds: z.number().nullable().meta({ description: 'seconds per piece at the ideal rate; OEE records derive performance from it' }),
    status: z.enum(MachineStatus),
    tenant_id: z.uuid(),
    is_active: z.boolean(),
    last_reading_at: isoInstant().nullable(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const MachineImportResultShape = shape(
  'MachineImportResult',
  z.object({
    created: z.number().int().min(0),
    skipped: z.number().int().min(0).meta({ description: 'rows whose machine_identifier exists already (in the file or the tenant)' }),
    errors: z.array(z.object({ row: z.number().int().meta({ description: 'spreadsheet row number (the header is row 1)' }), error: z.string() })),
  }),
);

export const mapMachine = mapper(MachineShape, (m: Machine) => ({
  id: m.id,
  name: m.name,
  machine_identifier: m.machineIdentifier,
  protocol: m.protocol,
  location: m.location,
  ideal_cycle_time_seconds: m.idealCycleTimeSeconds ?? null,
  status: m.status,
  tenant_id: m.tenantId,
  is_active: m.isActive,
  last_reading_at: iso(m.lastReadingAt),
  created_at: iso(m.createdAt),
  updated_at: iso(m.updatedAt),
}));

const mapImport = mapper(MachineImportResultShape, (r: MachineImportResult) => ({
  created: r.created,
  skipped: r.skipped,
  errors: r.errors.map((e) => ({ row: e.row, error: e.error })),
}));

/** the `status` filter of machine lists (the fleet view filters by it too) */
export const statusFilter = z.enum(['healthy', 'warning', 'critical', 'offline']);
const machineId = z.object({ machine_id: v.uuid('machine_id') });
const idealCycle = z.number().gt(0).max(L.idealCycleTimeSecondsMax).nullable().optional().meta({ description: `seconds per piece at the ideal rate, more than 0 and at most ${L.idealCycleTimeSecondsMax}; null clears it` });
const tag = 'Machines';

export const machineRoutes = [
  route({
    method: 'POST', path: '/machines', tag, summary: 'Register a machine', status: 201,
    resolver: MachineResolver, operation: 'createMachine', errors: [409],
    body: z.object({ name: v.str(L.name, 1), machine_identifier: v.str(L.machine_identifier, 1), protocol: v.str(L.protocol, 1), location: v.str(L.location).nullable().optional(), ideal_cycle_time_seconds: idealCycle }),
    call: (r, ctx, { body }) =>
      r.createMachine(ctx, { name: body.name, machineIdentifier: body.machine_identifier, protocol: body.protocol, location: body.location, idealCycleTimeSeconds: body.ideal_cycle_time_seconds }),
    map: mapMachine,
  }),
  route({
    method: 'GET', path: '/machines', tag, summary: 'List machines (filters, search, sort)',
    resolver: MachineResolver, operation: 'machines', errors: [404],
    query: z.object({
      ...pageQuery,
      group_id: v.uuid('group_id').optional(),
      search: v.str(L.search).optional(),
      status: statusFilter.optional(),
      sort_by: z.enum(['name', 'machine_identifier', 'status', 'created_at', 'updated_at', 'location']).optional(),
      sort_dir: z.enum(['asc', 'desc']).optional(),
    }),
    call: (r, ctx, { query }) =>
      r.machines(ctx, { page: query.page, pageSize: query.page_size, groupId: query.group_id, search: query.search, status: query.status, sortBy: query.sort_by, sortDir: query.sort_dir }),
    map: pageOf(mapMachine),
  }),
  route({
    method: 'POST', path: '/machines/import', tag, summary: 'Bulk-create up to 500 machines from a CSV or XLSX file (multipart field "file")',
    resolver: MachineResolver, operation: 'importMachines', errors: [409], multipart: { field: 'file', maxBytes: IMPORT_MAX_BYTES },
    call: (r, ctx, { body }) => r.importMachines(ctx, body.file),
    map: mapImport,
  }),
  route({
    method: 'GET', path: '/machines/{machine_id}', tag, summary: 'Get a machine',
    resolver: MachineResolver, operation: 'machine', params: machineId,
    call: (r, ctx, { params }) => r.machine(ctx, params.machine_id),
    map: mapMachine,
  }),
  route({
    method: 'PATCH', path: '/machines/{machine_id}', tag, summary: 'Partially update a machine',
    resolver: MachineResolver, operation: 'updateMachine', errors: [409], params: machineId,
    body: z.object({
      name: v.str(L.name, 1).optional(), machine_identifier: v.str(L.machine_identifier, 1).optional(), protocol: v.str(L.protocol, 1).optional(), location: v.str(L.location).nullable().optional(),
      ideal_cycle_time_seconds: idealCycle,
    }),
    call: (r, ctx, { params, body }) =>
      r.updateMachine(ctx, params.machine_id, {
        name: body.name, machineIdentifier: body.machine_identifier, protocol: body.protocol, location: body.location, idealCycleTimeSeconds: body.ideal_cycle_time_seconds,
      }),
    map: mapMachine,
  }),
  route({
    method: 'DELETE', path: '/machines/{machine_id}', tag, summary: 'Soft-delete a machine', status: 204,
    resolver: MachineResolver, operation: 'deleteMachine', params: machineId,
    call: (r, ctx, { params }) => r.deleteMachine(ctx, params.machine_id),
  }),
];
