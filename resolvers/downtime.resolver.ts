import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIteratorAsync } from '../src/common/async-iter.js';
import type { Page } from '../src/common/pagination.js';
import { downtimeEndedTopic, downtimeStartedTopic, type DowntimeSnapshot } from '../src/downtime/downtime.events.js';
import type { DowntimeService, DowntimeView, FleetMttrMtbfView, MttrMtbfView, UptimeSummaryView } from '../src/downtime/downtime.service.js';
import type { EventTopic } from '../src/infra/event-bus.js';
import {
  CreateDowntimeInput,
  DowntimeRecord,
  DowntimeRecordPage,
  DowntimeRecordsArgs,
  DowntimeSubscriptionArgs,
  FleetDowntimeArgs,
  FleetMttrMtbf,
  FleetMttrMtbfArgs,
  MttrMtbf,
  UpdateDowntimeInput,
  UptimeSummary,
} from '../schema/downtime.type.js';
import { DateTime } from '../schema/scalars.js';
import type { SubscriptionContext } from './audit.resolver.js';

// the downtime module's resolver classes are all reached through this file (resolvers/modules.ts)
export { ReasonCodeResolver } from './reason-code.resolver.js';
export { DowntimeSettingsResolver } from './downtime-settings.resolver.js';

/** The records of one topic the subscriber asked for: its tenant's, then by machine and group (membership at delivery). */
async function downtimeStream(context: unknown, args: unknown, topic: (tenantId: string) => EventTopic): Promise<AsyncIterableIterator<DowntimeSnapshot>> {
  const ctx = context as SubscriptionContext;
  enforce(policies.anyRole(), ctx);
  const { machineId, groupId } = args as DowntimeSubscriptionArgs;
  const tenantId = ctx.principal!.tenantId;
  const downtime = ctx.services.downtime;
  // an unknown, foreign or malformed id would otherwise be acknowledged and never deliver anything
  const machine = machineId != null ? (await downtime.machine(tenantId, machineId)).id : null;
  const group = groupId != null ? await downtime.assertGroup(ctx, groupId) : null;
  const source = ctx.bus.subscribe(topic(tenantId)) as AsyncIterableIterator<DowntimeSnapshot>;
  return filterIteratorAsync(source, (d) => {
    if (d.tenantId !== tenantId) return false;
    if (machine && d.machineId !== machine) return false;
    return group == null || downtime.inGroup(tenantId, group, d.machineId);
  });
}

@Resolver(() => DowntimeRecord)
export class DowntimeResolver {
  constructor(private readonly downtime: DowntimeService) {}

  @Allow(policies.anyRole())
  @Query(() => DowntimeRecordPage, { description: "a machine's downtime records, newest first" })
  downtimeRecords(@Ctx() ctx: RequestContext, @Args() args: DowntimeRecordsArgs): Promise<Page<DowntimeView>> {
    return this.downtime.list(ctx, args.machineId, args);
  }

  @Allow(policies.anyRole())
  @Query(() => DowntimeRecord)
  downtimeRecord(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('machineId', () => ID, { nullable: true }) machineId?: string | null): Promise<DowntimeView> {
    return this.downtime.get(ctx, machineId ?? null, id);
  }

  @Allow(policies.writers())
  @Mutation(() => DowntimeRecord, { description: 'open (or record an already ended) downtime of a machine; overlapping records are refused' })
  createDowntimeRecord(@Ctx() ctx: RequestContext, @Arg('machineId', () => ID) machineId: string, @Arg('input') input: CreateDowntimeInput): Promise<DowntimeView> {
    return this.downtime.create(ctx, machineId, input);
  }

  @Allow(policies.writers())
  @Mutation(() => DowntimeRecord, { description: 'change a record (absent fields keep their value); machineId, when given, must be the record\'s machine' })
  updateDowntimeRecord(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateDowntimeInput,
    @Arg('machineId', () => ID, { nullable: true }) machineId?: string | null,
  ): Promise<DowntimeView> {
    return this.downtime.update(ctx, machineId ?? null, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => DowntimeRecord, { description: 'end an open record now (server time); an ended record is a conflict' })
  endDowntimeRecord(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('machineId', () => ID, { nullable: true }) machineId?: string | null): Promise<DowntimeView> {
    return this.downtime.end(ctx, machineId ?? null, id);
  }

  @Allow(policies.anyRole())
  @Query(() => UptimeSummary, { description: 'uptime of a machine over [start, end) (default the last 7 days, at most 366)' })
  uptimeSummary(
    @Ctx() ctx: RequestContext,
    @Arg('machineId', () => ID) machineId: string,
    @Arg('start', () => DateTime, { nullable: true }) start?: Date | null,
    @Arg('end', () => DateTime, { nullable: true }) end?: Date | null,
  ): Promise<UptimeSummaryView> {
    return this.downtime.uptimeSummary(ctx, machineId, start, end);
  }

  @Allow(policies.anyRole())
  @Query(() => MttrMtbf, { description: 'MTTR and MTBF of a machine over the last `days` days' })
  machineMttrMtbf(
    @Ctx() ctx: RequestContext,
    @Arg('machineId', () => ID) machineId: string,
    @Arg('days', () => Int, { nullable: true, defaultValue: 90, description: '1 to 3650' }) days?: number | null,
  ): Promise<MttrMtbfView> {
    return this.downtime.mttrMtbf(ctx, machineId, days);
  }

  @Allow(policies.anyRole())
  @Query(() => DowntimeRecordPage, { description: 'downtime records of every active machine, filtered and sorted' })
  fleetDowntime(@Ctx() ctx: RequestContext, @Args() args: FleetDowntimeArgs): Promise<Page<DowntimeView>> {
    return this.downtime.fleet(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => FleetMttrMtbf, { description: 'MTTR and MTBF pooled over the fleet (optionally a group subtree)' })
  fleetMttrMtbf(@Ctx() ctx: RequestContext, @Args() args: FleetMttrMtbfArgs): Promise<FleetMttrMtbfView> {
    return this.downtime.fleetMttrMtbf(ctx, args);
  }

  @Subscription(() => DowntimeRecord, {
    description: 'downtime records as they start (optionally of one machine or of a group)',
    subscribe: ({ context, args }) => downtimeStream(context, args, downtimeStartedTopic),
  })
  downtimeStarted(@Root() record: DowntimeSnapshot, @Args() _args: DowntimeSubscriptionArgs): DowntimeView {
    return record;
  }

  @Subscription(() => DowntimeRecord, {
    description: 'downtime records as they end (same filters as downtimeStarted)',
    subscribe: ({ context, args }) => downtimeStream(context, args, downtimeEndedTopic),
  })
  downtimeEnded(@Root() record: DowntimeSnapshot, @Args() _args: DowntimeSubscriptionArgs): DowntimeView {
    return record;
  }
}
