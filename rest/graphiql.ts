import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express, Request } from 'express';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/**
 * The IDE's files by the name they are served under. Only these files are exposed (not the package folders):
 * GraphiQL 3's UMD build with the React 18 and graphql-ws UMD builds it runs on, all from node_modules, so
 * the explorer works offline and no third-party host learns who uses it.
 */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.production.min.js': { file: path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'application/javascript' },
  'react-dom.production.min.js': { file: path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: 'application/javascript' },
  'graphql-ws.min.js': { file: path.join(packageDir('graphql-ws'), 'umd/graphql-ws.min.js'), type: 'application/javascript' },
  'graphiql.min.js': { file: path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'application/javascript' },
  'graphiql.min.css': { file: path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
};

/**
 * Everything the page loads or talks to is this origin. GraphiQL's stylesheet embeds its fonts and icons as
 * data: URLs, and its dialogs (Radix, via react-style-singleton) add <style> elements for their scroll lock,
 * hence 'unsafe-inline' for styles only; scripts stay 'self'.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DEFAULT_QUERY = `# Haltfree GraphQL explorer
#
# Most operations need credentials: sign in (mutation
# login, or POST /api/v1/auth/login) and put the token
# in the Headers tab below:
#   {"Authorization": "Bearer <accessToken>"}
# or an API key: {"X-API-Key": "hk_..."}.
# Subscriptions run over graphql-ws on /graphql with
# the same headers (see the README's GraphQL section).

query Me {
  me {
    email
    role
  }
}
`;

/** True for a browser navigation: a GET that prefers HTML over every GraphQL response type (as Apollo's landing page decides). */
export function prefersHtml(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

/** The page: markup only, every script a separate file so the page runs under a CSP without 'unsafe-inline' scripts. */
export function graphiqlPage(assetBase: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Haltfree GraphQL explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetBase}/graphiql.min.css"></head>
<body><div id="graphiql">Loading the GraphQL explorer…</div>
<noscript>The GraphQL explorer needs JavaScript. API clients: POST /graphql with a JSON body.</noscript>
<script src="${assetBase}/react.production.min.js"></script>
<script src="${assetBase}/react-dom.production.min.js"></script>
<script src="${assetBase}/graphql-ws.min.js"></script>
<script src="${assetBase}/graphiql.min.js"></script>
<script src="${assetBase}/graphiql-init.js"></script>
</body></html>`;
}

/**
 * Our own fetcher rather than GraphiQL.createFetcher: the toolkit's websocket path imports graphql-ws as an
 * ES module (absent from the UMD build), and it would open the socket with the headers of the first run only.
 * graphql-ws sends credentials once, in connection_init, so each distinct set of headers gets its own lazy
 * client: editing the Headers tab applies to the next subscription, and a client closes its socket when its
 * last subscription ends.
 */
export function graphiqlInitScript(endpoint: string): string {
  return `(function () {
  'use strict';
  var endpoint = ${JSON.stringify(endpoint)};
  var wsUrl = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + endpoint;
  var defaultQuery = ${JSON.stringify(DEFAULT_QUERY)};
  var ws = { key: null, client: null };

  function wsClient(headers) {
    var key = JSON.stringify(headers);
    if (ws.key !== key) {
      ws.key = key;
      ws.client = graphqlWs.createClient({ url: wsUrl, connectionParams: headers, lazy: true, retryAttempts: 0 });
    }
    return ws.client;
  }

  // GraphiQL derives the operation name and document from the editor 100 ms after the last edit, so a run
  // right after a paste carries those of the previous text: parse the text that is actually sent.
  function operationOf(params) {
    var ast;
    // A syntax error goes to the server, which reports it with its location.
    try { ast = GraphiQL.GraphQL.parse(params.query); } catch (e) { return { params: params, kind: undefined }; }
    var ops = ast.definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
    var named = params.operationName && ops.find(function (d) { return d.name && d.name.value === params.operationName; });
    if (!named && ops.length === 1) {
      params = Object.assign({}, params, { operationName: ops[0].name ? ops[0].name.value : undefined });
      named = ops[0];
    }
    return { params: params, kind: named ? named.operation : undefined };
  }

  // A closed socket reports a CloseEvent, which GraphiQL would print as {}.
  function wsError(e) {
    if (e && typeof e.code === 'number') {
      var why = e.code === 4403 ? ' (no or invalid credentials: set Authorization or X-API-Key in the Headers tab)' : '';
      return new Error('WebSocket closed: ' + e.code + ' ' + (e.reason || '') + why);
    }
    if (Array.isArray(e)) return new Error(e.map(function (x) { return x.message; }).join('; '));
    return e instanceof Error ? e : new Error(String(e));
  }

  function subscribe(params, headers) {
    return {
      subscribe: function (observer) {
        var dispose = wsClient(headers).subscribe(params, {
          next: function (v) { observer.next(v); },
          error: function (e) { observer.error(wsError(e)); },
          complete: function () { observer.complete(); },
        });
        return { unsubscribe: dispose };
      },
    };
  }

  function post(params, headers) {
    return fetch(endpoint, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (res) {
      return res.text().then(function (text) {
        try { return JSON.parse(text); } catch (e) { return { errors: [{ message: 'HTTP ' + res.status + ': ' + text.slice(0, 500) }] }; }
      });
    });
  }

  function fetcher(params, opts) {
    var headers = (opts && opts.headers) || {};
    var op = operationOf(params);
    return op.kind === 'subscription' ? subscribe(op.params, headers) : post(op.params, headers);
  }

  var root = document.getElementById('graphiql');
  root.textContent = '';
  root.style.height = '100vh';
  document.body.style.margin = '0';
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
    // Tokens stay out of localStorage unless the user opts in from the settings dialog.
    shouldPersistHeaders: false,
  }));
})();
`;
}

/**
 * Serves GraphiQL on `endpoint` to browser navigations and its assets under `assetBase`. Register before the
 * GraphQL handler: every other request to `endpoint` (API clients, and GETs without Apollo's CSRF preflight
 * header) falls through to Apollo unchanged.
 */
export function mountGraphiql(app: Express, endpoint: string, assetBase: string): void {
  const page = graphiqlPage(assetBase);
  const init = graphiqlInitScript(endpoint);
  app.get(endpoint, (req, res, next) => {
    if (!prefersHtml(req)) return next();
    // Same URL, two representations: a cache must not hand the page to an API client or the reverse.
    res.setHeader('Vary', 'Accept');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(page);
  });
  app.get(`${assetBase}/graphiql-init.js`, (_req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('application/javascript').send(init);
  });
  app.get(`${assetBase}/:file`, (req, res, next) => {
    const asset = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!asset) return next();
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(asset.file, { maxAge: '1d', headers: { 'Content-Type': asset.type } }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  });
}
