import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { policyOf, type AccessPolicy } from '../../src/auth/access.js';
import { ROUTES } from '../../rest/routes.js';
import { http, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

/** What the OpenAPI `security` of an operation must say for its @Allow policy. */
function expectedSecurity(policy: AccessPolicy): Record<string, string[]>[] {
  switch (policy.kind) {
    case 'public':
      return [];
    case 'apiKey':
      return [{ ApiKeyAuth: [policy.scope] }];
    case 'user':
      return policy.scope ? [{ BearerAuth: [] }, { ApiKeyAuth: [policy.scope] }] : [{ BearerAuth: [] }];
  }
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { type?: string; properties?: Record<string, unknown> } }> };
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, unknown> };
}

/** Absolute or protocol-relative URLs in a text, e.g. `https://cdn.example/x.js` or `//cdn.example/x.js`. */
function absoluteUrls(text: string): string[] {
  return [...text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+(?::\d+)?[^\s"'<>)]*/gi)]
    .map((m) => m[0])
    // `//` inside a path or a comment is not a URL of another host
    .filter((u) => /^https?:/i.test(u) || /^\/\/[a-z0-9-]+\.[a-z]/i.test(u));
}

describe.skipIf(pgSvc.skip)(`OpenAPI document and reference docs${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves an OpenAPI 3.1 document covering every route row', async () => {
    const r = await http<OpenApiDoc>('GET', `${t.api}/openapi.json`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = r.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['ApiKeyAuth', 'BearerAuth']);

    const problems: string[] = [];
    const operationIds = new Set<string>();
    for (const row of ROUTES) {
      const where = `${row.method} ${row.path}`;
      const op = doc.paths[row.path]?.[row.method.toLowerCase()];
      if (!op) {
        problems.push(`${where}: missing from paths`);
        continue;
      }
      // A GraphQL operation served under a second path gets a prefixed id there: OpenAPI wants them unique.
      const operation: string = row.operation;
      const firstRow = ROUTES.find((r) => r.operation === operation) === row;
      const idOk = firstRow ? op.operationId === operation : op.operationId?.endsWith(operation.charAt(0).toUpperCase() + operation.slice(1));
      if (!idOk) problems.push(`${where}: operationId ${op.operationId} does not name ${operation}`);
      if (op.operationId && operationIds.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is not unique`);
      if (op.operationId) operationIds.add(op.operationId);

      const policy = policyOf(row.resolver, row.operation);
      if (!policy) problems.push(`${where}: no policy`);
      else if (JSON.stringify(op.security) !== JSON.stringify(expectedSecurity(policy))) {
        problems.push(`${where}: security ${JSON.stringify(op.security)} != ${JSON.stringify(expectedSecurity(policy))} for ${JSON.stringify(policy)}`);
      }

      const status = String(row.status ?? 200);
      if (!op.responses?.[status]) problems.push(`${where}: no ${status} response`);

      for (const name of [...row.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)) {
        if (!op.parameters?.some((p) => p.in === 'path' && p.name === name && p.required)) problems.push(`${where}: path parameter ${name} not declared`);
      }

      if (row.body) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema) problems.push(`${where}: no application/json request body schema`);
        else {
          if (schema.type !== 'object') problems.push(`${where}: request body schema type ${schema.type}`);
          if (row.body instanceof z.ZodObject) {
            const want = Object.keys(row.body.shape).sort();
            const got = Object.keys(schema.properties ?? {}).sort();
            if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${where}: body properties ${got.join(',')} != ${want.join(',')}`);
          }
          if (op.requestBody?.required !== !row.bodyOptional) problems.push(`${where}: requestBody.required should be ${!row.bodyOptional}`);
        }
      } else if (row.multipart) {
        const schema = op.requestBody?.content?.['multipart/form-data']?.schema;
        if (!schema?.properties?.[row.multipart.field]) problems.push(`${where}: no multipart/form-data schema with file field ${row.multipart.field}`);
        if (op.requestBody?.required !== true) problems.push(`${where}: multipart requestBody should be required`);
      } else if (op.requestBody) {
        problems.push(`${where}: documents a request body the row does not accept`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);

    // Nothing documented that the table does not serve.
    const rows = new Set(ROUTES.map((row) => `${row.method.toLowerCase()} ${row.path}`));
    const extra = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).filter((k) => !rows.has(k));
    expect(extra).toEqual([]);
  });

  it('serves the reference docs from local assets only', async () => {
    const page = await fetch(`${t.api}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const origin = new URL(t.url).origin;

    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    const assetUrls = refs.map((ref) => new URL(ref, page.url));
    const foreign = [...assetUrls.filter((u) => u.origin !== origin).map(String), ...absoluteUrls(html).filter((u) => !u.startsWith(origin))];
    expect(foreign, `docs page references other hosts: ${foreign.join(', ')}`).toEqual([]);

    const scripts: string[] = [];
    for (const u of assetUrls) {
      const res = await fetch(u);
      expect(res.status, `asset ${u.pathname}`).toBe(200);
      const body = await res.text();
      expect(body.length, `asset ${u.pathname} is empty`).toBeGreaterThan(0);
      if (u.pathname.endsWith('.js')) scripts.push(u.pathname);
      // The init script is ours: it must not reach out to other hosts either.
      if (u.pathname.endsWith('/docs-init.js')) {
        const external = absoluteUrls(body).filter((x) => !x.startsWith(origin));
        expect(external, `docs-init.js references other hosts: ${external.join(', ')}`).toEqual([]);
        // Swagger UI's default validator badge loads from validator.swagger.io unless switched off.
        expect(body).toMatch(/validatorUrl:\s*null/);
        const spec = /url:\s*"([^"]+)"/.exec(body)?.[1];
        expect(spec, 'docs-init.js names the spec URL').toBeTruthy();
        expect((await fetch(new URL(spec!, u))).status).toBe(200);
      }
    }
    expect(scripts.some((s) => s.endsWith('/swagger-ui-bundle.js'))).toBe(true);
    expect(scripts.some((s) => s.endsWith('/docs-init.js'))).toBe(true);
  });
});
