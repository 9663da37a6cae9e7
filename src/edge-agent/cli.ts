/**
 * `haltfree-agent [--config agent.toml] [--check]`: the edge agent's command (README "Edge agent").
 * The config path is `--config`, else HALTLESS_CONFIG, else /etc/haltless/agent.toml.
 * Exit codes: 0 stopped by SIGINT/SIGTERM (or `--check` passed), 2 bad config or arguments,
 * 1 anything else that keeps the agent from starting (e.g. the buffer is locked by another agent).
 */
import { pino } from 'pino';
import { agentVersion, startAgent, type AgentLog, type AgentTuning } from './agent.js';
import { BufferLockedError } from './buffer.js';
import { AgentConfigError, configPath, ENV_OVERRIDES, loadAgentConfig } from './config.js';

const USAGE = `Usage: haltfree-agent [--config <file>] [--check] [--version] [--help]

Reads devices listed in agent.toml (OPC-UA, Modbus TCP), buffers every reading on disk and pushes
the buffer to POST {api_url}/api/v1/ingest with the API key (scopes ingest and agent).

  --config <file>  configuration file (default: $HALTLESS_CONFIG, else /etc/haltless/agent.toml)
  --check          validate the configuration and exit
  --version        print the version

Environment overrides of [agent] keys:
${Object.entries(ENV_OVERRIDES)
  .map(([k, v]) => `  ${v.padEnd(28)} ${k}`)
  .join('\n')}
Tuning (seconds): HALTLESS_RETRY_MAX (60), HALTLESS_AUTH_RETRY (300), HALTLESS_REQUEST_TIMEOUT (30),
HALTLESS_STATUS_INTERVAL (push_interval, at least 5)`;

interface Args {
  config?: string;
  check: boolean;
  help: boolean;
  version: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { check: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '-c') {
      const v = argv[++i];
      if (!v) throw new Error(`${arg} needs a file`);
      a.config = v;
    } else if (arg.startsWith('--config=')) a.config = arg.slice('--config='.length);
    else if (arg === '--check') a.check = true;
    else if (arg === '--help' || arg === '-h') a.help = true;
    else if (arg === '--version' || arg === '-V') a.version = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return a;
}

/** A tuning variable in seconds; a bad value is a startup error naming the variable. */
function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.01 || n > 86_400) throw new AgentConfigError('environment', [{ key: name, message: `must be a number of seconds between 0.01 and 86400 (got ${JSON.stringify(raw)})` }]);
  return Math.round(n * 1000);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`haltfree-agent: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${agentVersion()}\n`);
    return 0;
  }
  const file = configPath(args.config, env);
  let config;
  let tuning: AgentTuning;
  try {
    config = await loadAgentConfig(file, env);
    tuning = {
      retryMaxMs: seconds(env, 'HALTLESS_RETRY_MAX'),
      authRetryMs: seconds(env, 'HALTLESS_AUTH_RETRY'),
      requestTimeoutMs: seconds(env, 'HALTLESS_REQUEST_TIMEOUT'),
      statusIntervalMs: seconds(env, 'HALTLESS_STATUS_INTERVAL'),
    };
  } catch (err) {
    if (err instanceof AgentConfigError) {
      process.stderr.write(`haltfree-agent: invalid configuration\n${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (args.check) {
    process.stdout.write(`${file}: OK (${config.sources.length} source(s), api_url ${config.apiUrl}, buffer ${config.bufferDir})\n`);
    return 0;
  }
  const log = pino({ level: config.logLevel, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }) as unknown as AgentLog;
  let agent;
  try {
    agent = await startAgent(config, log, tuning);
  } catch (err) {
    const msg = err instanceof BufferLockedError ? err.message : `cannot start: ${(err as Error).message}`;
    process.stderr.write(`haltfree-agent: ${msg}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) {
        // a second signal: leave now (the buffer is crash-safe)
        process.exit(130);
      }
      log.info({ signal: sig }, `${sig} received; stopping`);
      agent.stop().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`haltfree-agent: error while stopping: ${String(err)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

const code = await main(process.argv.slice(2), process.env);
process.exitCode = code;
// idle keep-alive sockets or a driver's timers must not keep a stopped agent alive
setTimeout(() => process.exit(code), 1000).unref();
