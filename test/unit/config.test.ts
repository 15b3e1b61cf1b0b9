// loadConfig (src/app/config.ts) as a table, one comment per case: defaults, the environment
// variables' checks, the TOCSIN_CONFIG file (missing, not JSON, schema violations with their
// JSON paths), duplicate alarm types, the embedded/cluster decision and TLS (switch, certificate
// pair, cipher list, TLS 1.1 compatibility, redirect port). Config files and certificates are
// written to a fresh temporary directory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { ConfigError, defaultFileConfig, loadConfig, type Config } from '../../src/app/config.ts';
import { DEFAULT_CIPHERS, LEGACY_CIPHERS } from '../../src/app/tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `content` (a string as is, anything else as JSON) to a file in the temp dir; returns its path. */
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

// Two certificate/key pairs (EC, fast to make): `one` and `two`, and `one`'s cert with `two`'s key.
const [one, two] = await Promise.all(
  ['one', 'two'].map((cn) => generate([{ name: 'commonName', value: cn }], { keyType: 'ec', algorithm: 'sha256' })),
);
const certOne = file('one-cert.pem', one!.cert);
const keyOne = file('one-key.pem', one!.private);
const keyTwo = file('two-key.pem', two!.private);

const alarmType = (over: Record<string, unknown> = {}) => ({ id: 'fire', name: 'Fire', priority: 1, ...over });

