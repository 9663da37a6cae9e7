import type { Server as HttpServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Container } from '../src/app/container.js';
import type { RequestContext } from '../src/common/context.js';
import { DomainError } from '../src/common/errors.js';
import { contextOf } from '../src/server/request-context.js';
import type { SubscriptionContext } from './audit.resolver.js';
import { formatGraphqlError } from './graphql-errors.js';

export interface GraphqlDoor {
  /** express handler for POST/GET /graphql (after express.json) */
  http: RequestHandler;
  /** the graphql-ws server; upgrades on /graphql are routed to it */
  ws: WebSocketServer;
  stop(): Promise<void>;
}

function headerFrom(params: Record<string, unknown> | undefined, ...names: string[]): string | undefined {
  if (!params) return undefined;
  for (const n of names) {
    for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === n && typeof v === 'string') return v;
  }
  const headers = params.headers;
  if (headers && typeof headers === 'object') return headerFrom(headers as Record<string, unknown>, ...names);
  return undefined;
}

/** Apollo Server at /graphql and graphql-ws subscriptions on the same path, authenticated in connection_init. */
export async function createGraphqlDoor(c: Container, schema: GraphQLSchema, httpServer: HttpServer): Promise<GraphqlDoor> {
  const ws = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const formatWsError = formatGraphqlError(c.log);
  const wsCleanup = useServer<Record<string, unknown>, { ctx?: RequestContext }>(
    {
      schema,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (wsCtx) => {
        const params = wsCtx.connectionParams;
        const auth = headerFrom(params, 'authorization', 'token', 'access_token');
        const apiKey = headerFrom(params, 'x-api-key', 'apikey', 'api_key');
        const req = wsCtx.extra.request;
        const ctx: RequestContext = { requestId: randomUUID(), ip: req.socket.remoteAddress, log: c.log };
        try {
          if (auth) ctx.principal = await c.authenticator.fromBearer(auth.replace(/^Bearer\s+/i, ''));
          else if (apiKey) ctx.principal = await c.authenticator.fromApiKey(apiKey);
          else return false;
        } catch (err) {
          if (err instanceof DomainError) return false;
          throw err;
        }
        wsCtx.extra.ctx = ctx;
        return true;
      },
      context: (wsCtx): SubscriptionContext => ({ ...(wsCtx.extra.ctx as RequestContext), bus: c.bus }),
      // Same error shape as over HTTP (extensions.code, masked internals); Apollo's formatError does not run here.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              errors: result.errors.map((e) => {
                const json = e.toJSON();
                return formatWsError({ ...json, extensions: { code: 'INTERNAL_SERVER_ERROR', ...json.extensions } }, e);
              }),
            }
          : undefined,
    },
    ws,
  );
  const apollo = new ApolloServer<SubscriptionContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // rest/main.ts owns SIGTERM/SIGINT. Apollo's own handler would call stop() concurrently with ours, and
    // Apollo 5 never releases a second concurrent stop() call: the process then hangs on shutdown.
    stopOnTerminationSignals: false,
    introspection: true,
    formatError: formatGraphqlError(c.log),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No type or field carries a cache hint (and defaultMaxAge is 0), so Apollo's built-in cache-control
      // plugin can only ever answer `cache-control: no-store`, at the price of a hook around every resolved
      // field (~10% of the CPU of a 100-item page). Same header, without the per-field hook.
      ApolloServerPluginCacheControlDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response }) {
              response.http.headers.set('cache-control', 'no-store');
            },
          };
        },
      },
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();
  const http = expressMiddleware(apollo, {
    context: async ({ req }) => ({ ...contextOf(req), bus: c.bus }),
  });
  return {
    http,
    ws,
    async stop() {
      await apollo.stop();
    },
  };
}
