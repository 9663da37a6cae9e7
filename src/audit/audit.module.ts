import { defineModule } from '../app/module.js';
import { AuditEvent } from './audit-event.entity.js';
import { AUDIT_TOPIC } from './audit.events.js';
import { AuditService } from './audit.service.js';

export const auditModule = defineModule({
  name: 'audit',
  entities: [AuditEvent],
  services: ({ db, bus }) => ({ audit: new AuditService(db, bus) }),
  topics: [AUDIT_TOPIC],
  feeds: [],
});
