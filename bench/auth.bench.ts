import { request, type Agent } from 'undici';
import { runLoad, type LoadResult } from './lib/load.js';
import { registerBenchTenant } from './lib/seed.js';
import type { BenchServer } from './lib/server.js';

export interface AuthBenchResult {
  restMe: LoadResult;
  graphqlMe: LoadResult;
  ratio: number;
}

/** Authenticated read on both doors: GET /api/v1/auth/me and `{ me { ... } }`, 8 concurrent clients. */
export async function benchAuth(server: BenchServer, opts: { durationMs: number; concurrency: number }): Promise<AuthBenchResult> {
  const api = `${server.url}/api/v1`;
  const auth = await registerBenchTenant(api, 'auth');

  const restMe = await runLoad({
    ...opts,
    request: async (dispatcher: Agent) => {
      const r = await request(`${api}/auth/me`, { dispatcher, headers: auth });
      await r.body.dump();
      return r.statusCode === 200;
    },
  });
  const body = JSON.stringify({ query: '{ me { id email fullName tenantId role isActive mfaEnabled subscriptionTier } }' });
  const graphqlMe = await runLoad({
    ...opts,
    request: async (dispatcher: Agent) => {
      const r = await request(`${server.url}/graphql`, { dispatcher, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
      const text = await r.body.text();
      return r.statusCode === 200 && !text.includes('"errors"');
    },
  });
  return { restMe, graphqlMe, ratio: Math.round((graphqlMe.p99Ms / restMe.p99Ms) * 100) / 100 };
}
