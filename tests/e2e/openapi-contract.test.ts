/**
 * The OpenAPI document as a contract: it is a valid OpenAPI 3.1 document (@readme/openapi-parser),
 * every row documents its success body and its error bodies, openapi-typescript turns it into types
 * that a small strict client compiles against, and that client, run against the live server, gets
 * bodies that match the document's schema for each answer (Ajv, JSON Schema 2020-12).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyOf } from '../../src/auth/access.js';
import { ROUTES } from '../../rest/routes.js';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

// ajv-formats is CommonJS with `exports.default`; under NodeNext typing the default import is the module.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, any>;
interface Exchange {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/** Follows a local `#/...` reference inside the document. */
function deref(doc: Json, node: Json): Json {
  let cur = node;
  for (let hops = 0; typeof cur.$ref === 'string' && hops < 10; hops++) {
    cur = (cur.$ref as string)
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Json>((o, k) => o?.[k], doc);
    expect(cur, `unresolvable ${node.$ref}`).toBeDefined();
  }
  return cur;
}

/**
 * A small client written against the generated `paths` types only: every answer is a union
 * discriminated by status, so reading a body needs the status it belongs to. The scenario below
 * uses the typed fields; the one cast is where JSON leaves fetch, and the test then checks each
 * recorded body against the document.
 */
