import { Migration } from '@mikro-orm/migrations';

/**
 * The delivery engine's tables: one row per notification (event, alert, target, policy, severity;
 * `dedupe_key` unique, written before its job) and the escalation step claims (unique per alert and
 * policy). A delivery goes with its channel; one of a push subscription that is removed keeps its
 * history with the target cleared. `payload` is `json`, not `jsonb`: the body keeps the key order it
 * was written in (`event` first), the same bytes on every try.
 */
export class Migration20261130000100_notification_deliveries extends Migration {
  override name = 'Migration20261130000100_notification_deliveries';

  override up(): void {
    this.addSql(`create table "notification_deliveries" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "event" varchar(20) not null check ("event" in ('alert.triggered', 'alert.escalated')),
      "alert_id" uuid not null references "alerts" ("id") on delete cascade,
      "channel_id" uuid null references "notification_channels" ("id") on delete cascade,
      "push_subscription_id" uuid null references "push_subscriptions" ("id") on delete set null,
      "policy_id" uuid null references "escalation_policies" ("id") on delete set null,
      "severity" varchar(10) not null,
      "dedupe_key" text not null,
      "status" varchar(10) not null default 'pending' check ("status" in ('pending', 'retrying', 'delivered', 'suppressed', 'dead')),
      "attempts" int not null default 0,
      "next_attempt_at" timestamptz null,
      "last_status_code" int null,
      "last_error" varchar(1000) null,
      "payload" json not null,
      "locked_until" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "delivered_at" timestamptz null,
      constraint "notification_deliveries_dedupe_key_unique" unique ("dedupe_key")
    );`);
    this.addSql(`create index "notification_deliveries_channel_index" on "notification_deliveries" ("tenant_id", "channel_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "notification_deliveries_alert_index" on "notification_deliveries" ("alert_id");`);
    // the sweep's scan: only rows still owed a try
    this.addSql(`create index "notification_deliveries_open_index" on "notification_deliveries" ("next_attempt_at") where "status" in ('pending', 'retrying');`);

    this.addSql(`create table "escalation_steps" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "alert_id" uuid not null references "alerts" ("id") on delete cascade,
      "policy_id" uuid not null references "escalation_policies" ("id") on delete cascade,
      "severity" varchar(10) not null,
      "delivery_id" uuid not null,
      "fired_at" timestamptz not null default now(),
      constraint "escalation_steps_alert_policy_unique" unique ("alert_id", "policy_id")
    );`);
    this.addSql(`create index "escalation_steps_policy_index" on "escalation_steps" ("policy_id");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "escalation_steps" cascade;`);
    this.addSql(`drop table if exists "notification_deliveries" cascade;`);
  }
}
