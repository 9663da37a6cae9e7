import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import { loaderFor } from '../src/common/loaders.js';
import { machineStatusTopic, type MachineStatusChanged } from '../src/machines/machine.events.js';
import type { MachineService } from '../src/machines/machine.service.js';
import type { ImportFile, MachineImportService } from '../src/machines/machine-import.service.js';
import type { MachineGroup as GroupEntity } from '../src/machine-groups/machine-group.entity.js';
import {
  CreateMachineInput,
  ImportMachinesInput,
  Machine,
  MachineImportResult,
  MachinePage,
  MachinesArgs,
  MachineStatusChange,
  UpdateMachineInput,
} from '../schema/machine.type.js';
import { MachineGroup } from '../schema/machine-group.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

@Resolver(() => Machine)
export class MachineResolver {
  constructor(private readonly machineService: MachineService, private readonly importService: MachineImportService) {}

  @Allow(policies.anyRole('read:machines'))
  @Query(() => MachinePage)
  machines(@Ctx() ctx: RequestContext, @Args() args: MachinesArgs): Promise<MachinePage> {
    return this.machineService.list(ctx, args);
  }

  @Allow(policies.anyRole('read:machines'))
  @Query(() => Machine)
  machine(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Machine> {
    return this.machineService.view(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => Machine)
  createMachine(@Ctx() ctx: RequestContext, @Arg('input') input: CreateMachineInput): Promise<Machine> {
    return this.machineService.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Machine)
  updateMachine(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateMachineInput): Promise<Machine> {
    return this.machineService.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'Soft delete: the machine leaves lists and ingestion; its identifier stays reserved' })
  deleteMachine(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.machineService.delete(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => MachineImportResult, { description: 'Bulk-create up to 500 machines from a CSV or XLSX file' })
  importMachines(@Ctx() ctx: RequestContext, @Arg('input', () => ImportMachinesInput) input: ImportMachinesInput | ImportFile): Promise<MachineImportResult> {
    // The REST door hands over the uploaded bytes: a 5 MB file to base64 and back cost ~50 ms in one block.
    return 'content' in input ? this.importService.import(ctx, input) : this.importService.importBase64(ctx, input.filename, input.contentBase64);
  }

  @FieldResolver(() => [MachineGroup], { description: 'groups the machine is a direct member of' })
  groups(@Root() machine: Machine, @Ctx() ctx: RequestContext): Promise<GroupEntity[]> {
    const tenantId = ctx.principal!.tenantId;
    return loaderFor(ctx, 'machine.groups', (ids) => this.machineService.groupsOf(tenantId, ids), () => [] as GroupEntity[]).load(machine.id);
  }

  @Subscription(() => MachineStatusChange, {
    description: 'status changes of the tenant\'s machines (or of one machine)',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole('read:machines'), ctx);
      const { machineId } = args as { machineId?: string | null };
      if (machineId != null) await ctx.machines.get(ctx, machineId);
      return filterIterator(ctx.bus.subscribe(machineStatusTopic(ctx.principal!.tenantId)), (e) => !machineId || e.machineId === machineId);
    },
  })
  machineStatusChanged(@Root() change: MachineStatusChanged, @Arg('machineId', () => ID, { nullable: true }) _machineId?: string | null): MachineStatusChange {
    return change;
  }
}
