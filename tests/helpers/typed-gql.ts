import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';

export interface TypedGqlOptions {
  /** Bearer access token */
  token?: string;
  /** X-API-Key */
  apiKey?: string;
  headers?: Record<string, string>;
}

export interface TypedGqlResult<TData> {
  status: number;
  data?: TData | null;
  errors?: GraphQLFormattedError[];
  headers: Headers;
}

/** Operations whose variables are all optional may leave them out. */
type VarsAndOptions<TVariables> = Record<string, never> extends TVariables
  ? [variables?: TVariables, opts?: TypedGqlOptions]
  : [variables: TVariables, opts?: TypedGqlOptions];

/** `url` is the server's base URL (as from startTestApp) or the /graphql endpoint itself. */
function endpoint(url: string): string {
  const u = new URL(url);
  if (!u.pathname.endsWith('/graphql')) u.pathname = `${u.pathname.replace(/\/$/, '')}/graphql`;
  return u.toString();
}

/**
 * Runs a generated TypedDocumentNode over HTTP POST; `data` is typed by the document.
 * Never throws on GraphQL errors or HTTP status: the caller asserts on them.
 */
export async function execute<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  ...[variables, opts = {}]: VarsAndOptions<TVariables>
): Promise<TypedGqlResult<TData>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    ...opts.headers,
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  const res = await fetch(endpoint(url), {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
  });
  const text = await res.text();
  let body: { data?: TData | null; errors?: GraphQLFormattedError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`GraphQL response is not JSON (HTTP ${res.status}): ${text.slice(0, 500)}`);
  }
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}

/** Like execute, but returns `data` and throws (with the error messages and codes) when there are errors. */
export async function executeOk<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  ...rest: VarsAndOptions<TVariables>
): Promise<TData> {
  const r = await execute(url, document, ...rest);
  if (r.errors?.length || r.data == null) {
    const errs = (r.errors ?? []).map((e) => `${String(e.extensions?.code ?? '?')}: ${e.message}`).join('; ');
    throw new Error(`GraphQL operation failed (HTTP ${r.status}): ${errs || 'no data'}`);
  }
  return r.data;
}
