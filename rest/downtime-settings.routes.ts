import { z } from 'zod';
import { DowntimeSettingsResolver } from '../resolvers/downtime-settings.resolver.js';
import type { DowntimeSettings } from '../schema/downtime-settings.type.js';
import { iso, isoInstant, mapper, shape } from './mappers.js';
import { route } from './route.js';

const DowntimeSettingsShape = shape(
  'DowntimeSettings',
  z.object({
    tenant_id: z.uuid(),
    auto_downtime_enabled: z.boolean().meta({
      description: 'when true, a machine going offline opens an unplanned record (reason code AUTO_OFFLINE) starting at its last reading; readings coming back end it',
    }),
    auto_enabled_at: isoInstant().nullable(),
    updated_at: isoInstant().nullable(),
    updated_by: z.uuid().nullable(),
  }),
);

const mapDowntimeSettings = mapper(DowntimeSettingsShape, (s: DowntimeSettings) => ({
  tenant_id: s.tenantId,
  auto_downtime_enabled: s.autoDowntimeEnabled,
  auto_enabled_at: iso(s.autoEnabledAt),
  updated_at: iso(s.updatedAt),
  updated_by: s.updatedBy,
}));

/** Not in the reference docs: the tenant setting of automatic downtime (docs/decisions.md, "Automatic downtime"). */
export const downtimeSettingsRoutes = [
  route({
    method: 'GET', path: '/settings/downtime', tag: 'Settings', summary: "The tenant's downtime settings (automatic downtime)",
    resolver: DowntimeSettingsResolver, operation: 'downtimeSettings',
    call: (r, ctx) => r.downtimeSettings(ctx),
    map: mapDowntimeSettings,
  }),
  route({
    method: 'PUT', path: '/settings/downtime', tag: 'Settings', summary: "Changes the tenant's downtime settings (admin)",
    resolver: DowntimeSettingsResolver, operation: 'updateDowntimeSettings',
    body: z.object({ auto_downtime_enabled: z.boolean() }),
    call: (r, ctx, { body }) => r.updateDowntimeSettings(ctx, { autoDowntimeEnabled: body.auto_downtime_enabled }),
    map: mapDowntimeSettings,
  }),
];
