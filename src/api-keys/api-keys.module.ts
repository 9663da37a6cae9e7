import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeyService } from './api-key.service.js';
import { API_KEY_ERROR_CODES } from './api-key.errors.js';

export const apiKeysModule = defineModule({
  name: 'api-keys',
  entities: [ApiKey],
  services: ({ db }, { audit }: { audit: AuditService }) => ({ apiKeys: new ApiKeyService(db, audit) }),
  topics: [],
  feeds: [],
  errors: API_KEY_ERROR_CODES,
});
