// Serving the built console (src/http/web-routes.ts): index.html for the console's pages only,
// hashed assets with a year's cache, no directory listings, no path traversal, nothing under
// /api/, only GET/HEAD; a clear 503 without a build; the strict CSP on every answer. Against a
// small app with the real security-header and problem middleware and a build in a temp dir.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Koa from 'koa';
import { problemMiddleware } from '../../src/http/problem.ts';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../src/http/security-headers.ts';
import { webConsole } from '../../src/http/web-routes.ts';
import { CONSOLE_PATHS, landingPage, mayOpen, pageAt } from '../../src/web/console-pages.ts';
import { inject } from '../support/inject.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const INDEX = '<!doctype html><title>console</title><script type="module" src="/assets/index-abc123.js"></script>';
let root: string;
let built: string;
let handler: ReturnType<Koa['callback']>;
let unbuilt: ReturnType<Koa['callback']>;

function appFor(dir: string) {
  const app = new Koa();
  app.use(securityHeaders({ tls: false }));
  app.use(problemMiddleware({ info() {}, warn() {}, error() {} }));
  app.use(webConsole({ dir }));
  return app.callback();
}

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tocsin-web-'));
  built = path.join(root, 'web');
  mkdirSync(path.join(built, 'assets'), { recursive: true });
  writeFileSync(path.join(built, 'index.html'), INDEX);
  writeFileSync(path.join(built, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(built, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(built, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(path.join(built, 'assets', 'notes.unknown'), 'not served: unknown type');
  mkdirSync(path.join(built, 'assets', 'sub'));
  writeFileSync(path.join(root, 'secret.js'), 'outside the build');
  handler = appFor(built);
  unbuilt = appFor(path.join(root, 'nothing-here'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('web console serving', () => {
  it('answers every console page with index.html, not cached, under the strict CSP', async () => {
    for (const p of CONSOLE_PATHS) {
      const r = await inject(handler, 'GET', p);
      assert.equal(r.status, 200, p);
      assert.equal(r.text, INDEX);
      assert.match(r.headers['content-type']!, /^text\/html/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
    }
    // The page of one alarm, by its id; a path that is no id is no page.
    const timeline = await inject(handler, 'GET', '/alarms/7b19a94c-c473-47e8-9b08-ee201cab49e4');
    assert.equal(timeline.status, 200);
    assert.equal(timeline.text, INDEX);
    assert.equal((await inject(handler, 'GET', '/alarms/a/b')).status, 404);
  });

  it('serves hashed assets for a year and top-level files without long cache', async () => {
    const js = await inject(handler, 'GET', '/assets/index-abc123.js');
    assert.equal(js.status, 200);
    assert.equal(js.text, 'console.log(1)');
    assert.match(js.headers['content-type']!, /^text\/javascript/);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    const css = await inject(handler, 'GET', '/assets/index-abc123.css');
    assert.match(css.headers['content-type']!, /^text\/css/);
    const icon = await inject(handler, 'GET', '/favicon.svg');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  it('HEAD works like GET without a body', async () => {
    const r = await inject(handler, 'HEAD', '/assets/index-abc123.js');
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });

  it('anything else is a 404 problem: unknown pages, folders, unknown types, traversal, /api/', async () => {
    const cases = [
      '/nope', // not a console page: no catch-all
      '/assets/', // no directory listing
      '/assets', // no directory listing
      '/assets/sub', // a folder is not a file
      '/assets/notes.unknown', // a type the server does not serve
      '/index.html', // the index only at its page paths
      '/assets/../secret.js', // traversal (normalised by the client)
      '/assets/..%2fsecret.js', // traversal, encoded
      '/assets/%2e%2e/%2e%2e/secret.js',
      '/..%2f..%2fetc%2fpasswd',
      '/api/v1/board', // never under /api/
      '/api/',
    ];
    for (const p of cases) {
      const r = await inject(handler, 'GET', p);
      assert.equal(r.status, 404, `${p}: ${r.status} ${r.text.slice(0, 100)}`);
      assert.equal(r.headers['content-type'], 'application/problem+json', p);
      assert.doesNotMatch(r.text, /outside the build|console\.log/, p);
    }
  });

  it('only GET and HEAD: a POST to a page is not served', async () => {
    const r = await inject(handler, 'POST', '/board', {});
    assert.equal(r.status, 404);
    assert.equal(r.headers['content-type'], 'application/problem+json');
  });

  it('without a build: 503 saying how to build, HTML for browsers and a problem for API clients', async () => {
    const html = await inject(unbuilt, 'GET', '/board', undefined, { accept: 'text/html' });
    assert.equal(html.status, 503);
    assert.match(html.headers['content-type']!, /^text\/html/);
    assert.match(html.text, /npm run build:web/);
    assert.doesNotMatch(html.text, /<script|style=/); // nothing the CSP would block
    const json = await inject(unbuilt, 'GET', '/', undefined, { accept: 'application/json' });
    assert.equal(json.status, 503);
    assert.equal(json.headers['content-type'], 'application/problem+json');
    assert.match(json.json.detail, /npm run build:web/);
    const asset = await inject(unbuilt, 'GET', '/assets/index-abc123.js');
    assert.equal(asset.status, 404);
  });

  it('console pages never collide with the API or the operations endpoints', () => {
    for (const p of CONSOLE_PATHS) {
      assert.ok(!p.startsWith('/api/') && !['/healthz', '/readyz', '/metrics'].includes(p), p);
    }
  });

  it('a user lands on their start page when they may open it, else on the first page they may', () => {
    const operator = ['operation.alarms.view', 'operation.alarms.trigger'];
    assert.equal(landingPage('/board', operator), '/board');
    // an admin page the user may not open: the board instead
    assert.equal(landingPage('/admin/users', operator), '/board');
    // the default start page `/` and unknown pages: the first page permitted
    assert.equal(landingPage('/', ['user-administration']), '/admin/users');
    assert.equal(landingPage('/nowhere?x=1', operator), '/board');
    // a query or fragment after a known page is ignored
    assert.equal(landingPage('/admin/users#top', ['user-administration']), '/admin/users');
    // nothing permitted: the account page, which everyone may open
    assert.equal(landingPage(undefined, []), '/password');
  });

  it('a page of several permissions opens on any one of them (the phones page, as GET /api/v1/phones)', () => {
    const phones = pageAt('/phones')!;
    assert.deepEqual(phones.permission, ['operation.phones.locating-alert', 'system.phones']);
    assert.ok(mayOpen(phones, ['operation.phones.locating-alert']));
    assert.ok(mayOpen(phones, ['system.phones']));
    assert.ok(mayOpen(phones, ['system.phones', 'operation.phones.locating-alert']));
    assert.ok(!mayOpen(phones, ['operation.alarms.view', 'system.interfaces']));
    assert.ok(!mayOpen(phones, []));
    // single-permission pages and pages for everyone are unchanged
    assert.ok(mayOpen(pageAt('/board')!, ['operation.alarms.view']));
    assert.ok(!mayOpen(pageAt('/board')!, ['system.phones']));
    assert.ok(mayOpen(pageAt('/password')!, []));
    // the start page, and the first page permitted, on either permission
    assert.equal(landingPage('/phones', ['system.phones']), '/phones');
    assert.equal(landingPage('/phones', ['operation.phones.locating-alert']), '/phones');
    assert.equal(landingPage(undefined, ['system.phones']), '/phones');
    assert.equal(landingPage('/', ['system.phones', 'system.interfaces']), '/phones');
    assert.equal(landingPage('/phones', ['operation.alarms.view']), '/board');
    assert.equal(landingPage('/phones', []), '/password');
  });
});

describe('web console in the whole app', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('the API stays deny by default next to the public console', async () => {
    const anon = { 'x-anonymous': '1' };
    // an API route still needs credentials
    assert.equal((await h.request('GET', '/api/v1/alarms', undefined, anon)).status, 401);
    // an unknown API path is a 404 problem, never the console's index.html
    const unknown = await h.request('GET', '/api/v1/no-such-thing', undefined, anon);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers['content-type'], 'application/problem+json');
    // a console page is public (built: 200 HTML; not built: 503) and carries the CSP
    const page = await h.request('GET', '/board', undefined, { ...anon, accept: 'text/html' });
    assert.ok(page.status === 200 || page.status === 503, String(page.status));
    assert.match(page.headers['content-type']!, /^text\/html/);
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  });
});
