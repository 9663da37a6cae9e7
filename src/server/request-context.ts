import type { Request } from 'express';
import type { RequestContext } from '../common/context.js';

const contexts = new WeakMap<Request, RequestContext>();

export function attachContext(req: Request, ctx: RequestContext): void {
  contexts.set(req, ctx);
}

/** The RequestContext built for this request by the first middleware. */
export function contextOf(req: Request): RequestContext {
  const ctx = contexts.get(req);
  if (!ctx) throw new Error('request has no context (middleware order)');
  return ctx;
}

/** Parses a Cookie header without a dependency; malformed pairs are skipped. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
