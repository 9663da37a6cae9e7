import { z } from 'zod';
import { ReasonCodeResolver } from '../resolvers/reason-code.resolver.js';
import type { ReasonCode, ReasonCodeTreeNode } from '../schema/reason-code.type.js';
import { REASON_CODE_LIMITS as L } from '../src/downtime/downtime.rules.js';
import { iso, isoInstant, mapper, shape, type Json } from './mappers.js';
import { route } from './route.js';
import { v } from './validation.js';

const category = z.enum(['planned', 'unplanned', 'changeover', 'maintenance']);

const ReasonCodeShape = shape(
  'ReasonCode',
  z.object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    category: category.nullable().meta({ description: 'the category a record with this code gets when it names none' }),
    parent_id: z.uuid().nullable(),
    is_active: z.boolean(),
    is_system: z.boolean().meta({ description: 'created by the platform (automatic downtime)' }),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);
const ReasonCodeListShape = shape('ReasonCodeList', z.array(ReasonCodeShape));

const ReasonCodeTreeNodeShape = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  category: category.nullable(),
  parent_id: z.uuid().nullable(),
  is_active: z.boolean(),
  is_system: z.boolean(),
  get children(): z.ZodArray<typeof ReasonCodeTreeNodeShape> {
    return z.array(ReasonCodeTreeNodeShape);
  },
});
shape('ReasonCodeTreeNode', ReasonCodeTreeNodeShape);
const ReasonCodeTreeShape = shape('ReasonCodeTree', z.array(ReasonCodeTreeNodeShape));

const codeJson = (c: ReasonCode) => ({
  id: c.id,
  code: c.code,
  name: c.name,
  description: c.description,
  category: c.category as z.output<typeof category> | null,
  parent_id: c.parentId,
  is_active: c.isActive,
  is_system: c.isSystem,
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});
const mapCode = mapper(ReasonCodeShape, codeJson);
const mapCodes = mapper(ReasonCodeListShape, (codes: ReasonCode[]) => codes.map(codeJson));

type TreeJson = Json<z.output<typeof ReasonCodeTreeNodeShape>>;
const treeNode = (n: ReasonCodeTreeNode): TreeJson => ({
  id: n.id,
  code: n.code,
  name: n.name,
  description: n.description,
  category: n.category as z.output<typeof category> | null,
  parent_id: n.parentId,
  is_active: n.isActive,
  is_system: n.isSystem,
  children: n.children.map(treeNode),
});
const mapTree = mapper(ReasonCodeTreeShape, (nodes: ReasonCodeTreeNode[]) => nodes.map(treeNode));

const codeId = z.object({ code_id: v.uuid('code_id') });
const tag = 'Reason codes';

/** Spread into `downtimeRoutes` (rest/downtime.routes.ts), the downtime module's one row list. */
export const reasonCodeRoutes = [
  route({
    method: 'GET', path: '/reason-codes', tag, summary: 'List reason codes ordered by code (active ones unless active_only=false)',
    resolver: ReasonCodeResolver, operation: 'reasonCodes',
    query: z.object({ active_only: z.enum(['true', 'false']).transform((b) => b === 'true').optional().default(true) }),
    call: (r, ctx, { query }) => r.reasonCodes(ctx, query.active_only),
    map: mapCodes,
  }),
  route({
    method: 'GET', path: '/reason-codes/tree', tag, summary: 'Every reason code as a nested tree (inactive ones included, flagged)',
    resolver: ReasonCodeResolver, operation: 'reasonCodeTree',
    call: (r, ctx) => r.reasonCodeTree(ctx),
    map: mapTree,
  }),
  route({
    method: 'POST', path: '/reason-codes', tag, summary: 'Create a reason code (admin)', status: 201, errors: [409],
    resolver: ReasonCodeResolver, operation: 'createReasonCode',
    body: z.object({
      code: v.str(L.code, 1),
      name: v.str(L.name, 1),
      description: v.str(L.description).nullable().optional(),
      category: category.nullable().optional(),
      parent_id: v.uuid('parent_id').nullable().optional(),
      is_active: z.boolean().optional(),
    }),
    call: (r, ctx, { body }) =>
      r.createReasonCode(ctx, { code: body.code, name: body.name, description: body.description, category: body.category, parentId: body.parent_id, isActive: body.is_active }),
    map: mapCode,
  }),
  route({
    method: 'PUT', path: '/reason-codes/{code_id}', tag, summary: 'Update a reason code (admin; absent fields keep their value; is_active=false deactivates it)', errors: [409],
    resolver: ReasonCodeResolver, operation: 'updateReasonCode', params: codeId,
    body: z.object({
      code: v.str(L.code, 1).optional(),
      name: v.str(L.name, 1).optional(),
      description: v.str(L.description).nullable().optional(),
      category: category.nullable().optional(),
      parent_id: v.uuid('parent_id').nullable().optional(),
      is_active: z.boolean().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateReasonCode(ctx, params.code_id, { code: body.code, name: body.name, description: body.description, category: body.category, parentId: body.parent_id, isActive: body.is_active }),
    map: mapCode,
  }),
];
