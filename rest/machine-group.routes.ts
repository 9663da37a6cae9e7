import { z } from 'zod';
import { MachineGroupResolver } from '../resolvers/machine-group.resolver.js';
import { GroupType, type MachineGroup, type MachineGroupTreeNode } from '../schema/machine-group.type.js';
import { mapMachine } from './machine.routes.js';
import { iso, isoInstant, mapper, pageOf, shape, type Json } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';
import { MACHINE_GROUP_LIMITS as L } from '../src/machine-groups/machine-group.rules.js';
import { TENANT_LIMITS as TL } from '../src/tenants/tenant.rules.js';

const MachineGroupShape = shape(
  'MachineGroup',
  z.object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    name: z.string(),
    group_type: z.enum(GroupType),
    parent_id: z.uuid().nullable(),
    description: z.string().nullable(),
    time_zone: z.string().nullable().meta({ description: "IANA zone of the site's machines (site groups only); null: the tenant's zone" }),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const MachineGroupTreeNodeShape = z.object({
  id: z.uuid(),
  name: z.string(),
  group_type: z.enum(GroupType),
  parent_id: z.uuid().nullable(),
  description: z.string().nullable(),
  machine_count: z.number().int().min(0).meta({ description: 'active machines directly in this group' }),
  get children(): z.ZodArray<typeof MachineGroupTreeNodeShape> {
    return z.array(MachineGroupTreeNodeShape);
  },
});
shape('MachineGroupTreeNode', MachineGroupTreeNodeShape);
const MachineGroupTreeShape = shape('MachineGroupTree', z.array(MachineGroupTreeNodeShape));

export const mapGroup = mapper(MachineGroupShape, (g: MachineGroup) => ({
  id: g.id,
  tenant_id: g.tenantId,
  name: g.name,
  group_type: g.groupType,
  parent_id: g.parentId,
  description: g.description,
  time_zone: g.timeZone,
  created_at: iso(g.createdAt),
  updated_at: iso(g.updatedAt),
}));

type TreeJson = Json<z.output<typeof MachineGroupTreeNodeShape>>;
const treeNode = (n: MachineGroupTreeNode): TreeJson => ({
  id: n.id,
  name: n.name,
  group_type: n.groupType,
  parent_id: n.parentId,
  description: n.description,
  machine_count: n.machineCount,
  children: n.children.map(treeNode),
});
const mapTree = mapper(MachineGroupTreeShape, (nodes: MachineGroupTreeNode[]) => nodes.map(treeNode));

const groupType = z.enum(['site', 'line', 'department', 'custom']);
const groupId = z.object({ group_id: v.uuid('group_id') });
const tag = 'Machine groups';

export const machineGroupRoutes = [
  route({
    method: 'POST', path: '/machine-groups', tag, summary: 'Create a machine group', status: 201,
    resolver: MachineGroupResolver, operation: 'createMachineGroup', errors: [404],
    body: z.object({
      name: v.str(L.name, 1), group_type: groupType, parent_id: v.uuid('parent_id').nullable().optional(), description: v.str(L.description).nullable().optional(),
      time_zone: v.str(TL.timeZone, 1).nullable().optional(),
    }),
    call: (r, ctx, { body }) =>
      r.createMachineGroup(ctx, { name: body.name, groupType: body.group_type, parentId: body.parent_id, description: body.description, timeZone: body.time_zone }),
    map: mapGroup,
  }),
  route({
    method: 'GET', path: '/machine-groups', tag, summary: 'List machine groups',
    resolver: MachineGroupResolver, operation: 'machineGroups',
    query: z.object({ ...pageQuery, group_type: groupType.optional(), parent_id: v.uuid('parent_id').optional() }),
    call: (r, ctx, { query }) => r.machineGroups(ctx, { page: query.page, pageSize: query.page_size, groupType: query.group_type, parentId: query.parent_id }),
    map: pageOf(mapGroup),
  }),
  route({
    method: 'GET', path: '/machine-groups/tree', tag, summary: 'All groups as a nested tree',
    resolver: MachineGroupResolver, operation: 'machineGroupTree',
    call: (r, ctx) => r.machineGroupTree(ctx),
    map: mapTree,
  }),
  route({
    method: 'GET', path: '/machine-groups/{group_id}', tag, summary: 'Get a machine group',
    resolver: MachineGroupResolver, operation: 'machineGroup', params: groupId,
    call: (r, ctx, { params }) => r.machineGroup(ctx, params.group_id),
    map: mapGroup,
  }),
  route({
    method: 'PATCH', path: '/machine-groups/{group_id}', tag, summary: 'Update a machine group (parent_id null moves it to the top)',
    resolver: MachineGroupResolver, operation: 'updateMachineGroup', params: groupId,
    body: z.object({
      name: v.str(L.name, 1).optional(), group_type: groupType.optional(), parent_id: v.uuid('parent_id').nullable().optional(), description: v.str(L.description).nullable().optional(),
      time_zone: v.str(TL.timeZone, 1).nullable().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateMachineGroup(ctx, params.group_id, { name: body.name, groupType: body.group_type, description: body.description, parentId: body.parent_id, timeZone: body.time_zone }),
    map: mapGroup,
  }),
  route({
    method: 'DELETE', path: '/machine-groups/{group_id}', tag, summary: 'Delete a machine group without children', status: 204,
    resolver: MachineGroupResolver, operation: 'deleteMachineGroup', errors: [409], params: groupId,
    call: (r, ctx, { params }) => r.deleteMachineGroup(ctx, params.group_id),
  }),
  route({
    method: 'GET', path: '/machine-groups/{group_id}/members', tag, summary: 'Machines directly in a group',
    resolver: MachineGroupResolver, operation: 'machineGroupMembers', params: groupId, query: z.object(pageQuery),
    call: (r, ctx, { params, query }) => r.machineGroupMembers(ctx, params.group_id, { page: query.page, pageSize: query.page_size }),
    map: pageOf(mapMachine),
  }),
  route({
    method: 'PUT', path: '/machine-groups/{group_id}/members', tag, summary: "Replace the group's members",
    resolver: MachineGroupResolver, operation: 'setMachineGroupMembers', params: groupId,
    body: z.object({ machine_ids: z.array(v.str(64)).max(L.members) }),
    call: (r, ctx, { params, body }) => r.setMachineGroupMembers(ctx, params.group_id, body.machine_ids),
    map: mapGroup,
  }),
];
