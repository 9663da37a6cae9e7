import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { restErrorHandler } from '../../rest/errors.js';
import type { RequestContext } from '../../src/common/context.js';
import { attachContext } from '../../src/server/request-context.js';

/**
 * An answer written in pieces (rest/json-stream.ts) can fail after its status and first bytes went
 * out: the client must see a broken answer, never a 200 whose cut-off JSON looks complete.
 */
describe('REST error after the answer started', () => {
  it('cuts the connection and logs the error instead of ending the answer normally', async () => {
    const logged: unknown[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const app = express();
    app.use((req, _res, next) => {
      attachContext(req, { requestId: 'r1', log } as RequestContext);
      next();
    });
    app.get('/list', (_req, res, next) => {
      res.status(200).setHeader('content-type', 'application/json');
      res.write('{"items":[1,2,3');
      setTimeout(() => next(new Error('store went away mid-answer')), 20);
    });
    app.use(restErrorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/list`);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      expect(logged).toEqual([expect.objectContaining({ msg: 'error after the answer started; connection cut' })]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
