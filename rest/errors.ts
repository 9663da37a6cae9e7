import type { NextFunction, Request, Response } from 'express';
import { databaseInputError, DomainError, ErrorCode, httpStatusOf } from '../src/common/errors.js';
import { contextOf } from '../src/server/request-context.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** The one REST error mapper: `{"detail": ...}` bodies with the documented status; never a stack trace. */
export function restErrorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    // An answer already under way (a long list written in pieces) cannot change its status: cut the
    // connection so the client sees a broken answer, not a complete-looking one, and say why here.
    try {
      contextOf(req).log.error({ err: error }, 'error after the answer started; connection cut');
    } catch {
      console.error(error);
    }
    res.destroy();
    return;
  }
  const err = databaseInputError(error) ?? error;
  if (err instanceof DomainError) {
    const status = httpStatusOf(err.code);
    if (err.extra.retryAfterSec) res.setHeader('Retry-After', String(err.extra.retryAfterSec));
    for (const [k, v] of Object.entries(err.extra.headers ?? {})) res.setHeader(k, v);
    if (err.code === ErrorCode.VALIDATION && err.extra.issues) {
      // The router has already located service issues in body/query/path.
      res.status(status).json({ detail: err.extra.issues });
      return;
    }
    if (status >= 500) contextOf(req).log.error({ err }, err.message);
    res.status(status).json({ detail: err.message });
    return;
  }
  const bp = err as BodyParserError;
  switch (bp?.type) {
    case 'entity.too.large':
      res.status(413).json({ detail: 'Request body too large' });
      return;
    case 'entity.parse.failed':
      res.status(400).json({ detail: 'Malformed JSON in request body' });
      return;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      res.status(415).json({ detail: 'Unsupported content encoding or charset' });
      return;
    case 'request.aborted':
      res.status(400).json({ detail: 'Request aborted' });
      return;
    default:
      break;
  }
  if (bp?.status && bp.status >= 400 && bp.status < 500) {
    res.status(bp.status).json({ detail: bp.message || 'Bad request' });
    return;
  }
  try {
    contextOf(req).log.error({ err }, 'unhandled error');
  } catch {
    console.error(err);
  }
  res.status(500).json({ detail: 'Internal server error' });
}
