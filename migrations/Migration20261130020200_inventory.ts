import { Migration } from '@mikro-orm/migrations';

/**
 * Spare parts, their categories, the append-only stock ledger and the parts used by work orders.
 * Quantities are numeric (exact); quantity_on_hand never goes negative (a CHECK behind the
 * service's guarded update) and changes only with a ledger entry, so it is always Σ delta.
 */
export class Migration20261130020200_inventory extends Migration {
  override name = 'Migration20261130020200_inventory';

  override up(): void {
    this.addSql(`create table "part_categories" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(100) not null,
      "description" varchar(1000) null,
      "created_at" timestamptz not null default now()
    );`);
    this.addSql(`create unique index "part_categories_tenant_name_unique" on "part_categories" ("tenant_id", lower("name"));`);

    this.addSql(`create table "parts" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "part_number" varchar(100) not null,
      "name" varchar(200) not null,
      "category_id" uuid null references "part_categories" ("id") on delete restrict,
      "quantity_on_hand" numeric(15,3) not null default 0 check ("quantity_on_hand" >= 0),
      "reorder_point" numeric(15,3) not null default 0 check ("reorder_point" >= 0),
      "reorder_quantity" numeric(15,3) not null default 0 check ("reorder_quantity" >= 0),
      "unit_cost" numeric(16,4) null check ("unit_cost" >= 0),
      "unit" varchar(32) not null default 'piece',
      "location" varchar(200) null,
      "supplier" varchar(200) null,
      "manufacturer_part_number" varchar(100) null,
      "archived_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now()
    );`);
    // unique among live parts: archiving a part frees its number
    this.addSql(`create unique index "parts_tenant_number_unique" on "parts" ("tenant_id", lower("part_number")) where "archived_at" is null;`);
    this.addSql(`create index "parts_tenant_number_index" on "parts" ("tenant_id", lower("part_number"), "id") where "archived_at" is null;`);
    this.addSql(`create index "parts_category_index" on "parts" ("category_id") where "category_id" is not null;`);

    this.addSql(`create table "stock_transactions" (
      "id" uuid primary key,
      "seq" bigint generated always as identity,
      "tenant_id" uuid not null references "tenants" ("id") deferrable initially deferred,
      "part_id" uuid not null references "parts" ("id"),
      "type" varchar(16) not null check ("type" in ('receive','consume','adjust','return','transfer')),
      "delta" numeric(15,3) not null,
      "balance_after" numeric(15,3) not null check ("balance_after" >= 0),
      "notes" varchar(1000) null,
      "work_order_id" uuid null,
      "work_order_part_id" uuid null,
      "related_part_id" uuid null,
      "user_id" uuid null,
      "created_at" timestamptz not null default clock_timestamp()
    );`);
    this.addSql(`create index "stock_transactions_part_seq_index" on "stock_transactions" ("part_id", "seq" desc);`);
    // history is evidence: nothing may rewrite or remove it (a database owner could still disable the trigger)
    this.addSql(`create function "stock_transactions_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'stock_transactions is append-only (% refused)', tg_op using errcode = 'P0001';
      end $$;`);
    this.addSql(`create trigger "stock_transactions_append_only" before update or delete on "stock_transactions"
      for each row execute function "stock_transactions_append_only"();`);
    this.addSql(`create trigger "stock_transactions_no_truncate" before truncate on "stock_transactions"
      for each statement execute function "stock_transactions_append_only"();`);

    this.addSql(`create table "work_order_parts" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "work_order_id" uuid not null references "work_orders" ("id") on delete cascade,
      "part_id" uuid not null references "parts" ("id"),
      "quantity" numeric(15,3) not null check ("quantity" > 0),
      "unit_cost" numeric(16,4) null,
      "transaction_id" uuid not null references "stock_transactions" ("id"),
      "created_by" uuid null,
      "created_at" timestamptz not null default clock_timestamp()
    );`);
    this.addSql(`create index "work_order_parts_order_index" on "work_order_parts" ("work_order_id", "created_at", "id");`);
    this.addSql(`create index "work_order_parts_part_index" on "work_order_parts" ("part_id");`);
  }

  override down(): void {
    for (const t of ['work_order_parts', 'stock_transactions', 'parts', 'part_categories']) this.addSql(`drop table if exists "${t}" cascade;`);
    this.addSql(`drop function if exists "stock_transactions_append_only"();`);
  }
}
