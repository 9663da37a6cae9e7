import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Container } from '../src/app/container.js';
import type { RequestContext } from '../src/common/context.js';
import { DomainError } from '../src/common/errors.js';
import { clientIp, DashboardClose } from '../src/server/dashboard-ws.js';
import { contextOf } from '../src/server/request-context.js';
import type { SubscriptionContext } from './audit.resolver.js';
import { formatGraphqlError } from './graphql-errors.js';
import { checkCost, LimitCode, limitError, precheck, withoutSuggestions } from './graphql-limits.js';
import { exceeds, SMALL_NODES, stringifyResult } from './sliced-json.js';
import { PendingByAddress } from '../src/server/pending-by-address.js';

/** Documents remembered as having passed the pre-validation checks: at most this many, of at most this length. */
const PASSED_MAX = 1_000;
const PASSED_MAX_CHARS = 8_192;

export interface GraphqlDoor {
  /** express handler for POST/GET /graphql (after express.json) */
  http: RequestHandler;
  /** the graphql-ws server */
  ws: WebSocketServer;
  /** Takes over an upgrade request already routed to /graphql (at most WS_MAX_PENDING_PER_IP sockets per address before connection_init). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
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
  const limits = c.config.graphql;
  // Apollo runs its validationRules together with graphql-js' own; this one is cheap and linear.
  const extraRules = limits.introspection ? [] : [NoSchemaIntrospectionCustomRule];
  const wsRules = [...specifiedRules, ...extraRules];
  const ws = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const formatWsError = formatGraphqlError(c.log);
  /** graphql-ws errors in the shape of Apollo's: a code on every error, masked internals, no suggestions without credentials. */
  const toWsErrors = (errors: readonly GraphQLError[], principal: unknown, fallbackCode: string): GraphQLFormattedError[] =>
    errors.map((e) => {
      const json = e.toJSON();
      const { http: _http, ...ext } = (json.extensions ?? {}) as Record<string, unknown>;
      const formatted = formatWsError({ ...json, extensions: { code: fallbackCode, ...ext } }, e);
      return principal ? formatted : { ...formatted, message: withoutSuggestions(formatted.message) };
    });
  const pendingByIp = new PendingByAddress(c.config.ws.maxPendingPerIp);
  const releasePending = new WeakMap<WebSocket, () => void>();
  const wsCleanup = useServer<Record<string, unknown>, { ctx?: RequestContext }>(
    {
      schema,
      connectionInitWaitTimeout: c.config.ws.authTimeoutMs,
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
        releasePending.get(wsCtx.extra.socket)?.();
        return true;
      },
      // The same bounds as over HTTP, before graphql-js' validation and again before execution.
      onSubscribe: (wsCtx, _id, payload) => {
        // The subscribe message being handled is already counted here.
        if (Object.keys(wsCtx.subscriptions).length > limits.wsMaxSubscriptions) {
          const refusal = limitError(
            LimitCode.subscriptions,
            `More than ${limits.wsMaxSubscriptions} operations at once on one connection`,
            limits.wsMaxSubscriptions,
          );
          return [refusal];
        }
        const checked = precheck(payload.query, limits);
        if ('refusal' in checked) return [checked.refusal];
        if ('syntaxError' in checked) {
          const e = checked.syntaxError;
          return [new GraphQLError(e.message, { source: e.source, positions: e.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const { document } = checked;
        const invalid = validate(schema, document, wsRules);
        if (invalid.length) return invalid;
        const operation = getOperationAST(document, payload.operationName);
        if (operation) {
          const tooCostly = checkCost(schema, document, operation, payload.variables, limits);
          if (tooCostly) return [tooCostly];
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      // Refusals of onSubscribe (validation) and failures of a running subscription's stream.
      onError: (wsCtx, _id, _payload, errors) =>
        toWsErrors(errors, wsCtx.extra.ctx?.principal, errors.some((e) => e.originalError) ? 'INTERNAL_SERVER_ERROR' : 'GRAPHQL_VALIDATION_FAILED'),
      context: (wsCtx): SubscriptionContext => ({ ...(wsCtx.extra.ctx as RequestContext), bus: c.bus, machines: c.services.machines, services: c.services }),
      // Same error shape as over HTTP (extensions.code, masked internals); Apollo's formatError does not run here.
      // graphql-ws writes each result with one JSON.stringify: an answer as long as those HTTP writes in
      // slices (resolvers/sliced-json.ts) would hold the event loop, so it is refused with a pointer to HTTP.
      onNext: (wsCtx, _id, _payload, _args, result) => {
        if (exceeds(result.data, SMALL_NODES)) {
          return {
            errors: [
              {
                message: `The answer holds more than ${SMALL_NODES} list items: send this operation over HTTP, which writes large answers in pieces`,
                extensions: { code: LimitCode.answerSize },
              },
            ],
          };
        }
        return result.errors ? { ...result, errors: toWsErrors(result.errors, wsCtx.extra.ctx?.principal, 'INTERNAL_SERVER_ERROR') } : undefined;
      },
    },
    ws,
  );
  const apollo = new ApolloServer<SubscriptionContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: limits.maxTokens },
    // Introspection is refused by a validation rule of our own (see extraRules), with the same message on both transports.
    validationRules: extraRules,
    // rest/main.ts owns SIGTERM/SIGINT. Apollo's own handler would call stop() concurrently with ours, and
    // Apollo 5 never releases a second concurrent stop() call: the process then hangs on shutdown.
    stopOnTerminationSignals: false,
    introspection: true,
    formatError: formatGraphqlError(c.log),
    // answers with long lists (series points, the fleet) are serialized a piece at a time
    stringifyResult,
    plugins: [
      {
        async requestDidStart() {
          return {
            // Thrown here, a GraphQLError is the answer, with the status of its extensions.http.
            async didResolveOperation(rc) {
              if (!rc.operation) return;
              const refusal = checkCost(schema, rc.document, rc.operation, rc.request.variables, limits);
              if (refusal) throw refusal;
            },
            async didEncounterErrors({ contextValue, errors }) {
              if (contextValue.principal) return;
              for (const e of errors) e.message = withoutSuggestions(e.message);
            },
          };
        },
      },
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
  const apolloHttp = expressMiddleware(apollo, {
    context: async ({ req }) => ({ ...contextOf(req), bus: c.bus, machines: c.services.machines, services: c.services }),
  });
  const formatHttpError = formatGraphqlError(c.log);
  // Apollo offers no way to answer between parsing and validation (an error thrown by a plugin hook
  // there becomes a 500), so the pre-validation checks run in front of it; Apollo's own parse is cheap
  // next to what they spare, and is skipped for documents it has cached.
  // Clients send the same few documents again and again: those that passed are remembered by their
  // text (bounded in count and size), so the second parse and walk run once per document, not per request.
  const passed = new Set<string>();
  const http: RequestHandler = (req, res, next) => {
    const source: unknown = req.method === 'GET' ? req.query.query : (req.body as { query?: unknown } | undefined)?.query;
    const checked = typeof source === 'string' && !passed.has(source) ? precheck(source, limits) : undefined;
    if (checked && 'document' in checked && (source as string).length <= PASSED_MAX_CHARS) {
      if (passed.size >= PASSED_MAX) passed.clear();
      passed.add(source as string);
    }
    if (checked && 'refusal' in checked) {
      const { http: _http, ...extensions } = checked.refusal.extensions;
      res
        .status(400)
        .set('cache-control', 'no-store')
        .json({ errors: [formatHttpError({ ...checked.refusal.toJSON(), extensions }, checked.refusal)] });
      return;
    }
    apolloHttp(req, res, next);
  };
  return {
    http,
    ws,
    handleUpgrade(req, socket, head) {
      ws.handleUpgrade(req, socket, head, (client) => {
        // Sockets that have not completed connection_init are capped per address, with the dashboard socket's code.
        const ip = clientIp(req, c.config.trustProxy);
        const admitted = pendingByIp.admit(ip);
        if (!admitted) {
          client.close(DashboardClose.tooManyPending, 'Too many pending connections');
          return;
        }
        const release: () => void = admitted;
        releasePending.set(client, release);
        client.once('close', release);
        ws.emit('connection', client, req);
      });
    },
    async stop() {
      await apollo.stop();
    },
  };
}
