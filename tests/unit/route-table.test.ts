import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { policyOf } from '../../src/auth/access.js';
import { buildAppSchema } from '../../resolvers/schema.js';
import { ROUTES } from '../../rest/routes.js';

/** The documented REST surface: <repo>/../shared/spec (next to the repo, also in CI). */
const SPEC_DIR = new URL('../../../shared/spec/', import.meta.url);

/**
 * Spec files whose endpoint summary tables must be fully served by ROUTES.
 * Each module appends its spec file here when it lands.
 */
const SPEC_FILES: readonly string[] = ['auth.md', 'settings.md', 'audit.md'];

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
  it('has a row for every endpoint documented in the spec files', () => {
    expect(existsSync(SPEC_DIR), `spec folder not found at ${fileURLToPath(SPEC_DIR)}`).toBe(true);
    const served = new Set(ROUTES.map((r) => key(r.method, r.path)));
    const missing: string[] = [];
    for (const file of SPEC_FILES) {
      const endpoints = parseSpecEndpoints(file, readFileSync(new URL(file, SPEC_DIR), 'utf8'));
      // A spec file with no parsed rows means the table format changed, not that nothing is documented.
      expect(endpoints.length, `no endpoint rows parsed from spec/${file}`).toBeGreaterThan(0);
      for (const e of endpoints) {
        if (!served.has(key(e.method, e.path))) missing.push(`${e.method} ${e.path} (spec/${e.file}:${e.line})`);
      }
    }
    expect(missing, `documented endpoints without a row in rest/routes.ts:\n  ${missing.join('\n  ')}`).toEqual([]);
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
