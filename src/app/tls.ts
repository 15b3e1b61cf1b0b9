/**
 * TLS for Tocsin: one settings object (versions, cipher suites, the TLS 1.1 compatibility
 * switch) shared by the HTTPS server now and the AXI and e-mail clients later; the server
 * certificate (a configured PEM pair, or a self-signed one kept in the data directory in
 * embedded mode); and the servers `listen()` opens (HTTPS plus an optional plain-HTTP port that
 * only redirects, or plain HTTP when TLS is off).
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../runtime/observer.ts';

/** TLS 1.3 suites (all AEAD), then ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2: forward secrecy and AEAD only. */
export const DEFAULT_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/**
 * Added after the defaults when TLS 1.1 compatibility is on: TLS 1.1 has no AEAD suite, so its
 * peers need ECDHE with AES-CBC. OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1/MD5 handshake signatures)
 * above security level 0, hence `@SECLEVEL=0` (which also ends any configured list).
 */
export const LEGACY_CIPHERS = [
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
].join(':');
const LEGACY_SECLEVEL = '@SECLEVEL=0';

/**
 * The TLS settings of the whole process. Its fields other than `legacy` are Node's option names:
 * spread `tlsOptions(settings)` into `https.createServer`, `tls.connect` or a mail transport.
 */
export interface TlsSettings {
  readonly minVersion: 'TLSv1.2' | 'TLSv1.1';
  /** TLS 1.3 is negotiated whenever the peer offers it. */
  readonly maxVersion: 'TLSv1.3';
  /** OpenSSL cipher string; TLS 1.3 suite names may be mixed in (Node splits them off). */
  readonly ciphers: string;
  /** The server picks the suite by its own order, not the client's (ignored by clients). */
  readonly honorCipherOrder: true;
  /** TLS 1.1 compatibility is on (logged as a warning at start). */
  readonly legacy: boolean;
}

/** Builds the settings: modern AEAD suites unless `ciphers` is given; `legacy` admits TLS 1.1 peers. Pure. */
export function tlsSettings(o: { readonly ciphers?: string | undefined; readonly legacy?: boolean } = {}): TlsSettings {
  const legacy = o.legacy === true;
  const base = o.ciphers ?? (legacy ? `${DEFAULT_CIPHERS}:${LEGACY_CIPHERS}` : DEFAULT_CIPHERS);
  return {
    minVersion: legacy ? 'TLSv1.1' : 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: legacy ? `${base}:${LEGACY_SECLEVEL}` : base,
    honorCipherOrder: true,
    legacy,
  };
}

/** The settings as Node TLS options (without `legacy`), for servers and clients alike. */
export function tlsOptions(s: TlsSettings): {
  minVersion: TlsSettings['minVersion'];
  maxVersion: TlsSettings['maxVersion'];
  ciphers: string;
  honorCipherOrder: boolean;
} {
  return {
    minVersion: s.minVersion,
    maxVersion: s.maxVersion,
    ciphers: s.ciphers,
    honorCipherOrder: s.honorCipherOrder,
  };
}

/**
 * What is wrong with a configured cipher string: every entry must name a suite or an alias
 * OpenSSL knows (OpenSSL itself ignores an unknown name as long as another one matches).
 * Operators (`!x`, `-x`, `+x`, `@STRENGTH`) are passed through. Returns [] when it is usable.
 */
export function cipherProblems(ciphers: string): string[] {
  const unknown = ciphers
    .split(':')
    .map((c) => c.trim())
    .filter((c) => c !== '' && !/^[!+@-]/.test(c))
    .filter((c) => {
      try {
        createSecureContext({ ciphers: c });
        return false;
      } catch {
        return true;
      }
    });
  if (unknown.length > 0) return [`unknown cipher suite(s): ${unknown.join(', ')}`];
  try {
    createSecureContext({ ciphers });
  } catch (err) {
    return [`not a usable cipher list (${(err as Error).message})`];
  }
  return [];
}

