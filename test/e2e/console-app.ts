/**
 * Tocsin for the browser tests, as a fresh installation: in-memory PGlite, the in-process
 * scheduler over a virtual clock (started at the wall-clock time, so the board's elapsed times
 * read sensibly), the loopback notifier, and the HTTP port on loopback. The built-in admin still
 * has admin/admin and must change it, as on a first start.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { loadConfig, parseFileConfig, type FileConfigInput } from '../../src/app/config.ts';
import type { DectConfig } from '../../src/app/dect-config.ts';
import { startTocsin, type Tocsin } from '../../src/app/tocsin.ts';
import type { Permission } from '../../src/domain/permissions.ts';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { InProcessScheduler } from '../../src/scheduler/in-process-scheduler.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import { TEST_SCRYPT } from '../support/harness.ts';
import { memoryStore } from '../support/services.ts';

export const consoleConfig: FileConfigInput = {
  groups: { A: ['alice', 'bob'], B: ['carol'] },
  alarmTypes: [
    {
      id: 'fire',
      name: 'Fire alarm',
      priority: 1,
      plan: { id: 'escalate', version: 1 },
      params: { levelTimeoutMs: 60_000, rounds: 2 },
      environment: 'default',
    },
    {
      id: 'nurse-call',
      name: 'Nurse call',
      priority: 4,
      plan: { id: 'escalate', version: 1 },
      params: { levelTimeoutMs: 120_000, rounds: 2 },
      environment: 'default',
    },
    {
      id: 'technical',
      name: 'Technical fault',
      priority: 7,
      plan: { id: 'escalate', version: 1 },
      params: { levelTimeoutMs: 300_000, rounds: 1 },
      environment: 'default',
    },
  ],
  webTemplates: [
    {
      id: 'fire-ward-3',
      name: 'Fire alarm',
      environment: 'default',
      alarmType: 'fire',
      text: 'Smoke detector triggered',
      location: 'Ward 3, room 312',
    },
    {
      id: 'nurse-call-ward-1',
      name: 'Nurse call',
      environment: 'default',
      alarmType: 'nurse-call',
      text: 'Patient call',
      location: 'Ward 1, room 104',
    },
  ],
  // Alice's handset accepts as soon as the test lets virtual time move.
  autoRespond: { alice: { response: 'accept', afterMs: 0 } },
};

export interface ConsoleApp {
  readonly tocsin: Tocsin;
  readonly clock: VirtualClock;
  readonly base: string;
  /** Lets virtual time move by `ms` and waits until every step it caused has committed. */
  advance(ms: number): Promise<void>;
  /** Creates a user of `userGroup` with a password that need not be changed. */
  addUser(loginName: string, userGroup: string, password: string): Promise<void>;
  /**
   * Creates an operator `loginName` and returns a caller of the API as that operator, with a
   * token holding exactly `permissions` (the built-in admin must still change its password).
   */
  operatorApi(
    loginName: string,
    password: string,
    permissions: readonly Permission[],
  ): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>>;
  stop(): Promise<void>;
}

/** `dect`: a DECT link as TOCSIN_DECT_* would configure it (the app's channel is then the DECT adapter). */
export async function startConsoleApp(
  file: FileConfigInput = consoleConfig,
  opts: { readonly dect?: DectConfig } = {},
): Promise<ConsoleApp> {
  const clock = new VirtualClock(Date.now());
  const { store } = await memoryStore();
  const config = {
    ...loadConfig({ TOCSIN_LOG_LEVEL: 'silent', TOCSIN_HTTP_PORT: '0', TOCSIN_HTTP_HOST: '127.0.0.1' }),
    file: parseFileConfig(file),
    ...(opts.dect ? { dect: opts.dect } : {}),
  };
  const tocsin = await startTocsin(config, {
    clock,
    store,
    scheduler: new InProcessScheduler({ clock }),
    logger: { info() {}, warn() {}, error() {} },
    scrypt: TEST_SCRYPT,
  });
  const { host, port } = await tocsin.listen();
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      await tocsin.runtime.drain();
    }
  };
  const addUser = async (loginName: string, userGroup: string, password: string): Promise<void> => {
    await tocsin.auth.createUser(
      SYSTEM,
      { loginName, displayName: loginName, userGroup, environments: ['*'] },
      password,
      { mustChangePassword: false },
    );
  };
  return {
    tocsin,
    clock,
    base: `http://${host}:${port}`,
    async advance(ms) {
      await clock.advanceAsync(ms, settle);
      await settle();
    },
    addUser,
    async operatorApi(loginName, password, permissions) {
      await addUser(loginName, 'operator', password);
      const user = (await tocsin.store.identity.findUserByLoginKey(loginName))!;
      const { token } = await tocsin.auth.issueToken(user.id, {
        name: `e2e-${loginName}`,
        permissions: [...permissions],
        environments: user.environments,
      });
      const base = `http://${host}:${port}`;
      return async (method, path, body) => {
        const r = await fetch(`${base}${path}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: r.status, json: await r.json() };
      };
    },
    stop: () => tocsin.stop(),
  };
}

/** The viewport of the console's screenshots. */
export const HD = { width: 1280, height: 720 } as const;

/** A page whose uncaught errors and console errors are collected in `problems`. */
export type WatchedPage = Page & { problems: string[] };

/**
 * A page in a fresh browser context (en-GB, `HD` unless `options` say otherwise) with a 10 s
 * default timeout; page errors and console errors, but for 4xx loads, go to `problems`.
 */
export async function newWatchedPage(
  browser: Browser,
  options: BrowserContextOptions = {},
  problems: string[] = [],
): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: HD, ...options });
  const page = (await context.newPage()) as WatchedPage;
  page.setDefaultTimeout(10_000);
  page.problems = problems;
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
      problems.push(m.text());
  });
  return page;
}

/** Fills in and submits the login form at `base`/login (does not wait for what follows). */
export async function login(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=loginName]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}