const CLIENT_TS = `
import type { components, paths } from './api.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Responses<P extends keyof paths, M extends Method> = Op<P, M> extends { responses: infer R } ? R : never;
type Content<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
export type Answer<P extends keyof paths, M extends Method> = {
  [S in keyof Responses<P, M>]: { status: S; body: Content<Responses<P, M>[S]> };
}[keyof Responses<P, M>];
type QueryOf<P extends keyof paths, M extends Method> = Op<P, M> extends { parameters: { query?: infer Q } } ? Q : never;
type PathOf<P extends keyof paths, M extends Method> = Op<P, M> extends { parameters: { path: infer X } } ? X : never;
type BodyOf<P extends keyof paths, M extends Method> = Op<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export interface Exchange { method: string; path: string; status: number; body: unknown }
interface Credentials { token?: string; apiKey?: string }
interface Options<P extends keyof paths, M extends Method> { path?: PathOf<P, M>; query?: QueryOf<P, M>; body?: BodyOf<P, M> }

export class Client {
  constructor(readonly base: string, readonly credentials: Credentials = {}, readonly log: Exchange[] = []) {}

  as(credentials: Credentials): Client {
    return new Client(this.base, credentials, this.log);
  }

  async request<P extends keyof paths, M extends Method>(method: M, template: P, options: Options<P, M> = {}): Promise<Answer<P, M>> {
    const params = (options.path ?? {}) as Record<string, string>;
    let url = this.base + template.replace(/\\{(\\w+)\\}/g, (_m: string, name: string) => encodeURIComponent(params[name] ?? ''));
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries((options.query ?? {}) as Record<string, string | string[] | undefined>)) {
      if (Array.isArray(v)) for (const one of v) query.append(k, one);
      else if (v !== undefined) query.append(k, v);
    }
    if ([...query].length) url += '?' + query.toString();
    const headers: Record<string, string> = {};
    if (this.credentials.token) headers.authorization = 'Bearer ' + this.credentials.token;
    if (this.credentials.apiKey) headers['x-api-key'] = this.credentials.apiKey;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method: method.toUpperCase(), headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    const answer = { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    this.log.push({ method, path: template, ...answer });
    return answer as Answer<P, M>;
  }
}

function expectStatus<A extends { status: unknown }, const S extends A['status']>(what: string, answer: A, status: S): asserts answer is Extract<A, { status: S }> {
  if (answer.status !== status) throw new Error(what + ': expected ' + String(status) + ', got ' + String(answer.status) + ' ' + JSON.stringify((answer as { body?: unknown }).body));
}

type Machine = components['schemas']['Machine'];

/** login, machines (create, conflict, invalid, list, get, delete), groups, API key, ingest, time series, fleet, lists. */
export async function scenario(base: string, account: { email: string; password: string }): Promise<Exchange[]> {
  const anonymous = new Client(base);

  const login = await anonymous.request('post', '/auth/login', { body: { email: account.email, password: account.password } });
  expectStatus('login', login, 200);
  const mfaRequired: boolean = login.body.mfa_required;
  if (mfaRequired) throw new Error('the scenario account has no MFA');
  const admin = anonymous.as({ token: login.body.access_token });

  const me = await admin.request('get', '/auth/me');
  expectStatus('me', me, 200);
  const role: 'admin' | 'operator' | 'viewer' = me.body.role;

  const identifier = 'press-' + Math.random().toString(36).slice(2, 10);
  const created = await admin.request('post', '/machines', { body: { name: 'Press 1', machine_identifier: identifier, protocol: 'opc_ua', location: 'Hall A' } });
  expectStatus('create machine', created, 201);
  const machine: Machine = created.body;
  const second = await admin.request('post', '/machines', { body: { name: 'Press 2', machine_identifier: identifier + '-b', protocol: 'modbus_tcp' } });
  expectStatus('create second machine', second, 201);

  const duplicate = await admin.request('post', '/machines', { body: { name: 'Press 1 again', machine_identifier: identifier, protocol: 'opc_ua' } });
  expectStatus('duplicate machine', duplicate, 409);
  const why: string = duplicate.body.detail;

  const invalid = await admin.request('post', '/machines', { body: { name: '', machine_identifier: identifier, protocol: 'opc_ua' } });
  expectStatus('invalid machine', invalid, 422);
  const where: string[] = invalid.body.detail.map((issue) => issue.loc.join('.') + ': ' + issue.msg + ' (' + issue.type + ')');

  const list = await admin.request('get', '/machines', { query: { page: '1', page_size: '10', sort_by: 'name', sort_dir: 'asc' } });
  expectStatus('list machines', list, 200);
  const identifiers: string[] = list.body.items.map((m) => m.machine_identifier);
  const pages: number = list.body.total_pages + list.body.page + list.body.page_size + list.body.total;

  const missing = await admin.request('get', '/machines/{machine_id}', { path: { machine_id: '00000000-0000-4000-8000-000000000000' } });
  expectStatus('unknown machine', missing, 404);
  const anonymousList = await anonymous.request('get', '/machines');
  expectStatus('anonymous list', anonymousList, 401);
  const one = await admin.request('get', '/machines/{machine_id}', { path: { machine_id: machine.id } });
  expectStatus('get machine', one, 200);
  const lastReading: string | null = one.body.last_reading_at;

  const site = await admin.request('post', '/machine-groups', { body: { name: 'Site', group_type: 'site' } });
  expectStatus('create site', site, 201);
  const line = await admin.request('post', '/machine-groups', { body: { name: 'Line 1', group_type: 'line', parent_id: site.body.id, description: 'first line' } });
  expectStatus('create line', line, 201);
  const members = await admin.request('put', '/machine-groups/{group_id}/members', { path: { group_id: line.body.id }, body: { machine_ids: [machine.id] } });
  expectStatus('set members', members, 200);
  const tree = await admin.request('get', '/machine-groups/tree');
  expectStatus('tree', tree, 200);
  const counts: number[] = tree.body.flatMap((root) => root.children.map((child) => child.machine_count));
  const groupMembers = await admin.request('get', '/machine-groups/{group_id}/members', { path: { group_id: line.body.id } });
  expectStatus('group members', groupMembers, 200);

  const key = await admin.request('post', '/settings/api-keys', { body: { name: 'edge agent', scopes: ['ingest', 'read:sensors'] } });
  expectStatus('create key', key, 201);
  const edge = anonymous.as({ apiKey: key.body.plaintext_key });

  const t0 = Date.now() - 120_000;
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const ingest = await edge.request('post', '/ingest', {
    body: {
      readings: [
        { machine_identifier: identifier, timestamp: at(0), metric_name: 'temperature', value: 71.5, unit: 'C', raw_tag: 'ns=2;s=T1' },
        { machine_identifier: identifier, timestamp: at(10), metric_name: 'temperature', value: 72.25, unit: 'C' },
        { machine_identifier: identifier, timestamp: at(10), metric_name: 'pressure', value: 3.5, unit: 'bar' },
        { machine_identifier: 'no-such-machine', timestamp: at(10), metric_name: 'temperature', value: 1, unit: 'C' },
        { machine_identifier: 42, timestamp: at(10), metric_name: 'temperature', value: 1, unit: 'C' },
      ],
    },
  });
  expectStatus('ingest', ingest, 207);
  const rejected: (string | null)[] = ingest.body.errors.map((e) => e.machine_identifier);
  const accepted: number = ingest.body.accepted_count;
  if (accepted !== 3 || rejected.length !== 2) throw new Error('ingest: ' + JSON.stringify(ingest.body));
  const userIngest = await admin.request('post', '/ingest', { body: { readings: [] } });
  expectStatus('ingest with a user token', userIngest, 403);

  const range = { start: at(-60), end: new Date(Date.now() + 60_000).toISOString() };
  const raw = await admin.request('get', '/machines/{machine_id}/readings', { path: { machine_id: machine.id }, query: { metric: 'temperature', ...range } });
  expectStatus('raw series', raw, 200);
  const values: number[] = raw.body.series.flatMap((s) => s.points.map((p) => p.value));
  if (values.length !== 2) throw new Error('raw series: ' + JSON.stringify(raw.body));
  const buckets = await edge.request('get', '/sensor-data/machines/{machine_id}/readings', {
    path: { machine_id: machine.id },
    query: { metric: ['temperature', 'pressure'], interval: '1m', aggregation: 'max', ...range },
  });
  expectStatus('bucketed series', buckets, 200);
  const interval: string | null = buckets.body.interval;
  const latest = await admin.request('get', '/machines/{machine_id}/readings/latest', { path: { machine_id: machine.id } });
  expectStatus('latest', latest, 200);
  const rawTags: (string | null)[] = latest.body.readings.map((r) => r.raw_tag);

  const fleet = await admin.request('get', '/fleet/status');
  expectStatus('fleet', fleet, 200);
  const alerts: number = fleet.body.machines.reduce((n, m) => n + m.alert_count, 0);

  for (const [what, answer] of [
    ['users', await admin.request('get', '/users')],
    ['audit', await admin.request('get', '/audit', { query: { page_size: '50' } })],
    ['api keys', await admin.request('get', '/settings/api-keys')],
    ['groups', await admin.request('get', '/machine-groups', { query: { group_type: 'line' } })],
  ] as const) {
    expectStatus(what, answer, 200);
  }

  const removed = await admin.request('delete', '/machines/{machine_id}', { path: { machine_id: second.body.id } });
  expectStatus('delete machine', removed, 204);
  const logout = await admin.request('post', '/auth/logout', { body: {} });
  expectStatus('logout', logout, 200);
  const bye: string = logout.body.detail;

  void [role, why, where, identifiers, pages, lastReading, counts, interval, rawTags, alerts, bye];
  return admin.log;
}
`;

