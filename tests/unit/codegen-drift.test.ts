import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMITTED_OUTPUT = 'tests/graphql/generated.ts';

describe('tests/graphql/generated.ts', () => {
  let tmp: string | undefined;
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('matches what codegen.yml generates from schema/schema.graphql and tests/graphql/*.graphql', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: path.join(ROOT, 'codegen.yml') });
    const target = config.generates[COMMITTED_OUTPUT];
    expect(target, `codegen.yml has no output ${COMMITTED_OUTPUT}`).toBeDefined();

    // Same config, but written to a temp file so the committed one is never touched.
    tmp = await mkdtemp(path.join(tmpdir(), 'hf-codegen-'));
    const out = path.join(tmp, 'generated.ts');
    await generate({ ...config, cwd: ROOT, silent: true, generates: { [out]: target! } }, true);

    const fresh = await readFile(out, 'utf8');
    const committed = await readFile(path.join(ROOT, COMMITTED_OUTPUT), 'utf8').catch(() => '');
    if (fresh !== committed) {
      expect.fail(`${COMMITTED_OUTPUT} is stale (schema or operation documents changed). Run \`npm run codegen\` and commit the result.`);
    }
  });
});