/** A server certificate (PEM, possibly with its chain) and its private key, checked to belong together. */
export interface ServerCertificate {
  readonly cert: string;
  /** A KeyObject: printing or logging the configuration does not show the key. */
  readonly key: KeyObject;
  /** SHA-256 fingerprint of the leaf certificate, `AB:CD:…`. */
  readonly fingerprint256: string;
  readonly validTo: Date;
}

/**
 * Reads a PEM certificate and key pair and checks that the key belongs to the certificate.
 * Never throws: returns the pair, or problems prefixed with the variable they concern.
 */
export function readCertificate(
  certPath: string,
  keyPath: string,
  names: { readonly cert: string; readonly key: string } = { cert: 'TOCSIN_TLS_CERT', key: 'TOCSIN_TLS_KEY' },
):
  { readonly ok: true; readonly certificate: ServerCertificate } | { readonly ok: false; readonly problems: string[] } {
  const problems: string[] = [];
  let cert: string | undefined;
  let x509: X509Certificate | undefined;
  let key: KeyObject | undefined;
  try {
    cert = readFileSync(certPath, 'utf8');
    x509 = new X509Certificate(cert);
  } catch (err) {
    problems.push(`${names.cert}: ${describeReadError(certPath, 'a PEM certificate', err)}`);
  }
  try {
    key = createPrivateKey(readFileSync(keyPath, 'utf8'));
  } catch (err) {
    problems.push(`${names.key}: ${describeReadError(keyPath, 'an unencrypted PEM private key', err)}`);
  }
  if (!cert || !x509 || !key) return { ok: false, problems };
  if (!x509.checkPrivateKey(key)) {
    return {
      ok: false,
      problems: [`${names.key}: the key in ${keyPath} does not belong to the certificate in ${certPath}`],
    };
  }
  return { ok: true, certificate: { cert, key, fingerprint256: x509.fingerprint256, validTo: new Date(x509.validTo) } };
}

function describeReadError(path: string, what: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM') {
    return `cannot read ${path} (${(err as Error).message})`;
  }
  return `${path} is not ${what} (${(err as Error).message})`;
}

/** Where embedded mode keeps its self-signed certificate, below the data directory. */
export function selfSignedPaths(dataDir: string): {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
} {
  const dir = join(dataDir, 'tls');
  return { dir, cert: join(dir, 'self-signed-cert.pem'), key: join(dir, 'self-signed-key.pem') };
}

const SELF_SIGNED_DAYS = 825;
const RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * The self-signed certificate of an embedded Tocsin: reuses the one in `<dataDir>/tls/`, or
 * generates a new one (ECDSA P-256, SHA-256, names localhost, 127.0.0.1, ::1 and this host) when
 * there is none or it expires within 30 days. The key is written with mode 0600, each file by an
 * atomic rename. Throws (with the problems) when a stored pair is unreadable or mismatched:
 * replacing what someone put there is not ours to decide. Not safe to run twice at once (the
 * data-dir lock prevents that).
 */
export async function selfSignedCertificate(
  dataDir: string,
  logger: Logger,
  now: Date = new Date(),
): Promise<ServerCertificate> {
  const p = selfSignedPaths(dataDir);
  const existing = [p.cert, p.key].map((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
  if (existing[0] && existing[1]) {
    const r = readCertificate(p.cert, p.key, { cert: 'self-signed certificate', key: 'self-signed key' });
    if (!r.ok) {
      throw new Error(`${r.problems.join('; ')}; remove both files to have a new certificate generated`);
    }
    if (r.certificate.validTo.getTime() - now.getTime() > RENEW_BEFORE_MS) return r.certificate;
    logger.info({ cert: p.cert, validTo: r.certificate.validTo.toISOString() }, 'self-signed TLS certificate renewed');
  }
  const host = hostname();
  const dns = ['localhost', ...(/^[A-Za-z0-9.-]+$/.test(host) && host !== 'localhost' ? [host] : [])];
  // Loaded only here: the library (and its ASN.1 stack) costs ~150 ms and is needed once per data dir.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'Tocsin (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dns.map((value) => ({ type: 2 as const, value })),
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  writeAtomically(p.key, pems.private, 0o600);
  writeAtomically(p.cert, pems.cert, 0o644);
  const r = readCertificate(p.cert, p.key);
  if (!r.ok) throw new Error(`the generated certificate cannot be read back: ${r.problems.join('; ')}`);
  logger.info({ cert: p.cert, fingerprint256: r.certificate.fingerprint256 }, 'self-signed TLS certificate generated');
  return r.certificate;
}

function writeAtomically(path: string, content: string, mode: number): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode); // the umask may have removed bits, never added them; make it exact
  renameSync(tmp, path);
}

