import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { RequestContext } from '../common/context.js';
import { isUuid } from '../common/errors.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { renderCertificate } from './signoff-certificate.js';
import { signaturesEqual, signoffHash, type SignedOrder, type SignedPart, type SignoffFacts } from './signoff-hash.js';
import type { SignoffKeyRing } from './signoff-keys.js';
import { Signoff } from './signoff.entity.js';
import { SignoffErrors } from './signoff.errors.js';
import { signoffRecordedTopic } from './signoff.events.js';
import { DEFAULT_SIGNOFF_MEANING, isSignoffMeaning, SIGNOFF_LIMITS as L, type SignoffMeaning } from './signoff.rules.js';

/** What sign-offs use of the work-order service (src/work-orders). */
export interface SignableWorkOrders {
  /** the order of the tenant; 404 otherwise */
  get(tenantId: string, id: string): Promise<{ id: string; status: string }>;
  /** locks the order row in the transaction; 404 when absent */
  lockInTx(tx: EntityManager, tenantId: string, id: string): Promise<{ id: string; status: string }>;
  /** a hook run inside DELETE's transaction, after the order is locked */
  onDelete(hook: (tx: EntityManager, tenantId: string, workOrderId: string, actor: RequestContext) => Promise<void>): void;
}

/** A part line of a work order as the inventory service lists it. */
export interface WorkOrderPartLine {
  id: string;
  partId: string;
  partNumber: string;
  name: string;
  quantity: number | string;
  unit: string | null;
}

/** What sign-offs use of the inventory service (src/inventory). */
export interface WorkOrderParts {
  partsOfWorkOrder(tenantId: string, workOrderId: string): Promise<WorkOrderPartLine[]>;
}

export interface CreateSignoffInput {
  password: string;
  meaning?: string | null;
  comment?: string | null;
}

export interface SignoffVerification {
  signoffId: string;
  isValid: boolean;
  detail: string;
}

export interface SignoffCertificate {
  fileName: string;
  contentType: 'application/pdf';
  content: Buffer;
}

const VALID = 'Signature verification passed. The sign-off record has not been tampered with.';
const MISMATCH = 'Signature mismatch detected. The sign-off record may have been altered.';
const unknownKey = (id: string) => `The key that signed this sign-off (id ${id}) is not configured in SIGNOFF_KEYS; the signature cannot be verified.`;

type Row = Record<string, unknown>;
const date = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v)));
const text = (v: unknown): string | null => (v == null ? null : String(v));

/** The work order's signed columns (the order as completed; not updated_at, comments may follow). */
const ORDER_SQL = `select id, tenant_id, machine_id, title, description, priority, status, assigned_to, created_by,
  alert_id, downtime_record_id, maintenance_event_id, started_at, completed_at, created_at
  from work_orders where id = ? and tenant_id = ?`;

function signedOrder(r: Row): SignedOrder {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    machineId: String(r.machine_id),
    title: String(r.title),
    description: text(r.description),
    priority: String(r.priority),
    status: String(r.status),
    assignedTo: text(r.assigned_to),
    createdBy: text(r.created_by),
    alertId: text(r.alert_id),
    downtimeRecordId: text(r.downtime_record_id),
    maintenanceEventId: text(r.maintenance_event_id),
    startedAt: date(r.started_at),
    completedAt: date(r.completed_at),
    createdAt: date(r.created_at)!,
  };
}

const signedParts = (lines: readonly WorkOrderPartLine[]): SignedPart[] => lines.map((p) => ({ id: p.id, partId: p.partId, quantity: p.quantity }));

/**
 * Electronic sign-offs of completed work orders (21 CFR Part 11 in spirit): the signer re-enters
 * their password; each sign-off is an HMAC over the order, its parts, the signer, the meaning,
 * the time and the previous sign-off's signature; verification recomputes it from the current rows.
 */
