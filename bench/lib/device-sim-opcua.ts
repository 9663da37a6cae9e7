/**
 * Child process of `npm run bench connectivity`, phase opcua. Its config (first stdin line) selects the role:
 *
 *  {role: 'server', variables}            a node-opcua server on 127.0.0.1 (a free port, security
 *                                         None, anonymous) with `variables` variables: the points of
 *                                         variables/10 simulated machines of device-sim.ts (mixed
 *                                         types, string and numeric node ids), each computed when
 *                                         read; prints {endpointUrl, nodeIds}; `stats` answers the
 *                                         values served.
 *  {role: 'client', endpointUrl, nodeIds, intervalMs}
 *                                         the baseline: a plain node-opcua client session reading
 *                                         all nodes every interval (one Read, split at the server's
 *                                         MaxNodesPerRead), values converted to numbers; `start`,
 *                                         `stop` (answers the counts).
 */
import { AttributeIds, DataType, MessageSecurityMode, OPCUAClient, SecurityPolicy, StatusCodes, Variant, type ClientSession, type ReadValueIdOptions } from 'node-opcua-client';
import { nodesets } from 'node-opcua-nodesets';
import { OPCUAServer } from 'node-opcua-server';
import { opcuaNodeId, SIM_POINTS, SimDevice, simChild, freePort } from './device-sim.js';

type Config = { role: 'server'; variables: number } | { role: 'client'; endpointUrl: string; nodeIds: string[]; intervalMs: number };

const { config, reply, serve } = await simChild<Config>();

if (config.role === 'server') {
  let served = 0;
  const port = await freePort();
  const server = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    alternateHostname: ['127.0.0.1'],
    nodeset_filename: [nodesets.standard],
    securityModes: [MessageSecurityMode.None],
    securityPolicies: [SecurityPolicy.None],
    allowAnonymous: true,
    buildInfo: { productName: 'haltfree bench simulator' },
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const objects = server.engine.addressSpace!.rootFolder.objects;
  const devices = new Map<number, SimDevice>();
  const nodeIds: string[] = [];
  const folders = new Map<number, ReturnType<typeof ns.addObject>>();
  for (let v = 0; v < config.variables; v++) {
    const d = Math.floor(v / SIM_POINTS.length);
    const k = v % SIM_POINTS.length;
    if (!devices.has(d)) {
      devices.set(d, new SimDevice(d));
      folders.set(d, ns.addObject({ organizedBy: objects, browseName: `Cell${String(d + 1).padStart(4, '0')}` }));
    }
    const device = devices.get(d)!;
    const p = SIM_POINTS[k]!;
    const dataType = DataType[p.opcuaType];
    const integer = p.opcuaType !== 'Double' && p.opcuaType !== 'Float';
    const nodeId = opcuaNodeId(v);
    ns.addVariable({
      componentOf: folders.get(d)!,
      browseName: p.metricName,
      nodeId,
      dataType: p.opcuaType,
      minimumSamplingInterval: 100,
      value: {
        get: () => {
          served++;
          const x = device.value(k, Date.now());
          return new Variant({ dataType, value: integer ? Math.round(x) : x });
        },
      },
    });
    nodeIds.push(nodeId);
  }
  await server.start();
  const endpointUrl = `opc.tcp://127.0.0.1:${port}`;
  reply({ endpointUrl, nodeIds });
  serve({ stats: () => ({ getterCalls: served }) });
} else {
  const { endpointUrl, nodeIds, intervalMs } = config;
  const client = OPCUAClient.create({
    applicationName: 'haltfree-bench-baseline',
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 2, initialDelay: 200, maxDelay: 1000 },
  });
  await client.connect(endpointUrl);
  const session: ClientSession = await client.createSession();
  // the server's MaxNodesPerRead (0: no limit)
  const limitValue = await session.read({ nodeId: 'ns=0;i=11705', attributeId: AttributeIds.Value });
  const maxPerRead = Number(limitValue.value?.value ?? 0) || nodeIds.length;
  const toRead: ReadValueIdOptions[] = nodeIds.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value }));
  const chunks: ReadValueIdOptions[][] = [];
  for (let i = 0; i < toRead.length; i += maxPerRead) chunks.push(toRead.slice(i, i + maxPerRead));
  let cycles = 0;
  let values = 0;
  let bad = 0;
  let errors = 0;
  let missed = 0;
  let checksum = 0;
  const cycleMs: number[] = [];
  let running = false;
  let loopP: Promise<void> = Promise.resolve();
  const readAll = async () => {
    for (const chunk of chunks) {
      const dvs = await session.read(chunk);
      for (const dv of dvs) {
        if (dv.statusCode.value !== StatusCodes.Good.value) {
          bad++;
          continue;
        }
        const x = Number(dv.value.value);
        checksum += x;
        values++;
      }
    }
    cycles++;
  };
  const loop = async () => {
    const t0 = performance.now();
    for (let n = 0; running; n++) {
      const wait = t0 + n * intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (-wait > intervalMs) {
        const skip = Math.floor(-wait / intervalMs);
        missed += skip;
        n += skip - 1;
        continue;
      }
      if (!running) break;
      const t = performance.now();
      try {
        await readAll();
      } catch {
        errors++;
      }
      cycleMs.push(performance.now() - t);
    }
  };
  serve({
    stats: () => ({ cycles, values }),
    start: () => {
      running = true;
      loopP = loop();
      return { started: true, chunks: chunks.length, maxPerRead };
    },
    stop: async () => {
      running = false;
      await loopP;
      await session.close();
      await client.disconnect();
      cycleMs.sort((a, b) => a - b);
      const p = (q: number) => Math.round((cycleMs[Math.min(cycleMs.length - 1, Math.floor(q * cycleMs.length))] ?? 0) * 10) / 10;
      return { cycles, values, bad, errors, missedCycles: missed, cycleP50Ms: p(0.5), cycleP99Ms: p(0.99), checksum: Math.round(checksum) };
    },
  });
  reply({ connected: true, nodes: nodeIds.length, chunks: chunks.length });
}
