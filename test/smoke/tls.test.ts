// HTTPS end to end over real loopback sockets: Tocsin in embedded mode (PGlite in a temporary
// data directory) with TLS on. The default settings negotiate TLS 1.3, accept a TLS 1.2 client
// with an AEAD suite and refuse TLS 1.1 and CBC-only clients; the self-signed certificate is
// made once (key mode 0600) and reused; the redirect port answers 308; HSTS only over HTTPS.
// With TLS 1.1 compatibility on (and a configured RSA pair) the same refused clients connect and
// a warning is logged. A mismatched configured pair stops `tocsin start` with a clear message.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type ConnectionOptions } from 'node:tls';
import { generate } from 'selfsigned';
import { loadConfig } from '../../src/app/config.ts';
import { selfSignedPaths } from '../../src/app/tls.ts';
import { startTocsin, type Tocsin } from '../../src/app/tocsin.ts';
import { startHarness } from '../support/harness.ts';

const root = mkdtempSync(join(tmpdir(), 'tocsin-tls-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Bound for one handshake or request on loopback; never reached when things work. */
const BOUND_MS = 10_000;

interface Started {
  readonly tocsin: Tocsin;
  readonly port: number;
  readonly warnings: string[];
  /** Every info line's object, by message. */
  readonly infos: Map<string, Record<string, unknown>>;
}

async function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const warnings: string[] = [];
  const infos = new Map<string, Record<string, unknown>>();
  const config = loadConfig({ TOCSIN_LOG_LEVEL: 'silent', TOCSIN_HTTP_PORT: '0', TOCSIN_TLS: 'on', ...env });
  const tocsin = await startTocsin(config, {
    logger: {
      info: (o, msg) => infos.set(msg ?? '', o as Record<string, unknown>),
      warn: (_o, msg) => warnings.push(msg ?? ''),
      error() {},
    },
  });
  try {
    const { port } = await tocsin.listen();
    return { tocsin, port, warnings, infos };
  } catch (err) {
    await tocsin.stop();
    throw err;
  }
}

/** One TLS handshake; resolves with what was negotiated, rejects with the handshake error. */
function handshake(
  port: number,
  opts: ConnectionOptions,
): Promise<{ protocol: string | null; cipher: string; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts });
    socket.setTimeout(BOUND_MS, () => socket.destroy(new Error('handshake timed out')));
    socket.once('secureConnect', () => {
      const r = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().standardName,
        fingerprint256: socket.getPeerCertificate().fingerprint256,
      };
      socket.end();
      resolve(r);
    });
    socket.once('error', reject);
  });
}

/** A client that speaks only TLS 1.1 (and lowers its own security level to be able to). */
const tls11Client: ConnectionOptions = {
  minVersion: 'TLSv1.1',
  maxVersion: 'TLSv1.1',
  ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:@SECLEVEL=0',
};
/** A TLS 1.2 client offering only CBC (non-AEAD) suites. */
const cbcClient: ConnectionOptions = {
  maxVersion: 'TLSv1.2',
  ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA',
};

type Answer = { status: number; headers: IncomingHttpHeaders; text: string };