/** The problems loadConfig reports for `env`; fails the test when it does not throw ConfigError. */
function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
    assert.match(err.message, /^invalid configuration:\n {2}- /);
    for (const p of err.problems) assert.ok(err.message.includes(p), 'the message lists every problem');
    return err.problems;
  }
  assert.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: accepted', () => {
  // With an empty environment: embedded mode on loopback port 8080, the built-in groups and types.
  it('defaults', () => {
    const c = loadConfig({});
    const expected: Config = {
      mode: 'embedded',
      dataDir: resolve('./data'),
      http: { host: '127.0.0.1', port: 8080 },
      databaseUrl: undefined,
      redisUrl: undefined,
      configPath: undefined,
      dbSchema: undefined,
      queuePrefix: '{tocsin}',
      logLevel: 'info',
      reconcileIntervalMs: 5000,
      loopbackJournal: undefined,
      embeddedFsync: true,
      // No DECT link: the loopback channel notifies.
      dect: undefined,
      // No ESPA line, no ESPA-X server.
      espa: { espa444: [], espax: undefined },
      // TLS off; the shared settings: TLS 1.2–1.3, AEAD suites only, TLS 1.1 compatibility off.
      tls: {
        enabled: false,
        settings: {
          minVersion: 'TLSv1.2',
          maxVersion: 'TLSv1.3',
          ciphers: DEFAULT_CIPHERS,
          honorCipherOrder: true,
          legacy: false,
        },
        certificate: undefined,
        redirectPort: undefined,
      },
      file: defaultFileConfig,
    };
    assert.deepEqual(c, expected);
    assert.deepEqual(
      c.file.alarmTypes.map((t) => [t.id, t.plan]),
      [
        ['generic', 'escalate@1'],
        ['emergency', 'escalate@1'],
        ['man-down', 'escalate@1'],
      ],
    );
  });

  const accepted: readonly { name: string; env: NodeJS.ProcessEnv; check: (c: Config) => void }[] = [
    // A DECT link: TLS on 12622 by default, the pinned fingerprint upper-cased, default triggers.
    {
      name: 'DECT over TLS with a pinned certificate',
      env: {
        TOCSIN_DECT_HOST: '10.1.2.3',
        TOCSIN_DECT_USER: 'omm',
        TOCSIN_DECT_PASSWORD: 'secret',
        TOCSIN_DECT_FINGERPRINT: 'ab:'.repeat(31) + 'ab',
      },
      check: (c) =>
        assert.deepEqual(c.dect, {
          host: '10.1.2.3',
          port: 12622,
          tls: true,
          fingerprint: 'AB:'.repeat(31) + 'AB',
          ca: undefined,
          username: 'omm',
          password: 'secret',
          fromAddr: 'tel:9999',
          fromName: 'Tocsin',
          confirmElement: 'confirm',
          triggers: { SOS: 'emergency', MANDOWN: 'man-down', NOMOVEMENT: 'man-down' },
          locations: {},
          messageRules: [],
          environment: 'default',
          onDuty: [],
        }),
    },
    // Plain AXI (debugging) on 12621, the other confirmation element, own triggers.
    {
      name: 'DECT plain with triggers',
      env: {
        TOCSIN_DECT_HOST: 'omm.ship.local',
        TOCSIN_DECT_TLS: 'off',
        TOCSIN_DECT_USER: 'omm',
        TOCSIN_DECT_PASSWORD: 'secret',
        TOCSIN_DECT_CONFIRM: 'confirmReq',
        TOCSIN_DECT_TRIGGERS: 'sos=fire, loc-*=generic ,*=generic',
        TOCSIN_DECT_LOCATIONS: '10=Deck 5 fore, 11 = Deck 5 aft',
        TOCSIN_DECT_ENVIRONMENT: 'ship',
        TOCSIN_DECT_MESSAGE_RULES: 'FIRE*=fire, *help*=emergency',
        TOCSIN_DECT_ON_DUTY: '4711, 4712',
      },
      check: (c) => {
        assert.deepEqual(c.dect?.onDuty, ['4711', '4712']);
        assert.deepEqual(c.dect?.messageRules, [
          { pattern: 'FIRE*', alarmType: 'fire' },
          { pattern: '*help*', alarmType: 'emergency' },
        ]);
        assert.deepEqual(c.dect?.locations, { 10: 'Deck 5 fore', 11: 'Deck 5 aft' });
        assert.equal(c.dect?.environment, 'ship');
        assert.equal(c.dect?.port, 12621);
        assert.equal(c.dect?.confirmElement, 'confirmReq');
        assert.deepEqual(c.dect?.triggers, { SOS: 'fire', 'LOC-*': 'generic', '*': 'generic' });
      },
    },
    // ESPA 4.4.4: a nurse-call line Tocsin waits on, a pager line it dials; the ESPA-X server.
    {
      name: 'ESPA lines and the ESPA-X server',
      env: {
        TOCSIN_ESPA444_LINKS: JSON.stringify([
          {
            id: 'nursecall',
            role: 'paging',
            listen: '0.0.0.0:4001',
            allowFrom: ['10.0.0.7'],
            rules: [{ address: '2*', alarmType: 'nurse-call' }, { alarmType: 'generic' }],
          },
          { id: 'pagers', role: 'control', connect: '[::1]:4002', charset: 'ia5', retries: 5 },
        ]),
        TOCSIN_ESPAX_PORT: '2016',
        TOCSIN_ESPAX_CLIENTS: JSON.stringify([{ client: 'Ward3', user: 'nurse3', password: 'secret12' }]),
        TOCSIN_ESPAX_RULES: JSON.stringify([{ signal: 'Emergency', alarmType: 'fast' }, { alarmType: 'generic' }]),
      },
      check: (c) => {
        const [nc, pg] = c.espa.espa444;
        assert.deepEqual(nc?.listen, { host: '0.0.0.0', port: 4001 });
        assert.equal(nc?.charset, 'latin1');
        assert.equal(nc?.sendsPagers, false);
        assert.equal(nc?.rules.length, 2);
        assert.deepEqual(pg?.connect, { host: '::1', port: 4002 });
        assert.equal(pg?.sendsPagers, true);
        assert.equal(pg?.retries, 5);
        assert.deepEqual(c.espa.espax, {
          host: '127.0.0.1',
          port: 2016,
          tls: true,
          clients: [{ client: 'Ward3', user: 'nurse3', password: 'secret12' }],
          rules: [{ signal: 'Emergency', alarmType: 'fast' }, { alarmType: 'generic' }],
          heartbeatTimeoutMs: undefined,
        });
      },
    },
    // Any address with TLS on: the wildcard too.
    {
      name: 'host 0.0.0.0 with TLS',
      env: { TOCSIN_HTTP_HOST: '0.0.0.0', TOCSIN_TLS: 'on' },
      check: (c) => {
        assert.equal(c.http.host, '0.0.0.0');
        assert.equal(c.tls.enabled, true);
      },
    },
    // Every loopback spelling is allowed as the bind address.
    {
      name: 'host 127.0.0.1',
      env: { TOCSIN_HTTP_HOST: '127.0.0.1' },
      check: (c) => assert.equal(c.http.host, '127.0.0.1'),
    },
    {
      name: 'host 127.1.2.3',
      env: { TOCSIN_HTTP_HOST: '127.1.2.3' },
      check: (c) => assert.equal(c.http.host, '127.1.2.3'),
    },
    { name: 'host ::1', env: { TOCSIN_HTTP_HOST: '::1' }, check: (c) => assert.equal(c.http.host, '::1') },
    {
      name: 'host localhost',
      env: { TOCSIN_HTTP_HOST: 'localhost' },
      check: (c) => assert.equal(c.http.host, 'localhost'),
    },
    // Port 0 (an ephemeral port, for tests) and the top of the range.
    { name: 'port 0', env: { TOCSIN_HTTP_PORT: '0' }, check: (c) => assert.equal(c.http.port, 0) },
    { name: 'port 65535', env: { TOCSIN_HTTP_PORT: '65535' }, check: (c) => assert.equal(c.http.port, 65535) },
    // The data directory is made absolute.
    {
      name: 'relative data dir',
      env: { TOCSIN_DATA_DIR: 'x/y' },
      check: (c) => assert.equal(c.dataDir, resolve('x/y')),
    },
    // fsync can be turned off explicitly.
    { name: 'fsync off', env: { TOCSIN_EMBEDDED_FSYNC: 'off' }, check: (c) => assert.equal(c.embeddedFsync, false) },
    // Cluster mode is chosen by a PostgreSQL URL alone (timers then run in-process) ...
    {
      name: 'cluster mode: DATABASE_URL only',
      env: { TOCSIN_DATABASE_URL: 'postgres://db/tocsin' },
      check: (c) => {
        assert.equal(c.mode, 'cluster');
        assert.equal(c.databaseUrl, 'postgres://db/tocsin');
        assert.equal(c.redisUrl, undefined);
      },
    },
    // ... or with Redis too; both URL schemes of each are accepted.
    {
      name: 'cluster mode: DATABASE_URL and REDIS_URL',
      env: { TOCSIN_DATABASE_URL: 'postgresql://db/tocsin', TOCSIN_REDIS_URL: 'rediss://cache:6380' },
      check: (c) => {
        assert.equal(c.mode, 'cluster');
        assert.equal(c.redisUrl, 'rediss://cache:6380');
      },
    },
    // A valid file replaces the built-in groups and types; defaults fill plan, params and environment.
    {
      name: 'a valid TOCSIN_CONFIG file',
      env: {
        TOCSIN_CONFIG: file('valid.json', {
          groups: { Night: ['nurse-1', 'dr.who'] },
          alarmTypes: [alarmType(), alarmType({ id: 'call', plan: 'escalate@2', params: { rounds: 2 } })],
          autoRespond: { 'nurse-1': { response: 'accept', afterMs: 0 } },
        }),
      },
      check: (c) => {
        assert.deepEqual(c.file.groups, { Night: ['nurse-1', 'dr.who'] });
        assert.deepEqual(c.file.alarmTypes, [
          { ...alarmType(), plan: 'escalate@1', params: {}, environment: 'default', textTemplate: '{alarm.text}' },
          {
            ...alarmType({ id: 'call' }),
            plan: 'escalate@2',
            params: { rounds: 2 },
            environment: 'default',
            textTemplate: '{alarm.text}',
          },
        ]);
        assert.deepEqual(c.file.autoRespond, { 'nurse-1': { response: 'accept', afterMs: 0 } });
      },
    },
    // TLS on in embedded mode without a pair: a self-signed certificate at listen(); no redirect port.
    {
      name: 'TLS on, self-signed',
      env: { TOCSIN_TLS: 'on' },
      check: (c) => {
        assert.equal(c.tls.enabled, true);
        assert.equal(c.tls.certificate, undefined);
        assert.equal(c.tls.redirectPort, undefined);
        assert.equal(c.tls.settings.minVersion, 'TLSv1.2');
      },
    },
    // A matching configured pair is read once; the key is a KeyObject (printing the config does not show it).
    {
      name: 'TLS on with a configured pair and a redirect port',
      env: { TOCSIN_TLS: 'on', TOCSIN_TLS_CERT: certOne, TOCSIN_TLS_KEY: keyOne, TOCSIN_HTTP_REDIRECT_PORT: '8081' },
      check: (c) => {
        assert.equal(c.tls.certificate?.cert, one!.cert);
        assert.equal(c.tls.certificate?.key.type, 'private');
        assert.ok(!JSON.stringify(c).includes('PRIVATE KEY'), 'the key does not serialise');
        assert.equal(c.tls.redirectPort, 8081);
      },
    },
    // The TLS 1.1 switch: minimum TLS 1.1, CBC suites after the AEAD ones, OpenSSL security level 0.
    {
      name: 'TLS 1.1 compatibility on',
      env: { TOCSIN_TLS_LEGACY: 'on' },
      check: (c) => {
        assert.equal(c.tls.settings.legacy, true);
        assert.equal(c.tls.settings.minVersion, 'TLSv1.1');
        assert.equal(c.tls.settings.ciphers, `${DEFAULT_CIPHERS}:${LEGACY_CIPHERS}:@SECLEVEL=0`);
      },
    },
    // A configured cipher list replaces the default as given (aliases and operators allowed).
    {
      name: 'a configured cipher list',
      env: { TOCSIN_TLS: 'on', TOCSIN_TLS_CIPHERS: 'TLS_AES_256_GCM_SHA384:ECDHE+AESGCM:!aNULL' },
      check: (c) => assert.equal(c.tls.settings.ciphers, 'TLS_AES_256_GCM_SHA384:ECDHE+AESGCM:!aNULL'),
    },
  ];
  for (const a of accepted) {
    it(a.name, () => a.check(loadConfig(a.env)));
  }
});

