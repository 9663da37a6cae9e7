/**
 * OPC-UA driver (node-opcua-client): one session per source, kept across cycles.
 *
 * Recovery does not rely on node-opcua's automatic reconnection (disabled: `maxRetry: 0`). The driver
 * watches the link (connection lost or closed, request timed out, session closed, keep-alive failure,
 * subscription terminated or silent) and every service error; a link that is suspect is torn down
 * whole and, in the same poll, rebuilt from nothing: new client, new secure channel, new session,
 * namespace indexes and operation limits read again, subscription and monitored items created
 * again. A poll that finds the device still away throws DeviceUnreachableError quickly; the poller's
 * back-off decides when to try again, and the first poll after the device returns reads it,
 * however long it was away and whatever changed on it (restart, new address space, new namespace
 * order).
 *
 * Dialling: the endpoint URL's host is resolved by `opts.resolveTarget` (the outbound guard) and
 * the URL rewritten to the pinned address (path kept); `endpointMustExist: false`, discovery on the
 * same URL, so node-opcua never dials a host name a server advertises in GetEndpoints.
 */
import net from 'node:net';
import path from 'node:path';
import {
  AttributeIds,
  ClientMonitoredItemGroup,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  DeadbandType,
  LogLevel,
  MessageSecurityMode,
  NodeId,
  OPCUAClient,
  SecurityPolicy,
  setLogLevel,
  TimestampsToReturn,
  UserTokenType,
  VariantArrayType,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type ReadValueIdOptions,
  type StatusCode,
  type UserIdentityInfo,
} from 'node-opcua-client';
import { MAX_FUTURE_MS, MAX_PAST_DAYS } from '../readings/ingest.rules.js';
import { rawTagOf, type DeviceSource, type OpcuaNode, type OpcuaSettings } from './device-source.js';
import { DeviceUnreachableError, type DeviceDriver, type DriverOptions, type PointStatus, type PollResult, type PolledValue } from './driver.js';
import { parseNodeId, type ParsedNodeId } from './opcua-node-id.js';
import { certificateThumbprint, findRejectedCertificateFile, getOpcuaPki, type OpcuaPki } from './opcua-pki.js';

// node-opcua writes its own warnings to the console (certificates in base64, every failed connect);
// the driver reports failures itself, through the caller's logger. NODEOPCUA_LOG_LEVEL overrides.
if (!process.env.NODEOPCUA_LOG_LEVEL) setLogLevel(LogLevel.Error);

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
/** bound of close(): a device that does not answer never holds a shutdown */
const CLOSE_TIMEOUT_MS = 2000;
/** nodes per Read / CreateMonitoredItems when the server does not state a limit */
const DEFAULT_CHUNK = 1000;
/** never more than this per request, whatever the server allows (message size) */
const MAX_CHUNK = 5000;
/** subscription mode: notifications kept between two polls (oldest dropped beyond, counted) */
export const OPCUA_MIN_NOTIFICATION_BUFFER = 10_000;
export const OPCUA_MAX_NOTIFICATION_BUFFER = 100_000;
/** subscription mode: monitored items refused by the server are tried again this often */
const RETRY_FAILED_ITEMS_MS = 30_000;

const NS0 = {
  namespaceArray: 2255,
  serverState: 2259,
  maxNodesPerRead: 11705,
  maxMonitoredItemsPerCall: 11714,
};

interface ResolvedNode {
  node: OpcuaNode;
  parsed: ParsedNodeId | null;
  /** the node id read on the current session (namespace index resolved), null when unresolvable */
  nodeId: NodeId | null;
  /** why nodeId is null */
  unresolved?: string;
}

interface Buffered {
  index: number;
  value: DataValue;
  receivedAt: number;
}

/** One connection to the server: client, channel, session, and in subscription mode the subscription. */
interface Link {
  client: OPCUAClient;
  session: ClientSession | null;
  subscription: ClientSubscription | null;
  /** set by any sign of a dead or stale link; the next poll rebuilds */
  broken: string | null;
  /** the connection itself is gone (nothing can be sent on it any more) */
  channelLost: boolean;
  maxNodesPerRead: number;
  maxItemsPerCall: number;
  /** subscription mode: per node, whether its monitored item exists */
  monitored: boolean[];
  /** subscription mode: per node, why its monitored item could not be created */
  itemErrors: (string | null)[];
  lastItemRetryAt: number;
  lastActivityAt: number;
  keepAliveMs: number;
  publishingIntervalMs: number;
}

