import { Migration } from '@mikro-orm/migrations';

/** Edge agents as their heartbeats describe them: one row per API key, removed with the key. */
export class Migration20261129220000_agents extends Migration {
  override name = 'Migration20261129220000_agents';

  override up(): void {
    this.addSql(`create table "agents" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "api_key_id" uuid not null references "api_keys" ("id") on delete cascade deferrable initially deferred,
      "hostname" varchar(255) null,
      "agent_version" varchar(64) null,
      "remote_address" varchar(64) null,
      "buffered_count" bigint null,
      "dropped_count" bigint null,
      "sources_total" integer null,
      "sources" jsonb null,
      "heartbeat_count" bigint not null default 0,
      "first_seen_at" timestamptz not null,
      "last_seen_at" timestamptz not null
    );`);
    this.addSql(`create unique index "agents_api_key_id_unique" on "agents" ("api_key_id");`);
    this.addSql(`create index "agents_tenant_last_seen_index" on "agents" ("tenant_id", "last_seen_at" desc, "id" desc);`);
  }

  override down(): void {
    this.addSql(`drop table if exists "agents";`);
  }
}
