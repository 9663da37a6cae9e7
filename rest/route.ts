import type { z } from 'zod';
import type { RequestContext } from '../src/common/context.js';
import type { UploadedFile } from './multipart.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClass<R> = abstract new (...args: any[]) => R;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
/** body of a multipart row: the file and any text fields */
export interface MultipartBody {
  file: UploadedFile;
  fields: Record<string, string>;
}
type BodyOut<S> = S extends z.ZodType ? z.output<S> : MultipartBody;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

/**
 * One documented endpoint: where it lives, what it accepts (snake_case), which resolver
 * method (= GraphQL field) it runs, and how the result is shaped for REST.
 */
export interface Route<R = unknown, P extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined, B extends z.ZodType | undefined = z.ZodType | undefined, T = unknown> {
  method: HttpMethod;
  /** relative to /api/v1, OpenAPI style: /settings/api-keys/{key_id} */
  path: string;
  summary: string;
  tag: string;
  resolver: AnyClass<R>;
  /** resolver method name, which is also the GraphQL Query/Mutation field */
  operation: keyof R & string;
  params?: P;
  query?: Q;
  body?: B;
  /** body may be absent (e.g. POST /auth/refresh) */
  bodyOptional?: boolean;
  /** multipart/form-data upload: the named file field, read into memory up to maxBytes */
  multipart?: { field: string; maxBytes: number };
  status?: number;
  call: (resolver: R, ctx: RequestContext, input: RouteInput<Out<P>, Out<Q>, BodyOut<B>>) => Promise<T> | T;
  /** result -> documented snake_case JSON; absent for 204 */
  map?: (result: T) => unknown;
}

/** Declares a route row with full type inference from its schemas. */
export function route<R, P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined, T = unknown>(
  def: Route<R, P, Q, B, T>,
): Route {
  return def as unknown as Route;
}
