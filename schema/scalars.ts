import 'reflect-metadata';
import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { INSTANT_RANGE_MESSAGE, inInstantRange } from '../src/common/instant-range.js';

export const JSONObject = GraphQLJSONObject;

function inRange(d: Date): Date {
  if (!inInstantRange(d)) throw new TypeError(INSTANT_RANGE_MESSAGE);
  return d;
}

/**
 * graphql-scalars' DateTimeISO (the scalar type-graphql maps `Date` to) with the instants the REST
 * door accepts too (src/common/instant-range.ts): `0000-01-01T00:00:00Z` is a valid RFC 3339 date
 * that PostgreSQL refuses.
 */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: GraphQLDateTimeISO.name,
  description: GraphQLDateTimeISO.description,
  specifiedByURL: GraphQLDateTimeISO.specifiedByURL,
  extensions: GraphQLDateTimeISO.extensions,
  serialize: (v) => GraphQLDateTimeISO.serialize(v) as string,
  parseValue: (v) => inRange(GraphQLDateTimeISO.parseValue(v) as Date),
  parseLiteral: (ast, vars) => inRange(GraphQLDateTimeISO.parseLiteral(ast, vars) as Date),
});
