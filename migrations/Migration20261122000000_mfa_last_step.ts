import { Migration } from '@mikro-orm/migrations';

/**
 * The newest TOTP time step accepted for the user's current second factor. A code is good for
 * about 90 s (the ±1 step window); remembering the step, rather than the code, refuses a replay
 * of it and of any older code, on every instance, with one conditional update.
 */
export class Migration20261122000000_mfa_last_step extends Migration {
  override name = 'Migration20261122000000_mfa_last_step';

  override up(): void {
    this.addSql(`alter table "users" add column "mfa_last_step" integer null;`);
  }

  override down(): void {
    this.addSql(`alter table "users" drop column "mfa_last_step";`);
  }
}
