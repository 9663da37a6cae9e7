// Entry point: `npm start`. Checks the runtime before loading anything that needs Node 24.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Haltfree needs Node.js 24 or newer; this is ${process.version}. Run it through npm (npm start), which uses the pinned Node 24 from node_modules.`,
  );
  process.exit(1);
}

const { loadConfig, ConfigError } = await import('../src/config/config.js');
const { createLogger } = await import('../src/app/logger.js');
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const log = createLogger(config.logLevel);
const { startApp } = await import('./app.js');
const app = await startApp(config, log).catch((err: unknown) => {
  log.fatal({ err }, 'start-up failed');
  process.exit(1);
});
const mode = [
  config.database.url ? 'PostgreSQL' : `embedded PostgreSQL (PGlite) in ${config.dataDir}`,
  config.redisUrl ? 'Redis' : 'in-process bus, limiter and jobs',
  config.influx ? 'InfluxDB' : 'readings in PostgreSQL',
].join('; ');
log.info({ url: app.url, mode }, 'listening');
console.log(`Haltfree listening on ${app.url}  (GraphQL and its explorer ${app.url}/graphql, REST ${app.url}/api/v1, docs ${app.url}/api/v1/docs)`);

let shuttingDown = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
