import { z } from 'zod';
import { SignoffResolver } from '../resolvers/signoff.resolver.js';
import type { Signoff, SignoffVerification } from '../schema/signoff.type.js';
import { SIGNOFF_LIMITS as L, SIGNOFF_MEANINGS } from '../src/signoffs/signoff.rules.js';
import { iso, isoInstant, mapper, shape } from './mappers.js';
import { route } from './route.js';
import { v } from './validation.js';

const meaning = z.enum(SIGNOFF_MEANINGS);

const SignoffShape = shape(
  'Signoff',
  z.object({
    id: z.uuid(),
    work_order_id: z.uuid(),
    seq: z.number().int().min(1).meta({ description: "position in the order's chain of sign-offs (1 = first)" }),
    signed_by: z.uuid(),
    signer_name: z.string().meta({ description: "the signer's name at signing" }),
    signer_role: z.string().meta({ description: "the signer's role at signing" }),
    meaning,
    comment: z.string().nullable(),
    signature_hash: z.string().meta({ description: 'HMAC-SHA256 (hex) over the RFC 8785 canonical JSON of the signed facts' }),
    key_id: z.string().meta({ description: 'id of the SIGNOFF_KEYS entry that signed it' }),
    prev_hash: z.string().nullable().meta({ description: 'signature_hash of the previous sign-off (null for the first)' }),
    signed_at: isoInstant(),
    created_at: isoInstant(),
  }),
);
const SignoffListShape = shape('SignoffList', z.array(SignoffShape));
const SignoffVerificationShape = shape(
  'SignoffVerification',
  z.object({ signoff_id: z.uuid(), is_valid: z.boolean(), detail: z.string() }),
);

const signoffJson = (s: Signoff) => ({
  id: s.id,
  work_order_id: s.workOrderId,
  seq: s.seq,
  signed_by: s.signedBy,
  signer_name: s.signerName,
  signer_role: s.signerRole,
  meaning: s.meaning as z.output<typeof meaning>,
  comment: s.comment,
  signature_hash: s.signatureHash,
  key_id: s.keyId,
  prev_hash: s.prevHash,
  signed_at: iso(s.signedAt),
  created_at: iso(s.createdAt),
});
const mapSignoff = mapper(SignoffShape, signoffJson);
const mapSignoffs = mapper(SignoffListShape, (list: Signoff[]) => list.map(signoffJson));
const mapVerification = mapper(SignoffVerificationShape, (r: SignoffVerification) => ({ signoff_id: r.signoffId, is_valid: r.isValid, detail: r.detail }));

const orderId = z.object({ work_order_id: v.uuid('work_order_id') });
const tag = 'Sign-offs';

export const signoffRoutes = [
  route({
    method: 'POST', path: '/work-orders/{work_order_id}/signoffs', tag, status: 201, errors: [403, 409],
    summary: "Sign off a completed work order with the caller's password (admin, operator; 403 on a wrong password, counted towards the login lock-out)",
    resolver: SignoffResolver, operation: 'createSignoff', params: orderId,
    body: z.object({
      password: v.password(),
      meaning: meaning.optional().meta({ description: 'default approved' }),
      comment: v.str(L.comment).nullable().optional(),
    }),
    call: (r, ctx, { params, body }) => r.createSignoff(ctx, params.work_order_id, { password: body.password, meaning: body.meaning, comment: body.comment }),
    map: mapSignoff,
  }),
  route({
    method: 'GET', path: '/work-orders/{work_order_id}/signoffs', tag, summary: "A work order's sign-offs, newest first (at most 20)",
    resolver: SignoffResolver, operation: 'workOrderSignoffs', params: orderId,
    call: (r, ctx, { params }) => r.workOrderSignoffs(ctx, params.work_order_id),
    map: mapSignoffs,
  }),
  route({
    method: 'GET', path: '/work-orders/{work_order_id}/signoffs/{signoff_id}/verify', tag,
    summary: 'Recompute a sign-off\'s signature from the current rows (constant-time compare); a mismatch is is_valid false, not an error',
    resolver: SignoffResolver, operation: 'verifySignoff',
    params: z.object({ work_order_id: v.uuid('work_order_id'), signoff_id: v.uuid('signoff_id') }),
    call: (r, ctx, { params }) => r.verifySignoff(ctx, params.work_order_id, params.signoff_id),
    map: mapVerification,
  }),
  route({
    method: 'GET', path: '/work-orders/{work_order_id}/certificate', tag, errors: [409],
    summary: 'The maintenance completion certificate (PDF) of a completed, signed work order',
    resolver: SignoffResolver, operation: 'workOrderCertificate', params: orderId,
    download: { contentType: 'application/pdf', description: 'the certificate: work order, parts and every sign-off with its verification' },
    call: (r, ctx, { params }) => r.workOrderCertificate(ctx, params.work_order_id),
  }),
];
