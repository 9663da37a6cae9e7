import { z } from 'zod';
import { AuditResolver } from '../resolvers/audit.resolver.js';
import type { AuditEvent } from '../schema/audit.type.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const AuditEventShape = shape(
  'AuditEvent',
  z.object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    user_id: z.uuid().nullable(),
    api_key_id: z.uuid().nullable(),
    action: z.string(),
    resource_type: z.string(),
    resource_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    ip_address: z.string().nullable(),
    created_at: isoInstant(),
  }),
);

export const mapAuditEvent = mapper(AuditEventShape, (e: AuditEvent) => ({
  id: e.id,
  tenant_id: e.tenantId,
  user_id: e.userId,
  api_key_id: e.apiKeyId,
  action: e.action,
  resource_type: e.resourceType,
  resource_id: e.resourceId,
  details: e.details,
  ip_address: e.ipAddress,
  created_at: iso(e.createdAt),
}));

export const auditRoutes = [
  route({
    method: 'GET', path: '/audit', tag: 'Audit', summary: "The tenant's audit trail, newest first",
    resolver: AuditResolver, operation: 'auditEvents',
    query: z.object({
      ...pageQuery,
      action: v.str(100).optional(),
      resource_type: v.str(100).optional(),
      resource_id: v.str(100).optional(),
      user_id: v.uuid('user_id').optional(),
      from: v.instant().optional(),
      to: v.instant().optional(),
    }),
    call: (r, ctx, { query }) =>
      r.auditEvents(ctx, {
        page: query.page, pageSize: query.page_size, action: query.action, resourceType: query.resource_type,
        resourceId: query.resource_id, userId: query.user_id, from: query.from, to: query.to,
      }),
    map: pageOf(mapAuditEvent),
  }),
];
