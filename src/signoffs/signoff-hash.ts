import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { SignoffMeaning } from './signoff.rules.js';

/** The work order's fields a sign-off covers: the order as completed (its `updated_at` is not signed: comments may follow). */
export interface SignedOrder {
  id: string;
  tenantId: string;
  machineId: string;
  title: string;
  description: string | null;
  priority: string;
  status: string;
  assignedTo: string | null;
  createdBy: string | null;
  alertId: string | null;
  downtimeRecordId: string | null;
  maintenanceEventId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
}

/** A part line of the order: the line's own facts, not the part's catalogue data (a renamed part does not void a sign-off). */
export interface SignedPart {
  id: string;
  partId: string;
  quantity: number | string;
}

/** Everything one sign-off's signature covers. */
export interface SignoffFacts {
  signoffId: string;
  order: SignedOrder;
  parts: readonly SignedPart[];
  signer: { id: string; name: string; role: string };
  meaning: SignoffMeaning;
  comment: string | null;
  signedAt: Date;
  /** the signature of the order's previous sign-off (null for the first): the chain */
  prevHash: string | null;
}

/** Version of the payload layout; a later layout would sign `v: 2` and keep verifying `v: 1` rows. */
export const SIGNOFF_PAYLOAD_VERSION = 1;

const instant = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A part quantity as a JSON number (PostgreSQL numerics arrive as text: 2.500 and 2.5 are one quantity). */
function quantity(q: number | string): number {
  const n = typeof q === 'number' ? q : Number(q);
  if (!Number.isFinite(n)) throw new Error(`part quantity ${String(q)} is not a number`);
  return n;
}

/** The JSON object that is signed, snake_case like the API; instants as ISO 8601 with milliseconds and Z. */
export function signoffPayload(f: SignoffFacts): Record<string, unknown> {
  const o = f.order;
  return {
    v: SIGNOFF_PAYLOAD_VERSION,
    signoff_id: f.signoffId,
    tenant_id: o.tenantId,
    work_order: {
      id: o.id,
      machine_id: o.machineId,
      title: o.title,
      description: o.description,
      priority: o.priority,
      status: o.status,
      assigned_to: o.assignedTo,
      created_by: o.createdBy,
      alert_id: o.alertId,
      downtime_record_id: o.downtimeRecordId,
      maintenance_event_id: o.maintenanceEventId,
      started_at: instant(o.startedAt),
      completed_at: instant(o.completedAt),
      created_at: instant(o.createdAt),
    },
    // by line id, so the order the parts service lists them in does not matter
    parts: [...f.parts]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((p) => ({ id: p.id, part_id: p.partId, quantity: quantity(p.quantity) })),
    signer: { id: f.signer.id, name: f.signer.name, role: f.signer.role },
    meaning: f.meaning,
    comment: f.comment,
    signed_at: instant(f.signedAt),
    prev_hash: f.prevHash,
  };
}

/** The RFC 8785 canonical form of the payload: the exact text the HMAC covers (as UTF-8). */
export function canonicalSignoff(f: SignoffFacts): string {
  return canonicalJson(signoffPayload(f));
}

/** HMAC-SHA256 of the canonical payload under `secret`, lowercase hex. */
export function signoffHash(secret: Buffer, f: SignoffFacts): string {
  return createHmac('sha256', secret).update(canonicalSignoff(f), 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures (a malformed or short stored value is simply unequal). */
export function signaturesEqual(expected: string, stored: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(stored, 'utf8');
  // timingSafeEqual needs equal lengths; comparing a with itself keeps the time independent of b
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(a, a);
}
