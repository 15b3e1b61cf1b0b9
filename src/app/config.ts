/**
 * Configuration: environment variables (validated at start with clear messages) plus an
 * optional JSON file for notification groups and alarm types (`TOCSIN_CONFIG`).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { jsonPointer } from '../domain/errors.ts';

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
    .refine((h) => (isIP(h) !== 0 || h === 'localhost') && loopback(h), {
      message: 'must be a loopback address (127.0.0.1, ::1 or localhost) until authentication and TLS land',
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
});

const planRef = z
  .string()
  .regex(/^[A-Za-z0-9_-]+@[1-9][0-9]*$/, 'must be <planId>@<version>, e.g. escalate@1')
  .transform((s) => {
    const [id, v] = s.split('@') as [string, string];
    return { id, version: Number(v) };
  });

const userId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'user ids are 1–64 of A–Z a–z 0–9 . _ -');

const fileSchema = z
  .object({
    groups: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        z
          .array(userId)
          .max(500)
          .refine((l) => new Set(l).size === l.length, 'a group lists a user twice'),
      )
      .default({}),
    alarmTypes: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'alarm type ids are lower-case, digits and -'),
          name: z.string().min(1).max(200),
          priority: z.number().int().min(0).max(9),
          plan: planRef.default({ id: 'escalate', version: 1 }),
          params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
          environment: z.string().min(1).max(64).default('default'),
        }),
      )
      .min(1),
    autoRespond: z
      .record(userId, z.object({ response: z.enum(['accept', 'reject']), afterMs: z.number().int().min(0) }))
      .default({}),
  })
  .strict();

export type FileConfig = z.infer<typeof fileSchema>;

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
  readonly file: FileConfig;
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
  const ids = new Set<string>();
  for (const t of file.alarmTypes) {
    if (ids.has(t.id)) throw new ConfigError([`alarm type '${t.id}' is defined twice`]);
    ids.add(t.id);
  }
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
    file,
  };
}
