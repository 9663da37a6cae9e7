import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { parseJsonAllowingNonFinite } from '../src/readings/tolerant-json.js';
import { declaredCharset, invalidUtf8Error, unsupportedCharsetError } from './body-encoding.js';

/**
 * Body parser of POST /ingest: raw bytes up to the limit (413 past it), then JSON that also
 * accepts NaN / Infinity tokens. Malformed JSON and invalid UTF-8 are a 400 like everywhere else.
 */
export function ingestBody(limit: number): RequestHandler {
  const raw = express.raw({ limit, type: ['application/json', 'application/*+json'] });
  return (req, res, next) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!Buffer.isBuffer(req.body)) return next();
      const charset = declaredCharset(req.headers['content-type']);
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return next(unsupportedCharsetError());
      if (!isUtf8(req.body)) return next(invalidUtf8Error());
      try {
        req.body = req.body.length ? parseJsonAllowingNonFinite(req.body.toString('utf8')) : undefined;
        next();
      } catch {
        next(Object.assign(new Error('malformed JSON'), { type: 'entity.parse.failed', status: 400 }));
      }
    });
  };
}
