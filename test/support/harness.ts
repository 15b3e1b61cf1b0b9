/**
 * The whole app in-process for smoke tests: in-memory PGlite (or a given store), a virtual
 * clock, the in-process scheduler and the loopback notifier. Nothing sleeps: tests advance
 * the clock and await the runtime.
 */
import { loadConfig, parseFileConfig, type FileConfigInput } from '../../src/app/config.ts';
import { startTocsin, type Tocsin } from '../../src/app/tocsin.ts';
import { LoopbackNotifier } from '../../src/notify/loopback-notifier.ts';
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
  /** Raw HTTP against the app without opening a port. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, string>; json: any; text: string }>;
  stop(): Promise<void>;
}

export async function startHarness(
  opts: {
    store?: KyselyAlarmStore;
    scheduler?: Scheduler;
    file?: FileConfigInput;
    clock?: VirtualClock;
    notifier?: LoopbackNotifier;
  } = {},
): Promise<Harness> {
  const clock = opts.clock ?? new VirtualClock(T0);
  const owned = opts.store ? undefined : await memoryStore();
  const store = opts.store ?? owned!.store;
  const notifier = opts.notifier ?? new LoopbackNotifier({ clock });
  const config = {
    ...loadConfig({ TOCSIN_LOG_LEVEL: 'silent', TOCSIN_HTTP_PORT: '0' }),
    file: parseFileConfig(opts.file ?? testFileConfig),
  };
  const tocsin = await startTocsin(config, {
    clock,
    store,
    notifier,
    scheduler: opts.scheduler ?? new InProcessScheduler({ clock }),
    logger: { info() {}, warn() {}, error() {} },
  });
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
    async request(method, path, body, headers = {}) {
      const { inject } = await import('./inject.ts');
      return inject(callback, method, path, body, headers);
    },
    async stop() {
      await tocsin.stop();
    },
  };
}
