import PDFDocument from 'pdfkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** What a maintenance completion certificate prints. */
export interface CertificateData {
  order: {
    id: string;
    title: string;
    description: string | null;
    status: string;
    priority: string;
    machineId: string;
    machineName: string;
    createdAt: Date;
    startedAt: Date | null;
    completedAt: Date | null;
  };
  parts: { partNumber: string; name: string; quantity: number | string; unit: string | null }[];
  signoffs: {
    signerName: string;
    signerRole: string;
    meaning: string;
    comment: string | null;
    signedAt: Date;
    signatureHash: string;
    keyId: string;
    isValid: boolean;
  }[];
  generatedAt: Date;
}

// DejaVu Sans covers Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters, so a
// signer's name prints as written; the standard PDF fonts cover Latin-1 only.
const fontDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { regular: Buffer; bold: Buffer } | undefined;
/** read once per process (about 1 MB), then embedded as a subset of the glyphs used */
function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= { regular: readFileSync(path.join(fontDir, 'DejaVuSans.ttf')), bold: readFileSync(path.join(fontDir, 'DejaVuSans-Bold.ttf')) };
  return fonts;
}

const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—');
const MEANING_LABEL: Record<string, string> = { performed: 'Performed by', reviewed: 'Reviewed by', approved: 'Approved by' };

/**
 * The certificate as a PDF (A4, fonts embedded). Text layout is synchronous work (the largest
 * certificate, 200 part lines and 20 sign-offs with long comments, takes a few hundred ms), so the
 * rendering yields to the event loop between blocks instead of holding it for the whole document.
 */
export async function renderCertificate(data: CertificateData): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Maintenance completion certificate: ${data.order.title}`, Subject: `Work order ${data.order.id}`, CreationDate: data.generatedAt },
  });
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 100;
  const heading = (text: string) => doc.moveDown(0.8).font('bold').fontSize(13).text(text, { width }).moveDown(0.3);
  const field = (label: string, value: string) => doc.font('bold').fontSize(10).text(`${label}: `, { continued: true }).font('body').text(value, { width });

  doc.font('bold').fontSize(18).text('Maintenance Completion Certificate', { width, align: 'center' });
  doc.moveDown(0.2).font('body').fontSize(9).fillColor('#555').text(`Work order ${data.order.id}`, { width, align: 'center' }).fillColor('black');

  heading('Work order');
  const o = data.order;
  field('Title', o.title);
  field('Machine', `${o.machineName} (${o.machineId})`);
  field('Status', o.status);
  field('Priority', o.priority);
  field('Created', when(o.createdAt));
  field('Started', when(o.startedAt));
  field('Completed', when(o.completedAt));
  if (o.description) field('Description', o.description);

  heading(`Parts used (${data.parts.length})`);
  if (!data.parts.length) doc.font('body').fontSize(10).text('None.', { width });
  for (const [i, p] of data.parts.entries()) {
    if (i % 10 === 9) await yieldToEventLoop();
    doc.font('body').fontSize(10).text(`${p.partNumber}  ${p.name}: ${String(p.quantity)}${p.unit ? ` ${p.unit}` : ''}`, { width });
  }

  heading(`Sign-offs (${data.signoffs.length})`);
  for (const [i, s] of data.signoffs.entries()) {
    await yieldToEventLoop();
    if (i > 0) doc.moveDown(0.6);
    doc.font('bold').fontSize(11).text(`${i + 1}. ${MEANING_LABEL[s.meaning] ?? s.meaning}: ${s.signerName}`, { width });
    field('Role', s.signerRole);
    field('Signed at', when(s.signedAt));
    if (s.comment) field('Comment', s.comment);
    field('Signature (HMAC-SHA256)', `${s.signatureHash} (key ${s.keyId})`);
    doc.font('bold').fontSize(10).text('Verification: ', { continued: true });
    doc
      .fillColor(s.isValid ? '#106b21' : '#b00020')
      .text(s.isValid ? 'valid: the record has not been altered' : 'INVALID: the record or the work order was altered after signing', { width })
      .fillColor('black');
  }

  doc.moveDown(1.2).font('body').fontSize(8).fillColor('#555');
  doc.text(`Generated ${when(data.generatedAt)}. Each signature covers the work order, its parts, the signer, the meaning, the time and the previous signature.`, { width });
  doc.end();
  return done;
}
