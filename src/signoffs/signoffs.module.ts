import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { signoffKeyRing } from './signoff-keys.js';
import { Signoff } from './signoff.entity.js';
import { SIGNOFF_ERROR_CODES } from './signoff.errors.js';
import { SignoffService, type SignableWorkOrders, type WorkOrderParts } from './signoff.service.js';

export const signoffsModule = defineModule({
  name: 'signoffs',
  entities: [Signoff],
  services: (
    { db, bus, config, log },
    { audit, auth, workOrders, inventory }: { audit: AuditService; auth: AuthService; workOrders: SignableWorkOrders; inventory: WorkOrderParts },
  ) => ({
    // the keys are read once at startup: SIGNOFF_KEYS, or the generated key file (with a warning)
    signoffs: new SignoffService(db, bus, audit, auth, workOrders, inventory, signoffKeyRing({ keys: config.signoffs.keys, dataDir: config.dataDir }, log)),
  }),
  topics: ['signoffRecorded'],
  feeds: [],
  errors: SIGNOFF_ERROR_CODES,
});
