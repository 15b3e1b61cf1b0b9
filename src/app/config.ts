/**
 * Configuration: environment variables (validated at start with clear messages) plus an
 * optional JSON file for notification groups and alarm types (`TOCSIN_CONFIG`).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  alarmTypeSchema,
  contactSchema,
  environmentSchema,
  groupSchema,
  ID_PATTERN,
  profileSchema,
  webTemplateSchema,
} from '../domain/config-model.ts';
import { jsonPointer } from '../domain/errors.ts';
import { dectConfig, type DectConfig } from './dect-config.ts';
import { espaConfig, type EspaConfig } from './espa-config.ts';
import { cipherProblems, readCertificate, tlsSettings, type ServerCertificate, type TlsSettings } from './tls.ts';

const loopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

const portSchema = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535')
  .transform(Number)
  .refine((n) => n <= 65535, 'must be a port number from 0 to 65535');

const envSchema = z.object({
  TOCSIN_DATA_DIR: z.string().min(1).default('./data'),
  TOCSIN_HTTP_HOST: z
    .string()
    .default('127.0.0.1')
    .refine((h) => isIP(h) !== 0 || h === 'localhost', {
      message: 'must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or localhost',
    }),
  TOCSIN_HTTP_PORT: portSchema.default(8080),
  TOCSIN_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  TOCSIN_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  TOCSIN_CONFIG: z.string().optional(),
  TOCSIN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TOCSIN_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  TOCSIN_LOOPBACK_JOURNAL: z.string().optional(),
  TOCSIN_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .optional(),
  TOCSIN_QUEUE_PREFIX: z.string().min(1).max(64).default('{tocsin}'),
  TOCSIN_EMBEDDED_FSYNC: z.enum(['on', 'off']).default('on'),
  TOCSIN_TLS: z.enum(['on', 'off']).default('off'),
  TOCSIN_TLS_CERT: z.string().min(1, 'must be the path of a PEM certificate file').optional(),
  TOCSIN_TLS_KEY: z.string().min(1, 'must be the path of a PEM private key file').optional(),
  TOCSIN_TLS_CIPHERS: z.string().min(1, 'must be an OpenSSL cipher list').optional(),
  TOCSIN_TLS_LEGACY: z.enum(['on', 'off']).default('off'),
  TOCSIN_HTTP_REDIRECT_PORT: portSchema.optional(),
});

const userId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'user ids are 1–64 of A–Z a–z 0–9 . _ -');

/** A group: a list of user ids (short form) or a whole group without its id. */
const groupEntry = z.union([
  z
    .array(userId)
    .max(500)
    .refine((l) => new Set(l).size === l.length, 'a group lists a user twice'),
  groupSchema.omit({ id: true }).partial({ name: true }),
]);

const fileSchema = z
  .object({
    environments: z.array(environmentSchema).default([]),
    profiles: z.array(profileSchema).default([]),
    contacts: z.array(contactSchema).default([]),
    groups: z.record(z.string().regex(ID_PATTERN, 'group ids are 1–64 of A–Z a–z 0–9 _ -'), groupEntry).default({}),
    alarmTypes: z.array(alarmTypeSchema).min(1),
    webTemplates: z.array(webTemplateSchema).default([]),
    autoRespond: z
      .record(userId, z.object({ response: z.enum(['accept', 'reject']), afterMs: z.number().int().min(0) }))
      .default({}),
  })
  .strict();

export type FileConfig = z.output<typeof fileSchema>;
/** What a configuration file may say (defaults not yet filled in). */
export type FileConfigInput = z.input<typeof fileSchema>;

/** Parses a configuration written in code (tests, bench); throws ConfigError listing every problem. */
export function parseFileConfig(input: FileConfigInput): FileConfig {
  const f = fileSchema.safeParse(input);
  if (!f.success) throw new ConfigError(f.error.issues.map((i) => `${jsonPointer(i.path) || '/'}: ${i.message}`));
  return f.data;
}

