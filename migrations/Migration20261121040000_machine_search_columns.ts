import { Migration } from '@mikro-orm/migrations';

/**
 * Lower-cased copies of `name` and `machine_identifier`, kept by PostgreSQL (stored generated
 * columns), for the machine search. PostgreSQL's ILIKE lower-cases both sides on every comparison;
 * `lower(x) LIKE lower(pattern)` is the same test, and with the lower-cased text stored the recheck
 * of each candidate row is a plain LIKE (about a third of the cost). The trigram indexes move to the
 * new columns; where pg_trgm is unavailable search stays a scan, as before.
 */
export class Migration20261121040000_machine_search_columns extends Migration {
  override name = 'Migration20261121040000_machine_search_columns';

  override up(): void {
    this.addSql(`alter table machines
      add column name_lc text generated always as (lower(name)) stored,
      add column identifier_lc text generated always as (lower(machine_identifier)) stored;`);
    this.addSql(`do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_trgm') then
    create index if not exists machines_name_lc_trgm_index on machines using gin (name_lc gin_trgm_ops) with (fastupdate = off);
    create index if not exists machines_identifier_lc_trgm_index on machines using gin (identifier_lc gin_trgm_ops) with (fastupdate = off);
  end if;
end
$$;`);
    this.addSql(`drop index if exists machines_name_trgm_index;`);
    this.addSql(`drop index if exists machines_identifier_trgm_index;`);
  }

  override down(): void {
    this.addSql(`do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_trgm') then
    create index if not exists machines_name_trgm_index on machines using gin (name gin_trgm_ops) with (fastupdate = off);
    create index if not exists machines_identifier_trgm_index on machines using gin (machine_identifier gin_trgm_ops) with (fastupdate = off);
  end if;
end
$$;`);
    this.addSql(`alter table machines drop column name_lc, drop column identifier_lc;`);
  }
}