/** A ring buffer of notifications: bounded, oldest dropped first. */
export class NotificationBuffer {
  private items: (Buffered | undefined)[];
  private head = 0;
  private size = 0;
  dropped = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<Buffered | undefined>(capacity);
  }

  push(item: Buffered): void {
    if (this.size === this.capacity) {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
      return;
    }
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size++;
  }

  drain(): Buffered[] {
    const out: Buffered[] = new Array<Buffered>(this.size);
    for (let i = 0; i < this.size; i++) {
      const idx = (this.head + i) % this.capacity;
      out[i] = this.items[idx] as Buffered;
      this.items[idx] = undefined;
    }
    this.head = 0;
    this.size = 0;
    return out;
  }

  clear(): void {
    this.drain();
  }

  get length(): number {
    return this.size;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** A TCP connect to the pinned address, for diagnostics only: null when it connects, else the error code. */
function probeTcp(address: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (code: string | null) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(timeoutMs, () => done('ETIMEDOUT'));
    socket.once('connect', () => done(null));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'ECONNRESET'));
  });
}

/** `opc.tcp://host:port/path` → parts; the host as written (IPv6 without brackets). */
export function parseEndpointUrl(url: string): { host: string; port: number; rest: string } | null {
  const m = /^opc\.tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#[\]@]+)(?::(\d{1,5}))?([/?#].*)?$/i.exec(url);
  if (!m || !m[1]) return null;
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  const port = m[2] ? Number(m[2]) : 4840;
  if (port < 1 || port > 65535) return null;
  return { host, port, rest: m[3] ?? '' };
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** First line of an error message, without node-opcua's decorations. */
function shortMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return (lines.find((l) => /Bad[A-Z]\w+/.test(l)) ?? lines[0] ?? 'unknown error').slice(0, 300);
}

/** The OPC-UA status name in an error message (`BadUserAccessDenied`), if any. */
function statusNameIn(err: unknown): string | null {
  const text = err instanceof Error ? `${err.message} ${String((err as { response?: unknown }).response ?? '')}` : String(err);
  return /\b(Bad[A-Z][A-Za-z]+)\b/.exec(text)?.[1] ?? null;
}

function statusName(code: StatusCode | undefined | null): string {
  if (!code) return 'BadNoData';
  return code.name || code.toString();
}

/** Good severity (including Good_* subcodes such as GoodLocalOverride). */
function isGood(code: StatusCode | undefined | null): boolean {
  return !!code && code.isGood();
}

/**
 * A value as a number: numbers (Int64/UInt64 arrives as [high, low]), booleans as 0/1. Anything else
 * (strings, dates, arrays, structures, NaN) is a bad point with a clear status.
 */
export function numericValueOf(dv: DataValue): { ok: true; value: number } | { ok: false; status: string } {
  const variant = dv.value;
  if (!variant || variant.dataType === DataType.Null || variant.value === null || variant.value === undefined) {
    return { ok: false, status: 'BadNoData (the node has no value)' };
  }
  const type = DataType[variant.dataType] ?? String(variant.dataType);
  if (variant.arrayType !== undefined && variant.arrayType !== VariantArrayType.Scalar) {
    return { ok: false, status: `BadTypeMismatch (${type} array is not a single number)` };
  }
  const v: unknown = variant.value;
  switch (variant.dataType) {
    case DataType.Boolean:
      return { ok: true, value: v ? 1 : 0 };
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Float:
    case DataType.Double: {
      const n = Number(v);
      if (!Number.isFinite(n)) return { ok: false, status: `BadTypeMismatch (${String(v)} is not a finite number)` };
      return { ok: true, value: n };
    }
    case DataType.Int64:
    case DataType.UInt64: {
      if (Array.isArray(v) && v.length === 2) {
        const [high, low] = v as [number, number];
        const big = variant.dataType === DataType.Int64 ? (BigInt(high | 0) << 32n) + BigInt(low >>> 0) : (BigInt(high >>> 0) << 32n) + BigInt(low >>> 0);
        return { ok: true, value: Number(big) };
      }
      const n = Number(v);
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, status: `BadTypeMismatch (${type} value not readable)` };
    }
    default:
      return { ok: false, status: `BadTypeMismatch (${type} value is not numeric)` };
  }
}

export class OpcuaDriver implements DeviceDriver {
  private readonly settings: OpcuaSettings;
  private readonly nodes: ResolvedNode[];
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly pkiDir: string;
  private readonly trustUnknown: boolean;
  private link: Link | null = null;
  /** a client being connected (close() must be able to abort it) */
  private connecting: OPCUAClient | null = null;
  private closed = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** namespace index → URI, as seen on this driver's first session (index changes are followed by URI) */
  private namespaceUris: Map<number, string> | null = null;
  private readonly buffer: NotificationBuffer;
  private droppedReported = 0;
  /** subscription mode: latest status per node (null: good or never heard of) */
  private readonly pointProblem: (string | null)[];
  private readonly heard: boolean[];
  /** the server certificate this driver's last connect attempt refused (explicit trust list) */
  private refusedServerCertificate: Buffer | null = null;

