/**
 * POST /machines/import (spec machines.md §6) end to end: multipart field `file`, CSV and XLSX,
 * per-row errors (header = row 1), duplicates counted in `skipped`, whole-file rejections that
 * create nothing, formula-looking text kept verbatim, and the all-or-nothing write on the real
 * PostgreSQL (a concurrent registration of one identifier, a failing flush). Also the GraphQL
 * `importMachines` mutation. Every test registers its own tenant.
 */
import 'reflect-metadata';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserSession, gql, http, registerTenant, startTestApp, type HttpResult, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const HEADER = 'name,machine_identifier,protocol,location';
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const rowsOf = (n: number, prefix = 'M') => Array.from({ length: n }, (_, i) => `Machine ${i + 1},${prefix}-${String(i + 1).padStart(4, '0')},json,Hall ${(i % 3) + 1}`);

async function xlsx(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Machines');
  rows.forEach((cells, i) => {
    ws.getRow(i + 1).values = cells;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.skipIf(pgSvc.skip)(`machine import${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  /** multipart upload of one file (field `file` unless told otherwise) */
  async function upload(s: TenantSession, filename: string, content: string | Buffer, opts: { field?: string; type?: string } = {}): Promise<HttpResult> {
    const form = new FormData();
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    form.append(opts.field ?? 'file', new Blob([new Uint8Array(bytes)], { type: opts.type ?? 'application/octet-stream' }), filename);
    const res = await fetch(`${t.api}/machines/import`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, body: form });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers, text };
  }
  async function machines(s: TenantSession): Promise<any[]> {
    const out: any[] = [];
    for (let page = 1; ; page++) {
      const r = await http('GET', `${t.api}/machines?page=${page}&page_size=100&sort_by=machine_identifier`, { token: s.token });
      expect(r.status).toBe(200);
      out.push(...r.body.items);
      if (page >= r.body.total_pages) return out;
    }
  }
  /** every machine row of the tenant, soft-deleted ones included */
  async function rowCount(s: TenantSession): Promise<number> {
    const r = await db.query('select count(*)::int as n from machines where tenant_id = $1', [s.tenantId]);
    return r.rows[0].n;
  }
  async function importAudits(s: TenantSession): Promise<any[]> {
    const r = await http('GET', `${t.api}/audit?action=import_machines`, { token: s.token });
    return r.body.items;
  }

  describe('clean files', () => {
    it('a 3-row CSV creates 3 machines that are then listed', async () => {
      const a = await registerTenant(t.api, 'imp');
      const res = await upload(a, 'machines.csv', csv(HEADER, 'CNC Mill #1,CNC-001,opc_ua,"Building A, Line 3"', 'Pump A3,PUMP-A3,modbus_tcp,', 'Press,PRESS-7,csv,Line 2'), { type: 'text/csv' });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ created: 3, skipped: 0, errors: [] });
      const list = await machines(a);
      expect(list.map((m) => [m.name, m.machine_identifier, m.protocol, m.location, m.status, m.is_active])).toEqual([
        ['CNC Mill #1', 'CNC-001', 'opc_ua', 'Building A, Line 3', 'offline', true],
        ['Press', 'PRESS-7', 'csv', 'Line 2', 'offline', true],
        ['Pump A3', 'PUMP-A3', 'modbus_tcp', null, 'offline', true],
      ]);
      const [audit] = await importAudits(a);
      expect(audit.details).toMatchObject({ filename: 'machines.csv', created: 3, skipped: 0, errors: 0 });
    });

    it('a non-ASCII file name is recorded as sent (UTF-8), control characters dropped', async () => {
      const a = await registerTenant(t.api, 'imp-name');
      const res = await upload(a, 'Maschinen-Übersicht 😀.csv', csv(HEADER, 'A,A-1,json,'));
      expect(res.status, res.text).toBe(200);
      const g = await gql(t.url, 'mutation($i: ImportMachinesInput!) { importMachines(input: $i) { created } }', { i: { filename: 'b\u0000\ud800.csv', contentBase64: Buffer.from(csv(HEADER, 'B,B-1,json,')).toString('base64') } }, { token: a.token });
      expect(g.body.errors, g.text).toBeUndefined();
      expect(g.body.data!.importMachines.created).toBe(1);
      const names = (await importAudits(a)).map((e) => e.details.filename).sort();
      expect(names).toEqual(['Maschinen-Übersicht 😀.csv', 'b.csv']);
    });

    it('a clean XLSX (generated with exceljs) creates its rows', async () => {
      const a = await registerTenant(t.api, 'imp-x');
      const file = await xlsx([
        ['name', 'machine_identifier', 'protocol', 'location'],
        ['Lathe 1', 'LATHE-1', 'opc_ua', 'Hall 1'],
        ['Lathe 2', 'LATHE-2', 'json', null],
        ['Numbered', 1001, 'csv', 'Hall 2'],
      ]);
      const res = await upload(a, 'Machines.XLSX', file, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ created: 3, skipped: 0, errors: [] });
      expect((await machines(a)).map((m) => [m.name, m.machine_identifier, m.protocol, m.location])).toEqual([
        ['Numbered', '1001', 'csv', 'Hall 2'],
        ['Lathe 1', 'LATHE-1', 'opc_ua', 'Hall 1'],
        ['Lathe 2', 'LATHE-2', 'json', null],
      ]);
    });
  });

  describe('row-level problems (reported, not fatal)', () => {
    it('bad rows are reported with spreadsheet row numbers (header is row 1); good rows are created', async () => {
      const a = await registerTenant(t.api, 'imp-bad');
      const res = await upload(
        a,
        'machines.csv',
        csv(
          HEADER,
          'Good 1,G-1,json,', // row 2
          ',NO-NAME,json,', // row 3
          'Bad proto,BP-1,mqtt,', // row 4
          '', // row 5 (blank: keeps its number, not reported)
          'Bad id,has space,json,', // row 6
          'Good 2,G-2,OPCUA,Hall', // row 7 (alias, case-insensitive)
          'No id,,json,', // row 8
        ),
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body.created).toBe(2);
      expect(res.body.skipped).toBe(0);
      expect(res.body.errors.map((e: { row: number }) => e.row)).toEqual([3, 4, 6, 8]);
      expect(res.body.errors[0]).toEqual({ row: 3, error: 'Missing name' });
      expect(res.body.errors[1].error).toMatch(/^Invalid protocol: mqtt/);
      expect(res.body.errors[2].error).toMatch(/^Invalid machine_identifier/);
      expect(res.body.errors[3]).toEqual({ row: 8, error: 'Missing machine_identifier' });
      expect((await machines(a)).map((m) => [m.machine_identifier, m.protocol])).toEqual([
        ['G-1', 'json'],
        ['G-2', 'opc_ua'],
      ]);
    });

    it('XLSX rows are numbered as Excel shows them', async () => {
      const a = await registerTenant(t.api, 'imp-xbad');
      const file = await xlsx([
        ['Name', 'Machine_Identifier', 'Protocol'],
        ['Ok', 'OK-1', 'json'],
        ['Bad', 'BAD-1', 'carrier-pigeon'],
      ]);
      const res = await upload(a, 'm.xlsx', file);
      expect(res.status, res.text).toBe(200);
      expect(res.body.created).toBe(1);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].row).toBe(3);
    });

    it('duplicate identifiers within the file and against existing (also soft-deleted) machines are skipped with a reason', async () => {
      const a = await registerTenant(t.api, 'imp-dup');
      const existing = await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Existing', machine_identifier: 'CNC-003', protocol: 'json' } });
      expect(existing.status).toBe(201);
      const deleted = await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Deleted', machine_identifier: 'OLD-1', protocol: 'json' } });
      expect((await http('DELETE', `${t.api}/machines/${deleted.body.id}`, { token: a.token })).status).toBe(204);

      const res = await upload(
        a,
        'machines.csv',
        csv(
          HEADER,
          'New 1,NEW-1,json,', // 2
          'Dup of existing,CNC-003,json,', // 3
          'New 1 again,NEW-1,csv,', // 4 duplicate within the file
          'Revives deleted,OLD-1,json,', // 5
          'Broken,BROKEN,nope,', // 6 invalid (an error, not a skip)
          'New 2,NEW-2,json,', // 7
        ),
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body.created).toBe(2);
      expect(res.body.skipped).toBe(3);
      const byRow = Object.fromEntries(res.body.errors.map((e: { row: number; error: string }) => [e.row, e.error]));
      expect(Object.keys(byRow).map(Number)).toEqual([3, 4, 5, 6]);
      expect(byRow[3]).toMatch(/^Duplicate machine_identifier: CNC-003/);
      expect(byRow[4]).toMatch(/^Duplicate machine_identifier: NEW-1/);
      expect(byRow[5]).toMatch(/^Duplicate machine_identifier: OLD-1/);
      expect(byRow[6]).toMatch(/^Invalid protocol/);
      const list = await machines(a);
      expect(list.map((m) => [m.machine_identifier, m.name])).toEqual([
        ['CNC-003', 'Existing'],
        ['NEW-1', 'New 1'], // the first occurrence wins
        ['NEW-2', 'New 2'],
      ]);
      // another tenant may import the same identifiers
      const b = await registerTenant(t.api, 'imp-dup-b');
      const inB = await upload(b, 'machines.csv', csv(HEADER, 'B,CNC-003,json,'));
      expect(inB.body).toEqual({ created: 1, skipped: 0, errors: [] });
    });

    it('formula-looking cells are stored and returned as plain text, exactly', async () => {
      const a = await registerTenant(t.api, 'imp-formula');
      const nasty = ["=cmd|' /C calc'!A0", '+SUM(1)', '@x', '-2+3', '=HYPERLINK("http://evil.example","click")'];
      const lines = [HEADER, ...nasty.map((v, i) => `${csvCell(v)},F-${i + 1},json,${csvCell(nasty[(i + 1) % nasty.length]!)}`)];
      const res = await upload(a, 'formulas.csv', csv(...lines));
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ created: nasty.length, skipped: 0, errors: [] });
      const list = await machines(a);
      expect(list.map((m) => [m.machine_identifier, m.name, m.location])).toEqual(nasty.map((v, i) => [`F-${i + 1}`, v, nasty[(i + 1) % nasty.length]]));
      for (const m of list) {
        const one = await http('GET', `${t.api}/machines/${m.id}`, { token: a.token });
        expect(one.body.name).toBe(m.name);
      }

      // in XLSX: strings stay strings; a real formula cell becomes its formula text (never its cached result)
      const b = await registerTenant(t.api, 'imp-formula-x');
      const file = await xlsx([
        ['name', 'machine_identifier', 'protocol', 'location'],
        ["=cmd|' /C calc'!A0", 'X-1', 'json', '+SUM(1)'],
        ['@x', 'X-2', 'json', { formula: 'CONCAT("Hall ","9")', result: 'Hall 9' }],
      ]);
      const rx = await upload(b, 'f.xlsx', file);
      expect(rx.status, rx.text).toBe(200);
      expect(rx.body.created).toBe(2);
      expect((await machines(b)).map((m) => [m.name, m.location])).toEqual([
        ["=cmd|' /C calc'!A0", '+SUM(1)'],
        ['@x', '=CONCAT("Hall ","9")'],
      ]);
    });
  });

  describe('whole-file rejections create nothing', () => {
    it('missing required columns: 422 naming them', async () => {
      const a = await registerTenant(t.api, 'imp-cols');
      const res = await upload(a, 'machines.csv', csv('name,location', 'A,Hall 1', 'B,Hall 2'));
      expect(res.status, res.text).toBe(422);
      expect(JSON.stringify(res.body.detail)).toMatch(/machine_identifier/);
      expect(JSON.stringify(res.body.detail)).toMatch(/protocol/);
      expect(await rowCount(a)).toBe(0);
      expect(await importAudits(a)).toHaveLength(0);
    });

    it('501 data rows: 422, nothing created; exactly 500 is accepted', async () => {
      const a = await registerTenant(t.api, 'imp-501');
      await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Before', machine_identifier: 'BEFORE-1', protocol: 'json' } });
      const before = await rowCount(a);
      expect(before).toBe(1);
      const res = await upload(a, 'big.csv', csv(HEADER, ...rowsOf(501)));
      expect(res.status, res.text).toBe(422);
      expect(JSON.stringify(res.body.detail)).toMatch(/500/);
      expect(await rowCount(a)).toBe(before);

      const xl = await upload(a, 'big.xlsx', await xlsx([['name', 'machine_identifier', 'protocol'], ...rowsOf(501, 'X').map((l) => l.split(',').slice(0, 3))]));
      expect(xl.status, xl.text).toBe(422);
      expect(await rowCount(a)).toBe(before);

      const ok = await upload(a, 'max.csv', csv(HEADER, ...rowsOf(500)));
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toEqual({ created: 500, skipped: 0, errors: [] });
      expect(await rowCount(a)).toBe(before + 500);
      const list = await http('GET', `${t.api}/machines?page_size=1`, { token: a.token });
      expect(list.body.total).toBe(501);
    });

    it('a binary file renamed .csv: 4xx, nothing created', async () => {
      const a = await registerTenant(t.api, 'imp-bin');
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from('IHDR\x00\x00\x01\x00garbage\xff\xfe', 'latin1')]);
      const res = await upload(a, 'machines.csv', png);
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(typeof res.body).toBe('object');
      expect(await rowCount(a)).toBe(0);
      // an XLSX renamed .csv, and a CSV renamed .xlsx
      const asCsv = await upload(a, 'machines.csv', await xlsx([['name', 'machine_identifier', 'protocol'], ['A', 'A-1', 'json']]));
      expect(asCsv.status).toBeGreaterThanOrEqual(400);
      expect(asCsv.status).toBeLessThan(500);
      const asXlsx = await upload(a, 'machines.xlsx', csv(HEADER, 'A,A-1,json,'));
      expect(asXlsx.status).toBeGreaterThanOrEqual(400);
      expect(asXlsx.status).toBeLessThan(500);
      expect(await rowCount(a)).toBe(0);
    });

    it('.xls and .txt are 415', async () => {
      const a = await registerTenant(t.api, 'imp-ext');
      for (const name of ['machines.xls', 'machines.txt', 'machines', 'machines.csv.exe']) {
        const res = await upload(a, name, csv(HEADER, 'A,A-1,json,'));
        expect(res.status, `${name}: ${res.text}`).toBe(415);
        expect(typeof res.body.detail).toBe('string');
      }
      expect(await rowCount(a)).toBe(0);
    });

    it('a file over 5 MB is 413', async () => {
      const a = await registerTenant(t.api, 'imp-big');
      const line = 'Machine with a long name to fill the file,ID-0000,json,Somewhere far away\n';
      const big = Buffer.alloc(5 * 1024 * 1024 + 1, ' ');
      Buffer.from(`${HEADER}\n${line}`).copy(big);
      const res = await upload(a, 'huge.csv', big);
      expect(res.status, res.text.slice(0, 200)).toBe(413);
      expect(typeof res.body.detail).toBe('string');
      expect(await rowCount(a)).toBe(0);
      // the connection is still usable afterwards
      expect((await http('GET', `${t.api}/machines`, { token: a.token })).status).toBe(200);
    });

    it('no `file` field is 422 with loc [body, file]; a non-multipart body is 415', async () => {
      const a = await registerTenant(t.api, 'imp-nofile');
      const wrongField = await upload(a, 'machines.csv', csv(HEADER, 'A,A-1,json,'), { field: 'upload' });
      expect(wrongField.status, wrongField.text).toBe(422);
      expect(wrongField.body.detail.map((i: { loc: unknown[] }) => i.loc)).toContainEqual(['body', 'file']);

      const form = new FormData();
      form.append('comment', 'no file here');
      const textOnly = await fetch(`${t.api}/machines/import`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` }, body: form });
      expect(textOnly.status).toBe(422);

      const json = await http('POST', `${t.api}/machines/import`, { token: a.token, body: { file: 'name,machine_identifier,protocol\nA,A-1,json' } });
      expect(json.status, json.text).toBe(415);
      const raw = await fetch(`${t.api}/machines/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'text/csv' },
        body: csv(HEADER, 'A,A-1,json,'),
      });
      expect(raw.status).toBe(415);
      expect(await rowCount(a)).toBe(0);
    });
  });

  describe('all or nothing', () => {
    it('500 rows whose last identifier is registered concurrently: 409 and none of the 500 is created', async () => {
      const a = await registerTenant(t.api, 'imp-race');
      const racer = new pg.Client({ connectionString: t.databaseUrl });
      await racer.connect();
      try {
        // Another writer registers M-0500 but has not committed yet: the import's pre-check cannot
        // see it, and its INSERT waits on the unique index until that writer commits.
        await racer.query('begin');
        await racer.query(
          `insert into machines (id, tenant_id, name, machine_identifier, protocol, created_at, updated_at)
           values (gen_random_uuid(), $1, 'Racer', 'M-0500', 'json', now(), now())`,
          [a.tenantId],
        );
        const pending = upload(a, 'race.csv', csv(HEADER, ...rowsOf(500)));
        const deadline = Date.now() + 15_000;
        for (;;) {
          const w = await db.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
          if (w.rows[0].n > 0) break;
          if (Date.now() > deadline) throw new Error('the import never blocked on the concurrent insert');
          await new Promise((r) => setTimeout(r, 20));
        }
        await racer.query('commit');
        const res = await pending;
        expect(res.status, res.text).toBe(409);
        expect(typeof res.body.detail).toBe('string');
      } finally {
        await racer.query('rollback').catch(() => undefined);
        await racer.end();
      }
      const rows = await db.query('select machine_identifier, name from machines where tenant_id = $1', [a.tenantId]);
      expect(rows.rows).toEqual([{ machine_identifier: 'M-0500', name: 'Racer' }]);
      expect(await importAudits(a)).toHaveLength(0);
      // a retry now skips the registered identifier and creates the other 499
      const retry = await upload(a, 'race.csv', csv(HEADER, ...rowsOf(500)));
      expect(retry.body).toMatchObject({ created: 499, skipped: 1 });
      expect(retry.body.errors).toEqual([{ row: 501, error: expect.stringMatching(/^Duplicate machine_identifier: M-0500/) }]);
    });

    it('a database failure on the last row rolls back every row of the file', async () => {
      const a = await registerTenant(t.api, 'imp-poison');
      await db.query(`alter table machines add constraint t_reject_poison check (name <> 'Poison')`);
      let res: HttpResult;
      try {
        res = await upload(a, 'poison.csv', csv(HEADER, ...rowsOf(20), 'Poison,POISON-1,json,'));
      } finally {
        await db.query('alter table machines drop constraint t_reject_poison');
      }
      // An unexpected database error (not a client mistake): reported as a 5xx with a masked body.
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.status).not.toBe(200);
      expect(res.text).not.toMatch(/t_reject_poison|check constraint/i);
      expect(await rowCount(a)).toBe(0);
      expect(await importAudits(a)).toHaveLength(0);
      console.info(`[machines-import] failing flush answered ${res.status}: ${res.text.slice(0, 120)}`);
    });
  });

  describe('GraphQL importMachines', () => {
    const IMPORT = 'mutation($i: ImportMachinesInput!) { importMachines(input: $i) { created skipped errors { row error } } }';

    it('imports a base64 CSV and XLSX with the same semantics', async () => {
      const a = await registerTenant(t.api, 'imp-gql');
      const r = await gql(t.url, IMPORT, { i: { filename: 'm.csv', contentBase64: Buffer.from(csv(HEADER, 'A,A-1,json,', 'B,A-1,json,', 'C,C-1,bogus,')).toString('base64') } }, { token: a.token });
      expect(r.body.errors, r.text).toBeUndefined();
      expect(r.body.data!.importMachines).toEqual({ created: 1, skipped: 1, errors: [{ row: 3, error: expect.stringMatching(/^Duplicate/) }, { row: 4, error: expect.stringMatching(/^Invalid protocol/) }] });
      const x = await gql(t.url, IMPORT, { i: { filename: 'm.xlsx', contentBase64: (await xlsx([['name', 'machine_identifier', 'protocol'], ['X', 'X-1', 'modbus']])).toString('base64') } }, { token: a.token });
      expect(x.body.data!.importMachines).toEqual({ created: 1, skipped: 0, errors: [] });
      expect((await machines(a)).map((m) => [m.machine_identifier, m.protocol])).toEqual([
        ['A-1', 'json'],
        ['X-1', 'modbus_tcp'],
      ]);
    });

    it('rejects bad files with the REST statuses in extensions; a viewer is FORBIDDEN', async () => {
      const a = await registerTenant(t.api, 'imp-gql-bad');
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      const cases: [string, string, string, number][] = [
        ['m.txt', b64(csv(HEADER, 'A,A-1,json,')), 'UNSUPPORTED_MEDIA_TYPE', 415],
        ['m.csv', b64(csv('name', 'A')), 'BAD_USER_INPUT', 422],
        ['m.csv', b64(csv(HEADER, ...rowsOf(501))), 'BAD_USER_INPUT', 422],
        ['m.csv', 'not base64!!', 'BAD_USER_INPUT', 422],
      ];
      for (const [filename, contentBase64, code, status] of cases) {
        const r = await gql(t.url, IMPORT, { i: { filename, contentBase64 } }, { token: a.token });
        expect(r.status).not.toBe(500);
        expect(r.body.errors?.[0]?.extensions?.status, `${filename}: ${r.text.slice(0, 300)}`).toBe(status);
        if (code !== 'UNSUPPORTED_MEDIA_TYPE') expect(r.body.errors![0]!.extensions!.code).toBe(code);
      }
      const huge = Buffer.alloc(5 * 1024 * 1024 + 10, 0x41).toString('base64');
      const big = await gql(t.url, IMPORT, { i: { filename: 'm.csv', contentBase64: huge } }, { token: a.token });
      expect(big.status).not.toBe(500);
      expect(big.body.errors?.[0]?.extensions?.status ?? big.status, big.text.slice(0, 300)).toBe(413);
      expect(await rowCount(a)).toBe(0);

      const viewer = await createUserSession(t.api, a, 'viewer');
      const v = await gql(t.url, IMPORT, { i: { filename: 'm.csv', contentBase64: b64(csv(HEADER, 'A,A-1,json,')) } }, { token: viewer.token });
      expect(v.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await rowCount(a)).toBe(0);
    });
  });
});

/** RFC 4180 quoting when needed */
function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
