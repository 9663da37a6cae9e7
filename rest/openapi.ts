import { z } from 'zod';
import { policyOf, type AccessPolicy } from '../src/auth/access.js';
import { responseShapes, shape } from './mappers.js';
import type { ErrorStatus, Route } from './route.js';

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

function security(policy: AccessPolicy | undefined): Record<string, string[]>[] | undefined {
  if (!policy || policy.kind === 'public') return [];
  if (policy.kind === 'apiKey') return [{ ApiKeyAuth: [policy.scope] }];
  return policy.scope ? [{ BearerAuth: [] }, { ApiKeyAuth: [policy.scope] }] : [{ BearerAuth: [] }];
}

function describeAccess(policy: AccessPolicy | undefined): string {
  if (!policy || policy.kind === 'public') return 'Auth: none (public)';
  if (policy.kind === 'apiKey') return `Auth: API key with scope \`${policy.scope}\``;
  const roles = policy.roles.length === 3 ? 'any role' : policy.roles.join(', ');
  return `Auth: Bearer JWT (${roles})${policy.scope ? ` or API key with scope \`${policy.scope}\`` : ''}`;
}

/** Every REST error body but validation (rest/errors.ts, the rate limiter, the 404/405 handlers). */
const ErrorShape = shape('Error', z.object({ detail: z.string() }));
/** 422: one entry per problem, located as `['body' | 'query' | 'path', field, ...]`. */
const ValidationErrorShape = shape(
  'ValidationError',
  z.object({
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number().int()])), msg: z.string(), type: z.string() })),
  }),
);

const retryAfter = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } };

/** One component response per documented error status; operations reference them. */
const ERROR_RESPONSES: Record<ErrorStatus, { name: string; description: string; shape: z.ZodType; headers?: Record<string, unknown> }> = {
  400: { name: 'BadRequest', description: 'Malformed JSON or multipart body, invalid UTF-8, or a request the current state does not allow', shape: ErrorShape },
  401: { name: 'Unauthorized', description: 'Not authenticated: credentials missing, invalid, expired or revoked', shape: ErrorShape },
  402: { name: 'PaymentRequired', description: "The tenant's subscription does not include this (an active subscription is a prerequisite)", shape: ErrorShape },
  403: { name: 'Forbidden', description: 'Authenticated, but the role, the credential kind or the API-key scope does not allow this operation', shape: ErrorShape },
  404: { name: 'NotFound', description: "Not found (another tenant's ids are not found either)", shape: ErrorShape },
  409: { name: 'Conflict', description: 'Conflicts with the stored state (duplicate identifier or e-mail, last admin, group with children)', shape: ErrorShape },
  413: { name: 'PayloadTooLarge', description: 'Request body or uploaded file over the limit', shape: ErrorShape },
  415: { name: 'UnsupportedMediaType', description: 'Unsupported Content-Encoding or charset (or not multipart/form-data where a file is expected)', shape: ErrorShape },
  422: { name: 'ValidationFailed', description: 'Validation error: `detail` lists each problem with its location', shape: ValidationErrorShape },
  429: { name: 'RateLimited', description: 'Rate limit exceeded, or too many failed sign-ins', shape: ErrorShape, headers: retryAfter },
  503: { name: 'Unavailable', description: 'The reading store is unavailable; nothing was stored, retry later', shape: ErrorShape, headers: retryAfter },
};

/** The error statuses of a row: implied by its kind (see ErrorStatus) plus the ones it declares. */
function errorStatuses(r: Route, policy: AccessPolicy | undefined): ErrorStatus[] {
  const out = new Set<ErrorStatus>([429, ...(r.errors ?? [])]);
  if (r.params || r.query || r.body || r.multipart) out.add(422);
  if (r.body || r.multipart) for (const s of [400, 413, 415] as const) out.add(s);
  if (r.params) out.add(404);
  if (policy && policy.kind !== 'public') for (const s of [401, 403] as const) out.add(s);
  return [...out].sort((a, b) => a - b);
}

const componentRef = (kind: 'schemas' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** The named response shapes as OpenAPI 3.1 (JSON Schema 2020-12) components, referencing each other. */
function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(responseShapes, {
    io: 'output',
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  for (const s of Object.values(schemas)) {
    // inside an OpenAPI document a component is addressed by its path, not an $id of its own
    delete s.$schema;
    delete s.$id;
  }
  return schemas;
}

function successResponse(r: Route): Record<string, unknown> {
  const status = String(r.status ?? 200);
  if (r.download) {
    return {
      [status]: {
        description: r.download.description,
        headers: { 'Content-Disposition': { description: 'attachment; filename="…"', schema: { type: 'string' } } },
        content: { [r.download.contentType]: { schema: { type: 'string', format: 'binary', contentMediaType: r.download.contentType } } },
      },
    };
  }
  if (status === '204' || !r.map) return { [status]: { description: 'No Content' } };
  const name = responseShapes.get(r.map.schema)?.id;
  if (!name) throw new Error(`${r.method} ${r.path}: the mapper's shape has no component name`);
  const description = status === '201' ? 'Created' : status === '207' ? 'Multi-Status: accepted and rejected readings, each rejection with its index' : 'Success';
  const content = { 'application/json': { schema: componentRef('schemas', name) } };
  if (r.createdWhen) return { [status]: { description: `${description} (replaced)`, content }, '201': { description: 'Created', content } };
  return { [status]: { description, content } };
}

