import { Migration } from '@mikro-orm/migrations';

/**
 * Reason codes (a per-tenant tree) and downtime records: at most one open record per machine
 * (partial unique index); no overlap between a machine's records (writers serialise per machine).
 */
export class Migration20261129200000_downtime extends Migration {
  override name = 'Migration20261129200000_downtime';

  override up(): void {
    this.addSql(`create table "reason_codes" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "code" varchar(50) not null,
      "name" varchar(200) not null,
      "description" varchar(1000) null,
      "category" varchar(20) null check ("category" in ('planned','unplanned','changeover','maintenance')),
      "parent_id" uuid null references "reason_codes" ("id") on delete restrict deferrable initially deferred,
      "is_active" boolean not null default true,
      "is_system" boolean not null default false,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      check ("parent_id" is null or "parent_id" <> "id")
    );`);
    this.addSql(`create unique index "reason_codes_tenant_code_unique" on "reason_codes" ("tenant_id", lower("code"));`);
    this.addSql(`create index "reason_codes_parent_index" on "reason_codes" ("parent_id") where "parent_id" is not null;`);

    this.addSql(`create table "downtime_records" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "machine_id" uuid not null references "machines" ("id") on delete cascade deferrable initially deferred,
      "reason" varchar(500) not null,
      "category" varchar(20) not null check ("category" in ('planned','unplanned','changeover','maintenance')),
      "reason_code_id" uuid null references "reason_codes" ("id") on delete restrict deferrable initially deferred,
      "started_at" timestamptz not null,
      "ended_at" timestamptz null,
      "origin" varchar(16) not null default 'manual' check ("origin" in ('manual','automatic')),
      "created_by" uuid null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "duration_seconds" double precision generated always as (extract(epoch from ("ended_at" - "started_at"))) stored,
      check ("ended_at" is null or "ended_at" >= "started_at")
    );`);
    // the "one open record per machine" rule itself: concurrent writers on several processes cannot break it
    this.addSql(`create unique index "downtime_records_open_machine_unique" on "downtime_records" ("machine_id") where "ended_at" is null;`);
    this.addSql(`create index "downtime_records_tenant_machine_started_index" on "downtime_records" ("tenant_id", "machine_id", "started_at" desc);`);
    // the fleet list, newest first, and its duration sort
    this.addSql(`create index "downtime_records_tenant_started_index" on "downtime_records" ("tenant_id", "started_at" desc, "id" desc);`);
    this.addSql(`create index "downtime_records_tenant_duration_index" on "downtime_records" ("tenant_id", "duration_seconds" desc nulls last, "id" desc);`);
    this.addSql(`create index "downtime_records_reason_code_index" on "downtime_records" ("reason_code_id") where "reason_code_id" is not null;`);
  }

  override down(): void {
    for (const t of ['downtime_records', 'reason_codes']) this.addSql(`drop table if exists "${t}" cascade;`);
  }
}
