import type { Database } from '../infra/database.js';
import type { JobRunner } from '../infra/jobs.js';

export const PURGE_JOB = 'auth.purge-expired';

/** Housekeeping: expired refresh sessions and revocation rows are dead weight; drop them hourly. */
export function registerAuthJobs(jobs: JobRunner, db: Database): void {
  jobs.register(PURGE_JOB, async () => {
    const conn = db.em().getConnection();
    await conn.execute(`delete from refresh_sessions where expires_at < now() - interval '1 day'`);
    await conn.execute(`delete from token_revocations where expires_at < now()`);
  });
}

export async function scheduleAuthJobs(jobs: JobRunner): Promise<void> {
  await jobs.every(PURGE_JOB, PURGE_JOB, {}, 60 * 60 * 1000);
}
