import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../bench/lib/webhook-receiver.js';
import type { OutboundPolicy } from '../../src/config/config.js';
import { outboundResolver, type LookupAll } from '../../src/connectivity/outbound-guard.js';
import { OutboundHttpError, outboundRequest } from '../../src/connectivity/outbound-http.js';

const LOOPBACK: OutboundPolicy = { allowLoopback: true, allowPrivate: true, allowLinkLocal: false, allowedCidrs: [], deniedCidrs: [] };
const STRICT: OutboundPolicy = { ...LOOPBACK, allowLoopback: false };
/** a name that resolves to loopback (no DNS server involved) */
const toLoopback: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];

async function failure(p: Promise<unknown>): Promise<OutboundHttpError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OutboundHttpError) return err;
    throw err;
  }
  throw new Error('the request succeeded');
}

describe('guarded outbound HTTP', () => {
  let rx: WebhookReceiver;
  beforeAll(async () => {
    rx = await startWebhookReceiver();
  });
  afterAll(async () => {
    await rx.close();
  });

  it('dials the checked address, keeps the configured name as Host, sends the body and headers', async () => {
    rx.clear();
    rx.queue({ status: 202, body: 'queued' });
    const res = await outboundRequest(outboundResolver(LOOPBACK, toLoopback), {
      url: `http://hooks.example.test:${rx.port}/in/bound?x=1`,
      headers: { 'X-Custom': 'yes', Host: 'evil.example', 'Content-Length': '1', 'Transfer-Encoding': 'chunked' },
      body: '{"a":1}',
      timeoutMs: 5000,
    });
    expect(res).toMatchObject({ status: 202, body: 'queued', address: '127.0.0.1' });
    const [r] = rx.requests;
    expect(r!.method).toBe('POST');
    expect(r!.path).toBe('/in/bound?x=1');
    expect(r!.headers.host).toBe(`hooks.example.test:${rx.port}`);
    expect(r!.headers['x-custom']).toBe('yes');
    expect(r!.headers['content-length']).toBe('7');
    expect(r!.headers['transfer-encoding']).toBeUndefined();
    expect(r!.text()).toBe('{"a":1}');
  });

  it('never follows a redirect: the 3xx is the answer, its target is not dialled', async () => {
    rx.clear();
    rx.queue({ status: 302, headers: { Location: `${rx.url}/elsewhere` } });
    const res = await outboundRequest(outboundResolver(LOOPBACK), { url: `${rx.url}/hook`, body: '{}', timeoutMs: 5000 });
    expect(res.status).toBe(302);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.requests.map((r) => r.path)).toEqual(['/hook']);
  });

  it('one deadline covers the exchange: a silent receiver fails as a timeout', async () => {
    rx.clear();
    rx.queue({ silent: true });
    const t0 = Date.now();
    const err = await failure(outboundRequest(outboundResolver(LOOPBACK), { url: `${rx.url}/slow`, body: '{}', timeoutMs: 300 }));
    expect(err.kind).toBe('timeout');
    expect(err.permanent).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('reads at most maxResponseBytes of an endless answer', async () => {
    const endless = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 97);
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once('drain', pump);
      };
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    try {
      const { port } = endless.address() as AddressInfo;
      const res = await outboundRequest(outboundResolver(LOOPBACK), { url: `http://127.0.0.1:${port}/`, body: '{}', timeoutMs: 5000, maxResponseBytes: 1000 });
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(1000);
    } finally {
      endless.closeAllConnections();
      await new Promise((r) => endless.close(r));
    }
  });

  it('refuses loopback by default without dialling; refused and malformed requests are permanent', async () => {
    rx.clear();
    const refused = await failure(outboundRequest(outboundResolver(STRICT), { url: `${rx.url}/`, body: '{}', timeoutMs: 2000 }));
    expect(refused.kind).toBe('refused');
    expect(refused.permanent).toBe(true);
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'not a url', 'http://']) {
      const bad = await failure(outboundRequest(outboundResolver(LOOPBACK), { url, body: '{}', timeoutMs: 2000 }));
      expect(bad.kind, url).toBe('invalid');
    }
    const crlf = await failure(outboundRequest(outboundResolver(LOOPBACK), { url: `${rx.url}/`, headers: { 'X-A': 'a\r\nX-Injected: 1' }, body: '{}', timeoutMs: 2000 }));
    expect(crlf.kind).toBe('invalid');
    expect(rx.requests).toHaveLength(0);
  });

  it('an unresolvable host and a closed port are transient network failures', async () => {
    const nxdomain: LookupAll = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect((await failure(outboundRequest(outboundResolver(LOOPBACK, nxdomain), { url: 'http://nowhere.example.test/', body: '{}', timeoutMs: 2000 }))).kind).toBe('network');
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const err = await failure(outboundRequest(outboundResolver(LOOPBACK), { url: `http://127.0.0.1:${port}/`, body: '{}', timeoutMs: 2000 }));
    expect(err.kind).toBe('network');
    expect(err.permanent).toBe(false);
  });

  it('https: SNI carries the configured name while the socket goes to the pinned address; an untrusted certificate is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hf-tls-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=hooks.example.test', '-addext', 'subjectAltName=DNS:hooks.example.test',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      const names: string[] = [];
      // SNICallback sees the name of the ClientHello
      const sniServer = https.createServer({
        key: readFileSync(path.join(dir, 'key.pem')),
        cert: readFileSync(path.join(dir, 'cert.pem')),
        SNICallback: (name, cb) => {
          names.push(name);
          cb(null, undefined);
        },
      });
      sniServer.on('tlsClientError', () => undefined);
      await new Promise<void>((r) => sniServer.listen(0, '127.0.0.1', r));
      try {
        const { port } = sniServer.address() as AddressInfo;
        const err = await failure(outboundRequest(outboundResolver(LOOPBACK, toLoopback), { url: `https://hooks.example.test:${port}/`, body: '{}', timeoutMs: 3000 }));
        expect(err.kind).toBe('network');
        expect(err.message).toMatch(/certificate/i);
        expect(names).toEqual(['hooks.example.test']);
      } finally {
        sniServer.closeAllConnections();
        await new Promise((r) => sniServer.close(r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
