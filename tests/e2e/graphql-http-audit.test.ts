import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

function describeResult(r: Exclude<AuditResult, { status: 'ok' }>): string {
  return `[${r.id}] ${r.name}\n    ${r.reason} (HTTP ${r.response.status} ${r.response.headers.get('content-type') ?? ''})`;
}

/** GraphQL over HTTP conformance (https://graphql.github.io/graphql-over-http/) of /graphql. */
describe.skipIf(pgSvc.skip)(`GraphQL over HTTP audits (graphql-http)${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('passes every MUST audit; SHOULD/MAY findings are printed', async () => {
    const audits = serverAudits({ url: `${t.url}/graphql`, fetchFn: fetch });
    const results: AuditResult[] = [];
    // One at a time: a few audits send large or odd requests, and results must be attributable.
    for (const audit of audits) results.push(await audit.fn());

    const failing = results.filter((r): r is Exclude<AuditResult, { status: 'ok' }> => r.status !== 'ok');
    const warnings = failing.filter((r) => r.status !== 'error');
    const errors = failing.filter((r) => r.status === 'error');
    if (warnings.length) {
      console.warn(`graphql-http: ${warnings.length} non-blocking finding(s):\n${warnings.map((w) => `  ${w.status}: ${describeResult(w)}`).join('\n')}`);
    }
    expect(results.length).toBeGreaterThan(0);
    if (errors.length) {
      expect.fail(`${errors.length} of ${results.length} graphql-http audits failed:\n${errors.map((e) => `  ${describeResult(e)}`).join('\n')}`);
    }
  });
});
