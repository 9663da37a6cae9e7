import { z } from 'zod';
import { AgentResolver } from '../resolvers/agent.resolver.js';
import type { AgentHeartbeatResult, EdgeAgent } from '../schema/agent.type.js';
import { AGENT_LIMITS } from '../src/agents/agent.service.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const tag = 'Edge agent';

const HeartbeatShape = shape(
  'AgentHeartbeat',
  z.object({
    status: z.literal('ok'),
    server_time: isoInstant().meta({ description: "the server's clock: agents compare their own with it (readings more than 5 minutes ahead are refused)" }),
    api_key_id: z.uuid(),
  }),
);

const AgentShape = shape(
  'EdgeAgent',
  z.object({
    id: z.uuid(),
    api_key_id: z.uuid(),
    api_key_name: z.string(),
    api_key_prefix: z.string(),
    hostname: z.string().nullable(),
    agent_version: z.string().nullable(),
    remote_address: z.string().nullable(),
    buffered_count: z.number().int().min(0).nullable(),
    dropped_count: z.number().int().min(0).nullable(),
    sources_total: z.number().int().min(0).nullable(),
    sources: z.array(z.object({ name: z.string(), state: z.string() })).nullable(),
    heartbeat_count: z.number().int().min(0),
    first_seen_at: isoInstant(),
    last_seen_at: isoInstant(),
  }),
);

const mapHeartbeat = mapper(HeartbeatShape, (h: AgentHeartbeatResult) => ({ status: 'ok' as const, server_time: iso(h.serverTime), api_key_id: h.apiKeyId }));

const mapAgent = mapper(AgentShape, (a: EdgeAgent) => ({
  id: a.id,
  api_key_id: a.apiKeyId,
  api_key_name: a.apiKeyName,
  api_key_prefix: a.apiKeyPrefix,
  hostname: a.hostname,
  agent_version: a.agentVersion,
  remote_address: a.remoteAddress,
  buffered_count: a.bufferedCount,
  dropped_count: a.droppedCount,
  sources_total: a.sourcesTotal,
  sources: a.sources,
  heartbeat_count: a.heartbeatCount,
  first_seen_at: iso(a.firstSeenAt),
  last_seen_at: iso(a.lastSeenAt),
}));

/** `<state>:<name>`; the service judges the state (422 with loc [query, source, i]). */
const sourceParam = v.str(AGENT_LIMITS.sourceName + 20, 1);

/** `ok:Press 1` → {state: 'ok', name: 'Press 1'} (the state never holds a colon; the name may). */
function parseSource(s: string): { state: string; name: string } {
  const colon = s.indexOf(':');
  return colon < 0 ? { state: '', name: s } : { state: s.slice(0, colon), name: s.slice(colon + 1) };
}

export const agentRoutes = [
  route({
    method: 'GET', path: '/agent/heartbeat', tag,
    summary: 'Edge-agent heartbeat (API key, scope agent): reports version, hostname, buffer depth and source health as query parameters; answers the server time',
    resolver: AgentResolver, operation: 'agentHeartbeat',
    query: z.object({
      version: v.str(AGENT_LIMITS.version).optional(),
      hostname: v.str(AGENT_LIMITS.hostname).optional(),
      buffered: v.qint({ min: 0 }),
      dropped: v.qint({ min: 0 }),
      sources_total: v.qint({ min: 0, max: 1_000_000 }),
      source: z
        .union([sourceParam, z.array(sourceParam).max(AGENT_LIMITS.maxSources)])
        .optional()
        .meta({ description: "one per source: '<state>:<name>', state pending, ok, degraded or failing (repeat the parameter, at most 100)" }),
    }),
    call: (r, ctx, { query }) =>
      r.agentHeartbeat(ctx, {
        version: query.version ?? null,
        hostname: query.hostname ?? null,
        buffered: query.buffered ?? null,
        dropped: query.dropped ?? null,
        sourcesTotal: query.sources_total ?? null,
        sources: query.source === undefined ? null : (typeof query.source === 'string' ? [query.source] : query.source).map(parseSource),
      }),
    map: mapHeartbeat,
  }),
  route({
    method: 'GET', path: '/agents', tag, summary: "The tenant's edge agents and when each was last seen (most recent first)",
    resolver: AgentResolver, operation: 'agents', query: z.object(pageQuery),
    call: (r, ctx, { query }) => r.agents(ctx, { page: query.page, pageSize: query.page_size }),
    map: pageOf(mapAgent),
  }),
];