/**
 * OpenAPI wants operationIds unique, and a generated client names its methods by them. A GraphQL
 * operation served under a second path (the /sensor-data/machines/... reads) keeps its name on
 * the first row; later rows prefix it with their first path segment (`sensorDataMachineReadings`).
 */
function operationIds(routes: Route[]): string[] {
  const seen = new Set<string>();
  return routes.map((r) => {
    const op: string = r.operation;
    if (!seen.has(op)) {
      seen.add(op);
      return op;
    }
    const segment = (r.path.split('/')[1] ?? '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
    const id = `${segment}${op.charAt(0).toUpperCase()}${op.slice(1)}`;
    if (seen.has(id)) throw new Error(`${r.method} ${r.path}: operationId ${id} is taken`);
    seen.add(id);
    return id;
  });
}

/** OpenAPI 3.1 document generated from the route table. */
export function buildOpenApi(routes: Route[], info: { version: string; serverUrl?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const used = new Set<ErrorStatus>();
  const ids = operationIds(routes);
  for (const [i, r] of routes.entries()) {
    const policy = policyOf(r.resolver, r.operation);
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
      }
    }
    const responses: Record<string, unknown> = successResponse(r);
    for (const status of errorStatuses(r, policy)) {
      used.add(status);
      responses[String(status)] = componentRef('responses', ERROR_RESPONSES[status].name);
    }
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: ids[i],
      summary: r.summary,
      description: `${describeAccess(policy)}. GraphQL: \`${r.operation}\`.`,
      tags: [r.tag],
      parameters,
      ...(r.body
        ? { requestBody: { required: !r.bodyOptional, content: { 'application/json': { schema: jsonSchema(r.body) } } } }
        : {}),
      ...(r.multipart
        ? {
            requestBody: {
              required: true,
              content: {
                'multipart/form-data': {
                  schema: {
                    type: 'object',
                    properties: {
                      [r.multipart.field]: {
                        type: 'string',
                        format: 'binary',
                        contentMediaType: 'application/octet-stream',
                        description: `the file (.csv or .xlsx by its name), at most ${r.multipart.maxBytes} bytes`,
                      },
                    },
                    required: [r.multipart.field],
                  },
                },
              },
            },
          }
        : {}),
      responses,
      security: security(policy),
    };
  }
  const errorResponses: Record<string, unknown> = {};
  for (const status of [...used].sort((a, b) => a - b)) {
    const e = ERROR_RESPONSES[status];
    const name = responseShapes.get(e.shape)!.id;
    errorResponses[e.name] = {
      description: e.description,
      ...(e.headers ? { headers: e.headers } : {}),
      content: { 'application/json': { schema: componentRef('schemas', name) } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Haltfree API',
      version: info.version,
      description: 'REST door (drop-in for the Haltless /api/v1). The primary model is GraphQL at /graphql.',
    },
    servers: [{ url: info.serverUrl ?? '/api/v1' }],
    components: {
      schemas: componentSchemas(),
      responses: errorResponses,
      securitySchemes: {
        BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'access_token from /auth/login, /auth/register, /auth/refresh or /auth/mfa/verify' },
        ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'an API key; the scope an operation needs is named in its security requirement' },
      },
    },
    paths,
  };
}

/** A self-contained reference page; assets come from swagger-ui-dist, served locally (works offline). */
export function docsPage(assetBase: string, specUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Haltfree API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${assetBase}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${assetBase}/swagger-ui-bundle.js"></script>
<script src="${assetBase}/docs-init.js"></script>
</body></html>`;
}

// validatorUrl: null, else Swagger UI loads a badge from validator.swagger.io (leaks the spec URL, breaks offline).
export const docsInitScript = (specUrl: string) =>
  `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;
