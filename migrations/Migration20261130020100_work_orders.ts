import { Migration } from '@mikro-orm/migrations';

/** Work orders (with their links to an alert, a downtime record, a maintenance event) and their comments. */
export class Migration20261130020100_work_orders extends Migration {
  override name = 'Migration20261130020100_work_orders';

  override up(): void {
    // maintenance_event_id has no foreign key: deleting a scheduled event keeps the id an order
    // recorded (sign-offs hash the links; a signed order must not change under them)
    this.addSql(`create table "work_orders" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "machine_id" uuid not null references "machines" ("id") on delete cascade deferrable initially deferred,
      "title" varchar(200) not null,
      "description" text null,
      "priority" varchar(10) not null default 'medium' check ("priority" in ('low','medium','high','critical')),
      "status" varchar(12) not null default 'open' check ("status" in ('open','in_progress','completed','cancelled')),
      "assigned_to" uuid null references "users" ("id") on delete set null deferrable initially deferred,
      "created_by" uuid null references "users" ("id") on delete set null deferrable initially deferred,
      "alert_id" uuid null references "alerts" ("id") on delete set null deferrable initially deferred,
      "downtime_record_id" uuid null references "downtime_records" ("id") on delete set null deferrable initially deferred,
      "maintenance_event_id" uuid null,
      "started_at" timestamptz null,
      "completed_at" timestamptz null,
      "cancelled_at" timestamptz null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    // the list: newest first, optionally by machine, status or assignee
    this.addSql(`create index "work_orders_tenant_created_index" on "work_orders" ("tenant_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "work_orders_machine_created_index" on "work_orders" ("machine_id", "created_at" desc);`);
    this.addSql(`create index "work_orders_tenant_status_created_index" on "work_orders" ("tenant_id", "status", "created_at" desc);`);
    this.addSql(`create index "work_orders_assigned_index" on "work_orders" ("assigned_to") where "assigned_to" is not null;`);
    // the foreign keys' other side (set null on delete), and "work orders of this alert/event"
    this.addSql(`create index "work_orders_alert_index" on "work_orders" ("alert_id") where "alert_id" is not null;`);
    this.addSql(`create index "work_orders_downtime_index" on "work_orders" ("downtime_record_id") where "downtime_record_id" is not null;`);
    this.addSql(`create index "work_orders_maintenance_event_index" on "work_orders" ("maintenance_event_id") where "maintenance_event_id" is not null;`);

    this.addSql(`create table "work_order_comments" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "work_order_id" uuid not null references "work_orders" ("id") on delete cascade deferrable initially deferred,
      "user_id" uuid not null,
      "body" text not null,
      "created_at" timestamptz not null
    );`);
    this.addSql(`create index "work_order_comments_order_created_index" on "work_order_comments" ("work_order_id", "created_at", "id");`);
  }

  override down(): void {
    for (const t of ['work_order_comments', 'work_orders']) this.addSql(`drop table if exists "${t}" cascade;`);
  }
}
