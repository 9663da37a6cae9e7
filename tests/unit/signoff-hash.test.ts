/**
 * The signature of a sign-off: the exact canonical payload (written out here by hand), its
 * HMAC-SHA256 under a known key, what changes it, the chain, the key ring and the embedded key file.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalSignoff, signaturesEqual, signoffHash, type SignoffFacts } from '../../src/signoffs/signoff-hash.js';
import { EMBEDDED_SIGNOFF_KEY_ID, SIGNOFF_KEY_FILE, SignoffKeyRing, signoffKeyRing } from '../../src/signoffs/signoff-keys.js';
import { loadConfig } from '../../src/config/config.js';

const KEY = Buffer.from('known-test-key-0123456789abcdef0123456789', 'utf8');

const facts = (over: Partial<SignoffFacts> = {}): SignoffFacts => ({
  signoffId: '00000000-0000-4000-8000-000000000001',
  order: {
    id: '00000000-0000-4000-8000-0000000000aa',
    tenantId: '00000000-0000-4000-8000-0000000000bb',
    machineId: '00000000-0000-4000-8000-0000000000cc',
    title: 'Replace spindle bearings',
    description: null,
    priority: 'high',
    status: 'completed',
    assignedTo: null,
    createdBy: '00000000-0000-4000-8000-0000000000dd',
    alertId: null,
    downtimeRecordId: null,
    maintenanceEventId: null,
    startedAt: new Date('2026-04-04T10:00:00.000Z'),
    completedAt: new Date('2026-04-04T11:30:00.250Z'),
    createdAt: new Date('2026-04-04T09:00:00.000Z'),
  },
  parts: [
    { id: 'b-line', partId: 'p2', quantity: '2.500' },
    { id: 'a-line', partId: 'p1', quantity: 1 },
  ],
  signer: { id: '00000000-0000-4000-8000-0000000000dd', name: 'Ελένη Παπαδοπούλου', role: 'admin' },
  meaning: 'approved',
  comment: 'Checked "torque"',
  signedAt: new Date('2026-04-04T12:00:00.123Z'),
  prevHash: null,
  ...over,
});

const EXPECTED_CANONICAL =
  '{"comment":"Checked \\"torque\\"","meaning":"approved",' +
  '"parts":[{"id":"a-line","part_id":"p1","quantity":1},{"id":"b-line","part_id":"p2","quantity":2.5}],' +
  '"prev_hash":null,"signed_at":"2026-04-04T12:00:00.123Z",' +
  '"signer":{"id":"00000000-0000-4000-8000-0000000000dd","name":"Ελένη Παπαδοπούλου","role":"admin"},' +
  '"signoff_id":"00000000-0000-4000-8000-000000000001","tenant_id":"00000000-0000-4000-8000-0000000000bb","v":1,' +
  '"work_order":{"alert_id":null,"assigned_to":null,"completed_at":"2026-04-04T11:30:00.250Z","created_at":"2026-04-04T09:00:00.000Z",' +
  '"created_by":"00000000-0000-4000-8000-0000000000dd","description":null,"downtime_record_id":null,"id":"00000000-0000-4000-8000-0000000000aa",' +
  '"machine_id":"00000000-0000-4000-8000-0000000000cc","maintenance_event_id":null,"priority":"high","started_at":"2026-04-04T10:00:00.000Z",' +
  '"status":"completed","title":"Replace spindle bearings"}}';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sign-off signature', () => {
  it('signs exactly the canonical payload: keys sorted, parts by line id, decimals normalised, instants with ms and Z', () => {
    expect(canonicalSignoff(facts())).toBe(EXPECTED_CANONICAL);
    const expected = createHmac('sha256', KEY).update(Buffer.from(EXPECTED_CANONICAL, 'utf8')).digest('hex');
    expect(signoffHash(KEY, facts())).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with every signed fact, the previous hash and the key', () => {
    const base = signoffHash(KEY, facts());
    const f = facts();
    const variants: SignoffFacts[] = [
      { ...f, order: { ...f.order, title: 'Replace spindle bearings.' } },
      { ...f, order: { ...f.order, completedAt: new Date('2026-04-04T11:30:00.251Z') } },
      { ...f, parts: [f.parts[0]!] },
      { ...f, parts: [{ ...f.parts[0]!, quantity: 3 }, f.parts[1]!] },
      { ...f, signer: { ...f.signer, role: 'operator' } },
      { ...f, signer: { ...f.signer, name: 'Eleni Papadopoulou' } },
      { ...f, meaning: 'reviewed' },
      { ...f, comment: null },
      { ...f, signedAt: new Date('2026-04-04T12:00:00.124Z') },
      { ...f, prevHash: 'a'.repeat(64) },
    ];
    const hashes = new Set(variants.map((v) => signoffHash(KEY, v)));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(base)).toBe(false);
    expect(signoffHash(Buffer.from('another-key-0123456789abcdef0123456789', 'utf8'), f)).not.toBe(base);
    // the order the parts service lists the lines in is not signed
    expect(signoffHash(KEY, { ...f, parts: [...f.parts].reverse() })).toBe(base);
  });

  it('compares signatures in constant time and treats malformed stored values as unequal', () => {
    const h = signoffHash(KEY, facts());
    expect(signaturesEqual(h, h)).toBe(true);
    expect(signaturesEqual(h, h.toUpperCase())).toBe(false);
    expect(signaturesEqual(h, h.slice(0, 63))).toBe(false);
    expect(signaturesEqual(h, '')).toBe(false);
  });
});

describe('sign-off keys', () => {
  it('SIGNOFF_KEYS: the first entry signs, every entry verifies; malformed lists are refused at startup', () => {
    const cfg = loadConfig({ SIGNOFF_KEYS: 'k2:second-secret-0123456789abcdef0123, k1:first:secret-with-colon-0123456789ab' });
    const ring = signoffKeyRing({ keys: cfg.signoffs.keys, dataDir: '/nonexistent' }, { warn: vi.fn() });
    expect(ring.signing.id).toBe('k2');
    expect(ring.find('k1')?.secret.toString()).toBe('first:secret-with-colon-0123456789ab');
    expect(ring.find('nope')).toBeUndefined();
    for (const bad of ['k1', 'k1:short', ':no-id-0123456789abcdef0123456789ab', 'a b:0123456789abcdef0123456789abcdef', 'k:0123456789abcdef0123456789abcdef,k:0123456789abcdef0123456789abcdeX', ',']) {
      expect(() => loadConfig({ SIGNOFF_KEYS: bad }), bad).toThrow(/SIGNOFF_KEYS/);
    }
    expect(() => new SignoffKeyRing([])).toThrow();
  });

  it('without SIGNOFF_KEYS: one generated key file (0600, reused), a warning, and the file text usable as local:<text>', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-signoff-'));
    dirs.push(dir);
    const warn = vi.fn();
    const a = signoffKeyRing({ dataDir: dir }, { warn });
    const b = signoffKeyRing({ dataDir: dir }, { warn });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]![1])).toMatch(/SIGNOFF_KEYS is not set/);
    expect(a.signing.id).toBe(EMBEDDED_SIGNOFF_KEY_ID);
    expect(a.signing.secret.equals(b.signing.secret)).toBe(true);
    const file = path.join(dir, SIGNOFF_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8').trim();
    expect(text).toMatch(/^[0-9a-f]{64}$/);
    const moved = loadConfig({ SIGNOFF_KEYS: `new:${'n'.repeat(40)},local:${text}` }).signoffs.keys!;
    expect(new SignoffKeyRing(moved).find('local')!.secret.equals(a.signing.secret)).toBe(true);
  });
});
