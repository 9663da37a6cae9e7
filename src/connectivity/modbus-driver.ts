/**
 * Modbus TCP driver (modbus-serial's TCP client), shared by the platform's poller and the edge agent.
 *
 * * One TCP connection per device, opened on the first poll and reused across cycles. A connection
 *   that closed, timed out or answered garbage is dropped and reopened on the next poll, so a device
 *   that restarts or comes back after an outage is read again without recreating the driver.
 * * The connection goes to the address `opts.resolveTarget(host, port)` returns (the outbound guard's
 *   checked, pinned address), never to the configured host name.
 * * One request in flight at a time per device, bounded by `requestTimeoutMs`; the connect is bounded
 *   by `connectTimeoutMs`. Transaction ids: modbus-serial keys every request by its MBAP transaction
 *   id and ignores an answer whose id matches no pending request; as the id wraps at 256 and a
 *   timed-out request's late answer could otherwise meet a reused id, a timeout drops the connection.
 *   Answers are also checked for unit id, function code and length (modbus-serial) and for the byte
 *   count the block needs (here).
 * * An exception response fails only its block: reported as a bad PointStatus (`holding:100-109`,
 *   status `IllegalDataAddress`, ...) while the other blocks still produce values. A bridged block
 *   (see modbus-decode.ts) refused with Illegal Data Address is split into gap-free blocks and
 *   retried at once; the split is kept for the device.
 * * A lost connection or timeout ends the cycle: with nothing read yet the poll throws
 *   DeviceUnreachableError (host:port and cause); otherwise the blocks read are returned and the
 *   unread ones are bad points (`Timeout`, `ConnectionLost`, `InvalidResponse`).
 * * Values are stamped with the time their block's answer arrived. The read plan is built once.
 */
import net from 'node:net';
import ModbusSerial from 'modbus-serial';
import type { DeviceSource, ModbusSettings } from './device-source.js';
import {
  DeviceUnreachableError,
  type DeviceDriver,
  type DriverOptions,
  type PointStatus,
  type PolledValue,
  type PollResult,
} from './driver.js';
import {
  blockPoint,
  decodeRegister,
  isBitType,
  isGatewayException,
  modbusExceptionName,
  planBlocks,
  registerSpan,
  splitBlock,
  type ReadBlock,
} from './modbus-decode.js';

// modbus-serial is CommonJS: the class is `module.exports` (and its `default`)
const ModbusRTU = ModbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusSerial.default>;

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_REQUEST_TIMEOUT_MS = 3000;

type ReadAnswer = { buffer: Buffer };
type NodeCallback = (err: unknown, res?: ReadAnswer) => void;

/** A transport-level failure: the connection is not usable any more. */
class LinkError extends Error {
  constructor(
    readonly status: 'Timeout' | 'ConnectionLost' | 'InvalidResponse',
    message: string,
  ) {
    super(message);
  }
}

interface Link {
  client: ModbusRTU;
  socket: net.Socket;
  /** the request in flight: failed at once when the socket closes */
  pending: ((err: LinkError) => void) | null;
  dead: boolean;
}

function errMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

