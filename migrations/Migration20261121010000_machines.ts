import { Migration } from '@mikro-orm/migrations';

/** Machines, machine groups (a tree by parent_id) and group membership. */
export class Migration20261121010000_machines extends Migration {
  override name = 'Migration20261121010000_machines';

  override up(): void {
    this.addSql(`create table "machines" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(200) not null,
      "machine_identifier" varchar(100) not null,
      "protocol" varchar(20) not null check ("protocol" in ('opc_ua','modbus_tcp','csv','json')),
      "location" varchar(500) null,
      "status" varchar(20) not null default 'offline' check ("status" in ('healthy','warning','critical','offline')),
      "is_active" boolean not null default true,
      "last_reading_at" timestamptz null,
      "deleted_at" timestamptz null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    // Identifiers stay reserved after a soft delete: ingestion keys must never silently change owner.
    this.addSql(`create unique index "machines_tenant_identifier_unique" on "machines" ("tenant_id", "machine_identifier");`);
    this.addSql(`create index "machines_tenant_active_name_index" on "machines" ("tenant_id", "is_active", "name");`);
    this.addSql(`create index "machines_tenant_active_created_index" on "machines" ("tenant_id", "is_active", "created_at");`);
    this.addSql(`create table "machine_groups" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(200) not null,
      "group_type" varchar(20) not null check ("group_type" in ('site','line','department','custom')),
      "parent_id" uuid null references "machine_groups" ("id") deferrable initially deferred,
      "description" varchar(1000) null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create index "machine_groups_tenant_index" on "machine_groups" ("tenant_id", "name");`);
    this.addSql(`create index "machine_groups_parent_index" on "machine_groups" ("parent_id");`);
    this.addSql(`create table "machine_group_members" (
      "group_id" uuid not null references "machine_groups" ("id") on delete cascade deferrable initially deferred,
      "machine_id" uuid not null references "machines" ("id") on delete cascade deferrable initially deferred,
      "tenant_id" uuid not null,
      "created_at" timestamptz not null,
      primary key ("group_id", "machine_id")
    );`);
    this.addSql(`create index "machine_group_members_machine_index" on "machine_group_members" ("machine_id");`);
  }

  override down(): void {
    for (const t of ['machine_group_members', 'machine_groups', 'machines']) this.addSql(`drop table if exists "${t}" cascade;`);
  }
}
