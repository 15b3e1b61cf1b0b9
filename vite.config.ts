/**
 * Builds the web console (src/web) into dist/web, which src/http/web-routes.ts serves.
 * Preact through Vite's own JSX transform (no plugin). The output must pass the server's CSP
 * (`default-src 'self'`): no inline scripts or styles, no data: URLs (assetsInlineLimit 0),
 * no module-preload polyfill (it is not needed by the browsers we support).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web',
  publicDir: 'public',
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite` for front-end work: the API comes from a running Tocsin (npm start / npm run demo).
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
