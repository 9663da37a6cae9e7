import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { DomainError, ErrorCode, isUuid, invalid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { findInTenantOrThrow } from '../common/persistence.js';
import type { SecretBox } from '../common/secret-box.js';
import type { AppConfig } from '../config/config.js';
import type { ConnectionTestResult, DriverOptions } from '../connectivity/driver.js';
import { testConnection } from '../connectivity/drivers.js';
import { outboundResolver } from '../connectivity/outbound-guard.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { Machine } from '../machines/machine.entity.js';
import { MachineErrors } from '../machines/machine.errors.js';
import { IngestSource } from './ingest-source.entity.js';
import { IngestSourceErrors } from './ingest-source.errors.js';
import { ingestSourcesChangedTopic, type IngestSourcesChanged, type PollTarget } from './ingest-source.events.js';
import {
  INGEST_SOURCE_LIMITS as L,
  defaultMetricName,
  isOpcuaConfig,
  mergeIngestSource,
  normalizeProtocol,
  rawTagOfNode,
  rawTagOfRegister,
  text,
  toDeviceSource,
  validateIngestSource,
  validateMetricName,
  validateUnit,
  type IngestSourceInput,
  type SourceConfigInput,
  type IngestSourceSpec,
  type StoredModbusConfig,
  type StoredOpcuaConfig,
  YIELD_EVERY,
  yieldToLoop,
} from './ingest-source.rules.js';
import { ingestSourceView, type IngestSourceView } from './ingest-source.view.js';
import { everyTenantSubscribed, type SubscriptionCheck } from './subscription-check.js';

export interface IngestSourceFilter extends PageArgs {
  machineId?: string | null;
  protocol?: string | null;
  isActive?: boolean | null;
}

/** The guide's `POST /ingest/opcua/sources` body (camelCase). */
export interface OpcuaSourceInput extends Pick<SourceConfigInput, 'endpointUrl' | 'securityMode' | 'securityPolicy' | 'authType' | 'username' | 'password'> {
  machineId?: string | null;
  name?: string | null;
  pollIntervalSeconds?: number | null;
  nodeIds?: readonly string[] | null;
  enabled?: boolean | null;
}

export interface TagMappingInput {
  machineId?: string | null;
  mappings?: readonly { tag?: string | null; metricName?: string | null; unit?: string | null }[] | null;
}

export interface AppliedTagMapping {
  tag: string;
  metricName: string;
  unit: string;
  /** the sources whose point the tag names */
  sourceIds: string[];
}

export interface TagMappingResult {
  machineId: string;
  mappings: AppliedTagMapping[];
  sourceIds: string[];
}

/** Connection tests dial out: a few at a time per process, so a burst of requests cannot open thousands of sockets. */
const MAX_CONCURRENT_TESTS = 16;

const PLACEHOLDER_MACHINE = '00000000-0000-4000-8000-000000000000';

/** Ingest sources of a tenant: CRUD with audit, connection tests, and what the poller reads. */
export class IngestSourceService {
  private subscriptionCheck: SubscriptionCheck = everyTenantSubscribed;
  private testsInFlight = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly config: Pick<AppConfig, 'outbound' | 'sources'>,
  ) {}

  /** Where billing plugs in: the plan check used on create, activation, update of an active source and connection tests. */
  setSubscriptionCheck(check: SubscriptionCheck): void {
    this.subscriptionCheck = check;
  }

  /** Whether the tenant may use direct ingestion now (the poller may skip tenants that may not). */
  async subscribed(tenantId: string): Promise<boolean> {
    return (await this.subscriptionCheck(tenantId, 'direct_ingestion')) === true;
  }

  private async requireSubscription(tenantId: string): Promise<void> {
    if (!(await this.subscribed(tenantId))) throw IngestSourceErrors.subscriptionRequired();
  }

  /**
   * Sources of the tenant, newest first, one page. Read with plain SQL: a page of sources with
   * 10,000 nodes each is parsed row by row as it arrives, not hydrated and snapshotted in one block.
   */
  async list(ctx: RequestContext, f: IngestSourceFilter): Promise<Page<IngestSourceView>> {
    const w = pageWindow(f);
    const where = ['tenant_id = ?'];
    const params: unknown[] = [ctx.principal!.tenantId];
    if (f.machineId != null) {
      if (!isUuid(f.machineId)) throw invalid('machine_id', 'Input should be a valid UUID (machine_id)', 'uuid_parsing');
      where.push('machine_id = ?');
      params.push(f.machineId.toLowerCase());
    }
    if (f.protocol != null) {
      where.push('protocol = ?');
      params.push(normalizeProtocol(f.protocol));
    }
    if (f.isActive != null) {
      where.push('is_active = ?');
      params.push(f.isActive);
    }
    const cond = where.join(' and ');
    const [count] = await this.db.query<{ n: number }>(`select count(*)::int as n from ingest_sources where ${cond}`, params);
    const rows = await this.db.query<SourceRow>(
      `select id, tenant_id, machine_id, name, protocol, host, port, poll_interval_seconds, is_active, config, secret is not null as password_set,
              state, last_poll_at, last_success_at, last_error, consecutive_failures, point_status, created_at, updated_at
       from ingest_sources where ${cond} order by created_at desc, id desc limit ? offset ?`,
      [...params, w.pageSize, w.offset],
    );
    return toPage(rows.map(viewOfRow), count?.n ?? 0, w);
  }

  /** One source of the caller's tenant; 404 for unknown or foreign ids. */
  async get(ctx: RequestContext, id: string): Promise<IngestSourceView> {
    return ingestSourceView(await this.row(ctx, id));
  }

  private row(ctx: RequestContext, id: string, em: EntityManager = this.db.em(), lock = false): Promise<IngestSource> {
    if (!lock) return findInTenantOrThrow(em, ctx, IngestSource, id, IngestSourceErrors.notFound);
    if (!isUuid(id)) throw IngestSourceErrors.notFound();
    return em.findOneOrFail(
      IngestSource,
      { id: id.toLowerCase(), tenantId: ctx.principal!.tenantId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, failHandler: () => IngestSourceErrors.notFound() },
    );
  }

  /** The machine must be an active machine of the caller's tenant (another tenant's is a 404, as for machines). */
  private async checkMachine(ctx: RequestContext, em: EntityManager, machineId: string): Promise<string> {
    if (!isUuid(machineId)) throw IngestSourceErrors.invalid(['machine_id'], 'Input should be a valid UUID (machine_id)', 'uuid_parsing');
    const id = machineId.toLowerCase();
    const m = await em.findOne(Machine, { id, tenantId: ctx.principal!.tenantId, isActive: true }, { fields: ['id'] });
    if (!m) throw MachineErrors.notFound();
    return id;
  }

  async create(ctx: RequestContext, input: IngestSourceInput): Promise<IngestSourceView> {
    const spec = await validateIngestSource(input);
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    spec.machineId = await this.checkMachine(ctx, em, spec.machineId);
    await this.requireSubscription(tenantId);
    const source = em.create(IngestSource, {
      tenantId,
      machineId: spec.machineId,
      name: spec.name,
      protocol: spec.protocol,
      host: spec.host,
      port: spec.port,
      pollIntervalSeconds: spec.pollIntervalSeconds,
      isActive: spec.isActive,
      config: spec.config,
      state: spec.isActive ? 'pending' : 'disabled',
    } as IngestSource);
    source.secret = spec.password.kind === 'set' ? this.seal(source.id, spec.password.password) : null;
    const ev = this.audit.stage(em, ctx, {
      action: 'create_ingest_source',
      resourceType: 'ingest_source',
      resourceId: source.id,
      details: { name: source.name, protocol: source.protocol, machine_id: source.machineId, host: source.host, port: source.port, is_active: source.isActive },
    });
    await em.flush();
    await this.audit.announce([ev]);
    await this.changed(source, 'created');
    return ingestSourceView(source);
  }

  /**
   * Partial update (`replace`: a full one, every required field given) validated as a whole source.
   * The password is kept unless the input names it (`null` clears it); deactivating needs no
   * subscription, anything that leaves the source active does.
   */
  async update(ctx: RequestContext, id: string, patch: IngestSourceInput, opts: { replace?: boolean } = {}): Promise<IngestSourceView> {
    const em = this.db.em();
    const { source, ev } = await em.transactional(async (tem) => {
      const source = await this.row(ctx, id, tem, true);
      // a full replacement keeps the stored password too unless it names it (it is never returned)
      const spec = await validateIngestSource(opts.replace ? patch : mergeIngestSource(source, patch));
      if (spec.machineId !== source.machineId) spec.machineId = await this.checkMachine(ctx, tem, spec.machineId);
      if (spec.isActive) await this.requireSubscription(source.tenantId);
      const changed = this.apply(source, spec);
      const ev = this.audit.stage(tem, ctx, { action: 'update_ingest_source', resourceType: 'ingest_source', resourceId: source.id, details: { changed } });
      await tem.flush();
      return { source, ev };
    });
    await this.audit.announce([ev]);
    await this.changed(source, 'updated');
    return ingestSourceView(source);
  }

  /** Lays a validated spec over the row; returns the names of the fields that changed (never their secret values). */
  private apply(source: IngestSource, spec: IngestSourceSpec): string[] {
    const changed: string[] = [];
    const set = <K extends 'machineId' | 'name' | 'protocol' | 'host' | 'port' | 'pollIntervalSeconds' | 'isActive'>(k: K, snake: string, v: IngestSource[K]) => {
      if (source[k] !== v) {
        source[k] = v;
        changed.push(snake);
      }
    };
    const wasActive = source.isActive;
    set('machineId', 'machine_id', spec.machineId);
    set('name', 'name', spec.name);
    set('protocol', 'protocol', spec.protocol);
    set('host', 'host', spec.host);
    set('port', 'port', spec.port);
    set('pollIntervalSeconds', 'poll_interval_seconds', spec.pollIntervalSeconds);
    set('isActive', 'is_active', spec.isActive);
    if (JSON.stringify(source.config) !== JSON.stringify(spec.config)) {
      source.config = spec.config;
      changed.push('config');
    }
    if (spec.password.kind === 'set') {
      source.secret = this.seal(source.id, spec.password.password);
      changed.push('password');
    } else if (spec.password.kind === 'clear' && source.secret !== null) {
      source.secret = null;
      changed.push('password');
    }
    if (wasActive && !source.isActive) source.state = 'disabled';
    if (!wasActive && source.isActive) {
      // a reactivated source starts over: its old failures say nothing about the device now
      source.state = 'pending';
      source.consecutiveFailures = 0;
      source.lastError = null;
      source.pointStatus = [];
    }
    return changed;
  }

  /** Deletes a source; the poller drops it at its next cycle at the latest. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const em = this.db.em();
    const source = await this.row(ctx, id, em);
    em.remove(source);
    const ev = this.audit.stage(em, ctx, { action: 'delete_ingest_source', resourceType: 'ingest_source', resourceId: source.id, details: { name: source.name, protocol: source.protocol } });
    await em.flush();
    await this.audit.announce([ev]);
    await this.changed(source, 'deleted');
    return true;
  }

  /** One cycle against a saved source's device, through the outbound guard. */
  async testConnection(ctx: RequestContext, id: string): Promise<ConnectionTestResult> {
    const source = await this.row(ctx, id);
    await this.requireSubscription(source.tenantId);
    let password: string | null;
    try {
      password = this.openPassword(source);
    } catch (err) {
      return { success: false, message: `The stored password cannot be decrypted (${(err as Error).message}); set it again`, latencyMs: 0 };
    }
    return this.dial(ctx, toDeviceSource(source, password));
  }

  /** One cycle against a configuration that is not saved (a create body); nothing is stored. */
  async testUnsavedConnection(ctx: RequestContext, input: IngestSourceInput): Promise<ConnectionTestResult> {
    const spec = await validateIngestSource({ ...input, machineId: input.machineId ?? PLACEHOLDER_MACHINE, name: input.name ?? 'connection test' });
    await this.requireSubscription(ctx.principal!.tenantId);
    const device = toDeviceSource(
      { id: 'connection-test', name: spec.name, protocol: spec.protocol, host: spec.host, port: spec.port, pollIntervalSeconds: spec.pollIntervalSeconds, config: spec.config },
      spec.password.kind === 'set' ? spec.password.password : null,
    );
    return this.dial(ctx, device);
  }

  private async dial(ctx: RequestContext, device: Parameters<typeof testConnection>[0]): Promise<ConnectionTestResult> {
    if (this.testsInFlight >= MAX_CONCURRENT_TESTS) {
      throw new DomainError(ErrorCode.RATE_LIMITED, 'Too many connection tests in progress; retry shortly', { retryAfterSec: 1 });
    }
    this.testsInFlight++;
    try {
      const opts: DriverOptions = {
        resolveTarget: outboundResolver(this.config.outbound),
        connectTimeoutMs: this.config.sources.connectTimeoutMs,
        requestTimeoutMs: this.config.sources.requestTimeoutMs,
        pkiDir: this.config.sources.opcuaPkiDir,
        trustUnknownServerCertificates: this.config.sources.trustUnknownServerCertificates,
        log: ctx.log,
      };
      return await testConnection(device, opts);
    } finally {
      this.testsInFlight--;
    }
  }

  /** The guide's OPC-UA door: the same resource, node metric names defaulting to the node's raw tag until mapped. */
  async createOpcuaSource(ctx: RequestContext, input: OpcuaSourceInput): Promise<IngestSourceView> {
    if (input.endpointUrl == null) throw IngestSourceErrors.invalid(['endpoint_url'], 'Field required', 'missing');
    const nodeIds = input.nodeIds;
    let host = 'server';
    if (typeof input.endpointUrl === 'string') host = /^opc\.tcp:\/\/\[?([^\]:/]+)/i.exec(input.endpointUrl.trim())?.[1] ?? host;
    const asSource: IngestSourceInput = {
      machineId: input.machineId,
      name: input.name ?? `OPC-UA ${host}`.slice(0, L.name),
      protocol: 'opcua',
      pollIntervalSeconds: input.pollIntervalSeconds,
      isActive: input.enabled,
      config: {
        endpointUrl: input.endpointUrl ?? null,
        securityMode: input.securityMode,
        securityPolicy: input.securityPolicy,
        authType: input.authType,
        username: input.username,
        password: input.password ?? undefined,
        nodes: Array.isArray(nodeIds) ? withDefaultMetricNames(nodeIds) : (nodeIds as null | undefined),
      },
    };
    try {
      return await this.create(ctx, asSource);
    } catch (err) {
      throw relocateOpcuaDoor(err);
    }
  }

  /**
   * Maps tags (OPC-UA node ids or their raw tags such as `ns2_i1001`, Modbus raw tags such as
   * `hr100`) of the machine's sources to metric names and units. Every tag must name a point of a
   * source of that machine; all mappings apply together or none does.
   */
  async mapTags(ctx: RequestContext, input: TagMappingInput): Promise<TagMappingResult> {
    const fail = (loc: (string | number)[], msg: string, type = 'value_error') => IngestSourceErrors.invalidMapping(loc, msg, type);
    if (input.machineId == null) throw fail(['machine_id'], 'Field required', 'missing');
    if (input.mappings == null) throw fail(['mappings'], 'Field required', 'missing');
    if (!Array.isArray(input.mappings)) throw fail(['mappings'], 'Input should be a valid list', 'list_type');
    if (input.mappings.length < 1) throw fail(['mappings'], 'List should have at least 1 item(s)', 'too_short');
    if (input.mappings.length > L.maxMappings) throw fail(['mappings'], `List should have at most ${L.maxMappings} items`, 'too_long');
    const mappings: { tag: string; metricName: string; unit: string | null }[] = [];
    const seenTags = new Map<string, number>();
    for (let i = 0; i < input.mappings.length; i++) {
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
      const m = input.mappings[i];
      if (m == null || typeof m !== 'object' || Array.isArray(m)) throw fail(['mappings', i], 'Input should be a valid object', 'model_type');
      if (m.tag == null) throw fail(['mappings', i, 'tag'], 'Field required', 'missing');
      if (m.metricName == null) throw fail(['mappings', i, 'metric_name'], 'Field required', 'missing');
      const mapping = {
        tag: text(m.tag, ['mappings', i, 'tag'], L.tag, fail),
        metricName: validateMetricName(m.metricName, ['mappings', i, 'metric_name'], fail),
        unit: m.unit == null ? null : validateUnit(m.unit, ['mappings', i, 'unit'], fail),
      };
      const prev = seenTags.get(mapping.tag);
      if (prev !== undefined) throw fail(['mappings', i, 'tag'], `Duplicate tag '${mapping.tag}' (also at index ${prev})`);
      seenTags.set(mapping.tag, i);
      mappings.push(mapping);
    }

    const em = this.db.em();
    const machineId = await this.checkMachine(ctx, em, input.machineId);
    const tenantId = ctx.principal!.tenantId;
    const { result, touched, events } = await em.transactional(async (tem) => {
      const sources = await tem.find(IngestSource, { tenantId, machineId }, { orderBy: { createdAt: 'asc', id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE });
      // tag -> every point it names: [source index, point index]
      const index = new Map<string, [number, number][]>();
      const add = (tag: string, at: [number, number]) => {
        const list = index.get(tag);
        if (!list) index.set(tag, [at]);
        else if (!list.some(([s, p]) => s === at[0] && p === at[1])) list.push(at);
      };
      let work = 0;
      for (let si = 0; si < sources.length; si++) {
        const s = sources[si]!;
        const points = (isOpcuaConfig(s.protocol, s.config) ? s.config.nodes : (s.config as StoredModbusConfig).registers) as readonly { node_id?: string }[];
        for (let pi = 0; pi < points.length; pi++) {
          if (++work % YIELD_EVERY === 0) await yieldToLoop();
          const p = points[pi]!;
          if (p.node_id !== undefined) {
            add(p.node_id, [si, pi]);
            add(rawTagOfNode(p.node_id), [si, pi]);
          } else add(rawTagOfRegister(p as StoredModbusConfig['registers'][number]), [si, pi]);
        }
      }
      // copies of the point lists (the points themselves are replaced when mapped, never changed in place)
      const configs = sources.map((s) =>
        isOpcuaConfig(s.protocol, s.config) ? { ...s.config, nodes: [...s.config.nodes] } : { ...s.config, registers: [...(s.config as StoredModbusConfig).registers] },
      );
      const changed = new Set<number>();
      const pointsOf = (si: number): { metric_name: string; unit: string; node_id?: string; address?: number; register_type?: string }[] => {
        const c = configs[si]!;
        return isOpcuaConfig(sources[si]!.protocol, c) ? (c as StoredOpcuaConfig).nodes : (c as StoredModbusConfig).registers;
      };
      const applied: AppliedTagMapping[] = [];
      for (let i = 0; i < mappings.length; i++) {
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
        const m = mappings[i]!;
        const hits = index.get(m.tag);
        if (!hits) throw fail(['mappings', i, 'tag'], `Unknown tag '${m.tag}': no ingest source of this machine reads it`);
        let unit = '';
        for (const [si, pi] of hits) {
          const points = pointsOf(si);
          const before = points[pi]!;
          const after = { ...before, metric_name: m.metricName, unit: m.unit ?? before.unit };
          if (after.metric_name !== before.metric_name || after.unit !== before.unit) {
            points[pi] = after;
            changed.add(si);
          }
          unit = after.unit;
        }
        applied.push({ tag: m.tag, metricName: m.metricName, unit, sourceIds: [...new Set(hits.map(([si]) => sources[si]!.id))] });
      }
      // each source's metric names stay unique after the mapping
      const touchedIdx = [...new Set(applied.flatMap((a) => a.sourceIds))].map((id) => sources.findIndex((s) => s.id === id));
      for (const si of touchedIdx) {
        const seen = new Map<string, number>();
        pointsOf(si).forEach((p, pi) => {
          const other = seen.get(p.metric_name);
          if (other !== undefined) {
            const i = mappings.findIndex((m) => m.metricName === p.metric_name);
            throw fail(['mappings', Math.max(i, 0), 'metric_name'], `metric_name '${p.metric_name}' would name two points of source '${sources[si]!.name}' (${pointLabel(pointsOf(si)[other]!)} and ${pointLabel(p)})`);
          }
          seen.set(p.metric_name, pi);
        });
      }
      const touched = touchedIdx.map((si) => sources[si]!);
      if (touched.some((s) => s.isActive)) await this.requireSubscription(tenantId);
      const events = [];
      for (const si of touchedIdx) {
        const s = sources[si]!;
        if (!changed.has(si)) continue;
        s.config = configs[si]!;
        events.push(
          this.audit.stage(tem, ctx, {
            action: 'map_ingest_source_tags',
            resourceType: 'ingest_source',
            resourceId: s.id,
            details: { mappings: applied.filter((a) => a.sourceIds.includes(s.id)).slice(0, 100).map((a) => ({ tag: a.tag, metric_name: a.metricName, unit: a.unit })) },
          }),
        );
      }
      await tem.flush();
      return { result: { machineId, mappings: applied, sourceIds: touched.map((s) => s.id) }, touched, events };
    });
    await this.audit.announce(events);
    for (const s of touched) await this.changed(s, 'updated');
    return result;
  }

  /** Every active source of an active machine (the poller's reconcile pass). */
  async activeSourceIds(): Promise<{ id: string; tenantId: string }[]> {
    const rows = await this.db.query<{ id: string; tenant_id: string }>(
      'select s.id, s.tenant_id from ingest_sources s join machines m on m.id = s.machine_id where s.is_active and m.is_active order by s.id',
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }

  /** The source as drivers see it (password decrypted), with its tenant and machine; null when it no longer exists. */
  async loadPollTarget(sourceId: string): Promise<PollTarget | null> {
    if (!isUuid(sourceId)) return null;
    const em = this.db.em();
    const source = await em.findOne(IngestSource, { id: sourceId.toLowerCase() });
    if (!source) return null;
    const machine = await em.findOne(Machine, { id: source.machineId }, { fields: ['id', 'machineIdentifier', 'isActive'] });
    if (!machine) return null;
    // an unreadable password (key changed) is given as empty: the device refuses the session and the health says so
    let password: string | null = null;
    try {
      password = this.openPassword(source);
    } catch {
      password = null;
    }
    return {
      source: toDeviceSource(source, password),
      tenantId: source.tenantId,
      machineId: source.machineId,
      machineIdentifier: machine.machineIdentifier,
      isActive: source.isActive && machine.isActive,
      updatedAt: source.updatedAt,
    };
  }

  private seal(sourceId: string, password: string): string {
    return this.box.seal(JSON.stringify({ password }), `ingest_source:${sourceId}`);
  }

  private openPassword(source: IngestSource): string | null {
    if (source.secret === null) return null;
    const parsed = JSON.parse(this.box.open(source.secret, `ingest_source:${source.id}`)) as { password?: unknown };
    return typeof parsed.password === 'string' ? parsed.password : null;
  }

  private async changed(source: IngestSource, change: IngestSourcesChanged['change']): Promise<void> {
    await this.bus.publish(ingestSourcesChangedTopic(source.tenantId), { sourceId: source.id, tenantId: source.tenantId, change });
  }
}

/**
 * The guide's nodes with their metric names until mapped: the raw tag, made unique with a suffix
 * where two node ids give the same tag (`ns=2;s=a;b` and `ns=2;s=a_b`).
 */
function withDefaultMetricNames(nodeIds: readonly unknown[]): { nodeId: string | null; metricName: string | null }[] {
  const used = new Set<string>();
  return nodeIds.map((n) => {
    if (typeof n !== 'string') return { nodeId: n as null, metricName: null };
    const base = defaultMetricName(n.trim()).slice(0, L.metricName - 8);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return { nodeId: n, metricName: name };
  });
}

interface SourceRow {
  id: string;
  tenant_id: string;
  machine_id: string;
  name: string;
  protocol: IngestSource['protocol'];
  host: string;
  port: number;
  poll_interval_seconds: number;
  is_active: boolean;
  config: IngestSource['config'];
  password_set: boolean;
  state: IngestSource['state'];
  last_poll_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  consecutive_failures: number;
  point_status: IngestSource['pointStatus'];
  created_at: Date;
  updated_at: Date;
}

function viewOfRow(r: SourceRow): IngestSourceView {
  return ingestSourceView({
    id: r.id,
    tenantId: r.tenant_id,
    machineId: r.machine_id,
    name: r.name,
    protocol: r.protocol,
    host: r.host,
    port: r.port,
    pollIntervalSeconds: r.poll_interval_seconds,
    isActive: r.is_active,
    config: r.config,
    hasPassword: r.password_set,
    state: r.state,
    lastPollAt: r.last_poll_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    consecutiveFailures: r.consecutive_failures,
    pointStatus: r.point_status,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  });
}

function pointLabel(p: { node_id?: string; address?: number; register_type?: string }): string {
  return p.node_id ?? `${p.register_type} ${p.address}`;
}

/** Validation locations of the canonical resource, as the guide's OPC-UA body names them. */
function relocateOpcuaDoor(err: unknown): unknown {
  if (!(err instanceof DomainError) || err.code !== ErrorCode.VALIDATION || !err.extra.issues) return err;
  const issues = err.extra.issues.map((i) => {
    const [a, b, c] = i.loc;
    let loc: (string | number)[] = i.loc;
    if (a === 'config' && b === 'nodes' && typeof c === 'number') loc = ['node_ids', c];
    else if (a === 'config' && b === 'nodes') loc = ['node_ids'];
    else if (a === 'config' && typeof b === 'string') loc = [b, ...i.loc.slice(2)];
    else if (a === 'is_active') loc = ['enabled'];
    return { ...i, loc };
  });
  return err.withIssues(issues);
}
