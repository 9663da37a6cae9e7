import { Migration } from '@mikro-orm/migrations';

/**
 * Tenants, users, API keys, audit trail, refresh sessions, token revocations, system settings.
 * Foreign keys are deferred: the unit of work may insert rows of unrelated entity classes in any order.
 */
export class Migration20261121000000_foundation extends Migration {
  override name = 'Migration20261121000000_foundation';

  override up(): void {
    this.addSql(`create table "tenants" (
      "id" uuid primary key,
      "name" varchar(200) not null,
      "plan" varchar(20) not null default 'free',
      "subscription_status" varchar(20) not null default 'active',
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create table "users" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "email" varchar(320) not null,
      "password_hash" varchar(255) not null,
      "full_name" varchar(200) not null,
      "role" varchar(20) not null check ("role" in ('admin','operator','viewer')),
      "is_active" boolean not null default true,
      "mfa_enabled" boolean not null default false,
      "mfa_secret" varchar(64) null,
      "mfa_pending_secret" varchar(64) null,
      "onboarding_completed" boolean not null default false,
      "token_version" integer not null default 0,
      "last_login_at" timestamptz null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create unique index "users_email_unique" on "users" ("email");`);
    this.addSql(`create index "users_tenant_id_created_at_index" on "users" ("tenant_id", "created_at");`);
    this.addSql(`create table "api_keys" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(200) not null,
      "key_prefix" varchar(16) not null,
      "key_hash" varchar(64) not null,
      "scopes" jsonb not null,
      "expires_at" timestamptz null,
      "last_used_at" timestamptz null,
      "created_by" uuid null,
      "created_at" timestamptz not null
    );`);
    this.addSql(`create unique index "api_keys_key_hash_unique" on "api_keys" ("key_hash");`);
    this.addSql(`create index "api_keys_tenant_id_created_at_index" on "api_keys" ("tenant_id", "created_at");`);
    this.addSql(`create table "audit_events" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "user_id" uuid null,
      "api_key_id" uuid null,
      "action" varchar(100) not null,
      "resource_type" varchar(100) not null,
      "resource_id" varchar(100) null,
      "details" jsonb not null,
      "ip_address" varchar(64) null,
      "user_agent" varchar(500) null,
      "request_id" varchar(64) null,
      "created_at" timestamptz not null
    );`);
    this.addSql(`create index "audit_events_tenant_created_index" on "audit_events" ("tenant_id", "created_at");`);
    this.addSql(`create index "audit_events_tenant_action_index" on "audit_events" ("tenant_id", "action", "created_at");`);
    this.addSql(`create index "audit_events_tenant_resource_type_index" on "audit_events" ("tenant_id", "resource_type", "created_at");`);
    this.addSql(`create table "refresh_sessions" (
      "id" uuid primary key,
      "user_id" uuid not null references "users" ("id") on delete cascade deferrable initially deferred,
      "tenant_id" uuid not null,
      "current_jti" uuid not null,
      "expires_at" timestamptz not null,
      "revoked_at" timestamptz null,
      "ip_address" varchar(64) null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create index "refresh_sessions_user_id_index" on "refresh_sessions" ("user_id");`);
    this.addSql(`create table "token_revocations" (
      "key" varchar(100) primary key,
      "value" bigint not null,
      "expires_at" timestamptz not null
    );`);
    this.addSql(`create index "token_revocations_expires_at_index" on "token_revocations" ("expires_at");`);
    this.addSql(`create table "system_settings" (
      "key" varchar(100) primary key,
      "value" text not null
    );`);
  }

  override down(): void {
    for (const t of ['system_settings', 'token_revocations', 'refresh_sessions', 'audit_events', 'api_keys', 'users', 'tenants']) {
      this.addSql(`drop table if exists "${t}" cascade;`);
    }
  }
}
