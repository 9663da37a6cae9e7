import 'reflect-metadata';
import { GraphQLJSONObject } from 'graphql-scalars';
import { GraphQLISODateTime } from 'type-graphql';

export const JSONObject = GraphQLJSONObject;
export const DateTime = GraphQLISODateTime;
