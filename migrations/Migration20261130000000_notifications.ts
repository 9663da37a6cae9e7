import { Migration } from '@mikro-orm/migrations';

/** Notification channels, escalation policies, web push subscriptions and the installation's VAPID key pair. */
export class Migration20261130000000_notifications extends Migration {
  override name = 'Migration20261130000000_notifications';

  override up(): void {
    this.addSql(`create table "notification_channels" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(200) not null,
      "type" varchar(20) not null check ("type" in ('email','slack','teams','webhook')),
      "config" jsonb not null,
      "secrets" text null,
      "min_severity" varchar(10) not null default 'info' check ("min_severity" in ('info','warning','critical')),
      "is_active" boolean not null default true,
      "signing_secret" text null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create index "notification_channels_tenant_created_index" on "notification_channels" ("tenant_id", "created_at", "id");`);

    this.addSql(`create table "escalation_policies" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(200) not null,
      "severity" varchar(10) not null check ("severity" in ('info','warning','critical')),
      "wait_minutes" integer not null check ("wait_minutes" between 1 and 1440),
      "channel_id" uuid not null references "notification_channels" ("id") on delete restrict,
      "is_active" boolean not null default true,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create index "escalation_policies_tenant_severity_index" on "escalation_policies" ("tenant_id", "severity", "wait_minutes");`);
    this.addSql(`create index "escalation_policies_channel_index" on "escalation_policies" ("channel_id");`);

    this.addSql(`create table "push_subscriptions" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "user_id" uuid not null references "users" ("id") on delete cascade deferrable initially deferred,
      "endpoint" text not null,
      "p256dh" text not null,
      "auth" text not null,
      "min_severity" varchar(10) not null default 'warning' check ("min_severity" in ('info','warning','critical')),
      "created_at" timestamptz not null,
      constraint "push_subscriptions_tenant_endpoint_unique" unique ("tenant_id", "endpoint")
    );`);
    this.addSql(`create index "push_subscriptions_user_index" on "push_subscriptions" ("user_id");`);

    // one row per installation: every process serves and signs with the same pair
    this.addSql(`create table "vapid_keys" (
      "id" smallint primary key check ("id" = 1),
      "public_key" text not null,
      "private_key" text not null,
      "created_at" timestamptz not null default now()
    );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "vapid_keys" cascade;`);
    this.addSql(`drop table if exists "push_subscriptions" cascade;`);
    this.addSql(`drop table if exists "escalation_policies" cascade;`);
    this.addSql(`drop table if exists "notification_channels" cascade;`);
  }
}