export class ModbusDriver implements DeviceDriver {
  private readonly settings: ModbusSettings;
  private readonly blocks: ReadBlock[];
  /** registers that can never be read (past address 65535): reported every cycle */
  private readonly invalidPoints: PointStatus[];
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private link: Link | null = null;
  private closed = false;
  /** polls run one at a time on the one connection */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: DeviceSource,
    private readonly opts: DriverOptions,
  ) {
    if (!source.modbus) throw new Error(`source ${source.id} has no Modbus settings`);
    this.settings = source.modbus;
    const plan = planBlocks(this.settings.registers);
    this.blocks = plan.blocks;
    this.invalidPoints = plan.invalid.map((i) => ({
      point: blockPoint(i.register.registerType, i.register.address, registerSpan(i.register)),
      metricNames: [i.register.metricName],
      good: false,
      status: 'IllegalDataAddress',
    }));
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** `host:port` as configured, for messages. */
  private get where(): string {
    const { host, port } = this.settings;
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  poll(): Promise<PollResult> {
    const run = this.queue.then(() => this.pollOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dropLink('driver closed');
    await this.queue;
  }

  private async pollOnce(): Promise<PollResult> {
    if (this.closed) throw new Error(`Modbus driver for ${this.where} is closed`);
    if (this.link && !this.link.dead) {
      // a kept connection the device closed since the last cycle (restart, idle timeout) may only
      // show it on the first request: then the cycle runs again once on a fresh connection
      const result = await this.cycle(this.link, true);
      if (result) return result;
    }
    return (await this.cycle(await this.connect(), false))!;
  }

  /** One pass over the blocks; null when a reused connection turned out closed before any answer. */
  private async cycle(link: Link, reused: boolean): Promise<PollResult | null> {
    const values: PolledValue[] = [];
    const badPoints: PointStatus[] = this.invalidPoints.length ? this.invalidPoints.slice() : [];
    const blocks = this.blocks;
    let answered = 0;
    let gatewayFailures = 0;

    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!;
      let answer: ReadAnswer;
      try {
        answer = await this.read(link, block);
      } catch (err) {
        const code = (err as { modbusCode?: unknown } | null)?.modbusCode;
        if (typeof code === 'number') {
          if (code === 2 && block.bridged) {
            // the device refuses the unused addresses bridged over: read the configured ones only
            blocks.splice(i, 1, ...splitBlock(block));
            i--;
            continue;
          }
          answered++;
          if (isGatewayException(code)) gatewayFailures++;
          badPoints.push({ point: block.point, metricNames: block.metricNames, good: false, status: modbusExceptionName(code) });
          continue;
        }
        const linkErr =
          err instanceof LinkError
            ? err
            : new LinkError((err as { name?: unknown } | null)?.name === 'PortNotOpenError' ? 'ConnectionLost' : 'InvalidResponse', errMessage(err));
        this.dropLink(linkErr.message);
        if (answered === 0 && reused && linkErr.status === 'ConnectionLost') return null;
        if (answered === 0) {
          throw new DeviceUnreachableError(`Modbus device ${this.where} (unit ${this.settings.unitId}): ${linkErr.message}`, { cause: err });
        }
        for (let j = i; j < blocks.length; j++) {
          const b = blocks[j]!;
          badPoints.push({ point: b.point, metricNames: b.metricNames, good: false, status: linkErr.status });
        }
        break;
      }
      answered++;
      const timestamp = new Date();
      const bytes = answer.buffer;
      for (const item of block.items) {
        const reg = item.register;
        const value = decodeRegister(reg, bytes, block.start);
        if (Number.isNaN(value)) {
          badPoints.push({
            point: blockPoint(reg.registerType, reg.address, registerSpan(reg)),
            metricNames: [reg.metricName],
            good: false,
            status: 'InvalidValue',
          });
          continue;
        }
        values.push({ metricName: reg.metricName, unit: reg.unit, value, timestamp, rawTag: item.rawTag });
      }
    }

    if (answered > 0 && gatewayFailures === answered) {
      throw new DeviceUnreachableError(
        `Modbus device ${this.where} (unit ${this.settings.unitId}): the gateway answered but the device behind it did not (${badPoints[badPoints.length - 1]?.status})`,
      );
    }
    return { values, badPoints };
  }

  /** Opens the TCP connection to the guard's address, bounded by connectTimeoutMs. */
  private async connect(): Promise<Link> {
    if (this.closed) throw new Error(`Modbus driver for ${this.where} is closed`);
    const { host, port } = this.settings;
    let target: { address: string; port: number };
    try {
      target = await this.opts.resolveTarget(host, port);
    } catch (err) {
      throw new DeviceUnreachableError(`Modbus device ${this.where}: ${errMessage(err)}`, { cause: err });
    }
    if (this.closed) throw new Error(`Modbus driver for ${this.where} is closed`);
    const dialled = target.address === host ? this.where : `${this.where} (${target.address}:${target.port})`;

    const socket = new net.Socket();
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`connect timed out after ${this.connectTimeoutMs} ms`));
        }, this.connectTimeoutMs);
        const onError = (e: Error) => {
          cleanup();
          reject(e);
        };
        const onConnect = () => {
          cleanup();
          resolve();
        };
        const cleanup = () => {
          clearTimeout(timer);
          socket.off('error', onError);
          socket.off('connect', onConnect);
        };
        socket.once('error', onError);
        socket.once('connect', onConnect);
        socket.connect({ host: target.address, port: target.port });
      });
    } catch (err) {
      socket.destroy();
      throw new DeviceUnreachableError(`Modbus device ${dialled} unreachable: ${errMessage(err)}`, { cause: err });
    }

    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const client = new ModbusRTU();
    const link: Link = { client, socket, pending: null, dead: false };
    // socket errors end in 'close'; the listener keeps them from being unhandled
    socket.on('error', () => undefined);
    client.on('error', () => undefined);
    socket.once('close', () => {
      link.dead = true;
      const pending = link.pending;
      link.pending = null;
      pending?.(new LinkError('ConnectionLost', 'connection closed by the device'));
      if (this.link === link) this.link = null;
    });
    try {
      await client.connectTCP(target.address, { port: target.port, socket });
    } catch (err) {
      socket.destroy();
      throw new DeviceUnreachableError(`Modbus device ${dialled} unreachable: ${errMessage(err)}`, { cause: err });
    }
    if (this.closed) {
      socket.destroy();
      throw new Error(`Modbus driver for ${this.where} is closed`);
    }
    this.link = link;
    return link;
  }

  private dropLink(reason: string): void {
    const link = this.link;
    this.link = null;
    if (!link) return;
    link.dead = true;
    const pending = link.pending;
    link.pending = null;
    pending?.(new LinkError('ConnectionLost', reason));
    link.socket.destroy();
  }

  /** One read request, bounded by requestTimeoutMs; resolves with the answer's data bytes. */
  private read(link: Link, block: ReadBlock): Promise<ReadAnswer> {
    return new Promise<ReadAnswer>((resolve, reject) => {
      if (link.dead) {
        reject(new LinkError('ConnectionLost', 'connection closed'));
        return;
      }
      let settled = false;
      const finish = (err: unknown, res?: ReadAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (link.pending === fail) link.pending = null;
        if (err) reject(err);
        else if (!res || !Buffer.isBuffer(res.buffer)) reject(new LinkError('InvalidResponse', 'malformed answer'));
        else {
          const need = isBitType(block.registerType) ? (block.count + 7) >> 3 : block.count * 2;
          if (res.buffer.length < need) {
            reject(new LinkError('InvalidResponse', `answer for ${block.point} carries ${res.buffer.length} bytes, expected ${need}`));
          } else resolve(res);
        }
      };
      const fail = (err: LinkError) => finish(err);
      const timer = setTimeout(
        () => finish(new LinkError('Timeout', `no answer within ${this.requestTimeoutMs} ms (${block.point})`)),
        this.requestTimeoutMs,
      );
      link.pending = fail;
      const cb: NodeCallback = (err, res) => finish(err, res);
      const unit = this.settings.unitId;
      try {
        switch (block.registerType) {
          case 'holding':
            link.client.writeFC3(unit, block.start, block.count, cb as never);
            break;
          case 'input':
            link.client.writeFC4(unit, block.start, block.count, cb as never);
            break;
          case 'coil':
            link.client.writeFC1(unit, block.start, block.count, cb as never);
            break;
          case 'discrete_input':
            link.client.writeFC2(unit, block.start, block.count, cb as never);
            break;
        }
      } catch (err) {
        finish(new LinkError('ConnectionLost', errMessage(err)));
      }
    });
  }
}
