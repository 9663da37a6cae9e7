import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../common/context.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import type { Database } from '../infra/database.js';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { Agent, type ReportedSource } from './agent.entity.js';
import { AgentErrors } from './agent.errors.js';

/** Limits of what a heartbeat reports (the REST query parameters and the GraphQL input share them). */
export const AGENT_LIMITS = {
  version: 64,
  hostname: 255,
  sourceName: 255,
  /** sources named in one heartbeat (the agent sends at most 50) */
  maxSources: 100,
  maxCount: Number.MAX_SAFE_INTEGER,
} as const;

export const AGENT_SOURCE_STATES = ['pending', 'ok', 'degraded', 'failing'] as const;
export type AgentSourceState = (typeof AGENT_SOURCE_STATES)[number];

/** What an agent reports with its heartbeat; everything optional (a bare heartbeat only says "alive"). */
export interface HeartbeatInput {
  version?: string | null;
  hostname?: string | null;
  buffered?: number | null;
  dropped?: number | null;
  sourcesTotal?: number | null;
  sources?: ReportedSource[] | null;
}

export interface HeartbeatAnswer {
  status: 'ok';
  serverTime: Date;
  apiKeyId: string;
}

/** An agent with the name and prefix of the key it uses. */
export interface AgentView extends Agent {
  apiKeyName: string;
  apiKeyPrefix: string;
}

function text(field: string, value: string | null | undefined, max: number): string | null {
  if (value == null) return null;
  if (codePointLength(value) > max) throw AgentErrors.invalid([field], `String should have at most ${max} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(value);
  if (unsafe) throw AgentErrors.invalid([field], `${field} ${unsafe}`);
  return value;
}

function count(field: string, value: number | null | undefined): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0 || value > AGENT_LIMITS.maxCount) {
    throw AgentErrors.invalid([field], 'Input should be a whole number greater than or equal to 0', 'greater_than_equal');
  }
  return value;
}

/** Checks a heartbeat's report; the loc names the REST query parameter (sources: `source`). */
export function validateHeartbeat(input: HeartbeatInput): Required<{ [K in keyof HeartbeatInput]: Exclude<HeartbeatInput[K], undefined> }> {
  const sources = input.sources ?? null;
  if (sources && sources.length > AGENT_LIMITS.maxSources) throw AgentErrors.invalid(['source'], `List should have at most ${AGENT_LIMITS.maxSources} items`, 'too_long');
  sources?.forEach((s, i) => {
    if (!AGENT_SOURCE_STATES.includes(s.state as AgentSourceState)) {
      throw AgentErrors.invalid(['source', i], `Input should be '<state>:<name>' with state ${AGENT_SOURCE_STATES.map((x) => `'${x}'`).join(', ')}`, 'enum');
    }
    if (s.name.length === 0) throw AgentErrors.invalid(['source', i], 'The source name should have at least 1 character', 'string_too_short');
    text('source', s.name, AGENT_LIMITS.sourceName);
  });
  const sourcesTotal = count('sources_total', input.sourcesTotal);
  if (sourcesTotal !== null && sources && sourcesTotal < sources.length) {
    throw AgentErrors.invalid(['sources_total'], `sources_total (${sourcesTotal}) is less than the sources listed (${sources.length})`);
  }
  return {
    version: text('version', input.version, AGENT_LIMITS.version),
    hostname: text('hostname', input.hostname, AGENT_LIMITS.hostname),
    buffered: count('buffered', input.buffered),
    dropped: count('dropped', input.dropped),
    sourcesTotal,
    sources: sources?.map((s) => ({ name: s.name, state: s.state })) ?? null,
  };
}

/** Edge agents: their heartbeats, and the list admins look at to see which agents are alive. */
export class AgentService {
  constructor(private readonly db: Database) {}

  /** Records a heartbeat of the calling API key (one row per key; unreported fields keep their last value). */
  async heartbeat(ctx: RequestContext, input: HeartbeatInput): Promise<HeartbeatAnswer> {
    const p = ctx.principal;
    if (p?.kind !== 'apiKey') throw new Error('heartbeat needs an API key principal');
    const r = validateHeartbeat(input);
    const now = new Date();
    try {
      await this.db.em().getConnection().execute(
        `insert into agents (id, tenant_id, api_key_id, hostname, agent_version, remote_address, buffered_count, dropped_count, sources_total, sources, heartbeat_count, first_seen_at, last_seen_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, 1, ?, ?)
         on conflict (api_key_id) do update set
           hostname = coalesce(excluded.hostname, agents.hostname),
           agent_version = coalesce(excluded.agent_version, agents.agent_version),
           remote_address = coalesce(excluded.remote_address, agents.remote_address),
           buffered_count = coalesce(excluded.buffered_count, agents.buffered_count),
           dropped_count = coalesce(excluded.dropped_count, agents.dropped_count),
           sources_total = coalesce(excluded.sources_total, agents.sources_total),
           sources = coalesce(excluded.sources, agents.sources),
           heartbeat_count = agents.heartbeat_count + 1,
           last_seen_at = greatest(agents.last_seen_at, excluded.last_seen_at)`,
        [
          randomUUID(),
          p.tenantId,
          p.apiKeyId,
          r.hostname,
          r.version,
          ctx.ip?.slice(0, 64) ?? null,
          r.buffered,
          r.dropped,
          r.sourcesTotal !== null ? r.sourcesTotal : r.sources ? r.sources.length : null,
          r.sources ? JSON.stringify(r.sources) : null,
          now,
          now,
        ],
      );
    } catch (err) {
      // the key was revoked between authentication and this write
      if ((err as { code?: string }).code === '23503') throw AgentErrors.keyRevoked();
      throw err;
    }
    return { status: 'ok', serverTime: now, apiKeyId: p.apiKeyId };
  }

  /** The tenant's agents, most recently seen first. */
  async list(ctx: RequestContext, args: PageArgs): Promise<Page<AgentView>> {
    const w = pageWindow(args);
    const em = this.db.em();
    const [agents, total] = await em.findAndCount(
      Agent,
      { tenantId: ctx.principal!.tenantId },
      { orderBy: { lastSeenAt: 'desc', id: 'desc' }, limit: w.pageSize, offset: w.offset },
    );
    const keys = agents.length ? await em.find(ApiKey, { id: { $in: agents.map((a) => a.apiKeyId) } }) : [];
    const byId = new Map(keys.map((k) => [k.id, k]));
    const items = agents.map((a) => Object.assign(a, { apiKeyName: byId.get(a.apiKeyId)?.name ?? '', apiKeyPrefix: byId.get(a.apiKeyId)?.keyPrefix ?? '' }));
    return toPage(items, total, w);
  }
}
