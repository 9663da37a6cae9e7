import { request, type Agent } from 'undici';
import { withCpuCost, type CpuCost } from './lib/cpu.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';

export interface AuthBenchResult {
  restMe: LoadResult & CpuCost;
  graphqlMe: LoadResult & CpuCost;
  ratio: number;
}

/**
 * Authenticated read on both doors: GET /api/v1/auth/me and `{ me { ... } }`, 8 concurrent clients,
 * with the CPU time per request of the server, its PostgreSQL backends and the load generator
 * (steadier than latency on a shared machine).
 */
export async function benchAuth(server: BenchServer, opts: { durationMs: number; concurrency: number; databaseUrl?: string }): Promise<AuthBenchResult> {
  const api = `${server.url}/api/v1`;
  const auth = await registerBenchTenant(api, 'auth');

  const load = { durationMs: opts.durationMs, concurrency: opts.concurrency };
  const restMe = await withCpuCost(server.pid, opts.databaseUrl, () =>
    runLoad({
      ...load,
      request: async (dispatcher: Agent) => {
        const r = await request(`${api}/auth/me`, { dispatcher, headers: auth });
        await r.body.dump();
        return r.statusCode === 200;
      },
    }),
  );
  const body = JSON.stringify({ query: '{ me { id email fullName tenantId role isActive mfaEnabled subscriptionTier } }' });
  const graphqlMe = await withCpuCost(server.pid, opts.databaseUrl, () =>
    runLoad({
      ...load,
      request: async (dispatcher: Agent) => {
        const r = await request(`${server.url}/graphql`, { dispatcher, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
        const text = await r.body.text();
        return r.statusCode === 200 && !text.includes('"errors"');
      },
    }),
  );
  return { restMe, graphqlMe, ratio: Math.round((graphqlMe.p99Ms / restMe.p99Ms) * 100) / 100 };
}
