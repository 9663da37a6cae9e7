import { Migration } from '@mikro-orm/migrations';

/** Direct-ingestion sources (OPC-UA / Modbus devices the platform polls), their health and the poller's lease. */
export class Migration20261129221000_ingest_sources extends Migration {
  override name = 'Migration20261129221000_ingest_sources';

  override up(): void {
    this.addSql(`create table "ingest_sources" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade deferrable initially deferred,
      "machine_id" uuid not null references "machines" ("id") on delete cascade deferrable initially deferred,
      "name" varchar(255) not null,
      "protocol" varchar(16) not null check ("protocol" in ('opcua','modbus')),
      "host" varchar(255) not null,
      "port" integer not null check ("port" between 1 and 65535),
      "poll_interval_seconds" integer not null check ("poll_interval_seconds" >= 1),
      "is_active" boolean not null,
      "config" jsonb not null,
      "secret" text null,
      "state" varchar(16) not null default 'pending' check ("state" in ('pending','ok','degraded','failing','disabled')),
      "last_poll_at" timestamptz null,
      "last_success_at" timestamptz null,
      "last_error" text null,
      "consecutive_failures" integer not null default 0,
      "point_status" jsonb not null default '[]',
      "lease_owner" varchar(64) null,
      "lease_until" timestamptz null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create index "ingest_sources_tenant_machine_index" on "ingest_sources" ("tenant_id", "machine_id");`);
    this.addSql(`create index "ingest_sources_tenant_created_index" on "ingest_sources" ("tenant_id", "created_at" desc, "id" desc);`);
    // the poller claims due active sources by lease expiry
    this.addSql(`create index "ingest_sources_active_lease_index" on "ingest_sources" ("lease_until") where "is_active";`);
  }

  override down(): void {
    this.addSql(`drop table if exists "ingest_sources" cascade;`);
  }
}
