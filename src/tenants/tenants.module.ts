import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { Tenant } from './tenant.entity.js';
import { TENANT_ERROR_CODES } from './tenant.errors.js';
import { TenantSettingsService } from './tenant-settings.service.js';
import { TenantService } from './tenant.service.js';

export const tenantsModule = defineModule({
  name: 'tenants',
  entities: [Tenant],
  // after audit: settings changes are audited
  services: ({ db }, { audit }: { audit: AuditService }) => ({ tenants: new TenantService(db), tenantSettings: new TenantSettingsService(db, audit) }),
  topics: [],
  feeds: [],
  errors: TENANT_ERROR_CODES,
});
