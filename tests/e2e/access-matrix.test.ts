/**
 * Access matrix, table-driven from ROUTES: every REST row is called with no credentials, as each
 * role, with API keys of each scope, across tenants and with bad ids. A new row without a fixture
 * below fails with a message saying what to add. A few GraphQL fields get the same role rules.
 */
// type-graphql decorators of the resolver classes need the metadata polyfill before they load.
import 'reflect-metadata';
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../rest/routes.js';
import type { Route } from '../../rest/route.js';
import { policyOf, type AccessPolicy } from '../../src/auth/access.js';
import { ROLES, SCOPES, type Role, type Scope } from '../../src/common/context.js';
import { totpCode } from '../../src/auth/totp.js';
import { ApiKeyResolver } from '../../resolvers/api-key.resolver.js';
import { AuditResolver } from '../../resolvers/audit.resolver.js';
import { UserResolver } from '../../resolvers/user.resolver.js';
import {
  createApiKey,
  createUserSession,
  gql,
  http,
  registerTenant,
  startTestApp,
  STRONG_PASSWORD,
  type HttpResult,
  type TenantSession,
  type TestApp,
} from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const ROLE_FORBIDDEN = 'Forbidden (insufficient role)';
const scopeForbidden = (scope: string) => `API key does not have the required scope: ${scope}`;

/** Who calls: nobody, a user of a role, or an API key with one scope. */
type Caller =
  | { kind: 'none'; label: string }
  | { kind: 'user'; label: string; role: Role; session: TenantSession }
  | { kind: 'apiKey'; label: string; scope: Scope; key: string };

interface World {
  t: TestApp;
  /** tenant A: the admin who registered it, plus one user per role */
  adminA: TenantSession;
  users: Record<Role, TenantSession>;
  keys: Record<Scope, { id: string; key: string }>;
  /** tenant B's admin */
  adminB: TenantSession;
  /** shared machine / group of tenant A (created on first use) */
  machineA?: string;
  groupA?: string;
  ruleA?: string;
  alertA?: string;
}

interface CallCtx {
  w: World;
  caller: Caller;
}

/**
 * How to call one row so that an allowed caller succeeds.
 * - body/query: a minimal valid request (functions get the world and the caller)
 * - fresh: the call destroys its path resources (DELETE, deactivate...): build new ones per call
 * - throwawayCaller: the call ends or changes the caller's own session/account (logout, password,
 *   MFA enrolment): allowed user callers are replaced by a brand-new user of the same role
 * - ok: statuses an allowed caller must get (default: the row's success status)
 */
interface Fixture {
  body?: (c: CallCtx) => unknown;
  /** multipart/form-data upload instead of a JSON body: one file field */
  multipart?: (c: CallCtx) => { field: string; filename: string; content: string };
  /** a function when the query names a resource (GET /oee/records?machine_id=...) */
  query?: Record<string, string> | ((c: CallCtx) => Promise<Record<string, string>>);
  fresh?: boolean;
  throwawayCaller?: boolean;
  ok?: number[];
  /** path ids that belong together (a sign-off and its completed order), instead of PARAM_RESOURCES one by one */
  params?: (w: World, fresh: boolean) => Promise<Record<string, string>>;
}

async function login(w: World, email: string, password: string): Promise<HttpResult> {
  const r = await http('POST', `${w.t.api}/auth/login`, { body: { email, password } });
  if (r.status !== 200) throw new Error(`login of ${email} failed: ${r.status} ${r.text}`);
  return r;
}

/** A new user of tenant A with MFA switched on. */
async function mfaUser(w: World): Promise<{ email: string; secret: string }> {
  const u = await createUserSession(w.t.api, w.adminA, 'viewer');
  const setup = await http('POST', `${w.t.api}/auth/mfa/setup`, { token: u.token });
  if (setup.status !== 200) throw new Error(`MFA setup failed: ${setup.status} ${setup.text}`);
  const on = await http('POST', `${w.t.api}/auth/mfa/verify-setup`, { token: u.token, body: { code: totpCode(setup.body.secret) } });
  if (on.status !== 200) throw new Error(`MFA verify-setup failed: ${on.status} ${on.text}`);
  return { email: u.email, secret: setup.body.secret };
}

function tokenOf(c: Caller): string | undefined {
  return c.kind === 'user' ? c.session.token : undefined;
}

const uniqueIdentifier = () => `MX-${randomUUID().slice(0, 12)}`;

/** A new machine of tenant A (created by A's admin); returns its id. */
async function newMachineA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/machines`, { token: w.adminA.token, body: { name: 'Matrix Machine', machine_identifier: uniqueIdentifier(), protocol: 'json' } });
  if (r.status !== 201) throw new Error(`create machine failed: ${r.status} ${r.text}`);
  latestMachine.set(w, r.body.id);
  return r.body.id;
}

/** The machine newMachineA made last: a fresh downtime record goes on the fresh machine of the same path. */
const latestMachine = new WeakMap<World, string>();
const sharedDowntime = new WeakMap<World, Promise<string>>();
const sharedReasonCode = new WeakMap<World, Promise<string>>();
let downtimeSlot = 0;

/** A downtime record of tenant A: fresh ones open on the latest machine, the shared one ended in a slot of its own on machine A. */
async function newDowntimeA(w: World, fresh: boolean): Promise<string> {
  const open = async (machineId: string, body: Record<string, unknown>) => {
    const r = await http('POST', `${w.t.api}/machines/${machineId}/downtime`, { token: w.adminA.token, body: { reason: 'Matrix stop', category: 'unplanned', ...body } });
    if (r.status !== 201) throw new Error(`create downtime failed: ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  if (fresh) return open(latestMachine.get(w) ?? (await newMachineA(w)), { started_at: new Date(Date.now() - 3_600_000).toISOString() });
  let p = sharedDowntime.get(w);
  if (!p) {
    const start = Date.UTC(2025, 0, 1) + downtimeSlot++ * 3_600_000;
    p = (async () => open((w.machineA ??= await newMachineA(w)), { started_at: new Date(start).toISOString(), ended_at: new Date(start + 1_800_000).toISOString() }))();
    sharedDowntime.set(w, p);
  }
  return p;
}

