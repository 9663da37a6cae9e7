import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { registerAuthJobs, scheduleAuthJobs } from './auth.jobs.js';
import { AuthService } from './auth.service.js';
import { RefreshSession } from './refresh-session.entity.js';
import { AUTH_ERROR_CODES } from './auth.errors.js';

/**
 * Sign-in, sessions and MFA. The credential checks every door shares (`TokenSigner`,
 * `Authenticator`, the expiring store) are built by the composition root, not here: the HTTP
 * middleware, graphql-ws and the dashboard socket need them whichever modules are listed.
 */
export const authModule = defineModule({
  name: 'auth',
  entities: [RefreshSession],
  services: ({ db, config, signer, authenticator, store, limiter }, { audit }: { audit: AuditService }) => ({
    auth: new AuthService(db, config, signer, authenticator, store, limiter, audit),
  }),
  jobs: {
    register: (jobs, _s, { db }) => registerAuthJobs(jobs, db),
    schedule: (jobs) => scheduleAuthJobs(jobs),
  },
  topics: [],
  feeds: [],
  errors: AUTH_ERROR_CODES,
});
