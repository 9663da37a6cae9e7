import busboy from 'busboy';
import type { Request } from 'express';
import { DomainError, ErrorCode, invalid } from '../src/common/errors.js';

export interface UploadedFile {
  filename: string;
  content: Buffer;
}

/**
 * Reads one file field of a multipart/form-data request into memory, bounded by maxBytes
 * (413 past it). Other file fields are drained and ignored; text fields are returned.
 */
export function readMultipartFile(req: Request, field: string, maxBytes: number): Promise<{ file?: UploadedFile; fields: Record<string, string> }> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return Promise.reject(new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Expected multipart/form-data with a file field "${field}"`));
  }
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // defParamCharset: browsers and fetch send the filename as raw UTF-8 (busboy assumes latin1)
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: maxBytes, files: 5, fields: 20, fieldSize: 10_000 } });
    } catch {
      reject(new DomainError(ErrorCode.BAD_REQUEST, 'Malformed multipart body'));
      return;
    }
    const fields: Record<string, string> = {};
    let file: UploadedFile | undefined;
    let failed = false;
    const fail = (err: DomainError) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      reject(err);
    };
    // A body that ends early makes busboy destroy every open file stream with an error; an
    // EventEmitter 'error' without a listener takes the whole process down, so every stream gets one.
    const malformed = (err: unknown) =>
      fail(new DomainError(ErrorCode.BAD_REQUEST, `Malformed multipart body: ${err instanceof Error ? err.message : 'unreadable'}`));
    bb.on('file', (name, stream, info) => {
      stream.on('error', malformed);
      if (name !== field || file) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `File larger than ${maxBytes} bytes`)));
      stream.on('end', () => {
        if (!failed) file = { filename: info.filename ?? '', content: Buffer.concat(chunks) };
      });
    });
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('error', malformed);
    // pipe() does not forward a source error, and a client that hangs up never ends the form.
    req.on('error', malformed);
    req.on('close', () => {
      if (req.readableAborted) fail(new DomainError(ErrorCode.BAD_REQUEST, 'Request aborted'));
    });
    bb.on('close', () => {
      if (failed) return;
      if (!file) reject(invalid(['body', field], 'Field required', 'missing'));
      else resolve({ file, fields });
    });
    req.pipe(bb);
  });
}
