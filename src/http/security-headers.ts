/**
 * Security headers on every answer (errors and 404s included): a strict Content Security
 * Policy (the API serves no scripts; a future web UI loads everything from its own origin),
 * no framing, no MIME sniffing, no referrer, a separate browsing context group and no powerful
 * browser features. HSTS only when the app is served over TLS: over plain HTTP it would be
 * ignored by browsers (RFC 6797 §8.1) and wrongly claim the origin speaks HTTPS.
 */
import type { Middleware } from 'koa';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';
/** Features no Tocsin page uses; enable one here only when a page needs it. */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=()';

/** Sets the headers before the rest of the chain runs, so every answer carries them. Never throws. */
export function securityHeaders(o: { readonly tls: boolean }): Middleware {
  const headers: Readonly<Record<string, string>> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': PERMISSIONS_POLICY,
    ...(o.tls ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
  };
  return async (ctx, next) => {
    ctx.set(headers);
    await next();
  };
}
