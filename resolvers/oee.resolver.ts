import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import type { RequestContext } from '../src/common/context.js';
import type { Page } from '../src/common/pagination.js';
import { oeeRecordChangedTopic, type OeeRecordChange as OeeRecordChangePayload } from '../src/oee/oee.events.js';
import { OEE_LIMITS as L } from '../src/oee/oee.rules.js';
import {
  presentAggregate,
  presentRecord,
  type FleetOeeView,
  type OeeRecordView,
  type OeeService,
  type OeeSummaryView,
} from '../src/oee/oee.service.js';
import {
  FleetOee,
  FleetOeeArgs,
  OeeRecord,
  OeeRecordChange,
  OeeRecordChangedArgs,
  OeeRecordPage,
  OeeRecordsArgs,
  OeeRecordUpsert,
  OeeSummary,
  UpdateOeeRecordInput,
  UpsertOeeRecordInput,
} from '../schema/oee.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

@Resolver(() => OeeRecord)
export class OeeResolver {
  constructor(private readonly oee: OeeService) {}

  @Allow(policies.anyRole())
  @Query(() => OeeRecordPage, { description: "a machine's OEE records, newest first (dates inclusive)" })
  async oeeRecords(@Ctx() ctx: RequestContext, @Args() args: OeeRecordsArgs): Promise<Page<OeeRecordView>> {
    const page = await this.oee.list(ctx, args);
    return { ...page, items: page.items.map(presentRecord) };
  }

  @Allow(policies.anyRole())
  @Query(() => OeeRecord)
  async oeeRecord(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<OeeRecordView> {
    return presentRecord(await this.oee.get(ctx, id));
  }

  @Allow(policies.writers())
  @Mutation(() => OeeRecordUpsert, { description: 'create or replace the record of (machine, date); absent inputs are derived, absent factors computed' })
  async upsertOeeRecord(@Ctx() ctx: RequestContext, @Arg('input') input: UpsertOeeRecordInput): Promise<{ created: boolean; record: OeeRecordView }> {
    const { created, record } = await this.oee.upsert(ctx, input);
    return { created, record: presentRecord(record) };
  }

  @Allow(policies.writers())
  @Mutation(() => OeeRecord, { description: 'change inputs of a record; computed factors are computed again' })
  async updateOeeRecord(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateOeeRecordInput): Promise<OeeRecordView> {
    return presentRecord(await this.oee.update(ctx, id, input));
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean)
  deleteOeeRecord(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.oee.delete(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => OeeSummary, { description: `averages and ISO 22400 sums of a machine's records over its last days (${L.summaryMinDays}-${L.summaryMaxDays}, default ${L.summaryDefaultDays})` })
  async oeeSummary(
    @Ctx() ctx: RequestContext,
    @Arg('machineId', () => ID) machineId: string,
    @Arg('days', () => Int, { nullable: true, defaultValue: L.summaryDefaultDays }) days?: number | null,
  ): Promise<OeeSummaryView> {
    return presentAggregate(await this.oee.summary(ctx, machineId, days));
  }

  @Allow(policies.anyRole())
  @Query(() => FleetOee, { description: 'the OEE summary per site or machine over every active machine (optionally a group subtree), and in total' })
  async fleetOee(@Ctx() ctx: RequestContext, @Args() args: FleetOeeArgs): Promise<FleetOeeView> {
    const v = await this.oee.fleet(ctx, args);
    return { ...v, groups: v.groups.map((g) => presentAggregate(g)), total: presentAggregate(v.total) };
  }

  @Subscription(() => OeeRecordChange, {
    description: 'OEE records as they are created, replaced, changed or deleted (optionally of one machine)',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      const { machineId } = args as OeeRecordChangedArgs;
      // an unknown, foreign or malformed id would otherwise be acknowledged and never deliver anything
      const machine = machineId != null ? (await ctx.services.oee.machine(tenantId, machineId)).id : null;
      const source = ctx.bus.subscribe(oeeRecordChangedTopic(tenantId)) as AsyncIterableIterator<OeeRecordChangePayload>;
      return filterIterator(source, (c) => c.tenantId === tenantId && (machine === null || c.machineId === machine));
    },
  })
  oeeRecordChanged(@Root() change: OeeRecordChangePayload, @Args() _args: OeeRecordChangedArgs): OeeRecordChangePayload {
    return { ...change, record: presentRecord(change.record) };
  }
}