describe('loadConfig: refused', () => {
  const refused: readonly { name: string; env: () => NodeJS.ProcessEnv; problems: readonly (string | RegExp)[] }[] = [
    // A routable address without TLS would carry passwords and cookies in clear: refused, saying why.
    {
      name: 'a non-loopback host without TLS',
      env: () => ({ TOCSIN_HTTP_HOST: '10.0.0.1' }),
      problems: [
        'TOCSIN_HTTP_HOST: a non-loopback address needs TOCSIN_TLS=on (passwords, session cookies and tokens would cross the network in clear); with TLS off bind 127.0.0.1, ::1 or localhost',
      ],
    },
    // The wildcard addresses listen on every interface.
    {
      name: 'host 0.0.0.0 without TLS',
      env: () => ({ TOCSIN_HTTP_HOST: '0.0.0.0' }),
      problems: [/^TOCSIN_HTTP_HOST: a non-loopback address needs TOCSIN_TLS=on/],
    },
    {
      name: 'host :: without TLS',
      env: () => ({ TOCSIN_HTTP_HOST: '::' }),
      problems: [/^TOCSIN_HTTP_HOST: a non-loopback address needs TOCSIN_TLS=on/],
    },
    // A host name other than localhost could resolve anywhere, even one that starts with "127.".
    {
      name: 'host 127.example.com',
      env: () => ({ TOCSIN_HTTP_HOST: '127.example.com', TOCSIN_TLS: 'on' }),
      problems: [/^TOCSIN_HTTP_HOST: must be an IP address/],
    },
    // DECT: variables without the host; no user, no password or both; pin and CA together; bad triggers.
    {
      name: 'DECT variables without TOCSIN_DECT_HOST',
      env: () => ({ TOCSIN_DECT_USER: 'omm' }),
      problems: ["TOCSIN_DECT_USER: only with TOCSIN_DECT_HOST (the OMM's address)"],
    },
    {
      name: 'DECT without user and password',
      env: () => ({ TOCSIN_DECT_HOST: '10.1.2.3' }),
      problems: ['TOCSIN_DECT_USER: the OMM account (AXI user) is required'],
    },
    {
      name: 'DECT with two passwords, a pin and a CA, a bad trigger',
      env: () => ({
        TOCSIN_DECT_HOST: '10.1.2.3',
        TOCSIN_DECT_USER: 'omm',
        TOCSIN_DECT_PASSWORD: 'a',
        TOCSIN_DECT_PASSWORD_FILE: '/nonexistent',
        TOCSIN_DECT_FINGERPRINT: 'AB:'.repeat(31) + 'AB',
        TOCSIN_DECT_CA: '/nonexistent-ca.pem',
        TOCSIN_DECT_TRIGGERS: 'SOS',
        TOCSIN_DECT_LOCATIONS: 'deck five',
      }),
      problems: [
        'TOCSIN_DECT_CA: give a pinned fingerprint or a CA, not both',
        'TOCSIN_DECT_PASSWORD: give it, or TOCSIN_DECT_PASSWORD_FILE, exactly one of them',
        /^TOCSIN_DECT_CA: cannot read \/nonexistent-ca\.pem/,
        /^TOCSIN_DECT_TRIGGERS: 'SOS' is not TRIGGER=alarm-type/,
        /^TOCSIN_DECT_LOCATIONS: 'deck five' is not RFP=place/,
      ],
    },
    {
      name: 'DECT with a malformed fingerprint',
      env: () => ({
        TOCSIN_DECT_HOST: '10.1.2.3',
        TOCSIN_DECT_USER: 'omm',
        TOCSIN_DECT_PASSWORD: 'a',
        TOCSIN_DECT_FINGERPRINT: 'abc',
      }),
      problems: ['TOCSIN_DECT_FINGERPRINT: a SHA-256 fingerprint: 32 hex pairs joined by :'],
    },
    {
      name: 'DECT on-duty handsets that are not numbers',
      env: () => ({
        TOCSIN_DECT_HOST: '10.1.2.3',
        TOCSIN_DECT_USER: 'omm',
        TOCSIN_DECT_PASSWORD: 'a',
        TOCSIN_DECT_ON_DUTY: '4711,bridge',
      }),
      problems: ['TOCSIN_DECT_ON_DUTY: handset numbers separated by commas (e.g. 4711,4712)'],
    },
    // ESPA: not JSON, both or neither endpoint, a duplicate id, two pager lines, unknown keys;
    // ESPA-X variables without the port, a short password, no clients.
    {
      name: 'ESPA 4.4.4 links that are not JSON',
      env: () => ({ TOCSIN_ESPA444_LINKS: '[{' }),
      problems: [/^TOCSIN_ESPA444_LINKS: not JSON/],
    },
    {
      name: 'ESPA 4.4.4 links with mistakes',
      env: () => ({
        TOCSIN_ESPA444_LINKS: JSON.stringify([
          { id: 'a', role: 'paging' },
          { id: 'b', role: 'control', connect: 'x:1', listen: 'y:2' },
          { id: 'c', role: 'master', connect: 'x:99999', colour: 'red' },
        ]),
      }),
      problems: [
        'TOCSIN_ESPA444_LINKS[0]: give exactly one of connect and listen',
        'TOCSIN_ESPA444_LINKS[1]: give exactly one of connect and listen',
        /^TOCSIN_ESPA444_LINKS\[2\.role\]: /,
        /^TOCSIN_ESPA444_LINKS\[2\.connect\]: a port number/,
        /^TOCSIN_ESPA444_LINKS\[2\]: Unrecognized key/,
      ],
    },
    {
      name: 'ESPA 4.4.4 duplicate ids and two pager lines',
      env: () => ({
        TOCSIN_ESPA444_LINKS: JSON.stringify([
          { id: 'a', role: 'control', connect: 'x:1' },
          { id: 'a', role: 'paging', connect: 'x:2', pagers: true },
        ]),
      }),
      problems: [
        "TOCSIN_ESPA444_LINKS: link id 'a' is used twice",
        'TOCSIN_ESPA444_LINKS: at most one line sends to pagers (pagers: true, or role control)',
      ],
    },
    {
      name: 'ESPA-X variables without the port',
      env: () => ({ TOCSIN_ESPAX_RULES: '[]' }),
      problems: ['TOCSIN_ESPAX_RULES: only with TOCSIN_ESPAX_PORT'],
    },
    {
      name: 'ESPA-X with a short password, a bad heartbeat, plain words for TLS',
      env: () => ({
        TOCSIN_ESPAX_PORT: '2016',
        TOCSIN_ESPAX_TLS: 'yes',
        TOCSIN_ESPAX_CLIENTS: JSON.stringify([{ user: 'nurse3', password: 'abc' }]),
        TOCSIN_ESPAX_HEARTBEAT_TIMEOUT_MS: '5',
      }),
      problems: [
        'TOCSIN_ESPAX_TLS: on or off',
        /^TOCSIN_ESPAX_CLIENTS\[0\.password\]: /,
        'TOCSIN_ESPAX_HEARTBEAT_TIMEOUT_MS: milliseconds from 1000 to 3600000',
      ],
    },
    {
      name: 'ESPA-X without clients',
      env: () => ({ TOCSIN_ESPAX_PORT: '2016' }),
      problems: [/^TOCSIN_ESPAX_CLIENTS: /],
    },
    // Ports: not a number, out of range, not an integer.
    { name: 'port not a number', env: () => ({ TOCSIN_HTTP_PORT: 'http' }), problems: [/^TOCSIN_HTTP_PORT: /] },
    { name: 'port 65536', env: () => ({ TOCSIN_HTTP_PORT: '65536' }), problems: [/^TOCSIN_HTTP_PORT: .*65535/] },
    {
      name: 'port -1',
      env: () => ({ TOCSIN_HTTP_PORT: '-1' }),
      problems: [/^TOCSIN_HTTP_PORT: must be a port number from 0 to 65535$/],
    },
    {
      name: 'port 80.5',
      env: () => ({ TOCSIN_HTTP_PORT: '80.5' }),
      problems: [/^TOCSIN_HTTP_PORT: must be a port number from 0 to 65535$/],
    },
    // An empty value is not port 0 (which would silently bind a random port).
    {
      name: 'port empty',
      env: () => ({ TOCSIN_HTTP_PORT: '' }),
      problems: [/^TOCSIN_HTTP_PORT: must be a port number/],
    },
    // Two bad variables: both are reported at once.
    {
      name: 'several problems at once',
      env: () => ({ TOCSIN_HTTP_HOST: 'gateway.example', TOCSIN_HTTP_PORT: 'x', TOCSIN_LOG_LEVEL: 'loud' }),
      problems: [/^TOCSIN_HTTP_HOST: /, /^TOCSIN_HTTP_PORT: /, /^TOCSIN_LOG_LEVEL: /],
    },
    // Redis alone is not a mode: cluster mode needs PostgreSQL.
    {
      name: 'REDIS_URL without DATABASE_URL',
      env: () => ({ TOCSIN_REDIS_URL: 'redis://127.0.0.1:6379' }),
      problems: ['TOCSIN_REDIS_URL: cluster mode also needs TOCSIN_DATABASE_URL (PostgreSQL)'],
    },
    // URL schemes.
    {
      name: 'a mysql:// database URL',
      env: () => ({ TOCSIN_DATABASE_URL: 'mysql://db/tocsin' }),
      problems: ['TOCSIN_DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    },
    {
      name: 'a database URL without a scheme',
      env: () => ({ TOCSIN_DATABASE_URL: 'db.example:5432/tocsin' }),
      problems: ['TOCSIN_DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    },
    {
      name: 'an http:// Redis URL',
      env: () => ({ TOCSIN_DATABASE_URL: 'postgres://db/tocsin', TOCSIN_REDIS_URL: 'http://cache:6379' }),
      problems: ['TOCSIN_REDIS_URL: must be a redis:// or rediss:// URL'],
    },
    // Schema names are spliced into SQL: only plain lower-case identifiers.
    {
      name: 'a DB schema that is not an identifier',
      env: () => ({ TOCSIN_DB_SCHEMA: 'x"; drop table alarms; --' }),
      problems: ['TOCSIN_DB_SCHEMA: must be a lower-case SQL identifier'],
    },
    // The config file: missing.
    {
      name: 'TOCSIN_CONFIG missing',
      env: () => ({ TOCSIN_CONFIG: join(dir, 'nope.json') }),
      problems: [
        `TOCSIN_CONFIG: cannot read ${join(dir, 'nope.json')} as JSON (ENOENT: no such file or directory, open '${join(dir, 'nope.json')}')`,
      ],
    },
    // Not JSON.
    {
      name: 'TOCSIN_CONFIG not JSON',
      env: () => ({ TOCSIN_CONFIG: file('broken.json', '{"groups": ') }),
      problems: [new RegExp(`^TOCSIN_CONFIG: cannot read ${join(dir, 'broken.json')} as JSON \\(.+\\)$`)],
    },
    // Schema violations, each reported at its JSON path in the file.
    {
      name: 'TOCSIN_CONFIG: no alarm types',
      env: () => ({ TOCSIN_CONFIG: file('empty.json', { alarmTypes: [] }) }),
      problems: [/ at \/alarmTypes: .*>=1 items/],
    },
    {
      name: 'TOCSIN_CONFIG: alarmTypes missing',
      env: () => ({ TOCSIN_CONFIG: file('no-types.json', { groups: {} }) }),
      problems: [/ at \/alarmTypes: /],
    },
    {
      name: 'TOCSIN_CONFIG: several violations, each at its path',
      env: () => ({
        TOCSIN_CONFIG: file('bad.json', {
          groups: { A: ['ok', 'not ok'] },
          alarmTypes: [alarmType(), alarmType({ id: 'Bad_Id', name: '', priority: 10, plan: 'escalate' })],
          autoRespond: { ok: { response: 'maybe', afterMs: -1 } },
        }),
      }),
      problems: [
        / at \/groups\/A\/1: user ids are 1–64 of/,
        / at \/alarmTypes\/1\/id: alarm type ids are lower-case letters, digits and -$/,
        / at \/alarmTypes\/1\/name: /,
        / at \/alarmTypes\/1\/priority: .*<=9/,
        / at \/alarmTypes\/1\/plan: must be <planId>@<version>, e.g. escalate@1$/,
        / at \/autoRespond\/ok\/response: /,
        / at \/autoRespond\/ok\/afterMs: /,
      ],
    },
    // Param values are scalars only.
    {
      name: 'TOCSIN_CONFIG: an object as a plan parameter',
      env: () => ({
        TOCSIN_CONFIG: file('params.json', { alarmTypes: [alarmType({ params: { rounds: { n: 2 } } })] }),
      }),
      problems: [/ at \/alarmTypes\/0\/params\/rounds: /],
    },
    // A misspelt top-level key is not silently ignored; the message names it.
    {
      name: 'TOCSIN_CONFIG: an unknown top-level key',
      env: () => ({ TOCSIN_CONFIG: file('extra.json', { alarmTypes: [alarmType()], groupz: {} }) }),
      problems: [/ at \/groupz: unknown key 'groupz'/],
    },
    // Two alarm types with one id: the second would silently shadow the first.
    // A user listed twice in one group would be notified twice.
    {
      name: 'a user listed twice in a group',
      env: () => ({ TOCSIN_CONFIG: file('twice.json', { groups: { A: ['ann', 'ann'] }, alarmTypes: [alarmType()] }) }),
      problems: [/ at \/groups\/A: a group lists a user twice/],
    },
    {
      name: 'duplicate alarm type ids',
      env: () => ({
        TOCSIN_CONFIG: file('dup.json', { alarmTypes: [alarmType(), alarmType({ name: 'Fire again' })] }),
      }),
      problems: ["alarm type 'fire' is defined twice"],
    },
    // The TLS switch is on or off, nothing else.
    { name: 'TOCSIN_TLS yes', env: () => ({ TOCSIN_TLS: 'yes' }), problems: [/^TOCSIN_TLS: /] },
    { name: 'TOCSIN_TLS_LEGACY 1', env: () => ({ TOCSIN_TLS_LEGACY: '1' }), problems: [/^TOCSIN_TLS_LEGACY: /] },
    // Certificate, key and redirect port with TLS off would be ignored silently: refused.
    {
      name: 'a certificate, key and redirect port with TLS off',
      env: () => ({ TOCSIN_TLS_CERT: certOne, TOCSIN_TLS_KEY: keyOne, TOCSIN_HTTP_REDIRECT_PORT: '8081' }),
      problems: [
        'TOCSIN_TLS_CERT: only with TOCSIN_TLS=on',
        'TOCSIN_TLS_KEY: only with TOCSIN_TLS=on',
        'TOCSIN_HTTP_REDIRECT_PORT: only with TOCSIN_TLS=on',
      ],
    },
    // Half a pair.
    {
      name: 'a certificate without a key',
      env: () => ({ TOCSIN_TLS: 'on', TOCSIN_TLS_CERT: certOne }),
      problems: ['TOCSIN_TLS_CERT: needs TOCSIN_TLS_KEY too'],
    },
    // Missing files: both named, each with the reason.
    {
      name: 'certificate and key files missing',
      env: () => ({
        TOCSIN_TLS: 'on',
        TOCSIN_TLS_CERT: join(dir, 'no-cert.pem'),
        TOCSIN_TLS_KEY: join(dir, 'no-key.pem'),
      }),
      problems: [
        new RegExp(`^TOCSIN_TLS_CERT: cannot read ${join(dir, 'no-cert.pem')} \\(ENOENT`),
        new RegExp(`^TOCSIN_TLS_KEY: cannot read ${join(dir, 'no-key.pem')} \\(ENOENT`),
      ],
    },
    // Files that are not PEM (here the certificate and key swapped).
    {
      name: 'certificate and key swapped',
      env: () => ({ TOCSIN_TLS: 'on', TOCSIN_TLS_CERT: keyOne, TOCSIN_TLS_KEY: certOne }),
      problems: [
        new RegExp(`^TOCSIN_TLS_CERT: ${keyOne} is not a PEM certificate \\(`),
        new RegExp(`^TOCSIN_TLS_KEY: ${certOne} is not an unencrypted PEM private key \\(`),
      ],
    },
    // A key that does not belong to the certificate.
    {
      name: 'a mismatched pair',
      env: () => ({ TOCSIN_TLS: 'on', TOCSIN_TLS_CERT: certOne, TOCSIN_TLS_KEY: keyTwo }),
      problems: [`TOCSIN_TLS_KEY: the key in ${keyTwo} does not belong to the certificate in ${certOne}`],
    },
    // Cluster nodes must share a configured certificate: no self-signed one per node.
    {
      name: 'TLS on in cluster mode without a pair',
      env: () => ({ TOCSIN_TLS: 'on', TOCSIN_DATABASE_URL: 'postgres://db/tocsin' }),
      problems: [/^TOCSIN_TLS_CERT: cluster mode needs a configured certificate and key/],
    },
    // A misspelt suite is not silently dropped (OpenSSL would ignore it next to a valid one).
    {
      name: 'an unknown cipher suite',
      env: () => ({ TOCSIN_TLS_CIPHERS: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA265' }),
      problems: ['TOCSIN_TLS_CIPHERS: unknown cipher suite(s): ECDHE-ECDSA-AES128-GCM-SHA265'],
    },
    // The redirect port cannot be the HTTPS port.
    {
      name: 'redirect port equal to the HTTPS port',
      env: () => ({ TOCSIN_TLS: 'on', TOCSIN_HTTP_PORT: '8443', TOCSIN_HTTP_REDIRECT_PORT: '8443' }),
      problems: ['TOCSIN_HTTP_REDIRECT_PORT: must differ from TOCSIN_HTTP_PORT'],
    },
    {
      name: 'redirect port not a port',
      env: () => ({ TOCSIN_TLS: 'on', TOCSIN_HTTP_REDIRECT_PORT: '80a' }),
      problems: ['TOCSIN_HTTP_REDIRECT_PORT: must be a port number from 0 to 65535'],
    },
  ];
  for (const r of refused) {
    it(r.name, () => {
      const got = problems(r.env());
      assert.equal(got.length, r.problems.length, `problems: ${JSON.stringify(got)}`);
      r.problems.forEach((want, i) => {
        if (typeof want === 'string') assert.equal(got[i], want);
        else assert.match(got[i]!, want);
      });
      // Problems about the file name the file.
      for (const p of got) if (p.startsWith('TOCSIN_CONFIG ')) assert.ok(p.includes(r.env().TOCSIN_CONFIG!));
    });
  }
});
