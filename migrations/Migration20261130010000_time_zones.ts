import { Migration } from '@mikro-orm/migrations';

/**
 * Local time (issue 15): the tenant's IANA zone (UTC until an admin sets one) and an optional zone
 * of a `site` group, which its machines use instead. Names are validated by the service (Luxon and
 * PostgreSQL must both know them); the check keeps zones on sites only, whoever writes the row.
 */
export class Migration20261130010000_time_zones extends Migration {
  override name = 'Migration20261130010000_time_zones';

  override up(): void {
    this.addSql(`alter table "tenants" add column "time_zone" varchar(64) not null default 'UTC';`);
    this.addSql(`alter table "machine_groups" add column "time_zone" varchar(64) null;`);
    this.addSql(`alter table "machine_groups" add constraint "machine_groups_time_zone_site_check"
      check ("time_zone" is null or "group_type" = 'site');`);
  }

  override down(): void {
    this.addSql(`alter table "machine_groups" drop constraint if exists "machine_groups_time_zone_site_check";`);
    this.addSql(`alter table "machine_groups" drop column if exists "time_zone";`);
    this.addSql(`alter table "tenants" drop column if exists "time_zone";`);
  }
}
