#!/usr/bin/env node
// The edge agent's command (`haltfree-agent --config agent.toml`): runs the compiled CLI.
// Build first with `npm run build` (or use `npm run agent -- --config agent.toml`, which builds when stale).
try {
  await import('../dist/src/edge-agent/cli.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('edge-agent/cli.js')) {
    process.stderr.write('haltfree-agent: dist/ is not built; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}
