/**
 * A node-opcua server for tests, on 127.0.0.1 only, with its certificates in the test's own folder.
 *
 *   const srv = await startOpcuaServer({ pkiDir, nodes: [{ nodeId: 'ns=2;s=Temperature', value: 21.5 }] });
 *   srv.endpointUrl            // opc.tcp://127.0.0.1:<port>/UA/Test
 *   srv.setValue('ns=2;s=Temperature', 22, 'BadSensorFailure')   // status optional (default Good)
 *   await srv.stop(); await srv.restart({ changedAddressSpace: true });   // same port
 *   await srv.close();         // stop for good
 *
 * Node ids are given as configured by clients: `ns=2` is the test namespace (`srv.namespaceUri`),
 * `ns=0` / no `ns=` is refused (the standard namespace is the server's). Every form works: `i=`,
 * `s=`, `g=`, `b=`. Values: number (Double unless `dataType` says Float / Int16 / Int32 / UInt16 /
 * UInt32 / Int64 / UInt64 / Byte), boolean (Boolean), string (String). `euRange` makes it an
 * AnalogItem (what a percent deadband needs).
 *
 * `restart({ changedAddressSpace: true })`: decoy nodes first, the configured nodes created in the
 * reverse order, an extra namespace after the test one (the configured ids still exist, every
 * server-side handle differs). `restart({ shiftNamespace: true })`: an extra namespace registered
 * *before* the test one, so the test namespace's index becomes 3 (a client must look the URI up).
 * `dropSessions()` closes every session server-side while the connections stay open.
 * Starting takes one to three seconds (the standard nodeset): reuse one server per test file.
 */
import { freePort } from './sockets.js';
import path from 'node:path';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { DataType, MessageSecurityMode, SecurityPolicy, StatusCodes, Variant, VariantArrayType, type StatusCode } from 'node-opcua-client';
import { nodesets } from 'node-opcua-nodesets';
import { OPCUAServer } from 'node-opcua-server';
import { parseNodeId } from '../../src/connectivity/opcua-node-id.js';

export type TestNodeDataType = 'Double' | 'Float' | 'Int16' | 'Int32' | 'UInt16' | 'UInt32' | 'Int64' | 'UInt64' | 'Byte' | 'Boolean' | 'String';

export interface TestOpcuaNode {
  /** `ns=2;...` (the test namespace) */
  nodeId: string;
  value: number | boolean | string;
  dataType?: TestNodeDataType;
  /** makes the variable an AnalogItem with this EURange (percent deadbands need one) */
  euRange?: { low: number; high: number };
}

export interface TestOpcuaServerOptions {
  /** a fixed port; default a free one found at start (kept across restarts) */
  port?: number;
  nodes: TestOpcuaNode[];
  /** default [{ username: 'opcuser', password: 'securepass' }] */
  users?: { username: string; password: string }[];
  /** default true */
  allowAnonymous?: boolean;
  /** default all three */
  securityModes?: ('None' | 'Sign' | 'SignAndEncrypt')[];
  /** default None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss */
  securityPolicies?: ('None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss' | 'Basic256' | 'Basic128Rsa15')[];
  /** the test's own folder: the server's PKI goes to <pkiDir>/server, its user PKI to <pkiDir>/user */
  pkiDir: string;
  /** server operation limit (default node-opcua's 10000) */
  maxNodesPerRead?: number;
}

export interface TestOpcuaServer {
  port: number;
  endpointUrl: string;
  namespaceUri: string;
  /** set a value (and optionally a status code name such as `BadSensorFailure`) */
  setValue(nodeId: string, value: number | boolean | string, status?: string): void;
  /** sessions currently open on the server */
  sessionCount(): number;
  /** close every session server-side (connections stay open) */
  dropSessions(): void;
  stop(): Promise<void>;
  restart(opts?: { changedAddressSpace?: boolean; shiftNamespace?: boolean }): Promise<void>;
  /** stop for good (alias of stop) */
  close(): Promise<void>;
}

export const TEST_NAMESPACE_URI = 'urn:haltfree-test:plant';

const DATA_TYPES: Record<TestNodeDataType, DataType> = {
  Double: DataType.Double,
  Float: DataType.Float,
  Int16: DataType.Int16,
  Int32: DataType.Int32,
  UInt16: DataType.UInt16,
  UInt32: DataType.UInt32,
  Int64: DataType.Int64,
  UInt64: DataType.UInt64,
  Byte: DataType.Byte,
  Boolean: DataType.Boolean,
  String: DataType.String,
};

function inferType(n: TestOpcuaNode): TestNodeDataType {
  if (n.dataType) return n.dataType;
  if (typeof n.value === 'boolean') return 'Boolean';
  if (typeof n.value === 'string') return 'String';
  return 'Double';
}

function toVariant(type: TestNodeDataType, value: number | boolean | string): Variant {
  const dataType = DATA_TYPES[type];
  if (type === 'Int64' || type === 'UInt64') {
    const n = BigInt(Math.trunc(Number(value)));
    const high = Number(BigInt.asIntN(64, n) >> 32n) | 0;
    const low = Number(BigInt.asUintN(32, n));
    return new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: [type === 'UInt64' ? high >>> 0 : high, low] });
  }
  return new Variant({ dataType, value });
}

function statusOf(name: string | undefined): StatusCode {
  if (!name || name === 'Good') return StatusCodes.Good;
  const code = (StatusCodes as unknown as Record<string, StatusCode>)[name];
  if (!code) throw new Error(`unknown status code ${name}`);
  return code;
}

