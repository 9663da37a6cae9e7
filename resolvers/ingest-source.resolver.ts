import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import type { Page } from '../src/common/pagination.js';
import type { ConnectionTestResult as TestResult } from '../src/connectivity/driver.js';
import { sourceHealthChangedTopic, type SourceHealth } from '../src/ingest-sources/ingest-source.events.js';
import type { IngestSourceService, OpcuaSourceInput, TagMappingInput, TagMappingResult as MappingResult } from '../src/ingest-sources/ingest-source.service.js';
import type { IngestSourceInput } from '../src/ingest-sources/ingest-source.rules.js';
import type { IngestSourceView } from '../src/ingest-sources/ingest-source.view.js';
import {
  ConnectionTestResult,
  CreateIngestSourceInput,
  CreateOpcuaSourceInput,
  IngestSource,
  IngestSourcePage,
  IngestSourcesArgs,
  MapTagsInput,
  SourceHealthArgs,
  SourceHealthEvent,
  TagMappingResult,
  TestIngestSourceInput,
  UpdateIngestSourceInput,
} from '../schema/ingest-source.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

/** The REST/GraphQL shape of a connection test (latency in whole milliseconds). */
export interface ConnectionTestView {
  success: boolean;
  message: string;
  latencyMs: number;
}

const testView = (r: TestResult): ConnectionTestView => ({ success: r.success, message: r.message, latencyMs: r.latencyMs });

export interface SourceHealthEventView {
  sourceId: string;
  machineId: string;
  state: string;
  lastPollAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  points: SourceHealth['pointStatus'];
}

@Resolver(() => IngestSource)
export class IngestSourceResolver {
  constructor(private readonly sources: IngestSourceService) {}

  @Allow(policies.anyRole())
  @Query(() => IngestSourcePage, { description: 'ingest sources of the tenant, newest first' })
  ingestSources(@Ctx() ctx: RequestContext, @Args() args: IngestSourcesArgs): Promise<Page<IngestSourceView>> {
    return this.sources.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => IngestSource)
  ingestSource(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<IngestSourceView> {
    return this.sources.get(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => IngestSource)
  createIngestSource(@Ctx() ctx: RequestContext, @Arg('input', () => CreateIngestSourceInput) input: IngestSourceInput): Promise<IngestSourceView> {
    return this.sources.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => IngestSource, { description: 'partial update; the password is kept unless given (null clears it)' })
  updateIngestSource(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateIngestSourceInput) input: IngestSourceInput): Promise<IngestSourceView> {
    return this.sources.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => IngestSource, { description: 'full replacement (as a create); the password is kept unless given (null clears it)' })
  replaceIngestSource(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => CreateIngestSourceInput) input: IngestSourceInput): Promise<IngestSourceView> {
    return this.sources.update(ctx, id, input, { replace: true });
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean)
  deleteIngestSource(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.sources.delete(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => ConnectionTestResult, { description: "one read cycle against the saved source's device (through the outbound address guard)" })
  async testIngestSourceConnection(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ConnectionTestView> {
    return testView(await this.sources.testConnection(ctx, id));
  }

  @Allow(policies.writers())
  @Mutation(() => ConnectionTestResult, { description: 'one read cycle against a configuration that is not saved; nothing is stored' })
  async testIngestSourceConfig(@Ctx() ctx: RequestContext, @Arg('input', () => TestIngestSourceInput) input: IngestSourceInput): Promise<ConnectionTestView> {
    return testView(await this.sources.testUnsavedConnection(ctx, input));
  }

  @Allow(policies.writers())
  @Mutation(() => IngestSource, { description: "the direct-ingestion guide's OPC-UA door; creates an ingest source" })
  createOpcuaSource(@Ctx() ctx: RequestContext, @Arg('input', () => CreateOpcuaSourceInput) input: OpcuaSourceInput): Promise<IngestSourceView> {
    return this.sources.createOpcuaSource(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => TagMappingResult, { description: "maps tags of a machine's sources to metric names and units (all or nothing)" })
  mapTags(@Ctx() ctx: RequestContext, @Arg('input', () => MapTagsInput) input: TagMappingInput): Promise<MappingResult> {
    return this.sources.mapTags(ctx, input);
  }

  @Subscription(() => SourceHealthEvent, {
    description: "health changes of the tenant's sources (or of one): state, last error, bad points",
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      const { sourceId } = args as SourceHealthArgs;
      // an unknown, foreign or malformed id would otherwise be acknowledged and never deliver anything
      const one = sourceId != null ? (await ctx.services.ingestSources.get(ctx, sourceId)).id : null;
      return filterIterator(ctx.bus.subscribe(sourceHealthChangedTopic(tenantId)), (h) => h.tenantId === tenantId && (one === null || h.sourceId === one));
    },
  })
  sourceHealthChanged(@Root() h: SourceHealth, @Args() _args: SourceHealthArgs): SourceHealthEventView {
    return {
      sourceId: h.sourceId,
      machineId: h.machineId,
      state: h.state,
      lastPollAt: h.lastPollAt,
      lastSuccessAt: h.lastSuccessAt,
      lastError: h.lastError,
      consecutiveFailures: h.consecutiveFailures,
      points: h.pointStatus ?? [],
    };
  }
}
