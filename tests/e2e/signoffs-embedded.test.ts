/**
 * Sign-offs on the embedded default (PGlite, no SIGNOFF_KEYS): the key generated into DATA_DIR
 * (0600) signs, the migration's trigger works on PGlite, and concurrent sign-offs of one order by
 * several users are serialised by the order lock into one intact chain.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/signoffs/canonical-json.js';
import { signoffPayload } from '../../src/signoffs/signoff-hash.js';
import { createUserSession, http, registerTenant, startTestApp, STRONG_PASSWORD, type TenantSession, type TestApp } from '../helpers/app.js';

describe('sign-offs on the embedded default', () => {
  let t: TestApp;
  let dataDir: string;
  let a: TenantSession;
  let wo: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'hf-signoff-embedded-'));
    t = await startTestApp({ db: 'embedded', env: { DATA_DIR: dataDir } });
    a = await registerTenant(t.api, 'embsign');
    const m = await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Press', machine_identifier: `EM-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    const r = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: m.body.id, title: 'Embedded order' } });
    wo = r.body.id;
    for (const status of ['in_progress', 'completed']) expect((await http('PATCH', `${t.api}/work-orders/${wo}`, { token: a.token, body: { status } })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs with the generated key file (0600, id local); five concurrent signers form one chain, all valid', async () => {
    const file = path.join(dataDir, 'signoff.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const signers = [a];
    for (let i = 0; i < 4; i++) signers.push(await createUserSession(t.api, a, 'operator'));
    const made = await Promise.all(signers.map((s) => http('POST', `${t.api}/work-orders/${wo}/signoffs`, { token: s.token, body: { password: STRONG_PASSWORD } })));
    for (const r of made) expect(r.status, r.text).toBe(201);
    const list = (await http('GET', `${t.api}/work-orders/${wo}/signoffs`, { token: a.token })).body as Record<string, any>[];
    expect(list.map((s) => s.seq)).toEqual([5, 4, 3, 2, 1]);
    for (const [i, s] of list.entries()) {
      expect(s.key_id).toBe('local');
      expect(s.prev_hash).toBe(list[i + 1]?.signature_hash ?? null);
      expect((await http('GET', `${t.api}/work-orders/${wo}/signoffs/${s.id}/verify`, { token: a.token })).body.is_valid).toBe(true);
    }
    // the secret is the key file's text: the first one recomputed with it
    const first = list[4]!;
    const order = (await http('GET', `${t.api}/work-orders/${wo}`, { token: a.token })).body;
    const payload = signoffPayload({
      signoffId: first.id,
      order: {
        id: order.id, tenantId: order.tenant_id, machineId: order.machine_id, title: order.title, description: order.description, priority: order.priority, status: order.status,
        assignedTo: order.assigned_to, createdBy: order.created_by, alertId: order.alert_id, downtimeRecordId: order.downtime_record_id, maintenanceEventId: order.maintenance_event_id,
        startedAt: new Date(order.started_at), completedAt: new Date(order.completed_at), createdAt: new Date(order.created_at),
      },
      parts: [],
      signer: { id: first.signed_by, name: first.signer_name, role: first.signer_role },
      meaning: first.meaning,
      comment: first.comment,
      signedAt: new Date(first.signed_at),
      prevHash: null,
    });
    const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
    expect(createHmac('sha256', secret).update(canonicalJson(payload), 'utf8').digest('hex')).toBe(first.signature_hash);
  });

  it('the append-only trigger works on PGlite too', async () => {
    const em = t.app.container.db.em();
    expect(await em.getConnection().execute('select id from signoffs')).toHaveLength(5);
    await expect(em.getConnection().execute('update signoffs set comment = ?', ['x'])).rejects.toThrow(/append-only/);
    await expect(em.getConnection().execute('delete from signoffs')).rejects.toThrow(/append-only/);
    const cert = await fetch(`${t.api}/work-orders/${wo}/certificate`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(cert.status).toBe(200);
    expect(cert.headers.get('content-type')).toBe('application/pdf');
  });
});
