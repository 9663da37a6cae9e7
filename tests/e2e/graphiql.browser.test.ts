import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { launchChromium, probeChromium } from '../helpers/browser.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const chrome = await probeChromium();

/** What Chromium sends when the address bar navigates to a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const WAIT_MS = 10_000;

/** Replaces an editor's text as a paste would (no key-by-key typing, so no auto-closed brackets or hint pop-ups). */
async function fillEditor(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  if (text === '') await page.keyboard.press('Backspace');
  else await page.keyboard.insertText(text);
  expect(await editorText(editor)).toBe(text);
}

/** Whole text of a CodeMirror editor (its DOM shows only the visible lines, with line numbers). */
function editorText(editor: Locator): Promise<string> {
  return editor.evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

describe.skipIf(pgSvc.skip)(`GraphiQL explorer at /graphql${pgSvc.label}`, () => {
  let t: TestApp;
  let s: TenantSession;
  let browser: Browser | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    s = await registerTenant(t.api, 'ide');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('serves the page only to browser navigations; API GETs still need the CSRF preflight header', async () => {
    const q = `${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    for (const accept of [undefined, '*/*', 'application/json', 'application/graphql-response+json, application/json', 'application/json, text/html']) {
      const r = await http('GET', q, { headers: accept === undefined ? {} : { accept } });
      expect(r.status, `Accept: ${accept}`).toBe(400);
      expect(r.text, `Accept: ${accept}`).toMatch(/Cross-Site Request Forgery/);
    }
    const preflighted = await http('GET', q, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(preflighted.body).toEqual({ data: { __typename: 'Query' } });

    // A navigation carrying a query gets the page; nothing is executed.
    const page = await http('GET', q, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('vary')).toMatch(/\baccept\b/i);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(page.text).toContain('/graphiql/assets/graphiql.min.js');
    expect(page.text).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+/i);

    const posted = await http('POST', `${t.url}/graphql`, { headers: { accept: BROWSER_ACCEPT }, body: { query: '{ __typename }' } });
    expect(posted.status).toBe(200);
    expect(posted.body).toEqual({ data: { __typename: 'Query' } });

    // Only the listed files are served, not whatever else sits in the packages' folders.
    const notAnAsset = await http('GET', `${t.url}/graphiql/assets/package.json`);
    expect(notAnAsset.status).toBe(404);
    expect(notAnAsset.body).toEqual({ detail: 'Not Found' });
  });

  it.skipIf(chrome.skip)(`runs a query and a subscription from the page, talking to no other host${chrome.label}`, { timeout: 60_000 }, async () => {
    browser = await launchChromium(chrome.executablePath);
    const origin = new URL(t.url);
    const requested: string[] = [];
    const foreign: string[] = [];
    const problems: string[] = [];
    const sockets: { url: string; sent: string[]; closed: boolean }[] = [];
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      // Anything not addressed to the server under test is refused and recorded: the page must work offline.
      await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.host === origin.host) return route.continue();
        foreign.push(u.href);
        return route.abort();
      });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      page.on('request', (r) => requested.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('websocket', (ws) => {
        const entry = { url: ws.url(), sent: [] as string[], closed: false };
        sockets.push(entry);
        ws.on('framesent', (f) => entry.sent.push(String(f.payload)));
        ws.on('close', () => {
          entry.closed = true;
        });
      });

      const introspected = page.waitForResponse((r) => r.url() === `${t.url}/graphql` && r.request().method() === 'POST');
      const nav = await page.goto(`${t.url}/graphql`);
      expect(nav?.status()).toBe(200);
      expect((await introspected).status()).toBe(200);

      const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
      const headersEditor = page.locator('section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror');
      const resultPane = page.locator('section.result-window .CodeMirror');
      const run = page.getByRole('button', { name: /^Execute query/ });

      await fillEditor(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${s.token}` }));
      await fillEditor(page, queryEditor, '{ me { email } }');
      await run.click();
      await expect.poll(() => editorText(resultPane), { timeout: WAIT_MS }).toContain(s.email);
      expect(JSON.parse(await editorText(resultPane))).toEqual({ data: { me: { email: s.email } } });
      await page.screenshot({ path: '/tmp/graphiql.png' });

      await fillEditor(page, queryEditor, 'subscription { auditEventRecorded { action resourceType resourceId } }');
      await run.click();
      await expect.poll(() => sockets.some((w) => w.sent.some((f) => f.includes('"subscribe"'))), { timeout: WAIT_MS }).toBe(true);
      const [socket] = sockets;
      expect(sockets).toHaveLength(1);
      expect(socket!.url).toBe(`ws://${origin.host}/graphql`);
      // The Headers tab reaches the server in connection_init, where the graphql-ws door reads credentials.
      const init = JSON.parse(socket!.sent[0]!);
      expect(init).toEqual({ type: 'connection_init', payload: { Authorization: `Bearer ${s.token}` } });

      // The subscription is live once the server has subscribed to the bus, a moment after the subscribe
      // frame: repeat the audited action (bounded) until the event shows in the result pane.
      const keyIds: string[] = [];
      const deadline = Date.now() + WAIT_MS;
      let shown = '';
      while (Date.now() < deadline) {
        keyIds.push((await createApiKey(t.api, s, 'read_only')).id);
        await page.waitForTimeout(300);
        shown = await editorText(resultPane);
        if (shown.includes('create_api_key')) break;
      }
      expect(JSON.parse(shown)).toEqual({ data: { auditEventRecorded: { action: 'create_api_key', resourceType: 'api_key', resourceId: expect.any(String) } } });
      expect(keyIds).toContain(JSON.parse(shown).data.auditEventRecorded.resourceId);

      // Stopping the subscription from the IDE ends it, and the lazy client then closes its socket.
      await page.getByRole('button', { name: /^Stop query/ }).click();
      await expect.poll(() => socket!.closed, { timeout: WAIT_MS }).toBe(true);
      expect(socket!.sent.some((f) => f.includes('"complete"'))).toBe(true);

      // Without credentials the door refuses connection_init (close 4403): the pane says why, not "{}".
      await fillEditor(page, headersEditor, '');
      await run.click();
      await expect.poll(() => editorText(resultPane), { timeout: WAIT_MS }).toMatch(/WebSocket closed: 4403 .*Headers tab/);
      expect(sockets).toHaveLength(2);

      expect(foreign).toEqual([]);
      expect(requested.length).toBeGreaterThanOrEqual(7);
      expect(requested.filter((u) => !u.startsWith(`${t.url}/`))).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