/** What `openServers` needs to know (a slice of Config). */
export interface ServersConfig {
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly tls: {
    readonly enabled: boolean;
    readonly settings: TlsSettings;
    /** The configured pair; undefined in embedded mode means self-signed. */
    readonly certificate: ServerCertificate | undefined;
    readonly redirectPort: number | undefined;
  };
}

/**
 * Opens the API port: HTTPS with the TLS settings when TLS is on (plus the redirect port when
 * configured), plain HTTP otherwise. Resolves with the API's bound address and every server
 * opened; rejects (closing whatever it opened) when a port cannot be bound or the certificate
 * cannot be had.
 */
export async function openServers(
  config: ServersConfig,
  handler: RequestListener,
  logger: Logger,
): Promise<{ readonly address: { host: string; port: number }; readonly servers: readonly Server[] }> {
  const { host, port } = config.http;
  if (config.tls.settings.legacy) {
    logger.warn(
      { minVersion: config.tls.settings.minVersion, ciphers: config.tls.settings.ciphers },
      'TLS 1.1 compatibility is on (TOCSIN_TLS_LEGACY=on): TLS 1.1 peers and AES-CBC suites are accepted at OpenSSL security level 0',
    );
  }
  if (!config.tls.enabled) {
    const srv = createHttpServer(handler);
    return { address: await listenOn(srv, port, host), servers: [srv] };
  }
  const certificate = config.tls.certificate ?? (await selfSignedCertificate(config.dataDir, logger));
  const srv = createHttpsServer(
    {
      ...tlsOptions(config.tls.settings),
      cert: certificate.cert,
      key: certificate.key.export({ type: 'pkcs8', format: 'pem' }),
    },
    handler,
  );
  srv.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    logger.info({ code: err.code, remote: socket.remoteAddress }, 'TLS handshake refused');
  });
  const address = await listenOn(srv, port, host);
  if (config.tls.redirectPort === undefined) return { address, servers: [srv] };
  const redirect = createHttpServer(redirectHandler(host, address.port));
  try {
    const r = await listenOn(redirect, config.tls.redirectPort, host);
    logger.info({ host: r.host, port: r.port, to: address.port }, 'plain HTTP redirects to HTTPS');
  } catch (err) {
    await new Promise<void>((r) => srv.close(() => r()));
    throw err;
  }
  return { address, servers: [srv, redirect] };
}

/**
 * Answers every request with 308 to the same path on the HTTPS origin and nothing else. The host
 * is the request's Host (as nginx's `https://$host$request_uri`: it only ever sends the client
 * where it already said it was going), or the bind address when Host is missing or malformed.
 */
export function redirectHandler(bindHost: string, httpsPort: number): RequestListener {
  const fallback = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  const origin = (req: IncomingMessage) => {
    let name = fallback;
    try {
      const parsed = req.headers.host ? new URL(`http://${req.headers.host}`).hostname : '';
      if (parsed !== '') name = parsed;
    } catch {
      // malformed Host: the bind address
    }
    return `https://${name}${httpsPort === 443 ? '' : `:${httpsPort}`}`;
  };
  return (req, res) => {
    const path = req.url?.startsWith('/') ? req.url : '/';
    res.writeHead(308, { Location: `${origin(req)}${path}`, 'Content-Length': '0' });
    res.end();
  };
}

function listenOn(srv: Server, port: number, host: string): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => {
      srv.off('error', reject);
      const addr = srv.address() as AddressInfo | null;
      resolve(addr ? { host: addr.address, port: addr.port } : { host, port });
    });
  });
}
