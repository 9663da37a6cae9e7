import { defineModule } from '../app/module.js';
import { Tenant } from './tenant.entity.js';
import { TenantService } from './tenant.service.js';

export const tenantsModule = defineModule({
  name: 'tenants',
  entities: [Tenant],
  services: ({ db }) => ({ tenants: new TenantService(db) }),
  topics: [],
  feeds: [],
});
