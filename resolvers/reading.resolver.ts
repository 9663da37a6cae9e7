import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator, flattenIterator, mapIterator } from '../src/common/async-iter.js';
import { loaderFor } from '../src/common/loaders.js';
import type { IngestService } from '../src/readings/ingest.service.js';
import type { ReadingService } from '../src/readings/reading.service.js';
import { readingsTopic, type LiveReading as LiveReadingEvent } from '../src/readings/reading.events.js';
import type { LatestReading as LatestReadingValue } from '../src/readings/reading-store.js';
import { Machine } from '../schema/machine.type.js';
import {
  IngestResult,
  LatestReading,
  LiveReading,
  MachineLatestReadings,
  ReadingInput,
  ReadingSeries,
  ReadingSeriesResult,
  SeriesArgs,
  SeriesPoint,
} from '../schema/reading.type.js';
import type { SubscriptionContext } from './audit.resolver.js';
import { yieldingList } from './yielding-list.js';

@Resolver(() => Machine)
export class ReadingResolver {
  constructor(private readonly ingestService: IngestService, private readonly readings: ReadingService) {}

  @Allow(policies.apiKey('ingest'))
  @Mutation(() => IngestResult, { description: 'Push up to 1000 readings (API key with scope ingest); per-reading errors, nothing accepted unless stored' })
  ingestReadings(@Ctx() ctx: RequestContext, @Arg('readings', () => [ReadingInput]) readings: ReadingInput[]): Promise<IngestResult> {
    // REST hands over items exactly as received (any JSON value); the service judges each one.
    return this.ingestService.ingest(ctx, readings);
  }

  @Allow(policies.anyRole('read:sensors'))
  @Query(() => MachineLatestReadings, { description: 'newest reading of each metric of a machine' })
  latestReadings(@Ctx() ctx: RequestContext, @Arg('machineId', () => ID) machineId: string): Promise<MachineLatestReadings> {
    return this.readings.latest(ctx, machineId);
  }

  @Allow(policies.anyRole('read:sensors'))
  @Query(() => ReadingSeriesResult, { description: 'raw points, or buckets when an interval is given' })
  machineReadings(@Ctx() ctx: RequestContext, @Arg('machineId', () => ID) machineId: string, @Args() args: SeriesArgs): Promise<ReadingSeriesResult> {
    return this.readings.series(ctx, machineId, args);
  }

  @FieldResolver(() => [LatestReading], { name: 'latestReadings', description: 'newest reading of each metric (batched across machines)' })
  latestReadingsOf(@Root() machine: Machine, @Ctx() ctx: RequestContext): Promise<LatestReadingValue[]> {
    const tenantId = ctx.principal!.tenantId;
    return loaderFor(ctx, 'machine.latestReadings', (ids) => this.readings.latestMany(tenantId, ids), () => [] as LatestReadingValue[]).load(machine.id);
  }

  @FieldResolver(() => ReadingSeriesResult, { name: 'readings', description: 'time series of this machine' })
  readingsOf(@Root() machine: Machine, @Ctx() ctx: RequestContext, @Args() args: SeriesArgs): Promise<ReadingSeriesResult> {
    const tenantId = ctx.principal!.tenantId;
    // One loader per distinct argument set: machines of a page asking the same question are batched.
    const key = `machine.readings:${JSON.stringify(args)}`;
    return loaderFor(ctx, key, (ids) => this.readings.seriesMany(tenantId, ids, args), () => {
      throw new Error('series missing from batch');
    }).load(machine.id);
  }

  @Subscription(() => LiveReading, {
    description: 'readings of one machine as they are stored (optionally only some metrics)',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole('read:sensors'), ctx);
      const { machineId, metrics } = args as { machineId: string; metrics?: string[] | null };
      // An unknown, foreign or malformed id would otherwise be acknowledged and never deliver anything.
      await ctx.machines.get(ctx, machineId);
      const wanted = metrics?.length ? new Set(metrics) : null;
      const batches = mapIterator(ctx.bus.subscribe(readingsTopic(ctx.principal!.tenantId)), (e) => e.readings);
      return filterIterator(flattenIterator(batches), (r) => r.machineId === machineId && (!wanted || wanted.has(r.metric)));
    },
  })
  readingAdded(
    @Root() reading: LiveReadingEvent,
    @Arg('machineId', () => ID) _machineId: string,
    @Arg('metrics', () => [String], { nullable: true }) _metrics?: string[] | null,
  ): LiveReading {
    return reading;
  }
}

/** Points of a series (up to 100,000 in one answer) are completed a slice at a time. */
@Resolver(() => ReadingSeries)
export class ReadingSeriesResolver {
  // named as the declared @Field: type-graphql pairs the two by method name and silently ignored `pointsOf` with `name: 'points'`
  @FieldResolver(() => [SeriesPoint])
  points(@Root() series: ReadingSeries): readonly (SeriesPoint | PromiseLike<SeriesPoint>)[] {
    return yieldingList(series.points);
  }
}
