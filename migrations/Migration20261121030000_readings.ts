import { Migration } from '@mikro-orm/migrations';

/**
 * Readings in PostgreSQL (the embedded default and small sites; production uses InfluxDB).
 * One row per (tenant, machine, metric, timestamp): a resent reading overwrites. reading_latest
 * keeps the newest value per metric so "latest" never scans history.
 */
export class Migration20261121030000_readings extends Migration {
  override name = 'Migration20261121030000_readings';

  override up(): void {
    this.addSql(`create table "readings" (
      "tenant_id" uuid not null,
      "machine_id" uuid not null,
      "metric" varchar(255) not null,
      "ts" timestamptz not null,
      "value" double precision not null,
      "unit" varchar(64) not null,
      "raw_tag" varchar(255) null,
      primary key ("tenant_id", "machine_id", "metric", "ts")
    );`);
    this.addSql(`create table "reading_latest" (
      "tenant_id" uuid not null,
      "machine_id" uuid not null,
      "metric" varchar(255) not null,
      "ts" timestamptz not null,
      "value" double precision not null,
      "unit" varchar(64) not null,
      "raw_tag" varchar(255) null,
      primary key ("tenant_id", "machine_id", "metric")
    );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "reading_latest";`);
    this.addSql(`drop table if exists "readings";`);
  }
}
