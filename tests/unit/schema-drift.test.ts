import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildAppSchema, printAppSchema } from '../../resolvers/schema.js';

const COMMITTED = new URL('../../schema/schema.graphql', import.meta.url);

describe('schema/schema.graphql', () => {
  it('matches the schema built from the type-graphql classes', async () => {
    const built = printAppSchema(await buildAppSchema());
    const committed = await readFile(COMMITTED, 'utf8').catch(() => '');
    if (built !== committed) {
      expect.fail(
        'schema/schema.graphql is out of date with the type-graphql classes. ' +
          'Run `npm run schema:emit` and commit the result.\n' +
          firstDifference(committed, built),
      );
    }
  });
});

/** Points at the first differing line so the failure is readable without a full diff. */
function firstDifference(committed: string, built: string): string {
  const a = committed.split('\n');
  const b = built.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `first difference at line ${i + 1}:\n  committed: ${a[i] ?? '<end of file>'}\n  built:     ${b[i] ?? '<end of file>'}`;
  }
  return '';
}