export class SignoffService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly workOrders: SignableWorkOrders,
    private readonly inventory: WorkOrderParts,
    private readonly keys: SignoffKeyRing,
  ) {
    workOrders.onDelete((tx, tenantId, workOrderId) => this.refuseDelete(tx, tenantId, workOrderId));
  }

  /** Signs a completed order as the caller (password re-entered); 409 when not completed, full, or signed by them with this meaning. */
  async create(ctx: RequestContext, workOrderId: string, input: CreateSignoffInput): Promise<Signoff> {
    const tenantId = ctx.principal!.tenantId;
    const { password, meaning, comment } = this.validate(input);
    const order = await this.workOrders.get(tenantId, workOrderId);
    const userId = ctx.principal!.kind === 'user' ? ctx.principal!.userId : '';
    // cheap refusals before the (deliberately slow) password check; repeated under the lock below
    if (order.status !== 'completed') throw SignoffErrors.notCompleted(order.status);
    this.assertSignable(await this.db.query<Row>('select signed_by, meaning from signoffs where work_order_id = ?', [order.id]), userId, meaning);

    const user = await this.auth.confirmPassword(ctx, password);
    if (!user) {
      await this.audit.record(ctx, {
        action: 'signoff_failed',
        resourceType: 'work_order',
        resourceId: order.id,
        details: { reason: 'password_verification_failed', meaning },
      });
      throw SignoffErrors.passwordFailed();
    }
    // completed is final and a completed order's parts are locked, so these are the parts signed
    const parts = signedParts(await this.inventory.partsOfWorkOrder(tenantId, order.id));
    const key = this.keys.signing;

    const em = this.db.em();
    const { signoff, ev } = await this.conflictsAsConflicts(meaning, () =>
      em.transactional(async (tx) => {
        const locked = await this.workOrders.lockInTx(tx, tenantId, order.id);
        if (locked.status !== 'completed') throw SignoffErrors.notCompleted(locked.status);
        const run = (sql: string, params: unknown[]) => tx.getConnection().execute<Row[]>(sql, params, 'all', tx.getTransactionContext());
        const existing = await run('select signed_by, meaning, seq, signature_hash from signoffs where work_order_id = ? order by seq', [order.id]);
        this.assertSignable(existing, user.id, meaning);
        const [row] = await run(ORDER_SQL, [order.id, tenantId]);
        const s = new Signoff();
        s.tenantId = tenantId;
        s.workOrderId = order.id;
        s.seq = existing.length + 1;
        s.signedBy = user.id;
        s.signerName = user.fullName;
        s.signerRole = user.role;
        s.meaning = meaning;
        s.comment = comment;
        s.keyId = key.id;
        s.prevHash = existing.length ? String(existing[existing.length - 1]!.signature_hash) : null;
        // a JS Date has milliseconds, which timestamptz stores exactly: the signed instant reads back unchanged
        s.signedAt = new Date();
        s.createdAt = s.signedAt;
        s.signatureHash = signoffHash(key.secret, this.facts(s, signedOrder(row!), parts));
        tx.persist(s);
        const staged = this.audit.stage(tx, ctx, {
          action: 'create_signoff',
          resourceType: 'signoff',
          resourceId: s.id,
          details: { work_order_id: order.id, meaning, seq: s.seq, key_id: key.id, signature_hash: s.signatureHash },
        });
        await tx.flush();
        return { signoff: s, ev: staged };
      }),
    );
    await this.audit.announce([ev]);
    await this.bus.publish(signoffRecordedTopic(tenantId), {
      id: signoff.id,
      tenantId,
      workOrderId: signoff.workOrderId,
      seq: signoff.seq,
      signedBy: signoff.signedBy,
      signerName: signoff.signerName,
      signerRole: signoff.signerRole,
      meaning: signoff.meaning,
      comment: signoff.comment,
      keyId: signoff.keyId,
      prevHash: signoff.prevHash,
      signatureHash: signoff.signatureHash,
      signedAt: signoff.signedAt,
      createdAt: signoff.createdAt,
    });
    return signoff;
  }

  /** The id of a work order of the tenant (404 otherwise): what a subscription to its sign-offs names. */
  async workOrderOf(tenantId: string, workOrderId: string): Promise<string> {
    return (await this.workOrders.get(tenantId, workOrderId)).id;
  }

  /** The order's sign-offs, newest first (at most 20, so one list). */
  async list(ctx: RequestContext, workOrderId: string): Promise<Signoff[]> {
    const tenantId = ctx.principal!.tenantId;
    const order = await this.workOrders.get(tenantId, workOrderId);
    return this.db.em().find(Signoff, { tenantId, workOrderId: order.id }, { orderBy: { seq: 'desc' } });
  }

  /** Recomputes one sign-off's signature from the current rows and compares it in constant time. */
  async verify(ctx: RequestContext, workOrderId: string, signoffId: string): Promise<SignoffVerification> {
    const tenantId = ctx.principal!.tenantId;
    const order = await this.workOrders.get(tenantId, workOrderId);
    if (!isUuid(signoffId)) throw SignoffErrors.notFound();
    const em = this.db.em();
    const target = await em.findOne(Signoff, { id: signoffId.toLowerCase(), tenantId, workOrderId: order.id });
    if (!target) throw SignoffErrors.notFound();
    // the chain as it is now: the sign-off just before this one, whichever that is today
    const prev = await em.findOne(Signoff, { tenantId, workOrderId: order.id, seq: { $lt: target.seq } }, { orderBy: { seq: 'desc' } });
    const [verdict] = await this.check(tenantId, order.id, [target], prev?.signatureHash ?? null);
    return verdict!;
  }

  /** The completion certificate (PDF): the order, its parts and every sign-off with its verification; 409 unless completed and signed. */
  async certificate(ctx: RequestContext, workOrderId: string): Promise<SignoffCertificate> {
    const tenantId = ctx.principal!.tenantId;
    const order = await this.workOrders.get(tenantId, workOrderId);
    if (order.status !== 'completed') throw SignoffErrors.certificateNotCompleted(order.status);
    const signoffs = await this.db.em().find(Signoff, { tenantId, workOrderId: order.id }, { orderBy: { seq: 'asc' } });
    if (!signoffs.length) throw SignoffErrors.notSigned();
    const [row] = await this.db.query<Row>(
      `select w.title, w.description, w.status, w.priority, w.machine_id, w.created_at, w.started_at, w.completed_at, m.name as machine_name
       from work_orders w join machines m on m.id = w.machine_id where w.id = ? and w.tenant_id = ?`,
      [order.id, tenantId],
    );
    const lines = await this.inventory.partsOfWorkOrder(tenantId, order.id);
    const verdicts = await this.check(tenantId, order.id, signoffs, null, lines);
    const pdf = await renderCertificate({
      order: {
        id: order.id,
        title: String(row!.title),
        description: text(row!.description),
        status: String(row!.status),
        priority: String(row!.priority),
        machineId: String(row!.machine_id),
        machineName: String(row!.machine_name),
        createdAt: date(row!.created_at)!,
        startedAt: date(row!.started_at),
        completedAt: date(row!.completed_at),
      },
      parts: lines.map((p) => ({ partNumber: p.partNumber, name: p.name, quantity: p.quantity, unit: p.unit })),
      signoffs: signoffs.map((s, i) => ({
        signerName: s.signerName,
        signerRole: s.signerRole,
        meaning: s.meaning,
        comment: s.comment,
        signedAt: s.signedAt,
        signatureHash: s.signatureHash,
        keyId: s.keyId,
        isValid: verdicts[i]!.isValid,
      })),
      generatedAt: new Date(),
    });
    return { fileName: `work-order-${order.id}-certificate.pdf`, contentType: 'application/pdf', content: pdf };
  }

  /**
   * Verdicts for `signoffs` (consecutive in chain order): each is recomputed over the order and
   * parts as they are now, with the previous one's stored signature (`prevHash` before the first).
   */
  private async check(tenantId: string, workOrderId: string, signoffs: Signoff[], prevHash: string | null, lines?: WorkOrderPartLine[]): Promise<SignoffVerification[]> {
    const [row] = await this.db.query<Row>(ORDER_SQL, [workOrderId, tenantId]);
    const order = signedOrder(row!);
    const parts = signedParts(lines ?? (await this.inventory.partsOfWorkOrder(tenantId, workOrderId)));
    let prev = prevHash;
    return signoffs.map((s) => {
      const facts = this.facts({ ...s, prevHash: prev }, order, parts);
      prev = s.signatureHash;
      const key = this.keys.find(s.keyId);
      if (!key) return { signoffId: s.id, isValid: false, detail: unknownKey(s.keyId) };
      const ok = signaturesEqual(signoffHash(key.secret, facts), s.signatureHash);
      return { signoffId: s.id, isValid: ok, detail: ok ? VALID : MISMATCH };
    });
  }

  private facts(s: Pick<Signoff, 'id' | 'signedBy' | 'signerName' | 'signerRole' | 'meaning' | 'comment' | 'signedAt' | 'prevHash'>, order: SignedOrder, parts: SignedPart[]): SignoffFacts {
    return {
      signoffId: s.id,
      order,
      parts,
      signer: { id: s.signedBy, name: s.signerName, role: s.signerRole },
      meaning: s.meaning,
      comment: s.comment,
      signedAt: s.signedAt,
      prevHash: s.prevHash,
    };
  }

  /** 409 when the order has its maximum of sign-offs or this signer already signed it with this meaning. */
  private assertSignable(existing: Row[], userId: string, meaning: SignoffMeaning): void {
    if (existing.some((r) => r.signed_by === userId && r.meaning === meaning)) throw SignoffErrors.duplicate(meaning);
    if (existing.length >= L.perWorkOrder) throw SignoffErrors.limitReached(L.perWorkOrder);
  }

  /** The unique indexes are the last word when two requests of one signer race past the checks. */
  private async conflictsAsConflicts<R>(meaning: SignoffMeaning, write: () => Promise<R>): Promise<R> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException || (err as { code?: string }).code === '23505') throw SignoffErrors.duplicate(meaning);
      throw err;
    }
  }

  /** Work-order DELETE hook: an order with sign-offs stays (409); the foreign key would refuse too. */
  private async refuseDelete(tx: EntityManager, tenantId: string, workOrderId: string): Promise<void> {
    const rows = await tx.getConnection().execute<Row[]>(
      'select 1 from signoffs where work_order_id = ? and tenant_id = ? limit 1',
      [workOrderId, tenantId],
      'all',
      tx.getTransactionContext(),
    );
    if (rows.length) throw SignoffErrors.hasSignoffs();
  }

  private validate(input: CreateSignoffInput): { password: string; meaning: SignoffMeaning; comment: string | null } {
    if (typeof input.password !== 'string' || !input.password) throw SignoffErrors.invalid('password', 'Field required', 'missing');
    if (input.password.length > L.password) throw SignoffErrors.invalid('password', `String should have at most ${L.password} characters`, 'string_too_long');
    const meaning = input.meaning ?? DEFAULT_SIGNOFF_MEANING;
    if (!isSignoffMeaning(meaning)) throw SignoffErrors.meaning();
    let comment: string | null = null;
    if (input.comment != null && input.comment.trim()) {
      comment = input.comment.trim();
      if (codePointLength(comment) > L.comment) throw SignoffErrors.invalid('comment', `String should have at most ${L.comment} characters`, 'string_too_long');
      const unsafe = unsafeTextReason(comment, true);
      if (unsafe) throw SignoffErrors.invalid('comment', `String ${unsafe}`);
      if (/\p{Cs}/u.test(comment)) throw SignoffErrors.invalid('comment', 'String must be valid Unicode text');
    }
    return { password: input.password, meaning, comment };
  }
}
