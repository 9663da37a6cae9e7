import { Migration } from '@mikro-orm/migrations';

/**
 * Trigram indexes for the machine search (`name` / `machine_identifier` ILIKE '%term%'), so a search
 * reads only the matching rows instead of every machine of the tenant. Needs the pg_trgm extension:
 * where it cannot be created (PGlite without the extension loaded, a role without the privilege)
 * the migration still succeeds and search stays a scan of the tenant's machines, as before.
 * fastupdate is off: machines are written rarely, and a GIN pending list is only merged by (auto)vacuum,
 * so with vacuum lagging (or absent, as in PGlite) every search would scan the unmerged entries.
 * Deliberately no btree index on status / updated_at: readings rewrite those columns and an index
 * on them would rule out HOT updates.
 */
export class Migration20261121020000_machine_indexes extends Migration {
  override name = 'Migration20261121020000_machine_indexes';

  override up(): void {
    this.addSql(`do $$
begin
  begin
    create extension if not exists pg_trgm;
  exception when others then
    raise notice 'pg_trgm unavailable (%): machine search runs without trigram indexes', sqlerrm;
  end;
  if exists (select 1 from pg_extension where extname = 'pg_trgm') then
    create index if not exists machines_name_trgm_index on machines using gin (name gin_trgm_ops) with (fastupdate = off);
    create index if not exists machines_identifier_trgm_index on machines using gin (machine_identifier gin_trgm_ops) with (fastupdate = off);
  end if;
end
$$;`);
  }

  override down(): void {
    this.addSql(`drop index if exists "machines_name_trgm_index";`);
    this.addSql(`drop index if exists "machines_identifier_trgm_index";`);
  }
}
