import type { z } from 'zod';
import type { RequestContext } from '../src/common/context.js';
import type { Mapper } from './mappers.js';
import type { UploadedFile } from './multipart.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClass<R> = abstract new (...args: any[]) => R;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a download row's call returns: sent as `contentType`, an attachment named `fileName`. */
export interface FileDownload {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/** body of a multipart row: the file and any text fields */
export interface MultipartBody {
  file: UploadedFile;
  fields: Record<string, string>;
}
type BodyOut<S> = S extends z.ZodType ? z.output<S> : MultipartBody;

/**
 * Error statuses a row documents beyond those its kind implies (every row: 429; with input: 422;
 * with a body: 400, 413, 415; with path parameters: 404; unless public: 401, 403).
 */
export type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

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
  /** an upsert: 201 when this says its result was created, else `status` (200) */
  createdWhen?: (result: T) => boolean;
  /** a file download (e.g. a PDF): the call returns a FileDownload of this content type; no `map` */
  download?: { contentType: string; description: string };
  /** error statuses the operation itself can answer (see ErrorStatus) */
  errors?: readonly ErrorStatus[];
  call: (resolver: R, ctx: RequestContext, input: RouteInput<Out<P>, Out<Q>, BodyOut<B>>) => Promise<T> | T;
  /** result -> documented snake_case JSON, with its declared shape (the OpenAPI response); absent for 204 */
  map?: Mapper<T>;
}

/** Declares a route row with full type inference from its schemas. */
export function route<R, P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined, T = unknown>(
  def: Route<R, P, Q, B, T>,
): Route {
  return def as unknown as Route;
}
