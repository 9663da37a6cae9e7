import { Field, ID, Int, ObjectType } from 'type-graphql';
import { MachineStatus } from './machine.type.js';
import { DateTime } from './scalars.js';

@ObjectType({ simpleResolvers: true })
export class FleetMachine {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => MachineStatus) status!: string;
  @Field(() => Int) alertCount!: number;
  @Field(() => DateTime, { nullable: true }) lastReadingAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class FleetStatus {
  @Field(() => Int) totalMachines!: number;
  @Field(() => [FleetMachine]) machines!: FleetMachine[];
}
