import { Migration } from '@mikro-orm/migrations';

/**
 * Shift definitions (templates: a local HH:MM window, tenant-wide or of one site) and shift logs
 * (the shifts actually worked). The partial unique indexes are the cross-process rules: one
 * non-cancelled log per (definition, machine, date) and one active log per machine (a log without a
 * machine stands for its definition's whole scope and counts as that scope's "machine").
 */
export class Migration20261130010200_shifts extends Migration {
  override name = 'Migration20261130010200_shifts';

  override up(): void {
    this.addSql(`create table "shift_definitions" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "site_id" uuid null,
      "name" varchar(100) not null,
      "start_time" varchar(5) not null,
      "end_time" varchar(5) not null,
      "color" varchar(7) not null default '#3B82F6',
      "is_active" boolean not null default true,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      check ("start_time" <> "end_time")
    );`);
    // names are unique within a scope (the tenant, or one site); the nil uuid stands for "tenant-wide"
    this.addSql(`create unique index "shift_definitions_scope_name_unique" on "shift_definitions"
      ("tenant_id", coalesce("site_id", '00000000-0000-0000-0000-000000000000'::uuid), lower("name"));`);

    this.addSql(`create table "shift_logs" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "shift_definition_id" uuid not null references "shift_definitions" ("id") on delete restrict deferrable initially deferred,
      "site_id" uuid null,
      "machine_id" uuid null references "machines" ("id") on delete cascade deferrable initially deferred,
      "date" date not null,
      "planned_start" timestamptz not null,
      "planned_end" timestamptz not null,
      "started_at" timestamptz not null,
      "ended_at" timestamptz null,
      "status" varchar(16) not null default 'active' check ("status" in ('active','completed','cancelled')),
      "supervisor_name" varchar(200) null,
      "supervisor_id" uuid null,
      "notes" varchar(5000) null,
      "handover_notes" varchar(5000) null,
      "total_pieces" integer not null default 0 check ("total_pieces" >= 0),
      "good_pieces" integer not null default 0 check ("good_pieces" >= 0 and "good_pieces" <= "total_pieces"),
      "created_by" uuid null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      check ("planned_end" > "planned_start"),
      check ("ended_at" is null or "ended_at" >= "started_at")
    );`);
    this.addSql(`create unique index "shift_logs_definition_machine_date_unique" on "shift_logs"
      ("shift_definition_id", coalesce("machine_id", '00000000-0000-0000-0000-000000000000'::uuid), "date") where "status" <> 'cancelled';`);
    this.addSql(`create unique index "shift_logs_active_machine_unique" on "shift_logs"
      ("tenant_id", coalesce("machine_id", "site_id", '00000000-0000-0000-0000-000000000000'::uuid)) where "status" = 'active';`);
    this.addSql(`create index "shift_logs_tenant_date_index" on "shift_logs" ("tenant_id", "date" desc, "planned_start" desc);`);
    this.addSql(`create index "shift_logs_machine_date_index" on "shift_logs" ("machine_id", "date") where "machine_id" is not null;`);
    // the auto-complete round reads active logs by planned end
    this.addSql(`create index "shift_logs_active_end_index" on "shift_logs" ("planned_end") where "status" = 'active';`);
  }

  override down(): void {
    this.addSql('drop table if exists "shift_logs";');
    this.addSql('drop table if exists "shift_definitions";');
  }
}
