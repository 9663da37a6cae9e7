import { z } from 'zod';
import { ApiKeyResolver } from '../resolvers/api-key.resolver.js';
import type { ApiKey, CreatedApiKey } from '../schema/api-key.type.js';
import { SCOPES, type Scope } from '../src/common/context.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';
import { USER_LIMITS } from '../src/users/user.rules.js';

const tag = 'Settings';

const scopes = z.array(z.enum(SCOPES as [Scope, ...Scope[]]));

export const ApiKeyShape = shape(
  'ApiKey',
  z.object({
    id: z.uuid(),
    name: z.string(),
    key_prefix: z.string(),
    scopes,
    tenant_id: z.uuid(),
    expires_at: isoInstant().nullable(),
    last_used_at: isoInstant().nullable(),
    created_at: isoInstant(),
  }),
);

const CreatedApiKeyShape = shape(
  'CreatedApiKey',
  z.object({
    id: z.uuid(),
    name: z.string(),
    key_prefix: z.string(),
    plaintext_key: z.string().meta({ description: 'the key itself, shown only in this answer' }),
    key: z.string().meta({ description: 'same as plaintext_key' }),
    scopes,
    tenant_id: z.uuid(),
    expires_at: isoInstant().nullable(),
    created_at: isoInstant(),
  }),
);

export const mapApiKey = mapper(ApiKeyShape, (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  key_prefix: k.keyPrefix,
  scopes: k.scopes,
  tenant_id: k.tenantId,
  expires_at: iso(k.expiresAt),
  last_used_at: iso(k.lastUsedAt),
  created_at: iso(k.createdAt),
}));

const mapCreated = mapper(CreatedApiKeyShape, (k: CreatedApiKey) => ({
  id: k.id,
  name: k.name,
  key_prefix: k.keyPrefix,
  plaintext_key: k.plaintextKey,
  key: k.key,
  scopes: k.scopes,
  tenant_id: k.tenantId,
  expires_at: iso(k.expiresAt),
  created_at: iso(k.createdAt),
}));

export const apiKeyRoutes = [
  route({
    method: 'GET', path: '/settings/api-keys', tag, summary: "List the tenant's API keys (prefix and metadata only)",
    resolver: ApiKeyResolver, operation: 'apiKeys', query: z.object(pageQuery),
    call: (r, ctx, { query }) => r.apiKeys(ctx, { page: query.page, pageSize: query.page_size }),
    map: pageOf(mapApiKey),
  }),
  route({
    method: 'POST', path: '/settings/api-keys', tag, summary: 'Create an API key (the key is shown once)', status: 201,
    resolver: ApiKeyResolver, operation: 'createApiKey',
    body: z.object({
      name: v.str(USER_LIMITS.name, 1),
      expires_at: v.instant().nullable().optional(),
      scopes: z.union([z.array(v.str(50, 1)).max(20), v.str(50, 1)]).nullable().optional(),
      preset: v.str(50, 1).nullable().optional(),
    }),
    call: (r, ctx, { body }) =>
      r.createApiKey(ctx, { name: body.name, expiresAt: body.expires_at ?? null, scopes: body.scopes, preset: body.preset }),
    map: mapCreated,
  }),
  route({
    method: 'DELETE', path: '/settings/api-keys/{key_id}', tag, summary: 'Revoke an API key', status: 204,
    resolver: ApiKeyResolver, operation: 'revokeApiKey', params: z.object({ key_id: v.uuid('key_id') }),
    call: (r, ctx, { params }) => r.revokeApiKey(ctx, params.key_id),
  }),
];
