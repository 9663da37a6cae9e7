import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { ReasonCode as ReasonCodeEntity } from '../src/downtime/reason-code.entity.js';
import type { ReasonCodeNode, ReasonCodeService } from '../src/downtime/reason-code.service.js';
import { CreateReasonCodeInput, ReasonCode, ReasonCodeTreeNode, UpdateReasonCodeInput } from '../schema/reason-code.type.js';

function toTreeNode(n: ReasonCodeNode): ReasonCodeTreeNode {
  const c = n.code;
  return {
    id: c.id, code: c.code, name: c.name, description: c.description, category: c.category, parentId: c.parentId, isActive: c.isActive, isSystem: c.isSystem,
    children: n.children.map(toTreeNode),
  };
}

/** Registered by the downtime module's entry (re-exported from resolvers/downtime.resolver.ts). */
@Resolver(() => ReasonCode)
export class ReasonCodeResolver {
  constructor(private readonly codes: ReasonCodeService) {}

  @Allow(policies.anyRole())
  @Query(() => [ReasonCode], { description: "the tenant's reason codes ordered by code (active ones unless activeOnly is false)" })
  reasonCodes(@Ctx() ctx: RequestContext, @Arg('activeOnly', () => Boolean, { nullable: true, defaultValue: true }) activeOnly?: boolean | null): Promise<ReasonCodeEntity[]> {
    return this.codes.list(ctx, activeOnly ?? true);
  }

  @Allow(policies.anyRole())
  @Query(() => [ReasonCodeTreeNode], { description: 'every reason code as a nested forest (inactive ones included, flagged)' })
  async reasonCodeTree(@Ctx() ctx: RequestContext): Promise<ReasonCodeTreeNode[]> {
    return (await this.codes.tree(ctx)).map(toTreeNode);
  }

  @Allow(policies.admin())
  @Mutation(() => ReasonCode)
  createReasonCode(@Ctx() ctx: RequestContext, @Arg('input') input: CreateReasonCodeInput): Promise<ReasonCodeEntity> {
    return this.codes.create(ctx, input);
  }

  @Allow(policies.admin())
  @Mutation(() => ReasonCode, { description: 'partial update; a parent that is the code itself or below it is refused (cycle)' })
  updateReasonCode(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateReasonCodeInput): Promise<ReasonCodeEntity> {
    return this.codes.update(ctx, id, input);
  }

  @Allow(policies.admin())
  @Mutation(() => Boolean, { description: 'deletes an unused code without children; a code records use is refused (deactivate it instead)' })
  deleteReasonCode(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.codes.delete(ctx, id);
  }
}