  constructor(
    private readonly source: DeviceSource,
    private readonly opts: DriverOptions,
  ) {
    if (source.protocol !== 'opcua' || !source.opcua) throw new Error(`source ${source.id} is not an OPC-UA source`);
    this.settings = source.opcua;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.pkiDir = opts.pkiDir ?? path.resolve(process.env.DATA_DIR ?? './data', 'opcua-pki');
    this.trustUnknown = opts.trustUnknownServerCertificates ?? true;
    this.nodes = this.settings.nodes.map((node) => {
      const parsed = parseNodeId(node.nodeId);
      return parsed.ok
        ? { node, parsed, nodeId: null }
        : { node, parsed: null, nodeId: null, unresolved: `BadNodeIdInvalid (${parsed.message})` };
    });
    const capacity = Math.min(OPCUA_MAX_NOTIFICATION_BUFFER, Math.max(OPCUA_MIN_NOTIFICATION_BUFFER, this.nodes.length * 10));
    this.buffer = new NotificationBuffer(capacity);
    this.pointProblem = this.nodes.map(() => null);
    this.heard = this.nodes.map(() => false);
  }

  /** Notifications dropped because the buffer was full (subscription mode), since the driver started. */
  get droppedNotifications(): number {
    return this.buffer.dropped;
  }