/** Uses of the generated types that must not compile; each line marked `// error` has to be reported. */
const MISUSE_TS = `
import type { components } from './api.js';
import { Client } from './client.js';

export async function misuse(c: Client): Promise<void> {
  await c.request('post', '/machines', { body: { name: 'x', machine_identifier: 'y' } }); // error
  const r = await c.request('get', '/machines/{machine_id}', { path: { machine_id: 'x' } });
  if (r.status === 200) {
    const n: number = r.body.name; // error
    void n;
  }
  if (r.status === 404) {
    const s: string = r.body.name; // error
    void s;
  }
  const m: components['schemas']['Machine'] = { id: 'x', name: 'y' }; // error
  void m;
  await c.request('get', '/machines/{machine_id}/nowhere'); // error
  const p = await c.request('get', '/machines');
  if (p.status === 200) void p.body.items[0]?.serial_number; // error
}
`;

function typeCheck(dir: string, files: string[]): ts.Diagnostic[] {
  const program = ts.createProgram(
    files.map((f) => path.join(dir, f)),
    {
      strict: true,
      noEmit: true,
      noUncheckedIndexedAccess: true,
      noImplicitReturns: true,
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
    },
  );
  return [...ts.getPreEmitDiagnostics(program)];
}

const describeDiagnostic = (d: ts.Diagnostic) => {
  const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
  return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
};