export async function startOpcuaServer(opts: TestOpcuaServerOptions): Promise<TestOpcuaServer> {
  const port = opts.port ?? (await freePort());
  const resourcePath = '/UA/Test';
  const state = new Map<string, { node: TestOpcuaNode; type: TestNodeDataType; value: number | boolean | string; status?: string }>();
  for (const n of opts.nodes) {
    const parsed = parseNodeId(n.nodeId);
    if (!parsed.ok) throw new Error(parsed.message);
    if (parsed.namespace !== 2 || parsed.namespaceUri) throw new Error(`test node ${n.nodeId} must be in ns=2`);
    state.set(parsed.canonical, { node: n, type: inferType(n), value: n.value, status: undefined });
  }
  const users = opts.users ?? [{ username: 'opcuser', password: 'securepass' }];
  const modes = (opts.securityModes ?? ['None', 'Sign', 'SignAndEncrypt']).map((m) => MessageSecurityMode[m]);
  const policies = (opts.securityPolicies ?? ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).map(
    (p) => SecurityPolicy[p],
  );

  let server: OPCUAServer | null = null;
  let variables = new Map<string, { setValueFromSource(v: Variant, s?: StatusCode): void }>();
  let serverCm: OPCUACertificateManager | null = null;
  let userCm: OPCUACertificateManager | null = null;

  async function start(layout: { changedAddressSpace?: boolean; shiftNamespace?: boolean }): Promise<void> {
    serverCm = new OPCUACertificateManager({
      rootFolder: path.join(opts.pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    userCm = new OPCUACertificateManager({
      rootFolder: path.join(opts.pkiDir, 'user'),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    const s = new OPCUAServer({
      port,
      host: '127.0.0.1',
      hostname: '127.0.0.1',
      alternateHostname: ['127.0.0.1'],
      resourcePath,
      nodeset_filename: [nodesets.standard],
      serverCertificateManager: serverCm,
      userCertificateManager: userCm,
      securityModes: modes,
      securityPolicies: policies,
      allowAnonymous: opts.allowAnonymous ?? true,
      userManager: {
        isValidUser: (username: string, password: string) => users.some((u) => u.username === username && u.password === password),
      },
      serverCapabilities: opts.maxNodesPerRead ? { operationLimits: { maxNodesPerRead: opts.maxNodesPerRead } } : undefined,
      buildInfo: { productName: 'haltfree-test-opcua' },
      isAuditing: false,
    });
    await s.initialize();
    const addressSpace = s.engine.addressSpace;
    if (!addressSpace) throw new Error('no address space');
    if (layout.shiftNamespace) addressSpace.registerNamespace('urn:haltfree-test:shifted');
    const ns = addressSpace.registerNamespace(TEST_NAMESPACE_URI);
    const objects = addressSpace.rootFolder.objects;
    if (layout.changedAddressSpace) {
      // explicit string ids: auto-assigned numeric ones could take a configured `i=` id
      const decoys = ns.addFolder(objects, { browseName: 'Decoys', nodeId: `ns=${ns.index};s=__Decoys` });
      for (let i = 0; i < 25; i++) {
        ns.addVariable({
          componentOf: decoys,
          browseName: `Decoy${i}`,
          nodeId: `ns=${ns.index};s=__Decoy.${i}`,
          dataType: 'Double',
          value: new Variant({ dataType: DataType.Double, value: -1 }),
        });
      }
    }
    const folder = ns.addFolder(objects, { browseName: 'Plant', nodeId: `ns=${ns.index};s=__Plant` });
    const entries = [...state.entries()];
    if (layout.changedAddressSpace) entries.reverse();
    variables = new Map();
    let k = 0;
    for (const [key, entry] of entries) {
      const parsed = parseNodeId(key);
      if (!parsed.ok) throw new Error(parsed.message);
      const nodeId = `ns=${ns.index};${key.slice(key.indexOf(';') + 1)}`;
      const common = {
        componentOf: folder,
        browseName: `V${k++}_${parsed.kind}`,
        nodeId,
        dataType: entry.type,
        value: toVariant(entry.type, entry.value),
      };
      const v = entry.node.euRange
        ? ns.addAnalogDataItem({ ...common, engineeringUnitsRange: entry.node.euRange })
        : ns.addVariable(common);
      v.setValueFromSource(toVariant(entry.type, entry.value), statusOf(entry.status));
      variables.set(key, v);
    }
    if (layout.changedAddressSpace) addressSpace.registerNamespace('urn:haltfree-test:extra');
    await s.start();
    server = s;
  }

  async function stop(): Promise<void> {
    const s = server;
    server = null;
    if (s) await s.shutdown(0);
    await Promise.allSettled([serverCm?.dispose(), userCm?.dispose()]);
    serverCm = null;
    userCm = null;
  }

  await start({});

  return {
    port,
    endpointUrl: `opc.tcp://127.0.0.1:${port}${resourcePath}`,
    namespaceUri: TEST_NAMESPACE_URI,
    setValue(nodeId, value, status) {
      const parsed = parseNodeId(nodeId);
      if (!parsed.ok) throw new Error(parsed.message);
      const entry = state.get(parsed.canonical);
      if (!entry) throw new Error(`no test node ${nodeId}`);
      entry.value = value;
      entry.status = status;
      variables.get(parsed.canonical)?.setValueFromSource(toVariant(entry.type, value), statusOf(status));
    },
    sessionCount() {
      return server ? server.currentSessionCount : 0;
    },
    dropSessions() {
      if (!server) return;
      const engine = server.engine as unknown as { _sessions: Record<string, { authenticationToken: import('node-opcua-client').NodeId }> };
      for (const session of Object.values(engine._sessions)) {
        server.engine.closeSession(session.authenticationToken, true, 'Terminated');
      }
    },
    stop,
    async restart(layout = {}) {
      await stop();
      await start(layout);
    },
    close: stop,
  };
}
