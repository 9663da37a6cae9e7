import type { DeviceSource } from './device-source.js';

/** One value read from a device in a cycle, ready to become an ingest reading. */
export interface PolledValue {
  metricName: string;
  unit: string;
  value: number;
  timestamp: Date;
  /** `raw_tag` of the reading (rawTagOf) */
  rawTag: string;
}

/**
 * The state of one point (OPC-UA node, Modbus register block) after a cycle. `status` is the
 * OPC-UA status code name (`Good`, `BadNodeIdUnknown`, ...) or the Modbus outcome (`Good`,
 * `IllegalDataAddress`, ...): the reading's quality, reported in the source's health.
 */
export interface PointStatus {
  /** node id, or `holding:100-109` for a register block */
  point: string;
  metricNames: string[];
  good: boolean;
  status: string;
}

export interface PollResult {
  values: PolledValue[];
  /** every point that is not good this cycle (good points are not listed) */
  badPoints: PointStatus[];
}

/** The device could not be reached or the session could not be (re)established: the whole cycle failed. */
export class DeviceUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceUnreachableError';
  }
}

/**
 * Where a driver may connect: given the configured host and port, the address to dial (the outbound
 * guard resolves once, checks every address and pins the connection to a checked one). Throws when
 * the destination is refused.
 */
export type ResolveTarget = (host: string, port: number) => Promise<{ address: string; port: number }>;

export interface DriverOptions {
  resolveTarget: ResolveTarget;
  /** connect / session establishment bound (default 5000) */
  connectTimeoutMs?: number;
  /** one request's bound (default 3000) */
  requestTimeoutMs?: number;
  /** OPC-UA: where the client certificate and the trusted/rejected server certificates live */
  pkiDir?: string;
  /** OPC-UA: trust an unknown server certificate on first use (default true) */
  trustUnknownServerCertificates?: boolean;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void; debug?(o: object, m?: string): void };
}

/**
 * A live link to one device, kept across cycles (one TCP connection / one OPC-UA session, reused).
 * `poll` connects or reconnects as needed, so a device that comes back is read again on the next
 * cycle without anyone recreating the driver.
 */
export interface DeviceDriver {
  /** Reads one cycle. Throws DeviceUnreachableError when nothing could be read at all. */
  poll(): Promise<PollResult>;
  close(): Promise<void>;
}

export interface ConnectionTestResult {
  success: boolean;
  message: string;
  latencyMs: number;
}

export type DriverFactory = (source: DeviceSource, opts: DriverOptions) => DeviceDriver;
