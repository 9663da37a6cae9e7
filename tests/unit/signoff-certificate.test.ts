/**
 * The certificate PDF as pdf.js reads it back: the order's details, parts and every sign-off with
 * its verification, names in Greek and Cyrillic printed as written (DejaVu Sans embedded).
 */
import { describe, expect, it } from 'vitest';
import { renderCertificate, type CertificateData } from '../../src/signoffs/signoff-certificate.js';
import { pdfText } from '../helpers/pdf-text.js';

const data = (over: Partial<CertificateData> = {}): CertificateData => ({
  order: {
    id: '11111111-2222-4333-8444-555555555555',
    title: 'Replace spindle bearings',
    description: 'Main spindle bearings showing excessive vibration',
    status: 'completed',
    priority: 'high',
    machineId: '66666666-7777-4888-8999-000000000000',
    machineName: 'CNC Mill 3',
    createdAt: new Date('2026-04-01T08:00:00Z'),
    startedAt: new Date('2026-04-02T09:15:00Z'),
    completedAt: new Date('2026-04-03T17:45:30Z'),
  },
  parts: [{ partNumber: 'BRG-6205-2RS', name: 'Deep Groove Ball Bearing 6205', quantity: '2.5', unit: 'piece' }],
  signoffs: [
    { signerName: 'Ελένη Παπαδοπούλου', signerRole: 'operator', meaning: 'performed', comment: 'Torque checked', signedAt: new Date('2026-04-04T12:00:00.123Z'), signatureHash: 'a'.repeat(64), keyId: 'k1', isValid: true },
    { signerName: 'Дмитрий Иванов', signerRole: 'admin', meaning: 'approved', comment: null, signedAt: new Date('2026-04-04T13:00:00Z'), signatureHash: 'b'.repeat(64), keyId: 'k2', isValid: false },
  ],
  generatedAt: new Date('2026-04-05T10:00:00Z'),
  ...over,
});

describe('renderCertificate', () => {
  it('prints the order, the parts and every signer with meaning, role, time, hash and verification', async () => {
    const pdf = await renderCertificate(data());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text } = await pdfText(pdf);
    const flat = text.replace(/\s+/g, ' ');
    for (const expected of [
      'Maintenance Completion Certificate',
      'Title: Replace spindle bearings',
      'Machine: CNC Mill 3 (66666666-7777-4888-8999-000000000000)',
      'Status: completed',
      'Created: 2026-04-01 08:00:00 UTC',
      'Started: 2026-04-02 09:15:00 UTC',
      'Completed: 2026-04-03 17:45:30 UTC',
      'BRG-6205-2RS',
      'Deep Groove Ball Bearing 6205: 2.5 piece',
      '1. Performed by: Ελένη Παπαδοπούλου',
      'Role: operator',
      'Signed at: 2026-04-04 12:00:00 UTC',
      'Comment: Torque checked',
      `${'a'.repeat(64)} (key k1)`,
      'Verification: valid',
      '2. Approved by: Дмитрий Иванов',
      `${'b'.repeat(64)} (key k2)`,
      'Verification: INVALID',
    ]) {
      expect(flat, expected).toContain(expected);
    }
  });

  it('embeds the fonts (no reliance on the reader\'s fonts) and says so when no parts were used', async () => {
    const pdf = await renderCertificate(data({ parts: [] }));
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/FontFile2/);
    expect(raw).toMatch(/DejaVuSans/);
    expect((await pdfText(pdf)).text).toMatch(/Parts used \(0\)\s*None\./);
  });

  it('spreads twenty sign-offs with long names over several pages', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ ...data().signoffs[0]!, signerName: `Signer ${i + 1} ${'Ω'.repeat(150)}`, comment: 'x'.repeat(1000) }));
    const { text, pages } = await pdfText(await renderCertificate(data({ signoffs: many })));
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain('20. Performed by: Signer 20');
  });
});