export const defaultFileConfig: FileConfig = fileSchema.parse({
  groups: { A: ['operator-1', 'operator-2'], B: ['supervisor-1'] },
  alarmTypes: [
    { id: 'generic', name: 'Generic alarm', priority: 3, params: { levelTimeoutMs: 60_000, rounds: 3 } },
    { id: 'emergency', name: 'Emergency call', priority: 1, params: { levelTimeoutMs: 30_000, rounds: 5 } },
    { id: 'man-down', name: 'Man down', priority: 1, params: { levelTimeoutMs: 20_000, rounds: 5 } },
  ],
});

export interface Config {
  readonly mode: 'embedded' | 'cluster';
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly dbSchema: string | undefined;
  readonly queuePrefix: string;
  readonly logLevel: string;
  readonly reconcileIntervalMs: number;
  readonly loopbackJournal: string | undefined;
  readonly embeddedFsync: boolean;
  readonly tls: {
    /** HTTPS on the HTTP port (TOCSIN_TLS). */
    readonly enabled: boolean;
    /** The one TLS settings object: the HTTPS server now, the AXI and e-mail clients later. */
    readonly settings: TlsSettings;
    /** The configured certificate and key; undefined with TLS on means self-signed (embedded mode only). */
    readonly certificate: ServerCertificate | undefined;
    /** A plain-HTTP port that answers 308 to the HTTPS origin (TOCSIN_HTTP_REDIRECT_PORT). */
    readonly redirectPort: number | undefined;
  };
  /** The Mitel SIP-DECT link (TOCSIN_DECT_*); undefined: none, the loopback channel notifies. */
  readonly dect: DectConfig | undefined;
  /** The ESPA 4.4.4 lines (TOCSIN_ESPA444_LINKS) and the ESPA-X server (TOCSIN_ESPAX_*). */
  readonly espa: EspaConfig;
  readonly file: FileConfig;
  /** Where `file` came from (TOCSIN_CONFIG); undefined for the built-in default or a config built in code. */
  readonly configPath?: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.TOCSIN_REDIS_URL && !e.TOCSIN_DATABASE_URL) {
    throw new ConfigError(['TOCSIN_REDIS_URL: cluster mode also needs TOCSIN_DATABASE_URL (PostgreSQL)']);
  }
  const tls = tlsConfig(e);
  const dect = dectConfig(env);
  if (dect.problems.length > 0) throw new ConfigError(dect.problems);
  const espa = espaConfig(env);
  if (espa.problems.length > 0) throw new ConfigError(espa.problems);
  let file = defaultFileConfig;
  if (e.TOCSIN_CONFIG) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(e.TOCSIN_CONFIG, 'utf8'));
    } catch (err) {
      throw new ConfigError([`TOCSIN_CONFIG: cannot read ${e.TOCSIN_CONFIG} as JSON (${(err as Error).message})`]);
    }
    const f = fileSchema.safeParse(raw);
    if (!f.success) {
      throw new ConfigError(
        f.error.issues.flatMap((i) =>
          i.code === 'unrecognized_keys'
            ? i.keys.map(
                (k) => `TOCSIN_CONFIG ${e.TOCSIN_CONFIG} at ${jsonPointer([...i.path, k])}: unknown key '${k}'`,
              )
            : [`TOCSIN_CONFIG ${e.TOCSIN_CONFIG} at ${jsonPointer(i.path) || '/'}: ${i.message}`],
        ),
      );
    }
    file = f.data;
  }
  const twice: string[] = [];
  for (const [what, list] of [
    ['alarm type', file.alarmTypes],
    ['environment', file.environments],
    ['profile', file.profiles],
    ['contact', file.contacts],
    ['web alarm template', file.webTemplates],
  ] as const) {
    const ids = new Set<string>();
    for (const t of list) {
      if (ids.has(t.id)) twice.push(`${what} '${t.id}' is defined twice`);
      ids.add(t.id);
    }
  }
  if (twice.length > 0) throw new ConfigError(twice);
  return {
    mode: e.TOCSIN_DATABASE_URL ? 'cluster' : 'embedded',
    dataDir: resolve(e.TOCSIN_DATA_DIR),
    http: { host: e.TOCSIN_HTTP_HOST, port: e.TOCSIN_HTTP_PORT },
    databaseUrl: e.TOCSIN_DATABASE_URL,
    redisUrl: e.TOCSIN_REDIS_URL,
    dbSchema: e.TOCSIN_DB_SCHEMA,
    queuePrefix: e.TOCSIN_QUEUE_PREFIX,
    logLevel: e.TOCSIN_LOG_LEVEL,
    reconcileIntervalMs: e.TOCSIN_RECONCILE_INTERVAL_MS,
    loopbackJournal: e.TOCSIN_LOOPBACK_JOURNAL,
    embeddedFsync: e.TOCSIN_EMBEDDED_FSYNC === 'on',
    tls,
    dect: dect.config,
    espa: espa.config,
    file,
    configPath: e.TOCSIN_CONFIG,
  };
}

