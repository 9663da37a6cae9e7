import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import { loaderFor } from '../src/common/loaders.js';
import type { Machine as MachineEntity } from '../src/machines/machine.entity.js';
import type { GroupTreeNode, MachineGroupService } from '../src/machine-groups/machine-group.service.js';
import { Machine, MachinePage } from '../schema/machine.type.js';
import {
  CreateMachineGroupInput,
  MachineGroup,
  MachineGroupPage,
  MachineGroupsArgs,
  MachineGroupTreeNode,
  UpdateMachineGroupInput,
} from '../schema/machine-group.type.js';
import { PageArgs } from '../schema/page.type.js';

function toTreeNode(n: GroupTreeNode): MachineGroupTreeNode {
  const g = n.group;
  return { id: g.id, name: g.name, groupType: g.groupType, parentId: g.parentId, description: g.description, machineCount: n.machineCount, children: n.children.map(toTreeNode) };
}

@Resolver(() => MachineGroup)
export class MachineGroupResolver {
  constructor(private readonly groups: MachineGroupService) {}

  @Allow(policies.anyRole())
  @Query(() => MachineGroupPage)
  machineGroups(@Ctx() ctx: RequestContext, @Args() args: MachineGroupsArgs): Promise<MachineGroupPage> {
    return this.groups.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => MachineGroup)
  machineGroup(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<MachineGroup> {
    return this.groups.get(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => [MachineGroupTreeNode], { description: 'all groups as a nested forest' })
  async machineGroupTree(@Ctx() ctx: RequestContext): Promise<MachineGroupTreeNode[]> {
    return (await this.groups.tree(ctx)).map(toTreeNode);
  }

  @Allow(policies.anyRole())
  @Query(() => MachinePage, { description: 'active machines directly in a group' })
  machineGroupMembers(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Args() page: PageArgs): Promise<MachinePage> {
    return this.groups.members(ctx, id, page);
  }

  @Allow(policies.writers())
  @Mutation(() => MachineGroup)
  createMachineGroup(@Ctx() ctx: RequestContext, @Arg('input') input: CreateMachineGroupInput): Promise<MachineGroup> {
    return this.groups.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => MachineGroup)
  updateMachineGroup(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateMachineGroupInput): Promise<MachineGroup> {
    return this.groups.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'Deletes a group without child groups (its memberships go with it)' })
  deleteMachineGroup(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.groups.delete(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => MachineGroup, { description: 'Replaces the group\'s members with exactly these machines' })
  setMachineGroupMembers(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('machineIds', () => [ID]) machineIds: string[],
  ): Promise<MachineGroup> {
    return this.groups.setMembers(ctx, id, machineIds);
  }

  @FieldResolver(() => [Machine], { description: 'active machines directly in this group' })
  machines(@Root() group: MachineGroup, @Ctx() ctx: RequestContext): Promise<MachineEntity[]> {
    const tenantId = ctx.principal!.tenantId;
    return loaderFor(ctx, 'group.machines', (ids) => this.groups.machinesOf(tenantId, ids), () => [] as MachineEntity[]).load(group.id);
  }
}
