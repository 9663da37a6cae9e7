// `npm run migrate`: applies pending migrations to the configured (or embedded) database and exits.
import { ConfigError, loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/app/logger.js';
import { openDatabase } from '../src/infra/database.js';

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = await openDatabase({ url: config.database.url, dataDir: config.dataDir, poolMax: 2, embeddedPort: 0, log });
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
