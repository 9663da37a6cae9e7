import type { RequestContext, Scope } from '../common/context.js';
import { SCOPES } from '../common/context.js';
import { findInTenantOrThrow } from '../common/persistence.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import type { Database } from '../infra/database.js';
import type { AuditService } from '../audit/audit.service.js';
import { generateApiKey } from '../auth/api-key-secret.js';
import { validateName } from '../users/user.rules.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeyErrors } from './api-key.errors.js';

export const SCOPE_PRESETS: Record<string, Scope[]> = {
  edge_agent: ['ingest', 'agent'],
  read_only: ['read:machines', 'read:sensors'],
};
export const DEFAULT_SCOPES: Scope[] = ['ingest', 'agent'];

/** What a client may send for a key's rights: a list of scopes (presets allowed inside), or one preset name. */
export interface ScopeChoice {
  scopes?: string | string[] | null;
  preset?: string | null;
}

/**
 * The key's scopes from either door's input: `preset`, or `scopes` as one preset name (REST's
 * string form), or `scopes` as a list; nothing means the default. Both at once is ambiguous (422).
 */
export function chooseScopes(input: ScopeChoice): Scope[] {
  if (input.preset != null && input.scopes != null) throw ApiKeyErrors.scopesAndPreset();
  if (input.preset != null) return resolveScopes(input.preset, 'preset');
  return resolveScopes(input.scopes);
}

/** Expands scopes given as a list (presets allowed inside) or as one preset name; unknown names are 422. */
export function resolveScopes(input: string | string[] | null | undefined, field = 'scopes'): Scope[] {
  if (input == null) return [...DEFAULT_SCOPES];
  const names = typeof input === 'string' ? [input] : input;
  if (names.length === 0) throw ApiKeyErrors.noScopes();
  const out = new Set<Scope>();
  names.forEach((name, i) => {
    const preset = SCOPE_PRESETS[name];
    if (preset) preset.forEach((s) => out.add(s));
    else if (SCOPES.includes(name as Scope)) out.add(name as Scope);
    else {
      const allowed = [...SCOPES, ...Object.keys(SCOPE_PRESETS)].map((s) => `'${s}'`).join(', ');
      throw ApiKeyErrors.unknownScope(typeof input === 'string' ? [field] : [field, i], allowed);
    }
  });
  return SCOPES.filter((s) => out.has(s));
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  plaintextKey: string;
}

/** API keys for edge agents and automation: created by admins, shown once, stored hashed. */
export class ApiKeyService {
  constructor(private readonly db: Database, private readonly audit: AuditService) {}

  /** Lists the tenant's keys (prefix and metadata only), newest first. */
  async list(ctx: RequestContext, args: PageArgs): Promise<Page<ApiKey>> {
    const w = pageWindow(args);
    const [items, total] = await this.db.em().findAndCount(
      ApiKey,
      { tenantId: ctx.principal!.tenantId },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: w.pageSize, offset: w.offset },
    );
    return toPage(items, total, w);
  }

  /** Creates a key; the plaintext is returned only here. */
  async create(ctx: RequestContext, input: { name: string; expiresAt?: Date | null } & ScopeChoice): Promise<CreatedApiKey> {
    const name = validateName('name', input.name);
    const scopes = chooseScopes(input);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw ApiKeyErrors.expiryInPast();
    const secret = generateApiKey();
    const em = this.db.em();
    const key = em.create(ApiKey, {
      tenantId: ctx.principal!.tenantId,
      name,
      keyPrefix: secret.prefix,
      keyHash: secret.hash,
      scopes,
      expiresAt: input.expiresAt ?? null,
      createdBy: ctx.principal!.kind === 'user' ? ctx.principal!.userId : null,
    } as ApiKey);
    const ev = this.audit.stage(em, ctx, {
      action: 'create_api_key',
      resourceType: 'api_key',
      resourceId: key.id,
      details: { name, scopes, key_prefix: secret.prefix },
    });
    await em.flush();
    await this.audit.announce([ev]);
    return { apiKey: key, plaintextKey: secret.plaintext };
  }

  /** Revokes (deletes) a key of the caller's tenant; it stops authenticating at once. */
  async revoke(ctx: RequestContext, id: string): Promise<boolean> {
    const em = this.db.em();
    const key = await findInTenantOrThrow(em, ctx, ApiKey, id, ApiKeyErrors.notFound);
    em.remove(key);
    const ev = this.audit.stage(em, ctx, {
      action: 'revoke_api_key',
      resourceType: 'api_key',
      resourceId: key.id,
      details: { name: key.name, key_prefix: key.keyPrefix },
    });
    await em.flush();
    await this.audit.announce([ev]);
    return true;
  }
}
