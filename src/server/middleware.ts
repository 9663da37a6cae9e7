import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Container } from '../app/container.js';
import type { Principal, RequestContext } from '../common/context.js';
import { DomainError } from '../common/errors.js';
import { AuthErrors } from '../auth/auth.errors.js';
import { API_KEY_STRATEGY, BEARER_STRATEGY, bearerTokenOf, createAuthPassport } from '../auth/passport.js';
import type { Metrics } from './metrics.js';
import { attachContext, contextOf, readCookie } from './request-context.js';

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;
export const REFRESH_COOKIE = 'refresh_token';

/** Request id (accepted from X-Request-ID when sane), child logger, context, access log and metrics. */
export function requestContext(log: Logger, metrics: Metrics, cookieSecure: boolean): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    const started = process.hrtime.bigint();
    const ctx: RequestContext = {
      requestId,
      ip: req.ip,
      userAgent: req.header('user-agent'),
      refreshCookie: readCookie(req.headers.cookie, REFRESH_COOKIE),
      log: log.child({ requestId }),
      setRefreshCookie: (token, maxAgeSec) => {
        const opts = { httpOnly: true, secure: cookieSecure, sameSite: 'strict' as const, path: '/api/v1/auth' };
        if (token === null) res.clearCookie(REFRESH_COOKIE, opts);
        else res.cookie(REFRESH_COOKIE, token, { ...opts, maxAge: (maxAgeSec ?? 0) * 1000 });
      },
    };
    attachContext(req, ctx);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req, res);
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.requests.inc(labels);
      metrics.latency.observe(labels, seconds);
      ctx.log.info({ method: req.method, url: req.originalUrl.split('?')[0], route, status: res.statusCode, ms: Math.round(seconds * 1e5) / 100 }, 'request');
    });
    next();
  };
}

function routeLabel(req: Request, res: Response): string {
  if (typeof res.locals.routeLabel === 'string') return res.locals.routeLabel;
  const p = req.route?.path;
  if (typeof p === 'string') return `${req.baseUrl}${p}`;
  if (req.baseUrl === '/graphql' || req.path === '/graphql') return '/graphql';
  return 'unmatched';
}

/**
 * Resolves credentials into ctx.principal through passport: the bearer JWT strategy when an
 * Authorization header is present (even alongside X-API-Key), else the API-key strategy. A bad
 * credential does not fail here: it fails only operations that need a principal, so public
 * endpoints keep working for clients with stale tokens.
 */
export function authenticate(c: Container): RequestHandler {
  const passport = createAuthPassport(c.authenticator);
  return (req, res, next) => {
    const auth = req.header('authorization');
    const strategy = auth !== undefined ? BEARER_STRATEGY : req.header('x-api-key') !== undefined ? API_KEY_STRATEGY : null;
    if (strategy === null) return next();
    const ctx = contextOf(req);
    // kept even when the token is refused: MFA verify accepts the pending token here
    const token = bearerTokenOf(auth);
    if (token !== null) ctx.bearerToken = token;
    const settled = (err: unknown, principal: Principal | false | undefined, info: unknown) => {
      if (err) return next(err);
      if (principal) ctx.principal = principal;
      // passport-jwt fails without a DomainError only when its extractor found no token: a malformed header
      else ctx.authError = info instanceof DomainError ? info : AuthErrors.invalidToken();
      next();
    };
    passport.authenticate(strategy, { session: false }, settled)(req, res, next);
  };
}

/** Fixed-window limit per tenant and credential (per address when anonymous), sized by the tenant's plan. */
export function rateLimit(c: Container): RequestHandler {
  const { windowSec, perPlan, defaultPlan } = c.config.rateLimit;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const ctx = contextOf(req);
      const p = ctx.principal;
      let key: string;
      let limit = perPlan[defaultPlan];
      if (p) {
        key = p.kind === 'user' ? `t:${p.tenantId}:u:${p.userId}` : `t:${p.tenantId}:k:${p.apiKeyId}`;
        limit = perPlan[(await c.services.tenants.planOf(p.tenantId)) ?? defaultPlan];
      } else {
        key = `ip:${req.ip ?? 'unknown'}`;
      }
      const r = await c.limiter.consume(`api:${key}`, limit, windowSec);
      res.setHeader('X-RateLimit-Limit', String(r.limit));
      res.setHeader('X-RateLimit-Remaining', String(r.remaining));
      res.setHeader('X-RateLimit-Reset', String(r.resetAt));
      if (!r.allowed) {
        res.setHeader('Retry-After', String(r.retryAfterSec));
        res.status(429).json({ detail: 'Rate limit exceeded' });
        return;
      }
      next();
    } catch (err) {
      // The limiter's store being down must not take the API down with it.
      contextOf(req).log.warn({ err }, 'rate limiter unavailable; request allowed');
      next();
    }
  };
}