/**
 * The TLS part of the configuration; throws ConfigError listing every problem. Certificate, key
 * and redirect port are refused with TLS off (they would be ignored silently); cipher list and
 * TLS 1.1 switch shape the shared settings whether or not the API itself speaks HTTPS.
 */
function tlsConfig(e: z.output<typeof envSchema>): Config['tls'] {
  const problems: string[] = [];
  const enabled = e.TOCSIN_TLS === 'on';
  // Passwords, session cookies and tokens must not cross a network in clear.
  if (!enabled && !loopback(e.TOCSIN_HTTP_HOST))
    problems.push(
      'TOCSIN_HTTP_HOST: a non-loopback address needs TOCSIN_TLS=on (passwords, session cookies and tokens would cross the network in clear); with TLS off bind 127.0.0.1, ::1 or localhost',
    );
  if (!enabled) {
    for (const [name, value] of [
      ['TOCSIN_TLS_CERT', e.TOCSIN_TLS_CERT],
      ['TOCSIN_TLS_KEY', e.TOCSIN_TLS_KEY],
      ['TOCSIN_HTTP_REDIRECT_PORT', e.TOCSIN_HTTP_REDIRECT_PORT],
    ] as const) {
      if (value !== undefined) problems.push(`${name}: only with TOCSIN_TLS=on`);
    }
  }
  if (e.TOCSIN_TLS_CIPHERS !== undefined) {
    problems.push(...cipherProblems(e.TOCSIN_TLS_CIPHERS).map((p) => `TOCSIN_TLS_CIPHERS: ${p}`));
  }
  if (enabled && (e.TOCSIN_TLS_CERT === undefined) !== (e.TOCSIN_TLS_KEY === undefined)) {
    problems.push(
      e.TOCSIN_TLS_CERT === undefined
        ? 'TOCSIN_TLS_KEY: needs TOCSIN_TLS_CERT too'
        : 'TOCSIN_TLS_CERT: needs TOCSIN_TLS_KEY too',
    );
  }
  if (enabled && e.TOCSIN_DATABASE_URL && e.TOCSIN_TLS_CERT === undefined && e.TOCSIN_TLS_KEY === undefined) {
    problems.push(
      'TOCSIN_TLS_CERT: cluster mode needs a configured certificate and key (a self-signed one is generated only in embedded mode)',
    );
  }
  const redirect = e.TOCSIN_HTTP_REDIRECT_PORT;
  if (enabled && redirect !== undefined && redirect !== 0 && redirect === e.TOCSIN_HTTP_PORT) {
    problems.push('TOCSIN_HTTP_REDIRECT_PORT: must differ from TOCSIN_HTTP_PORT');
  }
  let certificate: ServerCertificate | undefined;
  if (enabled && e.TOCSIN_TLS_CERT !== undefined && e.TOCSIN_TLS_KEY !== undefined) {
    const r = readCertificate(e.TOCSIN_TLS_CERT, e.TOCSIN_TLS_KEY);
    if (r.ok) certificate = r.certificate;
    else problems.push(...r.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    enabled,
    settings: tlsSettings({ ciphers: e.TOCSIN_TLS_CIPHERS, legacy: e.TOCSIN_TLS_LEGACY === 'on' }),
    certificate,
    redirectPort: enabled ? redirect : undefined,
  };
}
