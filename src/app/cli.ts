/**
 * The `tocsin` command line: `start`, `migrate`, `help`. Every command answers `--help`.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { PLAN_HELP } from './plan-help.ts';
import { RESTART_EXIT_CODE } from './system-control.ts';
import { CONFIG_HELP } from './config-cli.ts';
import { TOKEN_HELP, USER_HELP } from './user-cli.ts';
import { AUDIT_HELP } from './audit-cli.ts';
import { REPLAY_HELP } from './replay-cli.ts';

const ENV_HELP = `Environment:
  TOCSIN_DATA_DIR               embedded data directory (PGlite, journal)      default ./data
  TOCSIN_HTTP_HOST              HTTP bind address (non-loopback: TLS only)     default 127.0.0.1
  TOCSIN_HTTP_PORT              HTTP port                                      default 8080
  TOCSIN_DATABASE_URL           postgres://… → PostgreSQL instead of PGlite
  TOCSIN_REDIS_URL              redis://… → BullMQ timers (needs DATABASE_URL)
  TOCSIN_CONFIG                 JSON configuration file, applied at every start (tocsin config --help)
  TOCSIN_RECONCILE_INTERVAL_MS  reconciler period                              default 5000
  TOCSIN_EMBEDDED_FSYNC         on|off: fsync PGlite's WAL per commit          default on
  TOCSIN_TLS                    on|off: HTTPS (TLS 1.2+, 1.3 preferred)        default off
  TOCSIN_TLS_CERT, _KEY         PEM certificate and key (else self-signed, embedded)
  TOCSIN_TLS_CIPHERS            OpenSSL cipher list                            default modern AEAD
  TOCSIN_TLS_LEGACY             on|off: also accept TLS 1.1 peers (logged)     default off
  TOCSIN_HTTP_REDIRECT_PORT     plain-HTTP port answering 308 to HTTPS
  TOCSIN_DECT_HOST              Mitel OMM address → notify DECT handsets (OM AXI)
  TOCSIN_DECT_PORT, _TLS        port; on|off                                   default 12622, on (off: 12621)
  TOCSIN_DECT_FINGERPRINT       SHA-256 of the OMM certificate (pinning), or TOCSIN_DECT_CA (PEM file)
  TOCSIN_DECT_USER, _PASSWORD   the OMM's AXI account (or TOCSIN_DECT_PASSWORD_FILE)
  TOCSIN_DECT_FROM, _FROM_NAME  sender shown on handsets                       default tel:9999, Tocsin
  TOCSIN_DECT_CONFIRM           confirm|confirmReq: answer element name        default confirm
  TOCSIN_DECT_TRIGGERS          handset alarm trigger → alarm type             default SOS=emergency,MANDOWN=man-down,NOMOVEMENT=man-down
  TOCSIN_DECT_LOCATIONS         base station → place, e.g. 10=Deck 5 fore,11=Deck 5 aft
  TOCSIN_DECT_MESSAGE_RULES     typed handset text → alarm type, e.g. FIRE*=emergency,*HELP*=emergency
  TOCSIN_DECT_ENVIRONMENT       the environment the handsets belong to         default default
  TOCSIN_LOG_LEVEL              fatal|error|warn|info|debug|trace|silent       default info`;

const DEMO_HELP = `Usage: tocsin demo [--port N] [--every SECONDS] [--duration SECONDS] [--count N] [--data-dir DIR] [--no-espa]

Starts Tocsin with a simulated Mitel OMM (DECT over OM AXI, TLS with a pinned certificate), a
simulated ESPA 4.4.4 nurse-call system (Tocsin dials it as the paging system) and a simulated
ESPA-X client (it logs in to Tocsin's ESPA-X server over TLS and sends heartbeats), all on
127.0.0.1, and a sample configuration. Alarms come in turn from a handset (emergency key or
man-down), a nurse call and an ESPA-X process (P-START), so you can watch them flow: raised →
notified on handsets → rejected / failed / accepted → escalated → ended, and the outcome go back
to the nurse-call system (status '2' in queue, '3' paged, '6' acknowledged by called party) and
the ESPA-X client (IND.P-EVENT per participant, IND.P-ENDED). Prints one line per event, each
naming its interface, the admin password and an API token for curl. Ctrl-C (SIGINT) or SIGTERM
stops it.

Crew (login = handset number), user group operator: group A is ben (4712, rejects after 3 s);
group B is anna (4711, accepts after 8 s), carla (4713, switched off) and david (4714, never
answers). Alarm types emergency, man-down, nurse-call and generic, all on escalate@1.

Options:
  --port N            HTTP port on 127.0.0.1 (0 picks a free one)             default 8080
  --every SECONDS     an alarm comes in this often (at least 1)               default 15
  --duration SECONDS  stop after this long                                    default: until Ctrl-C
  --count N           stop once N alarms were raised and all have ended       default: no limit
  --data-dir DIR      keep the data here (default: a temporary directory, removed at the end)
  --no-espa           handsets only: no nurse-call system, no ESPA-X client

Other TOCSIN_* variables are not read, except TOCSIN_LOG_LEVEL (default error).`;

const HELP: Record<string, string> = {
  plan: PLAN_HELP,
  config: CONFIG_HELP,
  user: USER_HELP,
  token: TOKEN_HELP,
  audit: AUDIT_HELP,
  replay: REPLAY_HELP,
  demo: DEMO_HELP,
  main: `tocsin — an open, on-premise alarm server

Usage: tocsin <command> [--help]

Commands:
  start     run the server (embedded by default; cluster with TOCSIN_DATABASE_URL + TOCSIN_REDIS_URL)
  migrate   bring the database schema up to date and exit
  plan      validate, analyse, simulate, publish or export an escalation plan: tocsin plan --help
  config    check a configuration file, export the stored configuration, verify its change record
  user      set a password or unlock an account, locally: tocsin user --help
  token     create, list or revoke API tokens, locally: tocsin token --help
  audit     verify the access log's hash chain or export it as CSV or JSON (it cannot be edited)
  replay    replay an alarm under its pinned plan, or alarms under another plan (what-if)
  demo      watch alarms flow: Tocsin with a simulated DECT system and sample crew (npm run demo)
  help      show this help, or the help of a command: tocsin help start

${ENV_HELP}`,
  start: `Usage: tocsin start

Runs Tocsin until SIGINT or SIGTERM. Embedded mode (default): PGlite in TOCSIN_DATA_DIR and an
in-process scheduler. Cluster mode: PostgreSQL (TOCSIN_DATABASE_URL) and BullMQ on Redis
(TOCSIN_REDIS_URL). Migrations run at start. Pending escalations are recovered at start.

Endpoints: GET /healthz, /readyz, /metrics; /api/v1/alarms… (see /api/v1/openapi.json).

Exit codes: 0 stopped by SIGINT/SIGTERM; 1 could not start or listen; 2 bad configuration;
75 restart asked through the API (POST /api/v1/system/restart, scope server): Tocsin has
stopped gracefully and its process host should start it again — systemd:
Restart=on-failure (or RestartForceExitStatus=75); Docker: restart: unless-stopped.

${ENV_HELP}`,
  migrate: `Usage: tocsin migrate

Applies pending database migrations to the configured database (PGlite in TOCSIN_DATA_DIR, or
TOCSIN_DATABASE_URL) and exits. Safe to run while other nodes run: migrations take a lock.

${ENV_HELP}`,
};

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return print(HELP.main!, 0);
  if (command === 'help') return print(HELP[rest[0] ?? 'main'] ?? HELP.main!, rest[0] && !HELP[rest[0]] ? 2 : 0);
  if (command === '--version') return print('tocsin 0.1.0', 0);
  if (!(command in HELP) || command === 'main') {
    process.stderr.write(`tocsin: unknown command '${command}'\n\n${HELP.main}\n`);
    return 2;
  }
  if (command === 'demo') return demo(rest);
  let help = false;
  let positionals: string[] = [];
  let type: string | undefined;
  let audit: { format?: string; from?: string; to?: string } = {};
  let replayOpts: { json?: boolean; 'what-if'?: string; from?: string; to?: string; limit?: string } = {};
  let tokenOpts: { user?: string; name?: string; permission?: string[]; environment?: string[]; all?: boolean } = {};
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: {
        help: { type: 'boolean', short: 'h' },
        ...(command === 'plan' ? { type: { type: 'string' as const } } : {}),
        ...(command === 'audit'
          ? { format: { type: 'string' as const }, from: { type: 'string' as const }, to: { type: 'string' as const } }
          : {}),
        ...(command === 'replay'
          ? {
              json: { type: 'boolean' as const },
              'what-if': { type: 'string' as const },
              from: { type: 'string' as const },
              to: { type: 'string' as const },
              limit: { type: 'string' as const },
            }
          : {}),
        ...(command === 'token'
          ? {
              user: { type: 'string' as const },
              name: { type: 'string' as const },
              permission: { type: 'string' as const, multiple: true },
              environment: { type: 'string' as const, multiple: true },
              all: { type: 'boolean' as const },
            }
          : {}),
      },
      allowPositionals: ['plan', 'config', 'audit', 'user', 'token', 'replay'].includes(command),
      strict: true,
    });
    help = parsed.values.help ?? false;
    positionals = parsed.positionals;
    type = (parsed.values as { type?: string }).type;
    audit = parsed.values as typeof audit;
    tokenOpts = parsed.values as typeof tokenOpts;
    replayOpts = parsed.values as typeof replayOpts;
  } catch (err) {
    process.stderr.write(`tocsin ${command}: ${(err as Error).message}\n\n${HELP[command]}\n`);
    return 2;
  }
  if (help) return print(HELP[command]!, 0);

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tocsin: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (command === 'user') {
    const { userCommand } = await import('./user-cli.ts');
    return userCommand(positionals, config);
  }
  if (command === 'token') {
    const { tokenCommand } = await import('./user-cli.ts');
    return tokenCommand(positionals, tokenOpts, config);
  }
  if (command === 'plan') {
    const { planCommand } = await import('./plan-cli.ts');
    return planCommand(positionals, type, config);
  }
  if (command === 'config') {
    const { configCommand } = await import('./config-cli.ts');
    return configCommand(positionals, config);
  }
  if (command === 'replay') {
    const { replayCommand } = await import('./replay-cli.ts');
    return replayCommand(positionals, replayOpts, config);
  }
  if (command === 'audit') {
    const { auditCommand } = await import('./audit-cli.ts');
    return auditCommand(positionals, audit, config);
  }
  return command === 'migrate' ? migrate(config) : start(config);
}

/** `tocsin demo`: its own options, no TOCSIN_* configuration (it builds its own). */
async function demo(args: readonly string[]): Promise<number> {
  const usage = (msg: string) => {
    process.stderr.write(`tocsin demo: ${msg}\n\n${DEMO_HELP}\n`);
    return 2;
  };
  let v: {
    help?: boolean;
    port?: string;
    every?: string;
    duration?: string;
    count?: string;
    'data-dir'?: string;
    'no-espa'?: boolean;
  };
  try {
    v = parseArgs({
      args: [...args],
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string' },
        every: { type: 'string' },
        duration: { type: 'string' },
        count: { type: 'string' },
        'data-dir': { type: 'string' },
        'no-espa': { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    return usage((err as Error).message);
  }
  if (v.help) return print(DEMO_HELP, 0);
  const num = (name: string, s: string | undefined, ok: (n: number) => boolean) => {
    if (s === undefined) return undefined;
    const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
    if (!ok(n)) throw new Error(`--${name} '${s}' is out of range`);
    return n;
  };
  let o;
  try {
    o = {
      port: num('port', v.port, (n) => Number.isInteger(n) && n <= 65535) ?? 8080,
      every: num('every', v.every, (n) => n >= 1 && n <= 86_400) ?? 15,
      duration: num('duration', v.duration, (n) => n > 0 && n <= 31_536_000),
      count: num('count', v.count, (n) => Number.isInteger(n) && n >= 1),
      dataDir: v['data-dir'],
    };
  } catch (err) {
    return usage((err as Error).message);
  }
  const { runDemo } = await import('./demo.ts');
  return runDemo({
    port: o.port,
    every: o.every,
    ...(o.duration !== undefined ? { duration: o.duration } : {}),
    ...(o.count !== undefined ? { count: o.count } : {}),
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(v['no-espa'] ? { espa: false } : {}),
  });
}

function print(text: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${text}\n`);
  return code;
}

async function migrate(config: Config): Promise<number> {
  const { migrateOnly } = await import('./migrate.ts');
  await migrateOnly(config);
  process.stdout.write(`tocsin: ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`} is up to date\n`);
  return 0;
}

async function start(config: Config): Promise<number> {
  const { startTocsin } = await import('./tocsin.ts');
  // Signals during start-up (PGlite's first initdb takes seconds) stop it once it is up.
  let signalled: string | undefined;
  let onSignal: (signal: string) => void = (signal) => (signalled = signal);
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  // A restart asked through the API (POST /api/v1/system/restart, scope `server`): Tocsin has
  // stopped gracefully; the exit code asks the process host to start it again.
  let restarted: (code: number) => void = () => {};
  const restart = new Promise<number>((resolve) => (restarted = resolve));
  let tocsin;
  try {
    tocsin = await startTocsin(config, {
      restart: ({ actor, reason }) => {
        process.stdout.write(`tocsin: restart asked by ${actor} (${reason}), exiting with ${RESTART_EXIT_CODE}\n`);
        restarted(RESTART_EXIT_CODE);
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tocsin: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`tocsin: could not start: ${(err as Error).message}\n`);
    return 1;
  }
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    onSignal = (signal) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`tocsin: ${signal}, stopping\n`);
      tocsin.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
  });
  if (signalled) {
    onSignal(signalled);
    return stopped;
  }
  try {
    const addr = await tocsin.listen();
    const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
    process.stdout.write(
      `tocsin: ${config.mode} mode, listening on ${config.tls.enabled ? 'https' : 'http'}://${host}:${addr.port}\n`,
    );
  } catch (err) {
    process.stderr.write(
      `tocsin: could not listen on ${config.http.host}:${config.http.port}: ${(err as Error).message}\n`,
    );
    await tocsin.stop().catch(() => {});
    return 1;
  }
  return Promise.race([stopped, restart]);
}
