/**
 * The whole app in-process for smoke tests: in-memory PGlite (or a given store), a virtual
 * clock, the in-process scheduler and the loopback notifier. Nothing sleeps: tests advance
 * the clock and await the runtime.
 */
import { PERMISSION_IDS } from '../../src/domain/permissions.ts';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { loadConfig, parseFileConfig, type FileConfigInput } from '../../src/app/config.ts';
import { startTocsin, type Tocsin, type TocsinOverrides } from '../../src/app/tocsin.ts';
import { LoopbackNotifier } from '../../src/notify/loopback-notifier.ts';
import type { Notifier } from '../../src/ports/notifier.ts';
import type { DectConfig } from '../../src/app/dect-config.ts';
import type { EspaConfig } from '../../src/app/espa-config.ts';
import { InProcessScheduler } from '../../src/scheduler/in-process-scheduler.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import type { KyselyAlarmStore } from '../../src/store/kysely-store.ts';
import type { Scheduler } from '../../src/ports/scheduler.ts';
import { memoryStore } from './services.ts';

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export const testFileConfig: FileConfigInput = {
  groups: { A: ['alice', 'bob'], B: ['carol'], empty: [] },
  alarmTypes: [
    {
      id: 'generic',
      name: 'Generic',
      priority: 3,
      plan: { id: 'escalate', version: 1 },
      params: { levelTimeoutMs: 60_000, rounds: 2 },
      environment: 'default',
    },
    {
      id: 'fast',
      name: 'Fast',
      priority: 1,
      plan: { id: 'escalate', version: 1 },
      params: { levelTimeoutMs: 1_000, rounds: 3 },
      environment: 'default',
    },
  ],
  autoRespond: {},
};

export interface Harness {
  readonly tocsin: Tocsin;
  readonly clock: VirtualClock;
  readonly notifier: LoopbackNotifier;
  /** Advances virtual time and waits until every step it triggered has committed. */
  advance(ms: number): Promise<void>;
  /** An API token of the built-in admin with every permission (request() sends it by default). */
  readonly token: string;
  /** Raw HTTP against the app without opening a port. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, string>; json: any; text: string }>;
  stop(): Promise<void>;
}

/** The least hash cost a stored password may have: keeps tests fast, still real scrypt. */
export const TEST_SCRYPT = { N: 2 ** 14, r: 8, p: 1 };
export const ADMIN_PASSWORD = 'correct-horse-battery-9';

/** Gives the built-in admin a real password and an API token with every permission. */
export async function adminToken(tocsin: Tocsin): Promise<string> {
  const admin = await tocsin.store.identity.findUserByLoginKey('admin');
  if (!admin) throw new Error('no built-in admin');
  await tocsin.auth.setPassword(SYSTEM, admin.id, ADMIN_PASSWORD, { mustChangePassword: false });
  const { token } = await tocsin.auth.issueToken(admin.id, {
    name: 'test-harness',
    permissions: [...PERMISSION_IDS],
    environments: admin.environments,
  });
  return token;
}

export async function startHarness(
  opts: {
    store?: KyselyAlarmStore;
    scheduler?: Scheduler;
    file?: FileConfigInput;
    clock?: VirtualClock;
    notifier?: LoopbackNotifier;
    /** Another channel instead of the loopback notifier (a device adapter under test). */
    channel?: Notifier;
    /** A DECT link as TOCSIN_DECT_* would configure it: the app builds its own DECT channel. */
    dect?: DectConfig;
    /** ESPA 4.4.4 lines and the ESPA-X server as TOCSIN_ESPA444_LINKS / TOCSIN_ESPAX_* would configure them. */
    espa?: EspaConfig;
    /** Build the notification channels from the configuration (`dect`, `espa`) as `tocsin start` does. */
    devices?: boolean;
    /** The process host's restart hook (POST /api/v1/system/restart, scope `server`). */
    restart?: TocsinOverrides['restart'];
  } = {},
): Promise<Harness> {
  const clock = opts.clock ?? new VirtualClock(T0);
  const owned = opts.store ? undefined : await memoryStore();
  const store = opts.store ?? owned!.store;
  const notifier = opts.notifier ?? new LoopbackNotifier({ clock });
  const config = {
    ...loadConfig({ TOCSIN_LOG_LEVEL: 'silent', TOCSIN_HTTP_PORT: '0' }),
    file: parseFileConfig(opts.file ?? testFileConfig),
    dect: opts.dect,
    ...(opts.espa ? { espa: opts.espa } : {}),
  };
  const tocsin = await startTocsin(config, {
    clock,
    store,
    ...(opts.dect || opts.devices ? {} : { notifier: opts.channel ?? notifier }),
    scheduler: opts.scheduler ?? new InProcessScheduler({ clock }),
    logger: { info() {}, warn() {}, error() {} },
    scrypt: TEST_SCRYPT,
    ...(opts.restart ? { restart: opts.restart } : {}),
  });
  const token = await adminToken(tocsin);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      await tocsin.runtime.drain();
    }
  };
  const callback = tocsin.app.callback();
  return {
    tocsin,
    clock,
    notifier,
    async advance(ms) {
      await clock.advanceAsync(ms, settle);
      await settle();
    },
    token,
    async request(method, path, body, headers = {}) {
      const { inject } = await import('./inject.ts');
      // As the admin (every permission) unless the test sends its own credentials or `anonymous`.
      const own = Object.keys(headers).some((h) =>
        ['authorization', 'cookie', 'x-anonymous'].includes(h.toLowerCase()),
      );
      const { 'x-anonymous': _a, ...rest } = headers;
      return inject(callback, method, path, body, own ? rest : { ...rest, authorization: `Bearer ${token}` });
    },
    async stop() {
      await tocsin.stop();
    },
  };
}
