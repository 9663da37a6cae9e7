import { z } from 'zod';
import { FleetResolver } from '../resolvers/fleet.resolver.js';
import type { FleetStatus } from '../schema/fleet.type.js';
import { MachineStatus } from '../schema/machine.type.js';
import { lazyList } from './json-stream.js';
import { statusFilter } from './machine.routes.js';
import { iso, isoInstant, mapper, shape } from './mappers.js';
import { route } from './route.js';
import { v } from './validation.js';

const FleetStatusShape = shape(
  'FleetStatus',
  z.object({
    total_machines: z.number().int().min(0),
    machines: z.array(
      z.object({ id: z.uuid(), name: z.string(), status: z.enum(MachineStatus), alert_count: z.number().int().min(0), last_reading_at: isoInstant().nullable() }),
    ),
  }),
);

const mapFleet = mapper(FleetStatusShape, (f: FleetStatus) => ({
  total_machines: f.totalMachines,
  machines: lazyList(f.machines, (m) => ({ id: m.id, name: m.name, status: m.status, alert_count: m.alertCount, last_reading_at: iso(m.lastReadingAt) })),
}));

export const fleetRoutes = [
  route({
    method: 'GET', path: '/fleet/status', tag: 'Fleet', summary: 'Status of every active machine',
    resolver: FleetResolver, operation: 'fleetStatus', errors: [404],
    query: z.object({ group_id: v.uuid('group_id').optional(), status: statusFilter.optional() }),
    call: (r, ctx, { query }) => r.fleetStatus(ctx, query.group_id, query.status),
    map: mapFleet,
  }),
];
