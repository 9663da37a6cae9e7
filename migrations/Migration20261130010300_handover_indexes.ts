import { Migration } from '@mikro-orm/migrations';

/**
 * The shift handover's alerts: those open at some time of a 24 h window. The ones created inside
 * it come from alerts_tenant_machine_created_index; this one finds those created earlier that were
 * still unresolved at its start (resolved_at null, or at or after the start) without reading every
 * older alert of the machine. Nulls are in a plain btree, so one index serves both.
 */
export class Migration20261130010300_handover_indexes extends Migration {
  override name = 'Migration20261130010300_handover_indexes';

  override up(): void {
    this.addSql(`create index "alerts_tenant_machine_resolved_index" on "alerts" ("tenant_id", "machine_id", "resolved_at");`);
  }

  override down(): void {
    this.addSql(`drop index if exists "alerts_tenant_machine_resolved_index";`);
  }
}