  poll(): Promise<PollResult> {
    const run = this.chain.then(() => this.pollOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const connecting = this.connecting;
    if (connecting) void this.disconnectClient(connecting);
    // an in-flight poll is bounded by its own timeouts; do not wait longer than the close bound
    await withTimeout(this.chain, CLOSE_TIMEOUT_MS, () => 'close').catch(() => undefined);
    await this.teardown();
    this.buffer.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // cycle

  private async pollOnce(): Promise<PollResult> {
    if (this.closed) throw new DeviceUnreachableError(`OPC-UA source ${this.source.name}: driver closed`);
    const link = this.link;
    if (link && !link.broken) {
      try {
        return await this.cycle(link);
      } catch (err) {
        // the link looked alive but is not (server restarted, session expired, channel gone):
        // rebuild from nothing right away, in this same poll
        await this.teardown();
        if (this.closed) throw new DeviceUnreachableError(`OPC-UA source ${this.source.name}: driver closed`);
        this.log('info', { err: shortMessage(err) }, 'OPC-UA session lost; reconnecting');
      }
    } else if (link) {
      this.log('info', { reason: link.broken }, 'OPC-UA link broken; reconnecting');
      await this.teardown();
    }
    let fresh: Link;
    try {
      fresh = await this.connect();
    } catch (err) {
      throw err instanceof DeviceUnreachableError ? err : new DeviceUnreachableError(await this.describeFailure(err), { cause: err });
    }
    if (this.closed) {
      await this.teardownLink(fresh);
      throw new DeviceUnreachableError(`OPC-UA source ${this.source.name}: driver closed`);
    }
    this.link = fresh;
    try {
      return await this.cycle(fresh);
    } catch (err) {
      await this.teardown();
      throw new DeviceUnreachableError(await this.describeFailure(err), { cause: err });
    }
  }

  private async cycle(link: Link): Promise<PollResult> {
    return this.settings.mode === 'subscription' ? this.drainSubscription(link) : this.readAll(link);
  }

  /** Poll mode: one Read of every node (chunked to the server's limit), stamped with the poll time. */
  private async readAll(link: Link): Promise<PollResult> {
    const session = this.requireSession(link);
    const now = new Date();
    const values: PolledValue[] = [];
    const badPoints: PointStatus[] = [];
    const readable: number[] = [];
    for (let i = 0; i < this.nodes.length; i++) {
      const r = this.nodes[i] as ResolvedNode;
      if (r.nodeId) readable.push(i);
      else badPoints.push(this.bad(r, r.unresolved ?? 'BadNodeIdInvalid'));
    }
    const chunk = link.maxNodesPerRead;
    for (let start = 0; start < readable.length; start += chunk) {
      const slice = readable.slice(start, start + chunk);
      const request: ReadValueIdOptions[] = slice.map((i) => ({ nodeId: (this.nodes[i] as ResolvedNode).nodeId as NodeId, attributeId: AttributeIds.Value }));
      const results = await withTimeout(session.read(request, 0), this.requestTimeoutMs + 500, () => this.timeoutMessage('Read'));
      if (results.length !== slice.length) throw new Error(`Read returned ${results.length} results for ${slice.length} nodes`);
      this.touch(link);
      for (let k = 0; k < slice.length; k++) {
        const r = this.nodes[slice[k] as number] as ResolvedNode;
        const dv = results[k] as DataValue;
        this.collect(r, dv, now, values, badPoints);
      }
    }
    return { values, badPoints };
  }

  /** Subscription mode: probe the session, then hand over what the subscription delivered since the last poll. */
  private async drainSubscription(link: Link): Promise<PollResult> {
    const session = this.requireSession(link);
    // liveness: a cheap Read proves the session and channel still work (a restarted server answers
    // BadSessionIdInvalid, a dead one times out)
    await withTimeout(
      session.read([{ nodeId: new NodeId(NodeId.NodeIdType.NUMERIC, NS0.serverState, 0), attributeId: AttributeIds.Value }], 0),
      this.requestTimeoutMs + 500,
      () => this.timeoutMessage('Read'),
    );
    const silentFor = Date.now() - link.lastActivityAt;
    if (silentFor > link.keepAliveMs * 3 + this.requestTimeoutMs) {
      throw new Error(`subscription silent for ${silentFor} ms (no publish response nor keep-alive)`);
    }
    if (link.broken) throw new Error(link.broken);
    if (Date.now() - link.lastItemRetryAt > RETRY_FAILED_ITEMS_MS && link.itemErrors.some((e) => e !== null)) {
      await this.createMonitoredItems(link, link.itemErrors.flatMap((e, i) => (e !== null ? [i] : [])));
    }
    return this.drainBuffer(link);
  }

  private drainBuffer(link: Link): PollResult {
    const values: PolledValue[] = [];
    for (const item of this.buffer.drain()) {
      const r = this.nodes[item.index] as ResolvedNode;
      const dv = item.value;
      this.heard[item.index] = true;
      if (!isGood(dv.statusCode)) {
        this.pointProblem[item.index] = statusName(dv.statusCode);
        continue;
      }
      const num = numericValueOf(dv);
      if (!num.ok) {
        this.pointProblem[item.index] = num.status;
        continue;
      }
      this.pointProblem[item.index] = null;
      values.push({
        metricName: r.node.metricName,
        unit: r.node.unit,
        value: num.value,
        timestamp: this.subscriptionTimestamp(dv, item.receivedAt),
        rawTag: rawTagOf(this.source, r.node.nodeId),
      });
    }
    if (this.buffer.dropped > this.droppedReported) {
      this.log('warn', { dropped: this.buffer.dropped - this.droppedReported, capacity: this.buffer.capacity }, 'OPC-UA notification buffer full; oldest values dropped');
      this.droppedReported = this.buffer.dropped;
    }
    const badPoints: PointStatus[] = [];
    for (let i = 0; i < this.nodes.length; i++) {
      const r = this.nodes[i] as ResolvedNode;
      const problem = !r.nodeId ? (r.unresolved ?? 'BadNodeIdInvalid') : (link.itemErrors[i] ?? this.pointProblem[i] ?? null);
      if (problem) badPoints.push(this.bad(r, problem));
    }
    return { values, badPoints };
  }

  /** Source timestamp; the receive time when absent or outside what ingest accepts (device clock off). */
  private subscriptionTimestamp(dv: DataValue, receivedAt: number): Date {
    const ts = dv.sourceTimestamp ?? dv.serverTimestamp;
    if (!ts || Number.isNaN(ts.getTime())) return new Date(receivedAt);
    const t = ts.getTime();
    if (t > Date.now() + MAX_FUTURE_MS || t < Date.now() - MAX_PAST_DAYS * 86_400_000 || t <= 0) return new Date(receivedAt);
    return ts;
  }

  private collect(r: ResolvedNode, dv: DataValue, timestamp: Date, values: PolledValue[], badPoints: PointStatus[]): void {
    if (!isGood(dv.statusCode)) {
      badPoints.push(this.bad(r, statusName(dv.statusCode)));
      return;
    }
    const num = numericValueOf(dv);
    if (!num.ok) {
      badPoints.push(this.bad(r, num.status));
      return;
    }
    values.push({ metricName: r.node.metricName, unit: r.node.unit, value: num.value, timestamp, rawTag: rawTagOf(this.source, r.node.nodeId) });
  }

  private bad(r: ResolvedNode, status: string): PointStatus {
    return { point: r.node.nodeId, metricNames: [r.node.metricName], good: false, status };
  }

  private requireSession(link: Link): ClientSession {
    if (link.broken) throw new Error(link.broken);
    if (!link.session) throw new Error('no session');
    return link.session;
  }

  private touch(link: Link): void {
    link.lastActivityAt = Date.now();
  }

  // ---------------------------------------------------------------------------------------------
  // connection

  private endpointParts(): { host: string; port: number; rest: string } {
    const parts = parseEndpointUrl(this.settings.endpointUrl);
    if (!parts) throw new DeviceUnreachableError(`Invalid OPC-UA endpoint URL ${this.settings.endpointUrl} (expected opc.tcp://host:port[/path])`);
    return parts;
  }

  private target = '';
  private pinned: { address: string; port: number } | null = null;

  private timeoutMessage(what: string): string {
    return `Timed out after ${this.requestTimeoutMs} ms waiting for ${what} from ${this.target || this.settings.endpointUrl}`;
  }

  private async connect(): Promise<Link> {
    if (this.closed) throw new DeviceUnreachableError(`OPC-UA source ${this.source.name}: driver closed`);
    if (Number.parseInt(process.env.NODEOPCUA_CLIENT_FORCE_ENDPOINT_DISCOVERY ?? '0', 10)) {
      // with it node-opcua dials the endpoint URL the server advertises, past the outbound guard
      throw new DeviceUnreachableError('OPC-UA polling refuses to run with NODEOPCUA_CLIENT_FORCE_ENDPOINT_DISCOVERY set');
    }
    const parts = this.endpointParts();
    let pinned: { address: string; port: number };
    try {
      pinned = await this.opts.resolveTarget(parts.host, parts.port);
    } catch (err) {
      throw new DeviceUnreachableError(`OPC-UA endpoint ${parts.host}:${parts.port} refused: ${shortMessage(err)}`, { cause: err });
    }
    this.pinned = pinned;
    this.target = `${formatHost(pinned.address)}:${pinned.port}`;
    const url = `opc.tcp://${formatHost(pinned.address)}:${pinned.port}${parts.rest}`;
    let pki: OpcuaPki;
    try {
      pki = await getOpcuaPki(this.pkiDir, { trustUnknownServerCertificates: this.trustUnknown });
    } catch (err) {
      throw new DeviceUnreachableError(`OPC-UA client certificate store ${this.pkiDir} unusable: ${shortMessage(err)}`, { cause: err });
    }
    this.refusedServerCertificate = null;
    const client = OPCUAClient.create({
      applicationName: pki.applicationName,
      applicationUri: pki.applicationUri,
      clientName: `haltfree-${this.source.id}`.slice(0, 64),
      clientCertificateManager: this.certificateManagerFor(pki),
      certificateFile: pki.certificateFile,
      privateKeyFile: pki.privateKeyFile,
      securityMode: MessageSecurityMode[this.settings.securityMode],
      securityPolicy: SecurityPolicy[this.settings.securityPolicy],
      endpointMustExist: false,
      discoveryUrl: url,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 500, randomisationFactor: 0 },
      keepSessionAlive: false,
      // orphaned sessions (connection lost, nothing could close them) expire soon on the server;
      // long poll intervals simply get a new session per poll
      requestedSessionTimeout: Math.min(600_000, Math.max(30_000, this.source.pollIntervalMs * 2 + 10_000)),
      defaultTransactionTimeout: this.requestTimeoutMs,
    });
    const link: Link = {
      client,
      session: null,
      subscription: null,
      broken: null,
      channelLost: false,
      maxNodesPerRead: DEFAULT_CHUNK,
      maxItemsPerCall: DEFAULT_CHUNK,
      monitored: this.nodes.map(() => false),
      itemErrors: this.nodes.map(() => null),
      lastItemRetryAt: Date.now(),
      lastActivityAt: Date.now(),
      keepAliveMs: 10_000,
      publishingIntervalMs: 1000,
    };
    const markBroken = (reason: string) => () => {
      if (!link.broken) link.broken = reason;
    };
    const lost = (reason: string) => () => {
      link.channelLost = true;
      markBroken(reason)();
    };
    client.on('connection_lost', lost('connection lost'));
    client.on('close', lost('connection closed'));
    client.on('timed_out_request', markBroken('request timed out'));
    client.on('connection_failed', markBroken('connection failed'));

    this.connecting = client;
    try {
      await withTimeout(
        (async () => {
          await client.connect(url);
          const session = await client.createSession(this.identity());
          link.session = session;
          session.on('session_closed', markBroken('session closed'));
          session.on('keepalive_failure', markBroken('session keep-alive failed'));
          // node-opcua repairs a session the server forgot (BadSessionIdInvalid) behind our back;
          // the repaired session is not trusted: the next poll rebuilds everything
          session.on('session_repaired', markBroken('session was invalid on the server (repaired by the library)'));
          session.on('session_repaired_failed', markBroken('session was invalid on the server'));
          session.on('session_restored', markBroken('session was restored by the library'));
        })(),
        this.connectTimeoutMs,
        () => `Timed out after ${this.connectTimeoutMs} ms connecting to ${this.target}`,
      );
      if (this.closed) throw new Error('driver closed');
      await this.setupSession(link);
      if (this.settings.mode === 'subscription') await this.setupSubscription(link);
      return link;
    } catch (err) {
      await this.teardownLink(link);
      throw err;
    } finally {
      this.connecting = null;
    }
  }

  private identity(): UserIdentityInfo {
    const auth = this.settings.auth;
    if (auth.type === 'username') return { type: UserTokenType.UserName, userName: auth.username, password: auth.password };
    return { type: UserTokenType.Anonymous };
  }

  /**
   * The shared certificate manager as this driver's client sees it: `dispose` is a no-op (the manager
   * outlives every client) and a server certificate it refuses is remembered for the error message.
   */
  private certificateManagerFor(pki: OpcuaPki): OpcuaPki['certificateManager'] {
    const cm = pki.certificateManager;
    const remember = (chain: Buffer | Buffer[], status: StatusCode | undefined) => {
      if (status && !status.isGood()) this.refusedServerCertificate = Array.isArray(chain) ? (chain[0] ?? null) : chain;
    };
    return new Proxy(cm, {
      get: (target, prop) => {
        if (prop === 'dispose') return async () => undefined;
        if (prop === 'checkCertificate') {
          return (chain: Buffer | Buffer[], callback?: (err: Error | null, status?: StatusCode) => void) => {
            if (typeof callback === 'function') {
              target.checkCertificate(chain, (err, status) => {
                remember(chain, status);
                callback(err ?? null, status);
              });
              return undefined;
            }
            return target.checkCertificate(chain).then((status) => {
              remember(chain, status);
              return status;
            });
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Per session: namespace indexes (followed by URI), operation limits, node ids. */
  private async setupSession(link: Link): Promise<void> {
    const session = this.requireSession(link);
    const ids = [NS0.namespaceArray, NS0.maxNodesPerRead, NS0.maxMonitoredItemsPerCall];
    const results = await withTimeout(
      session.read(ids.map((id) => ({ nodeId: new NodeId(NodeId.NodeIdType.NUMERIC, id, 0), attributeId: AttributeIds.Value })), 0),
      this.requestTimeoutMs + 500,
      () => this.timeoutMessage('Read'),
    );
    const [nsDv, readDv, itemsDv] = results;
    const namespaceArray: string[] = nsDv && isGood(nsDv.statusCode) && Array.isArray(nsDv.value?.value) ? (nsDv.value.value as string[]) : [];
    const limit = (dv: DataValue | undefined) => {
      const n = dv && isGood(dv.statusCode) ? Number(dv.value?.value) : 0;
      return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_CHUNK) : DEFAULT_CHUNK;
    };
    link.maxNodesPerRead = limit(readDv);
    link.maxItemsPerCall = limit(itemsDv);
    this.resolveNodes(namespaceArray);
  }

  private resolveNodes(namespaceArray: string[]): void {
    const indexOfUri = new Map<string, number>();
    namespaceArray.forEach((uri, i) => {
      if (!indexOfUri.has(uri)) indexOfUri.set(uri, i);
    });
    if (!this.namespaceUris && namespaceArray.length > 0) {
      // first session of this driver: the configured indexes mean what the server says now
      this.namespaceUris = new Map();
      for (const r of this.nodes) {
        const ns = r.parsed?.namespace ?? 0;
        if (r.parsed && !r.parsed.namespaceUri && ns > 0 && namespaceArray[ns] !== undefined) this.namespaceUris.set(ns, namespaceArray[ns] as string);
      }
    }
    for (const r of this.nodes) {
      const p = r.parsed;
      if (!p) continue;
      let ns = p.namespace;
      r.unresolved = undefined;
      if (p.namespaceUri !== undefined) {
        const found = indexOfUri.get(p.namespaceUri);
        if (found === undefined) {
          r.nodeId = null;
          r.unresolved = `BadNodeIdUnknown (namespace ${p.namespaceUri} is not on the server)`;
          continue;
        }
        ns = found;
      } else if (ns > 0) {
        const uri = this.namespaceUris?.get(ns);
        const moved = uri !== undefined ? indexOfUri.get(uri) : undefined;
        if (moved !== undefined && moved !== ns) {
          if (!this.reportedNamespaceMove.has(`${ns}->${moved}`)) {
            this.reportedNamespaceMove.add(`${ns}->${moved}`);
            this.log('info', { uri, from: ns, to: moved }, 'OPC-UA namespace index changed on the server; following its URI');
          }
          ns = moved;
        }
      }
      r.nodeId = this.toNodeId(p, ns);
    }
  }

  private readonly reportedNamespaceMove = new Set<string>();

  private toNodeId(p: ParsedNodeId, ns: number): NodeId {
    switch (p.kind) {
      case 'numeric':
        return new NodeId(NodeId.NodeIdType.NUMERIC, p.identifier as number, ns);
      case 'string':
        return new NodeId(NodeId.NodeIdType.STRING, p.identifier as string, ns);
      case 'guid':
        return new NodeId(NodeId.NodeIdType.GUID, p.identifier as string, ns);
      case 'opaque':
        return new NodeId(NodeId.NodeIdType.BYTESTRING, Buffer.from(p.identifier as string, 'base64'), ns);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // subscription mode

  private async setupSubscription(link: Link): Promise<void> {
    const session = this.requireSession(link);
    const sampling = this.settings.samplingIntervalMs;
    const publishing = Math.min(1000, Math.max(100, sampling));
    const keepAliveCount = Math.max(3, Math.ceil(5000 / publishing));
    link.publishingIntervalMs = publishing;
    link.keepAliveMs = keepAliveCount * publishing;
    const subscription = await withTimeout(
      session.createSubscription2({
        requestedPublishingInterval: publishing,
        requestedLifetimeCount: keepAliveCount * 6,
        requestedMaxKeepAliveCount: keepAliveCount,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 10,
      }),
      this.requestTimeoutMs + 500,
      () => this.timeoutMessage('CreateSubscription'),
    );
    link.subscription = subscription;
    const revised = subscription.publishingInterval * subscription.maxKeepAliveCount;
    if (Number.isFinite(revised) && revised > 0) link.keepAliveMs = revised;
    const alive = () => this.touch(link);
    subscription.on('keepalive', alive);
    subscription.on('received_notifications', alive);
    subscription.on('terminated', () => {
      if (!link.broken) link.broken = 'subscription terminated';
    });
    subscription.on('status_changed', (status: StatusCode) => {
      if (!status.isGood() && !link.broken) link.broken = `subscription ${statusName(status)}`;
    });
    subscription.on('internal_error', (err: Error) => {
      if (!link.broken) link.broken = `subscription error: ${shortMessage(err)}`;
    });
    // values received before a failure and not yet drained stay in the buffer (they are real)
    this.heard.fill(false);
    this.pointProblem.fill(null);
    const all = this.nodes.flatMap((r, i) => (r.nodeId ? [i] : []));
    await this.createMonitoredItems(link, all);
    // the first notification of each item carries its current value: give them a moment so that the
    // poll that (re)creates the subscription already reports values
    const waitUntil = Date.now() + Math.min(5000, Math.max(publishing * 2 + 1000, this.requestTimeoutMs));
    while (Date.now() < waitUntil && !link.broken) {
      const pending = all.some((i) => link.monitored[i] && !this.heardSince(i));
      if (!pending) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private heardSince(i: number): boolean {
    return this.heard[i] === true;
  }

  private async createMonitoredItems(link: Link, indexes: number[]): Promise<void> {
    const subscription = link.subscription;
    if (!subscription || indexes.length === 0) return;
    link.lastItemRetryAt = Date.now();
    const sampling = this.settings.samplingIntervalMs;
    const deadband = this.settings.deadband;
    const filter = deadband
      ? new DataChangeFilter({
          trigger: DataChangeTrigger.StatusValue,
          deadbandType: deadband.type === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute,
          deadbandValue: deadband.value,
        })
      : null;
    const queueSize = Math.min(100, Math.ceil(link.publishingIntervalMs / Math.max(1, sampling)) + 1);
    for (let start = 0; start < indexes.length; start += link.maxItemsPerCall) {
      const slice = indexes.slice(start, start + link.maxItemsPerCall);
      const items: ReadValueIdOptions[] = slice.map((i) => ({ nodeId: (this.nodes[i] as ResolvedNode).nodeId as NodeId, attributeId: AttributeIds.Value }));
      let group: ClientMonitoredItemGroup;
      try {
        group = await withTimeout(
          subscription.monitorItems(items, { samplingInterval: sampling, queueSize, discardOldest: true, filter }, TimestampsToReturn.Both),
          this.requestTimeoutMs + 500,
          () => this.timeoutMessage('CreateMonitoredItems'),
        );
      } catch (err) {
        // one item refused comes back as an error (node-opcua); a dead link is an error too
        const status = statusNameIn(err);
        if (slice.length === 1 && status && !link.broken) {
          link.itemErrors[slice[0] as number] = this.itemProblem(status);
          continue;
        }
        throw err;
      }
      this.touch(link);
      group.on('changed', (_item, dataValue: DataValue, index: number) => {
        const nodeIndex = slice[index];
        if (nodeIndex === undefined) return;
        this.heard[nodeIndex] = true;
        this.buffer.push({ index: nodeIndex, value: dataValue, receivedAt: Date.now() });
      });
      group.monitoredItems.forEach((item, k) => {
        const nodeIndex = slice[k] as number;
        const code = item.statusCode;
        if (code && !code.isGood()) {
          link.monitored[nodeIndex] = false;
          link.itemErrors[nodeIndex] = this.itemProblem(statusName(code));
        } else {
          link.monitored[nodeIndex] = true;
          link.itemErrors[nodeIndex] = null;
        }
      });
    }
  }

  private itemProblem(status: string): string {
    if (/Filter/.test(status) && this.settings.deadband?.type === 'percent') {
      return `${status} (a percent deadband needs an AnalogItem with an EURange)`;
    }
    return status;
  }

  // ---------------------------------------------------------------------------------------------
  // teardown and errors

  private async teardown(): Promise<void> {
    const link = this.link;
    this.link = null;
    if (link) await this.teardownLink(link);
  }

  /** Everything of a link closed, bounded: a dead server never holds the caller. */
  private async teardownLink(link: Link): Promise<void> {
    link.broken ??= 'closed';
    const work = (async () => {
      if (!link.channelLost && link.session) {
        // while the connection stands, the session is closed properly (its subscriptions deleted on
        // the server): a server with few session slots (small PLCs) is not left with orphans
        await link.session.close(true).catch(() => undefined);
      }
      await this.disconnectClient(link.client);
    })();
    await withTimeout(work, CLOSE_TIMEOUT_MS, () => 'teardown').catch(() => undefined);
  }

  private async disconnectClient(client: OPCUAClient): Promise<void> {
    try {
      await client.disconnect();
    } catch {
      /* already gone */
    }
  }

  /** A message that tells the admin what to do. */
  private async describeFailure(err: unknown): Promise<string> {
    const where = this.target || this.settings.endpointUrl;
    const status = statusNameIn(err);
    const text = shortMessage(err);
    if (err instanceof TimeoutError) return err.message;
    if (this.refusedServerCertificate) {
      const thumbprint = certificateThumbprint(this.refusedServerCertificate);
      const pki = await getOpcuaPki(this.pkiDir, { trustUnknownServerCertificates: this.trustUnknown }).catch(() => null);
      const file = pki ? await findRejectedCertificateFile(pki, thumbprint) : null;
      const trusted = pki?.trustedFolder ?? path.join(this.pkiDir, 'trusted', 'certs');
      return file
        ? `Server certificate of ${where} is not trusted (BadCertificateUntrusted): move ${file} to ${trusted}/ to trust it (SHA-1 thumbprint ${thumbprint})`
        : `Server certificate of ${where} is not trusted (${status ?? 'BadCertificateUntrusted'}, SHA-1 thumbprint ${thumbprint}): put it in ${trusted}/`;
    }
    if (status === 'BadUserAccessDenied' || status === 'BadIdentityTokenRejected' || status === 'BadIdentityTokenInvalid') {
      return this.settings.auth.type === 'username'
        ? `Authentication failed at ${where} (${status}): wrong username or password for user '${this.settings.auth.username}'`
        : `Authentication failed at ${where} (${status}): the server does not accept anonymous sessions; configure a username and password`;
    }
    if (status && /^BadCertificate|^BadSecurityChecksFailed$/.test(status)) {
      const pki = await getOpcuaPki(this.pkiDir, { trustUnknownServerCertificates: this.trustUnknown }).catch(() => null);
      return pki
        ? `The server at ${where} refused the connection (${status}): it may not trust the platform's client certificate ${pki.certificateFile} (SHA-1 thumbprint ${pki.thumbprint}); trust it on the server`
        : `The server at ${where} refused the connection (${status})`;
    }
    if (/cannot find endpoint for securityMode/i.test(text) || /Cannot find an Endpoint matching/i.test(text)) {
      return `The server at ${where} offers no endpoint with security mode ${this.settings.securityMode} and policy ${this.settings.securityPolicy}`;
    }
    const full = err instanceof Error ? `${err.message} ${String((err.cause as Error | undefined)?.message ?? '')}` : String(err);
    let network = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT/.exec(full)?.[0] ?? null;
    if (!network && this.pinned && /premature disconnection|Fail to connect|cannot be established|socket|closed/i.test(full)) {
      // node-opcua sometimes loses the socket error on the way up (its endpoint-discovery client
      // reports "premature disconnection"): ask the network directly, on the same pinned address
      network = await probeTcp(this.pinned.address, this.pinned.port, Math.min(1000, this.connectTimeoutMs));
    }
    if (network === 'ECONNREFUSED') return `Connection refused by ${where} (is the OPC-UA server running?)`;
    if (network === 'ETIMEDOUT') return `Timed out connecting to ${where}`;
    if (network === 'EHOSTUNREACH' || network === 'ENETUNREACH') return `Network unreachable: ${where} (${network})`;
    if (network === 'ECONNRESET' || /socket has been disconnected|premature disconnection/i.test(full)) {
      return `Connection to ${where} was closed by the server (${text})`;
    }
    return `OPC-UA connection to ${where} failed: ${text}`;
  }

  private log(level: 'info' | 'warn', obj: object, msg: string): void {
    const logger = this.opts.log;
    if (!logger) return;
    logger[level]({ sourceId: this.source.id, source: this.source.name, ...obj }, msg);
  }
}
