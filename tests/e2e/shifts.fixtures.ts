import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { http, type TenantSession } from '../helpers/app.js';

/** Helpers the shifts suites share: a tenant's machines, definitions, logs and downtime, made through the REST door. */
export function shiftsApi(api: () => string) {
  async function call(s: TenantSession, method: string, path: string, body?: unknown) {
    return http(method, `${api()}${path}`, { token: s.token, body });
  }
  return {
    call,
    async machine(s: TenantSession, name = 'Press'): Promise<string> {
      const r = await call(s, 'POST', '/machines', { name, machine_identifier: `SH-${randomUUID().slice(0, 12)}`, protocol: 'json' });
      expect(r.status, r.text).toBe(201);
      return r.body.id;
    },
    async definition(s: TenantSession, body: Record<string, unknown>, status = 201) {
      const r = await call(s, 'POST', '/shifts/definitions', { color: '#3B82F6', is_active: true, ...body });
      expect(r.status, r.text).toBe(status);
      return r.body;
    },
    async log(s: TenantSession, body: Record<string, unknown>, status = 201) {
      const r = await call(s, 'POST', '/shifts/logs', body);
      expect(r.status, r.text).toBe(status);
      return r.body;
    },
    async downtime(s: TenantSession, machineId: string, category: string, startedAt: string, endedAt: string | null) {
      const r = await call(s, 'POST', `/machines/${machineId}/downtime`, { reason: `${category} stop`, category, started_at: startedAt, ended_at: endedAt });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    },
    /** a 422 with an issue at `loc`, every issue with loc/msg/type */
    async rejects(s: TenantSession, method: string, path: string, body: unknown, loc: (string | number)[]) {
      const r = await call(s, method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 120)} -> ${r.text}`).toBe(422);
      expect(r.body.detail.map((d: { loc: unknown }) => d.loc), r.text).toContainEqual(loc);
      for (const d of r.body.detail) {
        expect(typeof d.msg).toBe('string');
        expect(typeof d.type).toBe('string');
      }
    },
  };
}

export const minutesBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;
