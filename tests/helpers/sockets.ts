import net from 'node:net';
import WebSocket from 'ws';

const WAIT_MS = 5_000;

/** Rejects after ms with a message naming what was awaited. */
function bounded<T>(run: (resolve: (v: T) => void, reject: (e: unknown) => void) => void, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    run(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Opens a raw graphql-transport-ws socket on /graphql, sends connection_init with payload, reports how it ends. */
export function graphqlWsInit(httpUrl: string, payload?: Record<string, unknown>, ms = WAIT_MS): Promise<{ acked: boolean; closeCode?: number; ws: WebSocket }> {
  return bounded(
    (resolve, reject) => {
      const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      ws.on('open', () => ws.send(JSON.stringify(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload })));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string };
        if (msg.type === 'connection_ack') resolve({ acked: true, ws });
      });
      ws.on('close', (code) => resolve({ acked: false, closeCode: code, ws }));
      ws.on('error', reject);
    },
    ms,
    'connection_init outcome',
  );
}

/**
 * Opens /api/v1/ws/dashboard and sends `frame` as its first (token) frame; resolves with the first
 * message (the socket is then closed by this side) or with the close the server answered with.
 */
export function dashboardFirstFrame(httpUrl: string, frame: string, ms = WAIT_MS): Promise<{ message?: { type: string }; close?: { code: number; reason: string } }> {
  return bounded(
    (resolve, reject) => {
      const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
      ws.on('open', () => ws.send(frame));
      ws.on('message', (data) => {
        resolve({ message: JSON.parse(String(data)) as { type: string } });
        ws.terminate();
      });
      ws.on('close', (code, reason) => resolve({ close: { code, reason: reason.toString() } }));
      ws.on('error', reject);
    },
    ms,
    'the dashboard socket to accept or close',
  );
}

/** Resolves with what `p` resolves to, or rejects after ms naming what was awaited. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/** A port free on 127.0.0.1 right now (for servers that cannot listen on port 0 themselves, or restart on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