/** An HTTPS request verified against `ca` (the server's own certificate). */
function https(
  port: number,
  ca: string,
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        timeout: BOUND_MS,
        headers: payload ? { 'content-type': 'application/json', ...extra } : extra,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

function http(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, headers, timeout: BOUND_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

const embeddedDir = join(root, 'embedded');
let firstFingerprint = '';

describe('TLS on with the defaults (embedded, self-signed, redirect port)', () => {
  let s: Started;
  let ca: string;
  before(async () => {
    s = await start({ TOCSIN_DATA_DIR: embeddedDir, TOCSIN_HTTP_REDIRECT_PORT: '0' });
    ca = readFileSync(selfSignedPaths(embeddedDir).cert, 'utf8');
  });
  after(async () => {
    await s.tocsin.stop();
  });

  // The certificate is generated on first start; only the owner can read the key.
  it('creates the self-signed certificate with key mode 0600', async () => {
    const p = selfSignedPaths(embeddedDir);
    assert.equal(statSync(p.key).mode & 0o777, 0o600);
    const served = await handshake(s.port, { ca, servername: 'localhost', rejectUnauthorized: true });
    firstFingerprint = served.fingerprint256;
    assert.match(firstFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  // A client that can do both gets TLS 1.3 with a 1.3 suite.
  it('negotiates TLS 1.3 by default', async () => {
    const r = await handshake(s.port, {});
    assert.equal(r.protocol, 'TLSv1.3');
    assert.match(r.cipher, /^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
  });

  // A TLS 1.2-only client gets an ECDHE AEAD suite.
  it('accepts a TLS 1.2 client with an AEAD suite', async () => {
    const r = await handshake(s.port, { maxVersion: 'TLSv1.2' });
    assert.equal(r.protocol, 'TLSv1.2');
    assert.match(r.cipher, /^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
  });

  // TLS 1.1 is refused by the server's protocol_version alert (the same client connects once
  // compatibility is on, below).
  it('refuses a TLS 1.1 client', async () => {
    await assert.rejects(handshake(s.port, tls11Client), { code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
  });

  // CBC suites are not accepted, even over TLS 1.2: the server's handshake_failure alert.
  it('refuses a client offering only CBC suites', async () => {
    await assert.rejects(handshake(s.port, cbcClient), { code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
  });

  // Over HTTPS: HSTS and the other security headers; an alarm raised and read back.
  it('serves the API over HTTPS with HSTS', async () => {
    const health = await https(s.port, ca, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.text), { status: 'ok' });
    assert.equal(health.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    for (const [name, value] of Object.entries(securityHeaders)) assert.equal(health.headers[name], value, name);

    // End to end as a person would: log in as admin/admin over HTTPS, get a Secure session
    // cookie, change the forced password, then raise an alarm with the CSRF token and read it.
    const login = await https(s.port, ca, 'POST', '/api/v1/auth/login', { loginName: 'admin', password: 'admin' });
    assert.equal(login.status, 200, login.text);
    const setCookie = String(login.headers['set-cookie'] ?? '');
    assert.match(setCookie, /tocsin_session=[^;]+;.*secure/i, 'the session cookie is Secure under TLS');
    const { csrfToken, mustChangePassword } = JSON.parse(login.text) as {
      csrfToken: string;
      mustChangePassword: boolean;
    };
    assert.equal(mustChangePassword, true);
    const auth = { cookie: setCookie.split(';')[0]!, 'x-csrf-token': csrfToken };
    const early = await https(s.port, ca, 'POST', '/api/v1/alarms', { type: 'generic', text: 'too early' }, auth);
    assert.equal(early.status, 403, 'nothing but a password change until it is changed');
    const changed = await https(
      s.port,
      ca,
      'POST',
      '/api/v1/auth/password',
      { oldPassword: 'admin', newPassword: 'tls-Admin-password-1' },
      auth,
    );
    assert.equal(changed.status, 204, changed.text);
    const raised = await https(
      s.port,
      ca,
      'POST',
      '/api/v1/alarms',
      { type: 'generic', text: 'over TLS', id: 'tls-1' },
      auth,
    );
    assert.equal(raised.status, 201, raised.text);
    const read = await https(s.port, ca, 'GET', '/api/v1/alarms/tls-1', undefined, { cookie: auth.cookie });
    assert.equal(read.status, 200, read.text);
    assert.equal(JSON.parse(read.text).id, 'tls-1');
    assert.equal(read.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  });

  // The redirect port answers 308 to the same path on the HTTPS origin, with no body and no HSTS.
  it('redirects plain HTTP with 308', async () => {
    const rport = s.infos.get('plain HTTP redirects to HTTPS')?.port as number;
    assert.ok(rport > 0);
    const r = await http(rport, '/api/v1/alarms/tls-1?x=1', { host: `127.0.0.1:${rport}` });
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, `https://127.0.0.1:${s.port}/api/v1/alarms/tls-1?x=1`);
    assert.equal(r.text, '');
    assert.equal(r.headers['strict-transport-security'], undefined);
    // Without a usable Host header: the bind address.
    const bare = await http(rport, '/', { host: '' });
    assert.equal(bare.headers.location, `https://127.0.0.1:${s.port}/`);
  });
});

describe('a second start', () => {
  // Same data directory: the stored certificate is served again, not a new one.
  it('reuses the self-signed certificate', async () => {
    assert.notEqual(firstFingerprint, '');
    const s = await start({ TOCSIN_DATA_DIR: embeddedDir });
    try {
      assert.equal((await handshake(s.port, {})).fingerprint256, firstFingerprint);
    } finally {
      await s.tocsin.stop();
    }
  });
});

describe('TLS 1.1 compatibility on, with a configured RSA pair', () => {
  let s: Started;
  let fingerprint: string;
  before(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
    const cert = join(root, 'rsa-cert.pem');
    const key = join(root, 'rsa-key.pem');
    writeFileSync(cert, pems.cert);
    writeFileSync(key, pems.private);
    fingerprint = loadConfig({ TOCSIN_TLS: 'on', TOCSIN_TLS_CERT: cert, TOCSIN_TLS_KEY: key }).tls.certificate!
      .fingerprint256;
    s = await start({
      TOCSIN_DATA_DIR: join(root, 'legacy'),
      TOCSIN_TLS_CERT: cert,
      TOCSIN_TLS_KEY: key,
      TOCSIN_TLS_LEGACY: 'on',
    });
  });
  after(async () => {
    await s.tocsin.stop();
  });

  // The switch is logged as a warning at start.
  it('logs a warning', () => {
    assert.equal(s.warnings.filter((w) => /TLS 1\.1 compatibility is on/.test(w)).length, 1, String(s.warnings));
  });

  // The configured certificate is served, not a self-signed one.
  it('serves the configured certificate', async () => {
    assert.equal((await handshake(s.port, {})).fingerprint256, fingerprint);
  });

  // The client refused by default connects with TLS 1.1 and a CBC suite.
  it('accepts a TLS 1.1 client', async () => {
    const r = await handshake(s.port, tls11Client);
    assert.equal(r.protocol, 'TLSv1.1');
  });

  // The CBC-only client too.
  it('accepts a client offering only CBC suites', async () => {
    const r = await handshake(s.port, cbcClient);
    assert.match(r.cipher, /_CBC_/);
  });

  // Clients that can do better still get TLS 1.3, and AEAD under TLS 1.2 (the server's order).
  it('still prefers TLS 1.3 and AEAD', async () => {
    assert.equal((await handshake(s.port, {})).protocol, 'TLSv1.3');
    assert.match((await handshake(s.port, { maxVersion: 'TLSv1.2' })).cipher, /_GCM_|CHACHA20/);
  });
});

describe('TLS off', () => {
  // Plain HTTP on a real socket: the security headers without HSTS.
  it('sends the security headers without HSTS', async () => {
    const h = await startHarness();
    try {
      const { port } = await h.tocsin.listen();
      const r = await http(port, '/healthz');
      assert.equal(r.status, 200);
      assert.equal(r.headers['strict-transport-security'], undefined);
      for (const [name, value] of Object.entries(securityHeaders)) assert.equal(r.headers[name], value, name);
    } finally {
      await h.stop();
    }
  });
});

describe('a mismatched configured pair', () => {
  // `tocsin start` exits 2 before opening anything, naming both files.
  it('refuses to start with a clear message', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((cn) => generate([{ name: 'commonName', value: cn }], { keyType: 'ec', algorithm: 'sha256' })),
    );
    const cert = join(root, 'a-cert.pem');
    const key = join(root, 'b-key.pem');
    writeFileSync(cert, a!.cert);
    writeFileSync(key, b!.private);
    const bin = new URL('../../bin/tocsin.js', import.meta.url).pathname;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [bin, 'start'],
        {
          timeout: 30_000,
          env: {
            PATH: process.env.PATH,
            TOCSIN_DATA_DIR: join(root, 'mismatch'),
            TOCSIN_HTTP_PORT: '0',
            TOCSIN_TLS: 'on',
            TOCSIN_TLS_CERT: cert,
            TOCSIN_TLS_KEY: key,
          },
        },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `tocsin: invalid configuration:\n  - TOCSIN_TLS_KEY: the key in ${key} does not belong to the certificate in ${cert}\n`,
    );
  });
});
