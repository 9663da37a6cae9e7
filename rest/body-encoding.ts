import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** body-parser error shape: the REST error handler answers 400 with this message as the detail. */
export const invalidUtf8Error = () => Object.assign(new Error('Request body is not valid UTF-8'), { status: 400, type: 'entity.verify.failed' });

/**
 * `verify` hook of express.json: decoding would silently turn invalid UTF-8 into U+FFFD and store
 * that, so such a body is refused before it is parsed. isUtf8 is a SIMD scan (about 1 ms per 10 MB).
 */
export function refuseInvalidUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer, encoding: string): void {
  if (encoding === 'utf-8' && !isUtf8(buf)) throw invalidUtf8Error();
}
