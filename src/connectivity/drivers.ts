import type { DeviceSource } from './device-source.js';
import { DeviceUnreachableError, type ConnectionTestResult, type DeviceDriver, type DriverOptions } from './driver.js';
import { ModbusDriver } from './modbus-driver.js';
import { OpcuaDriver } from './opcua-driver.js';

/** The driver for a source's protocol. */
export function createDriver(source: DeviceSource, opts: DriverOptions): DeviceDriver {
  return source.protocol === 'opcua' ? new OpcuaDriver(source, opts) : new ModbusDriver(source, opts);
}

/**
 * One cycle against the device with a fresh driver: `success` when the device answered, with the
 * points it could not read named in the message.
 */
export async function testConnection(source: DeviceSource, opts: DriverOptions): Promise<ConnectionTestResult> {
  const started = performance.now();
  const driver = createDriver(source, opts);
  try {
    const result = await driver.poll();
    const latencyMs = Math.max(0, Math.round(performance.now() - started));
    if (result.badPoints.length === 0) return { success: true, message: 'Connected successfully', latencyMs };
    const named = result.badPoints
      .slice(0, 5)
      .map((p) => `${p.point}: ${p.status}`)
      .join('; ');
    const more = result.badPoints.length > 5 ? `; and ${result.badPoints.length - 5} more` : '';
    return {
      success: true,
      message: `Connected; ${result.values.length} value(s) read, ${result.badPoints.length} point(s) not readable (${named}${more})`,
      latencyMs,
    };
  } catch (err) {
    const latencyMs = Math.max(0, Math.round(performance.now() - started));
    const message = err instanceof DeviceUnreachableError || err instanceof Error ? err.message : String(err);
    return { success: false, message, latencyMs };
  } finally {
    await driver.close().catch(() => undefined);
  }
}
