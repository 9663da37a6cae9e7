import { Migration } from '@mikro-orm/migrations';

/** OEE records (one per machine and local day) and the machines' ideal cycle time. */
export class Migration20261130010100_oee extends Migration {
  override name = 'Migration20261130010100_oee';

  override up(): void {
    this.addSql(`alter table "machines" add column "ideal_cycle_time_seconds" double precision null;`);
    this.addSql(`create table "oee_records" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "machine_id" uuid not null references "machines" ("id") on delete cascade deferrable initially deferred,
      "date" date not null,
      "availability" double precision not null check ("availability" between 0 and 100),
      "performance" double precision not null check ("performance" between 0 and 100),
      "quality" double precision not null check ("quality" between 0 and 100),
      "planned_minutes" double precision not null check ("planned_minutes" >= 0),
      "run_minutes" double precision not null check ("run_minutes" >= 0 and "run_minutes" <= "planned_minutes"),
      "total_pieces" integer null check ("total_pieces" >= 0),
      "good_pieces" integer null check ("good_pieces" >= 0 and "good_pieces" <= "total_pieces"),
      "ideal_cycle_time_seconds" double precision null check ("ideal_cycle_time_seconds" > 0),
      "day_minutes" double precision not null,
      "computed_factors" text[] not null default '{}',
      "created_by" uuid null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now()
    );`);
    // the upsert's key, and each machine's records by date (lists, the summary)
    this.addSql(`create unique index "oee_records_machine_date_unique" on "oee_records" ("machine_id", "date");`);
    // the fleet aggregate: a tenant's records of a date range
    this.addSql(`create index "oee_records_tenant_date_index" on "oee_records" ("tenant_id", "date");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "oee_records";`);
    this.addSql(`alter table "machines" drop column if exists "ideal_cycle_time_seconds";`);
  }
}
