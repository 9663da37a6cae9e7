import { z } from 'zod';
import { TenantSettingsResolver } from '../resolvers/tenant.resolver.js';
import type { TenantSettings } from '../schema/tenant-settings.type.js';
import { iso, isoInstant, mapper, shape } from './mappers.js';
import { route } from './route.js';
import { v } from './validation.js';
import { TENANT_LIMITS as L } from '../src/tenants/tenant.rules.js';

const TenantSettingsShape = shape(
  'TenantSettings',
  z.object({
    tenant_id: z.uuid(),
    name: z.string(),
    time_zone: z.string().meta({
      description: "IANA zone of local dates, `days` and shift times (machines of a site with a zone use the site's); UTC by default",
    }),
    updated_at: isoInstant(),
  }),
);

const mapTenantSettings = mapper(TenantSettingsShape, (s: TenantSettings) => ({
  tenant_id: s.tenantId,
  name: s.name,
  time_zone: s.timeZone,
  updated_at: iso(s.updatedAt),
}));

/** Not in the reference docs: the tenant's own settings, its time zone first (issue 15). */
export const tenantRoutes = [
  route({
    method: 'GET', path: '/settings/tenant', tag: 'Settings', summary: "The caller's tenant settings (time zone)",
    resolver: TenantSettingsResolver, operation: 'tenantSettings',
    call: (r, ctx) => r.tenantSettings(ctx),
    map: mapTenantSettings,
  }),
  route({
    method: 'PATCH', path: '/settings/tenant', tag: 'Settings', summary: "Changes the caller's tenant settings (admin)",
    resolver: TenantSettingsResolver, operation: 'updateTenantSettings',
    body: z.object({ time_zone: v.str(L.timeZone, 1).optional() }),
    call: (r, ctx, { body }) => r.updateTenantSettings(ctx, { timeZone: body.time_zone }),
    map: mapTenantSettings,
  }),
];
