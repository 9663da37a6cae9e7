import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType } from 'type-graphql';
import { InProcessEventBus, toTypeGraphqlPubSub, type EventBus } from '../src/infra/event-bus.js';
import { RESOLVER_CLASSES } from './index.js';
import { DateTime } from '../schema/scalars.js';

/** Builds the executable schema; resolver instances come from `instances` (absent: schema only, for printing). */
export async function buildAppSchema(instances?: Map<Function, object>, bus?: EventBus): Promise<GraphQLSchema> {
  const container: ContainerType | undefined = instances
    ? {
        get(cls) {
          const r = instances.get(cls as Function);
          if (!r) throw new Error(`no resolver instance for ${(cls as Function).name}`);
          return r;
        },
      }
    : undefined;
  return buildSchema({
    resolvers: [...RESOLVER_CLASSES] as unknown as [Function, ...Function[]],
    container,
    pubSub: toTypeGraphqlPubSub(bus ?? new InProcessEventBus()),
    validate: false,
    emitSchemaFile: false,
    // every Date, declared with DateTime or not, is the range-checked scalar
    scalarsMap: [{ type: Date, scalar: DateTime }],
  });
}

/** SDL as committed in schema/schema.graphql (sorted, so diffs are stable). */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
