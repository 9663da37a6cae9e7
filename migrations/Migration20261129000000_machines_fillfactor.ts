import { Migration } from '@mikro-orm/migrations';

/**
 * Room on every page of `machines` for new row versions, so that rewriting last_reading_at and
 * status (ingestion does it for every machine that reports) is a HOT update: no new entries in the
 * six indexes, two of them trigram GIN indexes. With full pages nearly every such update went to
 * another page and into every index: 1,000 rows took PostgreSQL ~400 ms, with room ~5-20 ms.
 * Half a page fits a new version of each row a single statement rewrites. Existing pages keep their
 * rows until they move (a non-HOT update places the new version on a page filled only to this
 * factor), so the table settles by itself; VACUUM FULL machines applies it at once.
 */
export class Migration20261129000000_machines_fillfactor extends Migration {
  override name = 'Migration20261129000000_machines_fillfactor';

  override up(): void {
    this.addSql(`alter table "machines" set (fillfactor = 50);`);
  }

  override down(): void {
    this.addSql(`alter table "machines" reset (fillfactor);`);
  }
}
