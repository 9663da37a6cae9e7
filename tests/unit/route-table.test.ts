import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { policyOf } from '../../src/auth/access.js';
import { buildAppSchema } from '../../resolvers/schema.js';
import { ROUTES } from '../../rest/routes.js';

/** The documented REST surface: <repo>/../shared/spec (next to the repo, also in CI). */
const SPEC_DIR = new URL('../../../shared/spec/', import.meta.url);

/**
 * Documented endpoints not served yet, per spec file. Every other documented endpoint must have a
 * row; an entry here that gains a row fails the test until it is removed, so the list only shrinks
 * as modules land.
 */
const PENDING: Readonly<Record<string, readonly string[]>> = {
  'erp.md': [
    'GET /erp/connections',
    'POST /erp/connections',
    'GET /erp/connections/{id}',
    'PATCH /erp/connections/{id}',
    'DELETE /erp/connections/{id}',
    'POST /erp/connections/{id}/test',
    'POST /erp/connections/{id}/sync',
    'GET /erp/connections/{id}/logs',
    'GET /erp/logs',
  ],
  'prediction.md': [
    'GET /machines/predictions/fleet',
    'GET /machines/{machine_id}/prediction',
    'GET /machines/{machine_id}/prediction/narrative',
    'GET /machines/{machine_id}/prediction/history',
    'GET /machines/{machine_id}/anomalies/summary',
  ],
};

interface Endpoint {
  method: string;
  path: string;
  file: string;
  line: number;
}

/**
 * Rows of the endpoint summary tables: `| 1 | POST | \`/auth/register\` | ...`.
 * Only numbered rows count (cross references like `| – | ...` point at other files).
 */
const ENDPOINT_ROW = /^\|\s*\d+\s*\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`([^`]+)`\s*\|/;

function parseSpecEndpoints(file: string, text: string): Endpoint[] {
  const out: Endpoint[] = [];
  text.split('\n').forEach((l, i) => {
    const m = ENDPOINT_ROW.exec(l.trim());
    if (m) out.push({ method: m[1]!, path: m[2]!, file, line: i + 1 });
  });
  return out;
}

/** `/api/v1/settings/api-keys/{key_id}/` and `/settings/api-keys/{id}` compare equal. */
function normalisePath(p: string): string {
  const noQuery = p.split('?')[0]!.trim();
  const rel = noQuery.replace(/^\/api\/v1(?=\/|$)/, '');
  const noTrailing = rel.length > 1 ? rel.replace(/\/+$/, '') : rel;
  return noTrailing.replace(/\{[^}]*\}/g, '{}').replace(/:\w+/g, '{}');
}

const key = (method: string, path: string) => `${method.toUpperCase()} ${normalisePath(path)}`;

describe('REST route table', () => {
  it('serves every endpoint documented in every spec file, or lists it as pending', () => {
    expect(existsSync(SPEC_DIR), `spec folder not found at ${fileURLToPath(SPEC_DIR)}`).toBe(true);
    const served = new Set(ROUTES.map((r) => key(r.method, r.path)));
    const files = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.md')).sort();
    const missing: string[] = [];
    const servedNow: string[] = [];
    const listing: string[] = [];
    let documented = 0;
    for (const file of files) {
      const endpoints = parseSpecEndpoints(file, readFileSync(new URL(file, SPEC_DIR), 'utf8'));
      const pending = new Set((PENDING[file] ?? []).map((e) => key(e.split(' ')[0]!, e.split(' ')[1]!)));
      const documentedHere = new Set(endpoints.map((e) => key(e.method, e.path)));
      for (const p of pending) if (!documentedHere.has(p)) missing.push(`${p}: listed as pending but not documented in spec/${file}`);
      for (const e of endpoints) {
        documented++;
        const k = key(e.method, e.path);
        const isServed = served.has(k);
        listing.push(`${isServed ? 'served ' : 'pending'} ${e.method} ${e.path} (spec/${e.file}:${e.line})`);
        if (isServed && pending.has(k)) servedNow.push(`${k} (spec/${file}): served now, remove it from PENDING`);
        if (!isServed && !pending.has(k)) missing.push(`${e.method} ${e.path} (spec/${e.file}:${e.line}): no row in rest/routes.ts`);
      }
    }
    const servedCount = listing.filter((l) => l.startsWith('served')).length;
    console.info(`spec coverage: ${servedCount} of ${documented} documented endpoints served\n  ${listing.join('\n  ')}`);
    // Files with an endpoint table must keep parsing: 20 tables today.
    expect(documented).toBeGreaterThanOrEqual(120);
    expect(missing, missing.join('\n')).toEqual([]);
    expect(servedNow, servedNow.join('\n')).toEqual([]);
  });

  it('maps every row onto a Query or Mutation field, with an @Allow policy', async () => {
    const schema = await buildAppSchema();
    const fields = new Set([
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ]);
    const problems: string[] = [];
    for (const r of ROUTES) {
      const where = `${r.method} ${r.path} -> ${r.resolver.name}.${r.operation}`;
      if (!fields.has(r.operation)) problems.push(`${where}: not a Query/Mutation field`);
      if (policyOf(r.resolver, r.operation) === undefined) problems.push(`${where}: no @Allow policy`);
      const proto = r.resolver.prototype as Record<string, unknown>;
      if (typeof proto[r.operation] !== 'function') problems.push(`${where}: no such resolver method`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('has no two rows with the same method and path', () => {
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    for (const r of ROUTES) {
      const k = key(r.method, r.path);
      const prev = seen.get(k);
      if (prev) dupes.push(`${k}: ${prev} and ${r.resolver.name}.${r.operation}`);
      else seen.set(k, `${r.resolver.name}.${r.operation}`);
    }
    expect(dupes, dupes.join('\n')).toEqual([]);
  });

  it('parses the spec table format and normalises paths', () => {
    const rows = parseSpecEndpoints('x.md', [
      '| # | Method | Path | Auth |',
      '|---|---|---|---|',
      '| 3 | DELETE | `/settings/api-keys/{key_id}` | Bearer JWT (admin) |',
      '| – | POST | `/api/v1/ingest` | API key | other.md |',
      '| 1 | GET | `/api/v1/agent/heartbeat` | API key |',
    ].join('\n'));
    expect(rows.map((r) => key(r.method, r.path))).toEqual(['DELETE /settings/api-keys/{}', 'GET /agent/heartbeat']);
    expect(normalisePath('/users/{user_id}/')).toBe(normalisePath('/users/{id}'));
  });
});
