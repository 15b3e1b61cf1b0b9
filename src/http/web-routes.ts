/**
 * Serves the built web console (`npm run build:web` → dist/web) from memory.
 *
 * What is served, to anyone, for GET and HEAD only:
 * - `/` and the console's page paths (src/web/console-pages.ts): index.html, `Cache-Control: no-cache`;
 * - `/assets/<name>`: Vite's content-hashed files, cached for a year (`immutable`);
 * - the few files Vite copies to the top of the build (favicon.svg).
 * These are public on purpose, as the login page must load before anyone is logged in: they
 * hold code and translations, never data. Every datum comes from the API, which stays deny by
 * default (route-access.ts). This middleware runs after the API routers and never answers a
 * path under `/api/`, so it cannot shadow or open an API route; it is no Koa router, so the
 * auth middleware finds no route for these paths and lets them through.
 *
 * Files are read once into memory, by name, from the build's directory listing; a request path
 * is only ever looked up in that map, never joined to a file system path, so path traversal and
 * directory listings are impossible by construction. Without a build, the console paths answer
 * 503 saying how to build it, and the API works as before.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Middleware, Next } from 'koa';
import { CONSOLE_PATHS } from '../web/console-pages.ts';
import { sendProblem } from './problem.ts';

/** Where `npm run build:web` puts the console. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface File {
  readonly body: Buffer;
  readonly type: string;
}

interface Build {
  readonly index: Buffer;
  /** URL path → file, for `/assets/*` and the top-level files. */
  readonly files: ReadonlyMap<string, File>;
}

/** Regular files directly in `dir` whose type is known, by name. */
function filesIn(dir: string): [string, File][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name): [string, File][] => {
    const type = TYPES[path.extname(name)];
    const full = path.join(dir, name);
    if (!type || !statSync(full).isFile()) return [];
    return [[name, { body: readFileSync(full), type }]];
  });
}

/** The build in `dir`, or undefined when there is none (no index.html). Throws only on IO errors. */
export function loadBuild(dir: string): Build | undefined {
  const indexPath = path.join(dir, 'index.html');
  if (!existsSync(indexPath)) return undefined;
  const files = new Map<string, File>();
  for (const [name, f] of filesIn(dir)) if (name !== 'index.html') files.set(`/${name}`, f);
  for (const [name, f] of filesIn(path.join(dir, 'assets'))) files.set(`/assets/${name}`, f);
  return { index: readFileSync(indexPath), files };
}

const MISSING_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tocsin: console not built</title></head>
<body><h1>The web console is not built</h1>
<p>Run <code>npm run build:web</code> in the Tocsin directory, then reload this page.
The HTTP API (<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>) works without it.</p>
</body></html>
`;

function missing(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Retry-After', '60');
  if (ctx.accepts('html', 'json') === 'html') {
    ctx.status = 503;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = MISSING_HTML;
    return;
  }
  sendProblem(ctx, {
    type: 'urn:tocsin:problem:unavailable',
    title: 'Service Unavailable',
    status: 503,
    detail: 'the web console is not built: run `npm run build:web`',
    instance: ctx.path,
  });
}

/**
 * The console middleware. Mount it after the API routers. The build is read on the first
 * request that needs it (and again while there is none, so building while the server runs works).
 */
export function webConsole(o: { readonly dir?: string } = {}): Middleware {
  const dir = o.dir ?? DEFAULT_WEB_DIR;
  let build: Build | undefined;
  const current = (): Build | undefined => (build ??= loadBuild(dir));

  return async (ctx: Context, next: Next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/')) return next();
    if (CONSOLE_PATHS.has(ctx.path)) {
      const b = current();
      if (!b) return missing(ctx);
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = b.index;
      return;
    }
    const file = current()?.files.get(ctx.path);
    if (!file) return next();
    ctx.set('Cache-Control', ctx.path.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
