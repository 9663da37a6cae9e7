import { Migration } from '@mikro-orm/migrations';

/** Alert rules, alerts (at most one active per rule and machine) and alert comments. */
export class Migration20261129100000_alerts extends Migration {
  override name = 'Migration20261129100000_alerts';

  override up(): void {
    this.addSql(`create table "alert_rules" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(200) not null,
      "machine_id" uuid null references "machines" ("id") on delete cascade deferrable initially deferred,
      "group_id" uuid null references "machine_groups" ("id") on delete cascade deferrable initially deferred,
      "metric_name" varchar(255) null,
      "operator" varchar(2) null check ("operator" in ('>','>=','<','<=','==','!=')),
      "warning_threshold" double precision null,
      "critical_threshold" double precision null,
      "duration_seconds" integer not null default 0,
      "deadband" double precision not null default 0,
      "conditions" jsonb null,
      "logic" varchar(3) null check ("logic" in ('and','or')),
      "severity" varchar(10) null check ("severity" in ('info','warning','critical')),
      "window_seconds" integer null,
      "is_enabled" boolean not null default true,
      "message_template" varchar(1000) not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      check ("machine_id" is null or "group_id" is null)
    );`);
    this.addSql(`create index "alert_rules_tenant_created_index" on "alert_rules" ("tenant_id", "created_at");`);
    // the engine loads a tenant's enabled rules; the list filters by scope and metric
    this.addSql(`create index "alert_rules_tenant_enabled_index" on "alert_rules" ("tenant_id") where "is_enabled";`);
    this.addSql(`create index "alert_rules_machine_index" on "alert_rules" ("machine_id") where "machine_id" is not null;`);
    this.addSql(`create index "alert_rules_group_index" on "alert_rules" ("group_id") where "group_id" is not null;`);
    this.addSql(`create index "alert_rules_tenant_metric_index" on "alert_rules" ("tenant_id", "metric_name");`);

    this.addSql(`create table "alerts" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "rule_id" uuid null references "alert_rules" ("id") on delete set null deferrable initially deferred,
      "machine_id" uuid not null references "machines" ("id") on delete cascade deferrable initially deferred,
      "severity" varchar(10) not null check ("severity" in ('info','warning','critical')),
      "status" varchar(10) not null default 'active' check ("status" in ('active','resolved')),
      "message" varchar(2000) not null,
      "metric_name" varchar(255) not null,
      "metric_value" double precision not null,
      "threshold_value" double precision not null,
      "is_acknowledged" boolean not null default false,
      "acknowledged_by" uuid null,
      "acknowledged_at" timestamptz null,
      "snoozed_until" timestamptz null,
      "resolved_at" timestamptz null,
      "resolution" varchar(20) null check ("resolution" in ('normal','rule_disabled','rule_deleted')),
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    // The dedup rule itself: concurrent batches on several processes can only ever open one.
    this.addSql(`create unique index "alerts_active_rule_machine_unique" on "alerts" ("rule_id", "machine_id") where "status" = 'active';`);
    this.addSql(`create index "alerts_tenant_created_index" on "alerts" ("tenant_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "alerts_tenant_machine_created_index" on "alerts" ("tenant_id", "machine_id", "created_at" desc);`);
    this.addSql(`create index "alerts_tenant_severity_created_index" on "alerts" ("tenant_id", "severity", "created_at" desc);`);
    // stats, machine status and fleet counts read active alerts only
    this.addSql(`create index "alerts_active_machine_index" on "alerts" ("tenant_id", "machine_id", "severity") where "status" = 'active';`);

    this.addSql(`create table "alert_comments" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "alert_id" uuid not null references "alerts" ("id") on delete cascade deferrable initially deferred,
      "user_id" uuid not null,
      "body" text not null,
      "created_at" timestamptz not null
    );`);
    this.addSql(`create index "alert_comments_alert_created_index" on "alert_comments" ("alert_id", "created_at", "id");`);
  }

  override down(): void {
    for (const t of ['alert_comments', 'alerts', 'alert_rules']) this.addSql(`drop table if exists "${t}" cascade;`);
  }
}
