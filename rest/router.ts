import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { enforce, policyOf } from '../src/auth/access.js';
import { DomainError, ErrorCode } from '../src/common/errors.js';
import { contextOf } from '../src/server/request-context.js';
import type { FileDownload, Route } from './route.js';
import { toIssues } from './validation.js';
import { hasLazyList, writeJson } from './json-stream.js';
import { readMultipartFile } from './multipart.js';

/** OpenAPI `{id}` segments to express `:id`. */
export const expressPath = (p: string) => p.replace(/\{(\w+)\}/g, ':$1');

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) throw new DomainError(ErrorCode.VALIDATION, 'Validation error', { issues: toIssues(where, r.error, value) });
  return r.data;
}

/** Service validation issues name the field only; REST says where it came from (['body', 'password']), as request validation does. */
function locateIssues(row: Route, err: unknown): unknown {
  if (!(err instanceof DomainError) || err.code !== ErrorCode.VALIDATION || !err.extra.issues) return err;
  const has = (schema: z.ZodType | undefined, field: unknown) =>
    typeof field === 'string' && field in (((schema as { shape?: object } | undefined)?.shape) ?? {});
  const where = (field: unknown) => (has(row.params, field) ? 'path' : has(row.query, field) ? 'query' : row.body || !row.query ? 'body' : 'query');
  const issues = err.extra.issues.map((i) => ({ ...i, loc: [where(i.loc[0]), ...i.loc] }));
  return err.withIssues(issues);
}

/** Builds the /api/v1 router: one handler per row, resolver instances looked up by class. */
export function buildRestRouter(routes: Route[], resolverFor: (cls: Route['resolver']) => unknown): Router {
  const router = express.Router({ strict: false, caseSensitive: true });
  for (const row of routes) {
    const policy = policyOf(row.resolver, row.operation);
    if (!policy) throw new Error(`${row.method} ${row.path}: ${row.resolver.name}.${row.operation} has no @Allow policy`);
    const resolver = resolverFor(row.resolver) as Record<string, unknown>;
    if (typeof resolver[row.operation] !== 'function') throw new Error(`${row.method} ${row.path}: no method ${row.operation}`);
    const handler = async (req: Request, res: Response, next: NextFunction) => {
      // Metrics label the documented path; the error handler runs outside this router, where
      // req.baseUrl no longer says /api/v1.
      res.locals.routeLabel = `/api/v1${row.path}`;
      try {
        const ctx = contextOf(req);
        // Credentials and role first: an anonymous caller learns nothing from validation messages.
        enforce(policy, ctx);
        const params = parse(row.params, req.params, 'path');
        const query = parse(row.query, req.query, 'query');
        let body: unknown;
        if (row.multipart) {
          body = await readMultipartFile(req, row.multipart.field, row.multipart.maxBytes);
        } else if (row.body) {
          const raw = req.body;
          body = raw === undefined && row.bodyOptional ? undefined : parse(row.body, raw, 'body');
        }
        let result: unknown;
        try {
          result = await row.call(resolver, ctx, { params, query, body } as never);
        } catch (err) {
          throw locateIssues(row, err);
        }
        const status = row.createdWhen?.(result) ? 201 : (row.status ?? 200);
        if (row.download) {
          const file = result as FileDownload;
          // attachment() writes an RFC 6266 Content-Disposition (ASCII fallback plus filename*)
          res.status(status).attachment(file.fileName).type(file.contentType).setHeader('Cache-Control', 'no-store');
          res.send(file.content);
        } else if (status === 204 || !row.map) res.status(status).end();
        else {
          const answer = row.map(result);
          // lists of tens of thousands of items are mapped and written in slices, not in one block
          if (hasLazyList(answer)) await writeJson(res, status, answer);
          else res.status(status).json(answer);
        }
      } catch (err) {
        next(err);
      }
    };
    const method = row.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[method](expressPath(row.path), handler);
  }
  // A known path with another method is 405 with Allow; anything else under /api/v1 is 404.
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    const set = byPath.get(expressPath(r.path)) ?? new Set<string>();
    set.add(r.method);
    byPath.set(expressPath(r.path), set);
  }
  for (const [p, methods] of byPath) {
    router.all(p, (_req, res) => {
      res.setHeader('Allow', [...methods].join(', '));
      res.status(405).json({ detail: 'Method Not Allowed' });
    });
  }
  return router;
}
