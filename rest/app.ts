import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import { createContainer, type Container } from '../src/app/container.js';
import type { AppConfig } from '../src/config/config.js';
import { createDashboardSocket, type DashboardSocket } from '../src/server/dashboard-ws.js';
import { checkReadiness } from '../src/server/health.js';
import { Metrics } from '../src/server/metrics.js';
import { authenticate, rateLimit, requestContext } from '../src/server/middleware.js';
import { createGraphqlDoor, type GraphqlDoor } from '../resolvers/graphql-server.js';
import { createResolvers } from '../resolvers/index.js';
import { buildAppSchema } from '../resolvers/schema.js';
import { restErrorHandler } from './errors.js';
import { refuseInvalidUtf8 } from './body-encoding.js';
import { ingestBody } from './ingest-body.js';
import { mountGraphiql } from './graphiql.js';
import { buildOpenApi, docsInitScript, docsPage } from './openapi.js';
import { buildRestRouter } from './router.js';
import { ROUTES } from './routes.js';

const require = createRequire(import.meta.url);
const VERSION = '0.1.0';

export interface RunningApp {
  container: Container;
  server: Server;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Upgrade requests are routed by path; each WebSocket door registers here. */
export type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** Builds the whole HTTP application on an existing container (both doors, health, metrics, docs). */
export async function buildApp(c: Container): Promise<{ app: express.Express; server: Server; graphql: GraphqlDoor; dashboard: DashboardSocket; upgrades: UpgradeRoute[] }> {
  const metrics = new Metrics();
  metrics.watchSourcePoller(c.services.sourcePoller);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', c.config.trustProxy);
  app.set('etag', false);
  const server = createServer(app);
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 5_000;

  app.use(requestContext(c.log, metrics, c.config.cookieSecure));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const r = await checkReadiness(c);
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  const resolvers = createResolvers(c);
  const schema = await buildAppSchema(resolvers, c.bus);
  const graphql = await createGraphqlDoor(c, schema, server);

  // strict: false lets any valid JSON through ("null", 42, "text"), so a body of the wrong type is a 422, not a "malformed" 400.
  const jsonBody = express.json({ strict: false, limit: c.config.bodyLimitBytes, type: ['application/json', 'application/*+json'], verify: refuseInvalidUtf8 });
  // A browser navigating to /graphql gets the GraphiQL explorer (public, outside the rate limit like the docs);
  // API requests, including GETs refused by Apollo's CSRF prevention, go on to Apollo.
  mountGraphiql(app, '/graphql', '/graphiql/assets');
  app.use('/graphql', authenticate(c), rateLimit(c), jsonBody, graphql.http);

  // Reference docs and the OpenAPI document are public and outside the rate limit.
  const openapi = buildOpenApi(ROUTES, { version: VERSION });
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  app.get('/api/v1/docs', (_req, res) => {
    res.type('html').send(docsPage('/api/v1/docs/assets', '/api/v1/openapi.json'));
  });
  app.get('/api/v1/docs/assets/docs-init.js', (_req, res) => {
    res.type('application/javascript').send(docsInitScript('/api/v1/openapi.json'));
  });
  app.use('/api/v1/docs/assets', express.static(assets, { index: false, maxAge: '1d' }));

  const api = express.Router();
  // Ingestion takes bodies up to 10 MB and NaN/Infinity tokens (rejected per reading, not per batch).
  api.use(authenticate(c), rateLimit(c));
  api.post('/ingest', ingestBody(c.config.ingestBodyLimitBytes));
  api.use(jsonBody);
  api.use(buildRestRouter(ROUTES, (cls) => resolvers.get(cls)));
  api.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });
  app.use('/api/v1', api);
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });
  app.use(restErrorHandler);

  const dashboard = createDashboardSocket(c);
  const upgrades: UpgradeRoute[] = [
    (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/graphql') return false;
      graphql.handleUpgrade(req, socket, head);
      return true;
    },
    (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/v1/ws/dashboard') return false;
      dashboard.handleUpgrade(req, socket, head);
      return true;
    },
  ];
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!upgrades.some((u) => u(req, socket, head))) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });
  return { app, server, graphql, dashboard, upgrades };
}

/** Starts the application: storage, migrations, both doors; stop() drains and closes everything. */
export async function startApp(config: AppConfig, log: Logger): Promise<RunningApp> {
  const container = await createContainer(config, log);
  let built: Awaited<ReturnType<typeof buildApp>>;
  try {
    built = await buildApp(container);
  } catch (err) {
    await container.close();
    throw err;
  }
  const { server, graphql, dashboard } = built;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    container,
    server,
    url,
    port,
    stop() {
      stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish, then cut what is left at the deadline.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const client of graphql.ws.clients) client.close(1001, 'Server shutting down');
        const dashboardClosed = dashboard.close();
        const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
        deadline.unref();
        await graphql.stop();
        await dashboardClosed;
        await closed;
        clearTimeout(deadline);
        await container.close();
      })();
      return stopping;
    },
  };
}