/** The spec's OEE record example: on a fresh machine, or the shared one on machine A (a POST there replaces it, same id). */
const OEE_EXAMPLE = { date: '2026-04-04', availability: 92.5, performance: 87.3, quality: 99.1, planned_production_time_minutes: 480, actual_run_time_minutes: 444, total_pieces: 1200, good_pieces: 1189 };
const sharedOeeRecord = new WeakMap<World, Promise<string>>();
async function newOeeRecordA(w: World, fresh: boolean): Promise<string> {
  const make = async (machineId: string) => {
    const r = await http('POST', `${w.t.api}/oee/records`, { token: w.adminA.token, body: { machine_id: machineId, ...OEE_EXAMPLE } });
    if (r.status !== 201 && r.status !== 200) throw new Error(`create OEE record failed: ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  if (fresh) return make(await newMachineA(w));
  let p = sharedOeeRecord.get(w);
  if (!p) sharedOeeRecord.set(w, (p = (async () => make((w.machineA ??= await newMachineA(w))))()));
  return p;
}

/** A reason code of tenant A; returns its id. */
async function newReasonCodeA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/reason-codes`, { token: w.adminA.token, body: { code: `MX-${randomUUID().slice(0, 8)}`, name: 'Matrix cause', category: 'unplanned' } });
  if (r.status !== 201) throw new Error(`create reason code failed: ${r.status} ${r.text}`);
  return r.body.id;
}

/** Identifier of one machine of tenant A that ingestion fixtures write to (created on first use). */
const ingestIdentifiers = new WeakMap<World, Promise<string>>();
function ingestMachineA(w: World): Promise<string> {
  let p = ingestIdentifiers.get(w);
  if (!p) {
    const identifier = uniqueIdentifier();
    p = http('POST', `${w.t.api}/machines`, { token: w.adminA.token, body: { name: 'Matrix Ingest', machine_identifier: identifier, protocol: 'json' } }).then((r) => {
      if (r.status !== 201) throw new Error(`create machine failed: ${r.status} ${r.text}`);
      return identifier;
    });
    ingestIdentifiers.set(w, p);
  }
  return p;
}

/** A new (childless) machine group of tenant A; returns its id. */
async function newGroupA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/machine-groups`, { token: w.adminA.token, body: { name: 'Matrix Group', group_type: 'line' } });
  if (r.status !== 201) throw new Error(`create group failed: ${r.status} ${r.text}`);
  return r.body.id;
}

/** A new alert rule of tenant A (every machine of the tenant); returns its id. */
async function newRuleA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/alert-rules`, { token: w.adminA.token, body: { name: 'Matrix Rule', metric_name: 'temperature', operator: '>', warning_threshold: 80 } });
  if (r.status !== 201) throw new Error(`create alert rule failed: ${r.status} ${r.text}`);
  return r.body.id;
}

/** A new active alert of tenant A, opened as the rule engine opens them; returns its id. */
async function newAlertA(w: World): Promise<string> {
  const rule = { id: await newRuleA(w), name: 'Matrix Rule', messageTemplate: '{metric_name} {value} above {threshold}' };
  const trip = { severity: 'warning' as const, metricName: 'temperature', operator: '>', metricValue: 81, thresholdValue: 80, unit: 'celsius' };
  const opened = await w.t.app.container.services.alertLifecycle.open(w.adminA.tenantId, rule, (w.machineA ??= await newMachineA(w)), trip);
  if (!opened) throw new Error('opening the matrix alert failed');
  return opened.id;
}

/** A Modbus ingest source body on machine A: inactive, on loopback (a connection test is refused by the outbound guard at once). */
async function ingestSourceBodyA(w: World) {
  return { machine_id: (w.machineA ??= await newMachineA(w)), name: 'Matrix Source', protocol: 'modbus_tcp', host: '127.0.0.1', port: 502, is_active: false, config: { registers: [{ address: 100, metric_name: 'temperature', unit: 'celsius' }] } };
}

/** A new ingest source of tenant A (see ingestSourceBodyA); returns its id. */
const sharedSource = new WeakMap<World, Promise<string>>();
async function newSourceA(w: World, fresh: boolean): Promise<string> {
  const make = async () => {
    const r = await http('POST', `${w.t.api}/ingest-sources`, { token: w.adminA.token, body: await ingestSourceBodyA(w) });
    if (r.status !== 201) throw new Error(`create ingest source failed: ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  if (fresh) return make();
  let p = sharedSource.get(w);
  if (!p) sharedSource.set(w, (p = make()));
  return p;
}

/** A new e-mail notification channel of tenant A; returns its id. */
async function newChannelA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/notification-channels`, { token: w.adminA.token, body: { name: 'Matrix channel', type: 'email', config: { email: 'matrix@example.com' } } });
  if (r.status !== 201) throw new Error(`create notification channel failed: ${r.status} ${r.text}`);
  latestChannel.set(w, r.body.id);
  return r.body.id;
}
/** The channel newChannelA made last: a fresh delivery goes on the fresh channel of the same path. */
const latestChannel = new WeakMap<World, string>();
const sharedChannel = new WeakMap<World, Promise<string>>();
function channelA(w: World, fresh: boolean): Promise<string> {
  if (fresh) return newChannelA(w);
  let p = sharedChannel.get(w);
  if (!p) sharedChannel.set(w, (p = newChannelA(w)));
  return p;
}

/** A new escalation policy of tenant A on the shared channel; returns its id. */
async function newPolicyA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/escalation-policies`, { token: w.adminA.token, body: { name: 'Matrix policy', severity: 'critical', wait_minutes: 15, channel_id: await channelA(w, false) } });
  if (r.status !== 201) throw new Error(`create escalation policy failed: ${r.status} ${r.text}`);
  return r.body.id;
}
const sharedPolicy = new WeakMap<World, Promise<string>>();

/** A dead delivery (tries exhausted) of an alert of tenant A through the channel, as the delivery engine leaves one; returns its id. */
async function newDeadDeliveryA(w: World, channelId: string): Promise<string> {
  const id = randomUUID();
  const alertId = (w.alertA ??= await newAlertA(w));
  await w.t.app.container.db.query(
    `insert into notification_deliveries (id, tenant_id, event, alert_id, channel_id, severity, dedupe_key, status, attempts, last_error, payload)
     values (?, ?, 'alert.triggered', ?, ?, 'warning', ?, 'dead', 8, 'matrix: receiver kept failing', '{}'::jsonb)`,
    [id, w.adminA.tenantId, alertId, channelId, `matrix|${id}`],
  );
  return id;
}
const sharedDelivery = new WeakMap<World, Promise<string>>();

/** A browser push subscription body (a real P-256 point, a random endpoint). */
function pushSubscriptionBody() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint: `https://push.example.com/send/${randomUUID()}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
}

/** A shift definition body of its own one-minute window (active windows of one scope may not overlap) and name. */
let shiftSlot = 0;
function shiftDefinitionBody() {
  const m = 2 * shiftSlot++;
  const hhmm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
  return { name: `Matrix shift ${m}`, start_time: hhmm(m), end_time: hhmm(m + 1), color: '#3B82F6', is_active: true };
}
async function newShiftDefinitionA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/shifts/definitions`, { token: w.adminA.token, body: shiftDefinitionBody() });
  if (r.status !== 201) throw new Error(`create shift definition failed: ${r.status} ${r.text}`);
  return r.body.id;
}
const sharedShiftDefinition = new WeakMap<World, Promise<string>>();
function shiftDefinitionA(w: World, fresh: boolean): Promise<string> {
  if (fresh) return newShiftDefinitionA(w);
  let p = sharedShiftDefinition.get(w);
  if (!p) sharedShiftDefinition.set(w, (p = newShiftDefinitionA(w)));
  return p;
}
/** A shift log body of the shared definition, today, on a machine of its own (one active log per machine). */
async function shiftLogBodyA(w: World) {
  return { shift_definition_id: await shiftDefinitionA(w, false), machine_id: await newMachineA(w), date: new Date().toISOString().slice(0, 10), supervisor_name: 'Matrix Supervisor' };
}
async function newShiftLogA(w: World): Promise<string> {
  const r = await http('POST', `${w.t.api}/shifts/logs`, { token: w.adminA.token, body: await shiftLogBodyA(w) });
  if (r.status !== 201) throw new Error(`create shift log failed: ${r.status} ${r.text}`);
  return r.body.id;
}
const sharedShiftLog = new WeakMap<World, Promise<string>>();
/** A new open work order of tenant A on machine A; returns its id (shared: one per world). */
const sharedWorkOrder = new WeakMap<World, Promise<string>>();
async function newWorkOrderA(w: World, fresh: boolean): Promise<string> {
  const make = async () => {
    const r = await http('POST', `${w.t.api}/work-orders`, { token: w.adminA.token, body: { machine_id: (w.machineA ??= await newMachineA(w)), title: 'Matrix work order' } });
    if (r.status !== 201) throw new Error(`create work order failed: ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  if (fresh) return make();
  let p = sharedWorkOrder.get(w);
  if (!p) sharedWorkOrder.set(w, (p = make()));
  return p;
}

