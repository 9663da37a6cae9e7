import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { User } from './user.entity.js';
import { UserService } from './user.service.js';
import { USER_ERROR_CODES } from './user.errors.js';

export const usersModule = defineModule({
  name: 'users',
  entities: [User],
  services: ({ db, config, store }, { audit }: { audit: AuditService }) => ({ users: new UserService(db, config, store, audit) }),
  topics: [],
  feeds: [],
  errors: USER_ERROR_CODES,
});
