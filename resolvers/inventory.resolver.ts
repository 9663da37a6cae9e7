import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import type { Page } from '../src/common/pagination.js';
import { partLowStockTopic, stockChangedTopic } from '../src/inventory/inventory.events.js';
import type { InventoryService } from '../src/inventory/inventory.service.js';
import type { PartCategoryView, PartView, StockTransactionView, WorkOrderPartView } from '../src/inventory/inventory.views.js';
import type { WorkOrderPartService } from '../src/inventory/work-order-part.service.js';
import {
  AddWorkOrderPartInput,
  CreatePartCategoryInput,
  CreatePartInput,
  Part,
  PartCategory,
  PartCategoryPage,
  PartPage,
  PartsArgs,
  StockSubscriptionArgs,
  StockTransaction,
  StockTransactionInput,
  StockTransactionPage,
  UpdatePartInput,
  WorkOrderPart,
  WorkOrderPartPage,
} from '../schema/inventory.type.js';
import { PageArgs } from '../schema/page.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

@Resolver(() => Part)
export class InventoryResolver {
  constructor(
    private readonly inventory: InventoryService,
    private readonly lines: WorkOrderPartService,
  ) {}

  @Allow(policies.anyRole())
  @Query(() => PartPage, { description: 'spare parts by part number (filters: category, search text, low stock)' })
  parts(@Ctx() ctx: RequestContext, @Args() args: PartsArgs): Promise<Page<PartView>> {
    return this.inventory.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => PartPage, { description: 'parts at or below their reorder point' })
  lowStockParts(@Ctx() ctx: RequestContext, @Args() args: PageArgs): Promise<Page<PartView>> {
    return this.inventory.lowStock(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => Part)
  part(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<PartView> {
    return this.inventory.get(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => Part, { description: 'create a part; its initial quantity is booked as an adjust entry' })
  createPart(@Ctx() ctx: RequestContext, @Arg('input') input: CreatePartInput): Promise<PartView> {
    return this.inventory.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Part, { description: 'change a part (partial); a new quantityOnHand is booked as an adjust entry' })
  updatePart(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdatePartInput): Promise<PartView> {
    return this.inventory.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'archive a part (its history stays)' })
  deletePart(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.inventory.delete(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => StockTransactionPage, { description: "a part's stock ledger, newest first" })
  partTransactions(@Ctx() ctx: RequestContext, @Arg('partId', () => ID) partId: string, @Args() args: PageArgs): Promise<Page<StockTransactionView>> {
    return this.inventory.transactions(ctx, partId, args);
  }

  @Allow(policies.writers())
  @Mutation(() => StockTransaction, { description: 'book a stock movement; a shortfall is a CONFLICT and changes nothing' })
  createStockTransaction(@Ctx() ctx: RequestContext, @Arg('partId', () => ID) partId: string, @Arg('input') input: StockTransactionInput): Promise<StockTransactionView> {
    return this.inventory.transact(ctx, partId, input);
  }

  @Allow(policies.anyRole())
  @Query(() => PartCategoryPage, { description: 'part categories by name' })
  partCategories(@Ctx() ctx: RequestContext, @Args() args: PageArgs): Promise<Page<PartCategoryView>> {
    return this.inventory.categories(ctx, args);
  }

  @Allow(policies.writers())
  @Mutation(() => PartCategory)
  createPartCategory(@Ctx() ctx: RequestContext, @Arg('input') input: CreatePartCategoryInput): Promise<PartCategoryView> {
    return this.inventory.createCategory(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'delete a category no part uses' })
  deletePartCategory(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.inventory.deleteCategory(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => WorkOrderPartPage, { description: 'parts used by a work order, oldest first' })
  workOrderParts(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string, @Args() args: PageArgs): Promise<Page<WorkOrderPartView>> {
    return this.lines.list(ctx, workOrderId, args);
  }

  @Allow(policies.writers())
  @Mutation(() => WorkOrderPart, { description: 'use a part on an open or in-progress work order (consumes stock)' })
  addWorkOrderPart(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string, @Arg('input') input: AddWorkOrderPartInput): Promise<WorkOrderPartView> {
    return this.lines.add(ctx, workOrderId, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'remove a part line; its quantity returns to stock' })
  removeWorkOrderPart(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.lines.remove(ctx, workOrderId, id);
  }

  @Subscription(() => Part, {
    description: 'parts whose quantity on hand changed (optionally one part)',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      const { partId } = args as StockSubscriptionArgs;
      // an unknown or foreign part would otherwise be acknowledged and never deliver anything
      const only = partId != null ? (await ctx.services.inventory.get(ctx, partId)).id : null;
      return filterIterator(ctx.bus.subscribe(stockChangedTopic(tenantId)), (p) => p.tenantId === tenantId && (only === null || p.id === only));
    },
  })
  stockChanged(@Root() part: PartView, @Args() _args: StockSubscriptionArgs): PartView {
    return part;
  }

  @Subscription(() => Part, {
    description: 'a part fell to or below its reorder point (once per crossing)',
    subscribe: ({ context }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      return filterIterator(ctx.bus.subscribe(partLowStockTopic(tenantId)), (p) => p.tenantId === tenantId);
    },
  })
  partLowStock(@Root() part: PartView): PartView {
    return part;
  }
}