/** A new scheduled maintenance event of tenant A on machine A; returns its id (shared unless fresh). */
const sharedMaintenanceEvent = new WeakMap<World, Promise<string>>();
async function newMaintenanceEventA(w: World, fresh: boolean): Promise<string> {
  const make = async () => {
    const r = await http('POST', `${w.t.api}/maintenance`, {
      token: w.adminA.token,
      body: { machine_id: (w.machineA ??= await newMachineA(w)), title: 'Matrix maintenance', scheduled_start: '2026-04-10T08:00:00Z', scheduled_end: '2026-04-10T12:00:00Z' },
    });
    if (r.status !== 201) throw new Error(`create maintenance event failed: ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  if (fresh) return make();
  let p = sharedMaintenanceEvent.get(w);
  if (!p) sharedMaintenanceEvent.set(w, (p = make()));
  return p;
}

/** A completed work order of tenant A (machine A) signed once by A's admin; shared unless fresh (then unsigned). */
const sharedSignedOrder = new WeakMap<World, Promise<{ work_order_id: string; signoff_id: string }>>();
async function completedWorkOrderA(w: World): Promise<string> {
  const id = await newWorkOrderA(w, true);
  for (const status of ['in_progress', 'completed']) {
    const r = await http('PATCH', `${w.t.api}/work-orders/${id}`, { token: w.adminA.token, body: { status } });
    if (r.status !== 200) throw new Error(`work order to ${status} failed: ${r.status} ${r.text}`);
  }
  return id;
}
async function signedWorkOrderA(w: World, fresh: boolean): Promise<{ work_order_id: string; signoff_id: string }> {
  const make = async () => {
    const id = await completedWorkOrderA(w);
    const r = await http('POST', `${w.t.api}/work-orders/${id}/signoffs`, { token: w.adminA.token, body: { password: STRONG_PASSWORD } });
    if (r.status !== 201) throw new Error(`sign-off failed: ${r.status} ${r.text}`);
    return { work_order_id: id, signoff_id: r.body.id as string };
  };
  if (fresh) return make();
  let p = sharedSignedOrder.get(w);
  if (!p) sharedSignedOrder.set(w, (p = make()));
  return p;
}

/** A part of tenant A with ample stock (shared unless fresh): the matrix's consumptions never run it out. */
const sharedPart = new WeakMap<World, Promise<string>>();
async function newPartA(w: World, fresh: boolean): Promise<string> {
  const make = async () => {
    const r = await http('POST', `${w.t.api}/inventory/parts`, { token: w.adminA.token, body: { part_number: `MX-${randomUUID().slice(0, 8)}`, name: 'Matrix bearing', quantity_on_hand: 1000 } });
    if (r.status !== 201) throw new Error(`create part failed: ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  if (fresh) return make();
  let p = sharedPart.get(w);
  if (!p) sharedPart.set(w, (p = make()));
  return p;
}

/** A part category of tenant A (a fresh one is unused, so it can be deleted). */
const sharedCategory = new WeakMap<World, Promise<string>>();
async function newCategoryA(w: World, fresh: boolean): Promise<string> {
  const make = async () => {
    const r = await http('POST', `${w.t.api}/inventory/categories`, { token: w.adminA.token, body: { name: `Matrix ${randomUUID().slice(0, 8)}` } });
    if (r.status !== 201) throw new Error(`create category failed: ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  if (fresh) return make();
  let p = sharedCategory.get(w);
  if (!p) sharedCategory.set(w, (p = make()));
  return p;
}

/** A part line (one unit of the shared part) on a work order of tenant A: a fresh order when fresh, else the shared one. */
async function newWorkOrderPartA(w: World, fresh: boolean): Promise<{ work_order_id: string; wop_id: string }> {
  const order = await newWorkOrderA(w, fresh);
  const r = await http('POST', `${w.t.api}/inventory/work-orders/${order}/parts`, { token: w.adminA.token, body: { spare_part_id: await newPartA(w, false), quantity: 1 } });
  if (r.status !== 201) throw new Error(`add work-order part failed: ${r.status} ${r.text}`);
  return { work_order_id: order, wop_id: r.body.id as string };
}

/** Keyed by `METHOD path` exactly as in ROUTES. Add one entry per new row. */
const FIXTURES: Record<string, Fixture> = {
  'POST /auth/register': {
    body: () => ({ email: `reg-${randomUUID().slice(0, 8)}@example.com`, password: STRONG_PASSWORD, full_name: 'New Admin', tenant_name: 'New Plant' }),
  },
  'POST /auth/login': {
    body: ({ w }) => ({ email: w.users.viewer.email, password: STRONG_PASSWORD }),
  },
  'POST /auth/refresh': {
    // a refresh token of its own per call: refresh tokens rotate and a reused one revokes the session
    body: async ({ w }) => ({ refresh_token: (await login(w, w.users.viewer.email, STRONG_PASSWORD)).body.refresh_token }),
  },
  'GET /auth/me': {},
  'POST /auth/logout': { throwawayCaller: true },
  'POST /auth/mfa/setup': {},
  'POST /auth/mfa/verify-setup': {
    throwawayCaller: true,
    body: async ({ w, caller }) => {
      const setup = await http('POST', `${w.t.api}/auth/mfa/setup`, { token: tokenOf(caller) });
      // callers that may not start enrolment still need a well-formed body
      return { code: setup.status === 200 ? totpCode(setup.body.secret) : '123456' };
    },
  },
  'POST /auth/mfa/verify': {
    // TOTP codes are single-use per user, so every call gets its own MFA-enabled user
    body: async ({ w }) => {
      const u = await mfaUser(w);
      const pending = await login(w, u.email, STRONG_PASSWORD);
      if (pending.body.mfa_required !== true) throw new Error('MFA user did not get a pending token');
      // the next step's code: the current one confirmed the enrolment and is spent
      return { mfa_token: pending.body.access_token, code: totpCode(u.secret, Date.now() + 30_000) };
    },
  },
  'POST /auth/mfa/disable': {
    throwawayCaller: true,
    body: async ({ w, caller }) => {
      const token = tokenOf(caller);
      const setup = await http('POST', `${w.t.api}/auth/mfa/setup`, { token });
      // callers that may not manage MFA still need a well-formed body
      if (setup.status !== 200) return { current_password: STRONG_PASSWORD, code: '123456' };
      const on = await http('POST', `${w.t.api}/auth/mfa/verify-setup`, { token, body: { code: totpCode(setup.body.secret) } });
      if (on.status !== 200) throw new Error(`MFA verify-setup failed: ${on.status} ${on.text}`);
      return { current_password: STRONG_PASSWORD, code: totpCode(setup.body.secret, Date.now() + 30_000) };
    },
  },
  'GET /settings/api-keys': { query: { page: '1', page_size: '5' } },
  'POST /settings/api-keys': { body: () => ({ name: 'matrix key', scopes: ['read:machines'] }) },
  'DELETE /settings/api-keys/{key_id}': { fresh: true },
  'GET /users': { query: { page: '1', page_size: '5' } },
  'POST /users': {
    body: () => ({ email: `new-${randomUUID().slice(0, 8)}@example.com`, full_name: 'New User', role: 'viewer', password: STRONG_PASSWORD }),
  },
  'GET /users/{user_id}': {},
  'PATCH /users/{user_id}': { fresh: true, body: () => ({ full_name: 'Renamed User', role: 'operator' }) },
  'PATCH /settings/profile': { body: () => ({ full_name: 'Profile Name' }) },
  'POST /settings/change-password': {
    throwawayCaller: true,
    body: () => ({ current_password: STRONG_PASSWORD, new_password: 'An0therStr0ngPass!' }),
  },
  'GET /audit': { query: { page: '1', page_size: '10', action: 'create_user' } },
  'POST /machines': { body: () => ({ name: 'CNC Mill #1', machine_identifier: uniqueIdentifier(), protocol: 'json', location: 'Building A, Line 3' }) },
  'GET /machines': { query: { page: '1', page_size: '5', sort_by: 'name', sort_dir: 'asc' } },
  'GET /machines/{machine_id}': {},
  'PATCH /machines/{machine_id}': { body: () => ({ location: 'Building B, Line 1' }) },
  'DELETE /machines/{machine_id}': { fresh: true },
  'POST /machines/import': {
    ok: [200],
    multipart: () => ({ field: 'file', filename: 'machines.csv', content: `name,machine_identifier,protocol,location\nImported,${uniqueIdentifier()},opc_ua,Hall 1\n` }),
  },
  'POST /machine-groups': { body: () => ({ name: 'Building A', group_type: 'site', parent_id: null, description: 'Main production facility' }) },
  'GET /machine-groups': { query: { page: '1', page_size: '5' } },
  'GET /machine-groups/tree': {},
  'GET /machine-groups/{group_id}': {},
  'PATCH /machine-groups/{group_id}': { body: () => ({ description: 'Renamed by the matrix' }) },
  'DELETE /machine-groups/{group_id}': { fresh: true },
  'GET /machine-groups/{group_id}/members': { query: { page: '1', page_size: '5' } },
  'PUT /machine-groups/{group_id}/members': {
    body: async ({ w }) => ({ machine_ids: [(w.machineA ??= await newMachineA(w))] }),
  },
  'GET /fleet/status': {},
  'GET /alert-rules': { query: { page: '1', page_size: '5', is_enabled: 'true' } },
  'POST /alert-rules': { body: () => ({ name: 'Spindle overheating', metric_name: 'temperature', operator: 'gt', warning_threshold: 80, critical_threshold: 85 }) },
  'GET /alert-rules/{rule_id}': {},
  'PATCH /alert-rules/{rule_id}': { body: () => ({ deadband: 1.5 }) },
  'DELETE /alert-rules/{rule_id}': { fresh: true },
  'GET /alerts': { query: { page: '1', page_size: '5', severity: 'warning', status: 'active' } },
  'GET /alerts/stats': {},
  'POST /alerts/bulk/acknowledge': { body: async ({ w }) => ({ alert_ids: [(w.alertA ??= await newAlertA(w))] }) },
  'GET /alerts/{alert_id}': {},
  'POST /alerts/{alert_id}/acknowledge': {},
  'POST /alerts/{alert_id}/snooze': { body: () => ({ snooze_until: new Date(Date.now() + 3_600_000).toISOString() }) },
  'GET /alerts/{alert_id}/comments': { query: { page: '1', page_size: '5' } },
  'POST /alerts/{alert_id}/comments': { body: () => ({ body: 'Checked on site' }) },
  // API keys only (scope ingest): users get 403, keys without the scope the scope 403, an ingest key 207
  'POST /ingest': {
    body: async ({ w }) => ({
      readings: [
        { machine_identifier: await ingestMachineA(w), timestamp: new Date(Date.now() - 60_000).toISOString(), metric_name: 'temperature', value: 72.5, unit: 'celsius' },
        { machine_identifier: 'UNKNOWN-001', timestamp: new Date(Date.now() - 60_000).toISOString(), metric_name: 'temperature', value: 1, unit: 'celsius' },
      ],
    }),
  },
  'GET /machines/{machine_id}/readings/latest': {},
  'GET /machines/{machine_id}/readings': { query: { metric: 'temperature', interval: '5m', aggregation: 'mean' } },
  'GET /sensor-data/machines/{machine_id}/readings/latest': {},
  'GET /sensor-data/machines/{machine_id}/readings': { query: { metric: 'temperature' } },
  'GET /ingest-sources': { query: { page: '1', page_size: '5', protocol: 'modbus_tcp', is_active: 'false' } },
  'POST /ingest-sources': { body: ({ w }) => ingestSourceBodyA(w) },
  'POST /ingest-sources/test-connection': { body: ({ w }) => ingestSourceBodyA(w) },
  'GET /ingest-sources/{source_id}': {},
  'PATCH /ingest-sources/{source_id}': { body: () => ({ poll_interval_seconds: 15 }) },
  'PUT /ingest-sources/{source_id}': { body: ({ w }) => ingestSourceBodyA(w) },
  'DELETE /ingest-sources/{source_id}': { fresh: true },
  'POST /ingest-sources/{source_id}/test-connection': {},
  'POST /ingest/opcua/sources': {
    body: async ({ w }) => ({ machine_id: (w.machineA ??= await newMachineA(w)), endpoint_url: 'opc.tcp://127.0.0.1:4840', node_ids: ['ns=2;i=1001'], enabled: false }),
  },
  'POST /sensor-data/tag-mappings': {
    // machine A's shared source reads holding register 100 (raw tag hr100)
    body: async ({ w }) => {
      await newSourceA(w, false);
      return { machine_id: w.machineA!, mappings: [{ tag: 'hr100', metric_name: 'temperature', unit: 'celsius' }] };
    },
  },
  // API keys only (scope agent): what an agent reports travels as query parameters
  'GET /agent/heartbeat': { query: { version: '0.1.0', hostname: 'matrix-host', buffered: '12', dropped: '0', source: 'ok:Matrix Press' } },
  'GET /agents': { query: { page: '1', page_size: '5' } },
  // the spec's example on a fresh machine per call (a second open record on one machine would overlap)
  'POST /machines/{machine_id}/downtime': { fresh: true, body: () => ({ reason: 'Unplanned bearing failure', category: 'unplanned', started_at: '2026-04-04T08:15:00Z' }) },
  'GET /machines/{machine_id}/downtime': { query: { page: '1', page_size: '5', category: 'unplanned' } },
  'PUT /machines/{machine_id}/downtime/{record_id}': { body: () => ({ reason: 'Updated by the matrix' }) },
  // ending twice is a 409: every allowed call ends a record of its own
  'POST /machines/{machine_id}/downtime/{record_id}/end': { fresh: true },
  'GET /machines/{machine_id}/uptime-summary': { query: { start: '2025-01-01T00:00:00Z', end: '2025-01-08T00:00:00Z' } },
  'GET /machines/{machine_id}/mttr-mtbf': { query: { days: '30' } },
  'GET /fleet/downtime': { query: { page: '1', page_size: '5', sort_by: 'duration_minutes', sort_dir: 'desc' } },
  'GET /fleet/mttr-mtbf': { query: { days: '90', include_machines: 'true' } },
  'GET /reason-codes': { query: { active_only: 'false' } },
  'GET /reason-codes/tree': {},
  'POST /reason-codes': { body: () => ({ code: `RC-${randomUUID().slice(0, 8)}`, name: 'Bearing failure', category: 'unplanned' }) },
  'PUT /reason-codes/{code_id}': { body: () => ({ name: 'Renamed by the matrix' }) },
  'GET /settings/downtime': {},
  // kept off: the matrix's machines must not get automatic records
  'PUT /settings/downtime': { body: () => ({ auto_downtime_enabled: false }) },
  // the spec's example on machine A: the first call creates (201), later ones replace (200)
  'POST /oee/records': { ok: [201, 200], body: async ({ w }) => ({ machine_id: (w.machineA ??= await newMachineA(w)), ...OEE_EXAMPLE }) },
  'GET /oee/records': { query: async ({ w }) => ({ machine_id: (w.machineA ??= await newMachineA(w)), from_date: '2026-01-01', page_size: '5' }) },
  'GET /oee/summary': { query: async ({ w }) => ({ machine_id: (w.machineA ??= await newMachineA(w)), days: '365' }) },
  'GET /oee/records/{record_id}': {},
  'PATCH /oee/records/{record_id}': { body: () => ({ quality: 99.1 }) },
  'DELETE /oee/records/{record_id}': { fresh: true },
  'GET /fleet/oee': { query: { days: '30', group_by: 'site' } },
  'GET /settings/tenant': {},
  // the default zone again: the matrix's tenant keeps UTC
  'PATCH /settings/tenant': { body: () => ({ time_zone: 'UTC' }) },
  'GET /notification-channels': {},
  'POST /notification-channels': { body: () => ({ name: 'Matrix channel', type: 'email', config: { email: 'matrix@example.com' } }) },
  'PUT /notification-channels/{channel_id}': { body: () => ({ name: 'Renamed by the matrix' }) },
  'DELETE /notification-channels/{channel_id}': { fresh: true },
  'GET /escalation-policies': {},
  'POST /escalation-policies': { body: async ({ w }) => ({ name: 'Matrix step', severity: 'warning', wait_minutes: 30, channel_id: await channelA(w, false) }) },
  'PUT /escalation-policies/{policy_id}': { body: () => ({ wait_minutes: 45 }) },
  'DELETE /escalation-policies/{policy_id}': { fresh: true },
  'GET /notification-channels/{channel_id}/deliveries': { query: { page: '1', page_size: '5' } },
  // a dead delivery goes back to pending: each allowed call needs a dead one of its own
  'POST /notification-channels/{channel_id}/deliveries/{delivery_id}/retry': { fresh: true },
  // the matrix's channels are e-mail channels without an SMTP relay: the try fails, the answer is 200 {success: false}
  'POST /notification-channels/{channel_id}/test': {},
  'GET /push/vapid-public-key': {},
  'POST /push/subscribe': { body: () => pushSubscriptionBody() },
  // a user unsubscribes an endpoint of their own (subscribed first); other callers are refused before the body matters
  'DELETE /push/subscribe': {
    body: async ({ w, caller }) => {
      const sub = pushSubscriptionBody();
      if (caller.kind === 'user') {
        const r = await http('POST', `${w.t.api}/push/subscribe`, { token: caller.session.token, body: sub });
        if (r.status !== 201) throw new Error(`push subscribe failed: ${r.status} ${r.text}`);
      }
      return { endpoint: sub.endpoint };
    },
  },
  'GET /shifts/definitions': { query: { active_only: 'false' } },
  'POST /shifts/definitions': { body: () => shiftDefinitionBody() },
  'PUT /shifts/definitions/{definition_id}': { body: () => ({ color: '#10B981' }) },
  'DELETE /shifts/definitions/{definition_id}': { fresh: true },
  'GET /shifts/logs': { query: { page: '1', page_size: '5', status: 'active' } },
  'POST /shifts/logs': { body: ({ w }) => shiftLogBodyA(w) },
  'GET /shifts/logs/{log_id}': {},
  'PATCH /shifts/logs/{log_id}': { body: () => ({ notes: 'Checked by the matrix', total_pieces: 10, good_pieces: 9 }) },
  'DELETE /shifts/logs/{log_id}': { fresh: true },
  'GET /shifts/logs/{log_id}/handover': {},
  'GET /shifts/comparison': { query: { from_date: '2026-01-01', to_date: '2026-01-31' } },
  'GET /shifts/active': { query: { page: '1', page_size: '5' } },
  'POST /maintenance': {
    body: async ({ w }) => ({
      machine_id: (w.machineA ??= await newMachineA(w)), title: 'Quarterly bearing inspection', description: 'Check and replace main spindle bearings if needed',
      scheduled_start: '2026-04-10T08:00:00Z', scheduled_end: '2026-04-10T12:00:00Z', type: 'preventive',
    }),
  },
  'GET /maintenance': { query: { page: '1', page_size: '5', status: 'scheduled', start_after: '2026-01-01T00:00:00Z' } },
  'GET /maintenance/{event_id}': {},
  'PUT /maintenance/{event_id}': { body: () => ({ description: 'Changed by the matrix' }) },
  'DELETE /maintenance/{event_id}': { fresh: true },
  'POST /work-orders': { body: async ({ w }) => ({ machine_id: (w.machineA ??= await newMachineA(w)), title: 'Replace spindle bearings', priority: 'high' }) },
  'GET /work-orders': { query: { page: '1', page_size: '5', status: 'open' } },
  'GET /work-orders/{work_order_id}': {},
  'PATCH /work-orders/{work_order_id}': { body: () => ({ priority: 'high' }) },
  'DELETE /work-orders/{work_order_id}': { fresh: true },
  'GET /work-orders/{work_order_id}/comments': { query: { page: '1', page_size: '5' } },
  'POST /work-orders/{work_order_id}/comments': { body: () => ({ body: 'Bearings ordered from supplier. Expected delivery: April 8.' }) },
  // a fresh completed order per admitted call: each caller signs it with their own password
  'POST /work-orders/{work_order_id}/signoffs': {
    fresh: true,
    params: async (w, fresh) => ({ work_order_id: fresh ? await completedWorkOrderA(w) : await newWorkOrderA(w, false) }),
    body: () => ({ password: STRONG_PASSWORD, meaning: 'performed' }),
  },
  'GET /work-orders/{work_order_id}/signoffs': { params: (w, fresh) => signedWorkOrderA(w, fresh) },
  'GET /work-orders/{work_order_id}/signoffs/{signoff_id}/verify': { params: (w, fresh) => signedWorkOrderA(w, fresh) },
  'GET /work-orders/{work_order_id}/certificate': { params: (w, fresh) => signedWorkOrderA(w, fresh) },
  'GET /inventory/parts': { query: { page: '1', page_size: '5', search: 'Matrix', low_stock_only: 'false' } },
  'POST /inventory/parts': { body: () => ({ part_number: `BRG-${randomUUID().slice(0, 8)}`, name: 'Deep Groove Ball Bearing 6205', quantity_on_hand: 25, reorder_point: 5, unit_cost: 12.5 }) },
  'GET /inventory/parts/low-stock': { query: { page: '1', page_size: '5' } },
  'GET /inventory/parts/{part_id}': {},
  'PATCH /inventory/parts/{part_id}': { body: () => ({ location: 'Warehouse A, Shelf B3' }) },
  'DELETE /inventory/parts/{part_id}': { fresh: true },
  'GET /inventory/parts/{part_id}/transactions': { query: { page: '1', page_size: '5' } },
  'POST /inventory/parts/{part_id}/transactions': { body: () => ({ type: 'receive', quantity: 20, notes: 'PO #12345 received from SKF' }) },
  'GET /inventory/categories': { query: { page: '1', page_size: '5' } },
  'POST /inventory/categories': { body: () => ({ name: `Bearings ${randomUUID().slice(0, 8)}` }) },
  'DELETE /inventory/categories/{category_id}': { fresh: true },
  'GET /inventory/work-orders/{work_order_id}/parts': {},
  'POST /inventory/work-orders/{work_order_id}/parts': { body: async ({ w }) => ({ spare_part_id: await newPartA(w, false), quantity: 1 }) },
  // the line must be one of the path's order: both ids come together
  'DELETE /inventory/work-orders/{work_order_id}/parts/{wop_id}': { fresh: true, params: (w, fresh) => newWorkOrderPartA(w, fresh) },
};

/**
 * Real resources of tenant A for each kind of path parameter, keyed by parameter name.
 * `fresh` asks for a throwaway resource (the call may delete or alter it).
 */
const PARAM_RESOURCES: Record<string, (w: World, fresh: boolean, r: Route) => Promise<string>> = {
  user_id: async (w, fresh) => (fresh ? (await createUserSession(w.t.api, w.adminA, 'viewer')).userId : w.users.viewer.userId),
  key_id: async (w, fresh) => (fresh ? (await createApiKey(w.t.api, w.adminA, ['read:sensors'])).id : w.keys['read:sensors'].id),
  machine_id: async (w, fresh) => (fresh ? newMachineA(w) : (w.machineA ??= await newMachineA(w))),
  group_id: async (w, fresh) => (fresh ? newGroupA(w) : (w.groupA ??= await newGroupA(w))),
  rule_id: async (w, fresh) => (fresh ? newRuleA(w) : (w.ruleA ??= await newRuleA(w))),
  alert_id: async (w, fresh) => (fresh ? newAlertA(w) : (w.alertA ??= await newAlertA(w))),
  source_id: (w, fresh) => newSourceA(w, fresh),
  // two modules name their records so: the row's path says which
  record_id: (w, fresh, r) => (r.path.startsWith('/oee/') ? newOeeRecordA(w, fresh) : newDowntimeA(w, fresh)),
  channel_id: (w, fresh) => channelA(w, fresh),
  delivery_id: async (w, fresh) => {
    if (fresh) return newDeadDeliveryA(w, latestChannel.get(w) ?? (await channelA(w, false)));
    let p = sharedDelivery.get(w);
    if (!p) sharedDelivery.set(w, (p = (async () => newDeadDeliveryA(w, await channelA(w, false)))()));
    return p;
  },
  policy_id: async (w, fresh) => {
    if (fresh) return newPolicyA(w);
    let p = sharedPolicy.get(w);
    if (!p) sharedPolicy.set(w, (p = newPolicyA(w)));
    return p;
  },
  event_id: (w, fresh) => newMaintenanceEventA(w, fresh),
  work_order_id: (w, fresh) => newWorkOrderA(w, fresh),
  signoff_id: async (w, fresh) => (await signedWorkOrderA(w, fresh)).signoff_id,
  part_id: (w, fresh) => newPartA(w, fresh),
  category_id: (w, fresh) => newCategoryA(w, fresh),
  wop_id: async (w, fresh) => (await newWorkOrderPartA(w, fresh)).wop_id,
  code_id: async (w, fresh) => {
    if (fresh) return newReasonCodeA(w);
    let p = sharedReasonCode.get(w);
    if (!p) sharedReasonCode.set(w, (p = newReasonCodeA(w)));
    return p;
  },
  definition_id: (w, fresh) => shiftDefinitionA(w, fresh),
  log_id: async (w, fresh) => {
    if (fresh) return newShiftLogA(w);
    let p = sharedShiftLog.get(w);
    if (!p) sharedShiftLog.set(w, (p = newShiftLogA(w)));
    return p;
  },
};

const keyOf = (r: Route) => `${r.method} ${r.path}`;
const paramNames = (p: string) => [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

function fixtureFor(r: Route): Fixture {
  const fx = FIXTURES[keyOf(r)];
  if (!fx) {
    throw new Error(
      `No access-matrix fixture for "${keyOf(r)}": add an entry to FIXTURES in tests/e2e/access-matrix.test.ts ` +
        '(minimal valid body/query, and fresh/throwawayCaller when the call is destructive)',
    );
  }
  for (const name of paramNames(r.path)) {
    if (!PARAM_RESOURCES[name]) {
      throw new Error(`No resource factory for path parameter "${name}" of "${keyOf(r)}": add one to PARAM_RESOURCES in tests/e2e/access-matrix.test.ts`);
    }
  }
  return fx;
}

function policyFor(r: Route): AccessPolicy {
  const p = policyOf(r.resolver, r.operation);
  if (!p) throw new Error(`${keyOf(r)}: ${r.resolver.name}.${r.operation} has no declared policy`);
  return p;
}

/** Whether the policy admits the caller (credential-wise; the body may still be rejected later). */
function admits(p: AccessPolicy, c: Caller): boolean {
  if (p.kind === 'public') return true;
  if (c.kind === 'none') return false;
  if (p.kind === 'apiKey') return c.kind === 'apiKey' && c.scope === p.scope;
  if (c.kind === 'apiKey') return p.scope !== undefined && c.scope === p.scope;
  return p.roles.includes(c.role);
}

async function fillPath(w: World, r: Route, fresh: boolean, override?: Record<string, string>): Promise<string> {
  let out = r.path;
  const together = override ? {} : await fixtureFor(r).params?.(w, fresh);
  for (const name of paramNames(r.path)) {
    const value = override?.[name] ?? together?.[name] ?? (await PARAM_RESOURCES[name]!(w, fresh, r));
    out = out.replace(`{${name}}`, encodeURIComponent(value));
  }
  return out;
}

async function call(w: World, r: Route, caller: Caller, opts: { fresh?: boolean; params?: Record<string, string> } = {}): Promise<HttpResult> {
  const fx = fixtureFor(r);
  let path = await fillPath(w, r, opts.fresh ?? false, opts.params);
  const query = typeof fx.query === 'function' ? await fx.query({ w, caller }) : fx.query;
  if (query) path += `?${new URLSearchParams(query).toString()}`;
  if (fx.multipart) return upload(r.method, `${w.t.api}${path}`, caller, fx.multipart({ w, caller }));
  const body = fx.body ? await fx.body({ w, caller }) : undefined;
  return http(r.method, `${w.t.api}${path}`, {
    token: caller.kind === 'user' ? caller.session.token : undefined,
    apiKey: caller.kind === 'apiKey' ? caller.key : undefined,
    body,
  });
}

/** Sends one file as multipart/form-data (the shape of POST /machines/import). */
async function upload(method: string, url: string, caller: Caller, f: { field: string; filename: string; content: string }): Promise<HttpResult> {
  const form = new FormData();
  form.append(f.field, new Blob([f.content], { type: 'text/csv' }), f.filename);
  const headers: Record<string, string> = {};
  if (caller.kind === 'user') headers.authorization = `Bearer ${caller.session.token}`;
  if (caller.kind === 'apiKey') headers['x-api-key'] = caller.key;
  const res = await fetch(url, { method, headers, body: form });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers, text };
}

function describeCall(r: Route, c: Caller, res: HttpResult): string {
  return `${keyOf(r)} as ${c.label} -> ${res.status} ${res.text.slice(0, 300)}`;
}

function expectDetail(res: HttpResult, ctxMsg: string): void {
  expect(typeof res.body?.detail, ctxMsg).toBe('string');
  expect(res.body.detail.length, ctxMsg).toBeGreaterThan(0);
}

describe.skipIf(pgSvc.skip)(`access matrix over every REST row${pgSvc.label}`, () => {
  const w = {} as World;
  const callers: Caller[] = [];

  beforeAll(async () => {
    w.t = await startTestApp();
    const api = w.t.api;
    w.adminA = await registerTenant(api, 'tenant-a');
    w.adminB = await registerTenant(api, 'tenant-b');
    const [admin, operator, viewer] = await Promise.all(ROLES.map((role) => createUserSession(api, w.adminA, role)));
    w.users = { admin: admin!, operator: operator!, viewer: viewer! };
    w.keys = {} as World['keys'];
    for (const scope of SCOPES) w.keys[scope] = await createApiKey(api, w.adminA, [scope]);

    callers.push({ kind: 'none', label: 'anonymous' });
    for (const role of ROLES) callers.push({ kind: 'user', label: `${role} of A`, role, session: w.users[role] });
    for (const scope of SCOPES) callers.push({ kind: 'apiKey', label: `API key [${scope}] of A`, scope, key: w.keys[scope].key });
  });

  afterAll(async () => {
    await w.t?.stop();
  });

  it('every row has a fixture and every fixture has a row', () => {
    const missing = ROUTES.map(keyOf).filter((k) => !FIXTURES[k]);
    expect(missing, `rows without a fixture in FIXTURES: ${missing.join(', ')}`).toEqual([]);
    const stale = Object.keys(FIXTURES).filter((k) => !ROUTES.some((r) => keyOf(r) === k));
    expect(stale, `fixtures without a row: ${stale.join(', ')}`).toEqual([]);
    for (const r of ROUTES) {
      expect(policyFor(r)).toBeDefined();
      for (const name of paramNames(r.path)) expect(PARAM_RESOURCES[name], `${keyOf(r)}: no resource factory for {${name}}`).toBeDefined();
    }
  });

  describe.each(ROUTES.map((r) => [keyOf(r), r] as const))('%s', (_key, r) => {
    const policy = policyFor(r);

    it('without credentials: 401 {detail} unless public', async () => {
      const res = await call(w, r, callers[0]!, { fresh: policy.kind === 'public' });
      const msg = describeCall(r, callers[0]!, res);
      if (policy.kind === 'public') {
        expect([401, 403], msg).not.toContain(res.status);
        expect(res.status, msg).toBe(fixtureFor(r).ok?.[0] ?? r.status ?? 200);
      } else {
        expect(res.status, msg).toBe(401);
        expectDetail(res, msg);
      }
    });

    it.each(ROLES)('as %s of tenant A: allowed roles pass, others get the role 403', async (role) => {
      const fx = fixtureFor(r);
      let caller = callers.find((c) => c.kind === 'user' && c.role === role)!;
      const allowed = admits(policy, caller);
      if (allowed && fx.throwawayCaller) {
        caller = { kind: 'user', label: `throwaway ${role} of A`, role, session: await createUserSession(w.t.api, w.adminA, role) };
      }
      const res = await call(w, r, caller, { fresh: allowed && fx.fresh });
      const msg = describeCall(r, caller, res);
      expect(res.status, msg).not.toBe(500);
      if (allowed) {
        expect([401, 403], msg).not.toContain(res.status);
        expect(fx.ok ?? [r.status ?? 200], msg).toContain(res.status);
      } else {
        expect(res.status, msg).toBe(403);
        if (policy.kind === 'user') expect(res.body, msg).toEqual({ detail: ROLE_FORBIDDEN });
        else expectDetail(res, msg);
      }
    });

    it.each(SCOPES)('with an API key scoped [%s]: 403 {detail} unless the row accepts the scope', async (scope) => {
      const fx = fixtureFor(r);
      const caller = callers.find((c) => c.kind === 'apiKey' && c.scope === scope)!;
      const allowed = admits(policy, caller);
      const res = await call(w, r, caller, { fresh: allowed && fx.fresh });
      const msg = describeCall(r, caller, res);
      expect(res.status, msg).not.toBe(500);
      if (allowed) {
        expect([401, 403], msg).not.toContain(res.status);
        expect(fx.ok ?? [r.status ?? 200], msg).toContain(res.status);
      } else {
        expect(res.status, msg).toBe(403);
        expectDetail(res, msg);
        const required = policy.kind === 'apiKey' || policy.kind === 'user' ? policy.scope : undefined;
        if (required) expect(res.body.detail, msg).toBe(scopeForbidden(required));
        else expect(res.body.detail, msg).not.toBe(ROLE_FORBIDDEN);
      }
    });

    const params = paramNames(r.path);
    // Rows without path parameters get no id tests (rather than a block of skipped ones).
    if (params.length > 0) describe('path ids', () => {
      /** A caller of the given tenant's admin that the policy admits (user admin, else a key with the scope). */
      async function privileged(admin: TenantSession, label: string): Promise<Caller> {
        if (policy.kind === 'apiKey' || (policy.kind === 'user' && !policy.roles.includes('admin'))) {
          if (policy.kind === 'apiKey' || policy.scope) {
            const scope = policy.kind === 'apiKey' ? policy.scope : policy.scope!;
            return { kind: 'apiKey', label: `API key [${scope}] of ${label}`, scope, key: (await createApiKey(w.t.api, admin, [scope])).key };
          }
          const role = (policy as { roles: readonly Role[] }).roles[0]!;
          return { kind: 'user', label: `${role} of ${label}`, role, session: await createUserSession(w.t.api, admin, role) };
        }
        return { kind: 'user', label: `admin of ${label}`, role: 'admin', session: admin };
      }

      it("tenant A's real ids called by tenant B: 404 {detail}, and A's resource is untouched", async () => {
        const callerB = await privileged(w.adminB, 'B');
        const ids: Record<string, string> = { ...(await fixtureFor(r).params?.(w, true)) };
        for (const name of params) ids[name] ??= await PARAM_RESOURCES[name]!(w, true, r);
        const res = await call(w, r, callerB, { params: ids });
        const msg = describeCall(r, callerB, res);
        expect(res.status, msg).toBe(404);
        expectDetail(res, msg);
        // The same ids work for tenant A (so the 404 above is isolation, not a dead id).
        const callerA = await privileged(w.adminA, 'A');
        const own = await call(w, r, callerA, { params: ids });
        expect(fixtureFor(r).ok ?? [r.status ?? 200], describeCall(r, callerA, own)).toContain(own.status);
      });

      it('random UUIDs: 404 {detail}', async () => {
        const caller = await privileged(w.adminA, 'A');
        const ids = Object.fromEntries(params.map((n) => [n, randomUUID()]));
        const res = await call(w, r, caller, { params: ids });
        const msg = describeCall(r, caller, res);
        expect(res.status, msg).toBe(404);
        expectDetail(res, msg);
      });

      it.each(params)('non-UUID {%s}: 422 with loc [path, param]', async (name) => {
        const caller = await privileged(w.adminA, 'A');
        const ids: Record<string, string> = {};
        for (const n of params) ids[n] = n === name ? 'not-a-uuid' : await PARAM_RESOURCES[n]!(w, false, r);
        const res = await call(w, r, caller, { params: ids });
        const msg = describeCall(r, caller, res);
        expect(res.status, msg).toBe(422);
        expect(Array.isArray(res.body?.detail), msg).toBe(true);
        const issue = res.body.detail.find((i: { loc: unknown[] }) => i.loc[0] === 'path');
        expect(issue, msg).toBeDefined();
        expect(issue.loc, msg).toEqual(['path', name]);
        expect(typeof issue.msg, msg).toBe('string');
        expect(typeof issue.type, msg).toBe('string');
      });
    });
  });
});

describe.skipIf(pgSvc.skip)(`GraphQL role rules on representative fields${pgSvc.label}`, () => {
  let t: TestApp;
  let adminA: TenantSession;
  let adminB: TenantSession;
  const users = {} as Record<Role, TenantSession>;
  let key: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp();
    adminA = await registerTenant(t.api, 'gql-a');
    adminB = await registerTenant(t.api, 'gql-b');
    for (const role of ROLES) users[role] = await createUserSession(t.api, adminA, role);
    key = await createApiKey(t.api, adminA, 'read_only');
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** field -> resolver class/method whose policy decides, and a document whose success we can check */
  const FIELDS: Record<string, { cls: Route['resolver']; doc: () => { query: string; variables?: Record<string, unknown> } }> = {
    users: { cls: UserResolver, doc: () => ({ query: 'query { users(page: 1, pageSize: 5) { total items { id role } } }' }) },
    createUser: {
      cls: UserResolver,
      doc: () => ({
        query: 'mutation($i: CreateUserInput!) { createUser(input: $i) { id role } }',
        variables: { i: { email: `g-${randomUUID().slice(0, 8)}@example.com`, fullName: 'G User', role: 'viewer', password: STRONG_PASSWORD } },
      }),
    },
    createApiKey: {
      cls: ApiKeyResolver,
      doc: () => ({ query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id plaintextKey scopes } }', variables: { i: { name: 'gql key', scopes: ['ingest'] } } }),
    },
    revokeApiKey: { cls: ApiKeyResolver, doc: () => ({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) }', variables: { id: randomUUID() } }) },
    auditEvents: { cls: AuditResolver, doc: () => ({ query: 'query { auditEvents(pageSize: 5) { total items { action } } }' }) },
  };

  const codeOf = (r: HttpResult) => r.body?.errors?.[0]?.extensions?.code as string | undefined;

  describe.each(Object.keys(FIELDS))('%s', (field) => {
    const { cls, doc } = FIELDS[field]!;

    it('anonymous: UNAUTHENTICATED, no data', async () => {
      const d = doc();
      const r = await gql(t.url, d.query, d.variables);
      expect(r.status).not.toBe(500);
      expect(codeOf(r), r.text).toBe('UNAUTHENTICATED');
      expect(r.body.data ?? null).toBeNull();
    });

    it.each(ROLES)('as %s: allowed roles get data (or NOT_FOUND for a random id), others FORBIDDEN', async (role) => {
      const policy = policyOf(cls, field)!;
      expect(policy.kind).toBe('user');
      const allowed = policy.kind === 'user' && policy.roles.includes(role);
      const d = doc();
      const r = await gql(t.url, d.query, d.variables, { token: users[role].token });
      expect(r.status).not.toBe(500);
      if (!allowed) {
        expect(codeOf(r), r.text).toBe('FORBIDDEN');
        expect(r.body.errors![0]!.message).toBe(ROLE_FORBIDDEN);
      } else if (field === 'revokeApiKey') {
        // a random id is not this tenant's key
        expect(codeOf(r), r.text).toBe('NOT_FOUND');
      } else {
        expect(r.body.errors, r.text).toBeUndefined();
        expect(r.body.data?.[field], r.text).toBeTruthy();
      }
    });

    it('with an API key: FORBIDDEN', async () => {
      const d = doc();
      const r = await gql(t.url, d.query, d.variables, { apiKey: key.key });
      expect(codeOf(r), r.text).toBe('FORBIDDEN');
    });
  });

  it("revokeApiKey / user of tenant A's ids as tenant B's admin: NOT_FOUND, and A still has them", async () => {
    const victim = await createApiKey(t.api, adminA, ['ingest']);
    const r = await gql(t.url, 'mutation($id: ID!) { revokeApiKey(id: $id) }', { id: victim.id }, { token: adminB.token });
    expect(codeOf(r), r.text).toBe('NOT_FOUND');
    const u = await gql(t.url, 'query($id: ID!) { user(id: $id) { id } }', { id: users.viewer.userId }, { token: adminB.token });
    expect(codeOf(u), u.text).toBe('NOT_FOUND');
    // the key still authenticates for A, and A's admin can revoke it
    const still = await http('GET', `${t.api}/settings/api-keys`, { apiKey: victim.key });
    expect(still.status).toBe(403); // authenticated (not 401), just not a user token
    const own = await gql(t.url, 'mutation($id: ID!) { revokeApiKey(id: $id) }', { id: victim.id }, { token: adminA.token });
    expect(own.body.data?.revokeApiKey, own.text).toBe(true);
    const gone = await http('GET', `${t.api}/settings/api-keys`, { apiKey: victim.key });
    expect(gone.status).toBe(401);
  });

  it('a non-UUID id is a client error, never INTERNAL_SERVER_ERROR', async () => {
    for (const [q, label] of [
      ['mutation { revokeApiKey(id: "not-a-uuid") }', 'revokeApiKey'],
      ['query { user(id: "not-a-uuid") { id } }', 'user'],
    ] as const) {
      const r = await gql(t.url, q, undefined, { token: adminA.token });
      expect(r.status, `${label}: ${r.text}`).not.toBe(500);
      expect(['NOT_FOUND', 'BAD_USER_INPUT'], `${label}: ${r.text}`).toContain(codeOf(r));
    }
  });
});
