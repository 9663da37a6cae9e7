import { ArgsType, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTime } from './scalars.js';

@InputType()
export class ReadingInput {
  @Field() machineIdentifier!: string;
  @Field({ description: 'ISO 8601 with a time zone; at most 5 minutes ahead and 3650 days back' }) timestamp!: string;
  @Field() metricName!: string;
  @Field(() => Float) value!: number;
  @Field() unit!: string;
  @Field(() => String, { nullable: true }) rawTag?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class IngestError {
  @Field(() => Int, { description: 'zero-based position in the batch' }) index!: number;
  @Field(() => String, { nullable: true }) machineIdentifier!: string | null;
  @Field() error!: string;
}

@ObjectType({ simpleResolvers: true })
export class IngestResult {
  @Field(() => Int) acceptedCount!: number;
  @Field(() => Int) rejectedCount!: number;
  @Field(() => [IngestError]) errors!: IngestError[];
}

@ObjectType({ simpleResolvers: true })
export class LatestReading {
  @Field() metric!: string;
  @Field(() => Float) value!: number;
  @Field() unit!: string;
  @Field(() => String, { nullable: true }) rawTag!: string | null;
  @Field(() => DateTime) timestamp!: Date;
}

@ObjectType({ simpleResolvers: true })
export class MachineLatestReadings {
  @Field(() => ID) machineId!: string;
  @Field(() => [LatestReading]) readings!: LatestReading[];
}

@ObjectType({ simpleResolvers: true })
export class SeriesPoint {
  @Field(() => DateTime, { description: 'the point, or the start of its bucket' }) timestamp!: Date;
  @Field(() => Float) value!: number;
}

@ObjectType({ simpleResolvers: true })
export class ReadingSeries {
  @Field() metric!: string;
  @Field(() => String, { nullable: true, description: 'unit of the newest reading in the range' }) unit!: string | null;
  @Field(() => [SeriesPoint]) points!: SeriesPoint[];
}

@ObjectType({ simpleResolvers: true })
export class ReadingSeriesResult {
  @Field(() => ID) machineId!: string;
  @Field(() => DateTime) start!: Date;
  @Field(() => DateTime) end!: Date;
  @Field(() => String, { nullable: true, description: 'bucket width; null = raw points' }) interval!: string | null;
  @Field(() => String, { nullable: true }) aggregation!: string | null;
  @Field(() => [ReadingSeries]) series!: ReadingSeries[];
}

@ArgsType()
export class SeriesArgs {
  @Field(() => [String], { nullable: true, description: 'metric names; absent = all metrics' }) metrics?: string[] | null;
  @Field(() => DateTime, { nullable: true, description: 'default: end - 24 h' }) start?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'exclusive; default: now' }) end?: Date | null;
  @Field(() => String, { nullable: true, description: '1s … 30d, e.g. 1m, 5m, 15m, 1h, 6h, 1d; absent = raw points' }) interval?: string | null;
  @Field(() => String, { nullable: true, description: 'mean (default), min, max, sum, count, first, last' }) aggregation?: string | null;
  @Field(() => Int, { nullable: true, description: 'most points in the answer (default 10000, max 100000)' }) limit?: number | null;
}

@ObjectType({ simpleResolvers: true })
export class LiveReading {
  @Field(() => ID) machineId!: string;
  @Field() machineIdentifier!: string;
  @Field() metric!: string;
  @Field(() => Float) value!: number;
  @Field() unit!: string;
  @Field(() => String, { nullable: true }) rawTag!: string | null;
  @Field(() => DateTime) timestamp!: Date;
}
