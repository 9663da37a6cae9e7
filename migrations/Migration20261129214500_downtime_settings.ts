import { Migration } from '@mikro-orm/migrations';

/**
 * Per-tenant downtime settings (automatic downtime on machine outages, off by default). A tenant
 * without a row has the defaults; `auto_enabled_at` is when the switch was last turned on, so the
 * reconciler only opens records for outages that began while it was on.
 */
export class Migration20261129214500_downtime_settings extends Migration {
  override name = 'Migration20261129214500_downtime_settings';

  override up(): void {
    this.addSql(`create table "downtime_settings" (
      "tenant_id" uuid primary key references "tenants" ("id") on delete cascade deferrable initially deferred,
      "auto_downtime_enabled" boolean not null default false,
      "auto_enabled_at" timestamptz null,
      "updated_by" uuid null,
      "updated_at" timestamptz not null default now()
    );`);
    this.addSql(`create index "downtime_settings_auto_enabled_index" on "downtime_settings" ("tenant_id") where "auto_downtime_enabled";`);
  }

  override down(): void {
    this.addSql(`drop table if exists "downtime_settings" cascade;`);
  }
}