describe.skipIf(pgSvc.skip)(`OpenAPI document as a contract${pgSvc.label}`, () => {
  let t: TestApp;
  let doc: Json;
  let dir: string;
  let admin: TenantSession;

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'hf-openapi-'));
    const r = await http<Json>('GET', `${t.api}/openapi.json`);
    expect(r.status).toBe(200);
    doc = r.body;
    admin = await registerTenant(t.api, 'contract');
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // the parser resolves $refs in place: it gets a copy
    const result = await validateOpenApi(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors.map((e) => e.message)).toEqual([]);
    expect(result.warnings.map((w) => w.message)).toEqual([]);
  });

  it('documents the success body and the error bodies of every row', () => {
    const schemas = doc.components.schemas as Json;
    const problems: string[] = [];
    const operations = Object.values(doc.paths as Json).flatMap((ops) => Object.values(ops as Json));
    expect(operations.length).toBe(ROUTES.length);
    for (const row of ROUTES) {
      const where = `${row.method} ${row.path}`;
      const op = doc.paths[row.path]?.[row.method.toLowerCase()] as Json | undefined;
      if (!op) {
        problems.push(`${where}: not documented`);
        continue;
      }
      const status = String(row.status ?? 200);
      const success = op.responses?.[status] as Json | undefined;
      const content = success?.content?.['application/json']?.schema as Json | undefined;
      if (row.download) {
        const file = success?.content?.[row.download.contentType]?.schema as Json | undefined;
        if (file?.format !== 'binary') problems.push(`${where}: the ${row.download.contentType} download is not documented as binary`);
      } else if (status === '204') {
        if (success?.content) problems.push(`${where}: 204 documents a body`);
      } else if (!content?.$ref) {
        problems.push(`${where}: ${status} has no body schema`);
      } else {
        const target = deref(doc, content);
        if (!(target.type === 'object' && Object.keys(target.properties ?? {}).length) && !(target.type === 'array' && target.items)) {
          problems.push(`${where}: ${status} body schema ${content.$ref} is empty`);
        }
      }
      // an upsert documents both its answers: 201 created, 200 replaced
      const successes = Object.keys(op.responses).filter((s) => /^2/.test(s)).length;
      if (successes !== (row.createdWhen ? 2 : 1)) problems.push(`${where}: ${successes} success statuses`);

      const policy = policyOf(row.resolver, row.operation);
      const hasInput = Boolean(row.params || row.query || row.body || row.multipart);
      const hasBody = Boolean(row.body || row.multipart);
      const want: Record<string, boolean> = {
        '400': hasBody,
        '401': policy?.kind !== 'public',
        '403': policy?.kind !== 'public',
        '404': Boolean(row.params),
        '413': hasBody,
        '422': hasInput,
        '429': true,
      };
      for (const [code, needed] of Object.entries(want)) {
        if (needed && !op.responses[code]) problems.push(`${where}: no ${code} response`);
      }
      for (const code of row.errors ?? []) if (!op.responses[String(code)]) problems.push(`${where}: declared ${code} not documented`);
      for (const [code, response] of Object.entries(op.responses as Record<string, Json>)) {
        if (!/^[45]/.test(code)) continue;
        if (!response.$ref?.startsWith('#/components/responses/')) problems.push(`${where}: ${code} is not a shared component response`);
        const body = deref(doc, response).content?.['application/json']?.schema as Json | undefined;
        const expected = code === '422' ? '#/components/schemas/ValidationError' : '#/components/schemas/Error';
        if (body?.$ref !== expected) problems.push(`${where}: ${code} body is ${JSON.stringify(body)}, not ${expected}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);

    expect(schemas.Error).toMatchObject({ type: 'object', required: ['detail'], properties: { detail: { type: 'string' } } });
    const issue = schemas.ValidationError.properties.detail.items;
    expect(issue.required.sort()).toEqual(['loc', 'msg', 'type']);
    expect(schemas.MachinePage.required.sort()).toEqual(['items', 'page', 'page_size', 'total', 'total_pages']);
    expect(schemas.MachinePage.properties.items.items).toEqual({ $ref: '#/components/schemas/Machine' });
    expect(doc.paths['/ingest'].post.responses['207'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/IngestResult' });
    expect(Object.keys(doc.paths['/machines/import'].post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(doc.components.responses.RateLimited.headers['Retry-After']).toBeDefined();
  });

  it('generates types that a strict client compiles against, and the live answers match the document', async () => {
    const ast = await openapiTS(structuredClone(doc) as never);
    await writeFile(path.join(dir, 'api.d.ts'), astToString(ast));
    await writeFile(path.join(dir, 'client.ts'), CLIENT_TS);
    await writeFile(path.join(dir, 'misuse.ts'), MISUSE_TS);

    const clean = typeCheck(dir, ['client.ts']);
    expect(clean.map(describeDiagnostic)).toEqual([]);

    // The types constrain: each marked misuse is an error, and nothing else is.
    const misuse = typeCheck(dir, ['misuse.ts']);
    const flagged = new Set(misuse.filter((d) => d.file?.fileName.endsWith('misuse.ts')).map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1));
    const marked = MISUSE_TS.split('\n').flatMap((l, i) => (l.includes('// error') ? [i + 1] : []));
    expect([...flagged].sort((a, b) => a - b), misuse.map(describeDiagnostic).join('\n')).toEqual(marked);

    const js = ts.transpileModule(CLIENT_TS, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } }).outputText;
    const file = path.join(dir, `client-${randomUUID()}.mjs`);
    await writeFile(file, js);
    const client = (await import(pathToFileURL(file).href)) as { scenario: (base: string, account: { email: string; password: string }) => Promise<Exchange[]> };
    const exchanges = await client.scenario(t.api, { email: admin.email, password: admin.password });

    // A malformed body cannot be written with the typed client; its 400 is documented all the same.
    const malformed = await http('POST', `${t.api}/machines`, { token: admin.token, raw: '{"name": ' });
    exchanges.push({ method: 'post', path: '/machines', status: malformed.status, body: malformed.body });

    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    ajv.addKeyword('components');
    const base = 'https://haltfree.invalid/openapi.json';
    ajv.addSchema({ $id: base, components: { schemas: doc.components.schemas } });

    const seen = new Set<string>();
    for (const ex of exchanges) {
      const label = `${ex.method.toUpperCase()} ${ex.path} -> ${ex.status}`;
      const documented = doc.paths[ex.path]?.[ex.method]?.responses?.[String(ex.status)] as Json | undefined;
      expect(documented, `${label} is not documented`).toBeDefined();
      const schema = deref(doc, documented!).content?.['application/json']?.schema as Json | undefined;
      if (!schema) {
        expect(ex.body, `${label} has a body the document does not`).toBeUndefined();
        seen.add(label);
        continue;
      }
      expect(schema.$ref, label).toMatch(/^#\/components\/schemas\//);
      const check = ajv.getSchema(`${base}${schema.$ref}`);
      expect(check, `${label}: schema ${schema.$ref}`).toBeDefined();
      const ok = check!(ex.body);
      expect(ok, `${label}: ${JSON.stringify(check!.errors)}\n${JSON.stringify(ex.body).slice(0, 2000)}`).toBe(true);
      seen.add(label);
    }
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        'POST /auth/login -> 200',
        'POST /machines -> 201',
        'POST /machines -> 400',
        'POST /machines -> 409',
        'POST /machines -> 422',
        'GET /machines -> 200',
        'GET /machines -> 401',
        'GET /machines/{machine_id} -> 404',
        'GET /machine-groups/tree -> 200',
        'POST /ingest -> 207',
        'POST /ingest -> 403',
        'GET /machines/{machine_id}/readings -> 200',
        'GET /sensor-data/machines/{machine_id}/readings -> 200',
        'GET /fleet/status -> 200',
        'DELETE /machines/{machine_id} -> 204',
      ]),
    );
  });

  it('a body that breaks its shape fails the same check', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    ajv.addKeyword('components');
    const base = 'https://haltfree.invalid/openapi.json';
    ajv.addSchema({ $id: base, components: { schemas: doc.components.schemas } });
    const machine = ajv.getSchema(`${base}#/components/schemas/Machine`)!;
    const good = {
      id: randomUUID(), name: 'm', machine_identifier: 'm-1', protocol: 'csv', location: null, ideal_cycle_time_seconds: null, status: 'offline', tenant_id: randomUUID(),
      is_active: true, last_reading_at: null, created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
    };
    expect(machine(good)).toBe(true);
    expect(machine({ ...good, extra: 1 })).toBe(false);
    expect(machine({ ...good, created_at: null })).toBe(false);
    expect(machine({ ...good, status: 'exploded' })).toBe(false);
    const { location: _dropped, ...withoutLocation } = good;
    expect(machine(withoutLocation)).toBe(false);
  });
});
