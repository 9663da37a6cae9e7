import { z } from 'zod';
import { policyOf, type AccessPolicy } from '../src/auth/access.js';
import type { Route } from './route.js';

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

const errorBody = { type: 'object', properties: { detail: {} }, required: ['detail'] };
const validationBody = {
  type: 'object',
  properties: {
    detail: {
      type: 'array',
      items: {
        type: 'object',
        properties: { loc: { type: 'array', items: { type: ['string', 'integer'] } }, msg: { type: 'string' }, type: { type: 'string' } },
      },
    },
  },
};

/** OpenAPI 3.1 document generated from the route table. */
export function buildOpenApi(routes: Route[], info: { version: string; serverUrl?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const policy = policyOf(r.resolver, r.operation);
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
      }
    }
    const status = String(r.status ?? 200);
    const responses: Record<string, unknown> = {
      [status]: status === '204' ? { description: 'No Content' } : { description: 'Success', content: { 'application/json': { schema: {} } } },
      '422': { description: 'Validation error', content: { 'application/json': { schema: validationBody } } },
      '429': { description: 'Rate limit exceeded', content: { 'application/json': { schema: errorBody } } },
    };
    if (policy?.kind !== 'public') {
      responses['401'] = { description: 'Not authenticated', content: { 'application/json': { schema: errorBody } } };
      responses['403'] = { description: 'Insufficient role or API-key scope', content: { 'application/json': { schema: errorBody } } };
    }
    if (r.params) responses['404'] = { description: 'Not found (or another tenant\'s id)', content: { 'application/json': { schema: errorBody } } };
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: r.operation,
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
                  schema: { type: 'object', properties: { [r.multipart.field]: { type: 'string', format: 'binary' } }, required: [r.multipart.field] },
                },
              },
            },
          }
        : {}),
      responses,
      security: security(policy),
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
      securitySchemes: {
        BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
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
