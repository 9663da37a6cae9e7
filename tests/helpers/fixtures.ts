/** Records the end-to-end tests create again and again, through the REST API. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createUserSession, http, registerTenant, type TenantSession } from './app.js';

/** A JSON machine of the session's tenant, with a unique identifier; returns its id. */
export async function newMachine(api: string, s: TenantSession, name = 'Press'): Promise<string> {
  const r = await http('POST', `${api}/machines`, { token: s.token, body: { name, machine_identifier: `M-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

let downtimeSlot = 0;

/**
 * A downtime record already ended (10 minutes), in an hour of its own from 2025-01-01 on, so that
 * records of one machine never overlap; returns the created record.
 */
export async function closedDowntime(api: string, s: TenantSession, machineId: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const start = Date.UTC(2025, 0, 1) + downtimeSlot++ * 3_600_000;
  const r = await http('POST', `${api}/machines/${machineId}/downtime`, {
    token: s.token,
    body: { reason: 'Bearing', category: 'unplanned', started_at: new Date(start).toISOString(), ended_at: new Date(start + 600_000).toISOString(), ...body },
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

export interface TwoTenantPlant {
  a: TenantSession;
  b: TenantSession;
  operatorA: TenantSession;
  viewerA: TenantSession;
  machineA: string;
  machineA2: string;
  machineB: string;
}

/**
 * Tenants `<label>a` and `<label>b` (their admins), an operator and a viewer of A, two machines of
 * A and one of B named `names`: the cast of a module's isolation and role tests.
 */
export async function twoTenantPlant(api: string, label: string, names: [a: string, a2: string, b: string]): Promise<TwoTenantPlant> {
  const a = await registerTenant(api, `${label}a`);
  const b = await registerTenant(api, `${label}b`);
  return {
    a,
    b,
    operatorA: await createUserSession(api, a, 'operator'),
    viewerA: await createUserSession(api, a, 'viewer'),
    machineA: await newMachine(api, a, names[0]),
    machineA2: await newMachine(api, a, names[1]),
    machineB: await newMachine(api, b, names[2]),
  };
}
