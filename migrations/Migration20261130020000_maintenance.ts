import { Migration } from '@mikro-orm/migrations';

/**
 * Maintenance events of machines. The links to an alert and a downtime record are cleared when
 * those go (with their machine); the checks repeat the service's rules for any other writer.
 */
export class Migration20261130020000_maintenance extends Migration {
  override name = 'Migration20261130020000_maintenance';

  override up(): void {
    this.addSql(`create table "maintenance_events" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "machine_id" uuid not null references "machines" ("id") on delete cascade deferrable initially deferred,
      "title" varchar(200) not null,
      "description" varchar(5000) null,
      "type" varchar(20) not null default 'preventive' check ("type" in ('preventive','corrective','predictive','inspection')),
      "status" varchar(20) not null default 'scheduled' check ("status" in ('scheduled','in_progress','completed','cancelled')),
      "scheduled_start" timestamptz not null,
      "scheduled_end" timestamptz not null,
      "actual_start" timestamptz null,
      "actual_end" timestamptz null,
      "creates_downtime" boolean not null default false,
      "downtime_record_id" uuid null references "downtime_records" ("id") on delete set null deferrable initially deferred,
      "alert_id" uuid null references "alerts" ("id") on delete set null deferrable initially deferred,
      "created_by" uuid null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      check ("scheduled_end" >= "scheduled_start"),
      check ("actual_end" is null or "actual_start" is null or "actual_end" >= "actual_start")
    );`);
    // the list, newest first, per tenant and per machine
    this.addSql(`create index "maintenance_events_tenant_start_index" on "maintenance_events" ("tenant_id", "scheduled_start" desc, "id" desc);`);
    this.addSql(`create index "maintenance_events_tenant_machine_start_index" on "maintenance_events" ("tenant_id", "machine_id", "scheduled_start" desc);`);
    // the foreign keys' set null on delete looks rows up by these
    this.addSql(`create index "maintenance_events_downtime_index" on "maintenance_events" ("downtime_record_id") where "downtime_record_id" is not null;`);
    this.addSql(`create index "maintenance_events_alert_index" on "maintenance_events" ("alert_id") where "alert_id" is not null;`);
  }

  override down(): void {
    this.addSql(`drop table if exists "maintenance_events" cascade;`);
  }
}
