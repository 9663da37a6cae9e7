import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { FleetService } from '../src/fleet/fleet.service.js';
import { FleetMachine, FleetStatus } from '../schema/fleet.type.js';
import { MachineStatus } from '../schema/machine.type.js';
import { yieldingList } from './yielding-list.js';

@Resolver(() => FleetStatus)
export class FleetResolver {
  constructor(private readonly fleet: FleetService) {}

  @Allow(policies.anyRole())
  @Query(() => FleetStatus, { description: 'every active machine with status, open alerts and last reading' })
  fleetStatus(
    @Ctx() ctx: RequestContext,
    @Arg('groupId', () => ID, { nullable: true }) groupId?: string | null,
    @Arg('status', () => MachineStatus, { nullable: true }) status?: string | null,
  ): Promise<FleetStatus> {
    return this.fleet.status(ctx, { groupId, status });
  }

  // named as the declared @Field: type-graphql pairs the two by method name and silently ignored `machinesOf` with `name: 'machines'`
  @FieldResolver(() => [FleetMachine])
  machines(@Root() fleet: FleetStatus): readonly (FleetMachine | PromiseLike<FleetMachine>)[] {
    return yieldingList(fleet.machines);
  }
}
