// @requires: chromium
// The System pages in headless Chromium against Tocsin on a loopback port (PGlite in memory,
// virtual clock) with a DECT link to the OMM simulator: an administrator sees the interface
// table (the DECT link up, shown by symbol and text) and the monitor, restarts the interfaces
// with a reason given in the confirmation dialog (an empty reason is refused there), and finds
// the restart with that reason in the access log through the API (a server restart is refused
// here: this app has no process host to start it again); on the supervision page the
// alarm type of the default environment is changed and is then the environment's configuration.
// A viewer (no system.interfaces, no supervision alarms) sees neither page in the navigation,
// is refused the pages themselves, and the API answers 403. Screenshots at 1280×720. Nothing
// sleeps: every wait is for a selector or an answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import { startDectSim } from '../support/dect-sim.ts';
import {
  consoleConfig,
  login as loginAt,
  newWatchedPage,
  startConsoleApp,
  type ConsoleApp,
  type WatchedPage,
} from './console-app.ts';

const ADA_PASSWORD = 'ada-system-admin-2026';
const VERA_PASSWORD = 'vera-wall-display-2026';

let omm: OmmSimulator;
let app: ConsoleApp;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<WatchedPage> {
  const page = await newWatchedPage(browser);
  contexts.push(page.context());
  return page;
}

async function login(page: Page, name: string, password: string): Promise<void> {
  await loginAt(page, app.base, name, password);
  await page.getByRole('button', { name: /log out/i }).waitFor();
}

/** The API from the page, with its session and CSRF token. */
function pageApi(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = (globalThis as any).sessionStorage.getItem('tocsin.csrf') ?? '';
      const r = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, json: text === '' ? undefined : JSON.parse(text) };
    },
    { method, path, body },
  );
}

before(async () => {
  assertConsoleBuilt();
  const o = await startDectSim(
    {
      handsets: [
        { ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'silent' } },
        { ppn: 2, number: '4712', name: 'Bob', rfp: 10, behaviour: { kind: 'silent' } },
      ],
      rfps: [10],
    },
    { triggers: { '*': 'fire' } },
  );
  omm = o.sim;
  const { dect } = o;
  app = await startConsoleApp(
    { ...consoleConfig, environments: [{ id: 'default', name: 'Default', supervisionAlarmType: 'technical' }] },
    { dect },
  );
  await app.addUser('ada', 'administrator', ADA_PASSWORD);
  await app.addUser('vera', 'viewer', VERA_PASSWORD);
  browser = await launchBrowser();
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await app?.stop();
  await omm?.stop();
});

describe('the System pages', { concurrency: false }, () => {
  it('an administrator sees the interfaces and the monitor, and restarts the interfaces with a reason', async () => {
    const page = await newPage();
    await login(page, 'ada', ADA_PASSWORD);
    await page.getByTestId('admin-menu').locator('summary').click();
    await page.getByRole('link', { name: 'Interfaces and system' }).click();
    await page.waitForURL('**/admin/system');
    await page.getByRole('heading', { name: 'Interfaces of this node' }).waitFor();
    const dect = page.locator('[data-testid=interface-row][data-id=dect]');
    await page.locator('[data-testid=interface-row][data-id=dect][data-state=up]').waitFor();
    assert.match(await dect.locator('td').first().innerText(), /✔\s*Up/);
    assert.deepEqual(
      await page
        .locator('[data-testid=interface-row]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id'))),
      ['dect', 'notifier', 'scheduler', 'store', 'change-feed'],
    );
    await page.getByRole('heading', { name: 'Monitor' }).waitFor();
    await screenshot(page, 'system');

    // The dialog asks for a reason; without one it refuses, with one the links restart.
    const opensBefore = omm.links.filter((l) => l.opened).length;
    await page.getByRole('button', { name: 'Restart interfaces' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restart the interfaces?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Restart now' }).click();
    await dialog.getByText('Give a reason for the restart.').waitFor();
    await dialog.getByLabel('Reason (written to the access log)').fill('OMM firmware update');
    await dialog.getByRole('button', { name: 'Restart now' }).click();
    await page.getByTestId('restart-status').filter({ hasText: 'The interfaces were restarted.' }).waitFor();
    assert.equal(await dialog.count(), 0, 'the dialog closed');
    await page.locator('[data-testid=interface-row][data-id=dect][data-state=up]').waitFor();
    assert.ok(omm.links.filter((l) => l.opened).length > opensBefore, 'the OMM saw a new Open');

    const log = await pageApi(page, 'GET', '/api/v1/access-log?action=maintenance.restart');
    assert.equal(log.status, 200);
    const entry = log.json.entries.find((e: { target: string }) => e.target === 'system/interfaces');
    assert.ok(entry, JSON.stringify(log.json.entries));
    assert.equal(entry.actor, 'ada');
    assert.equal(entry.outcome, 'success');
    assert.deepEqual(entry.details, { scope: 'interfaces', reason: 'OMM firmware update' });

    // This app has no process host to start it again: a server restart is refused, and says so.
    await page.getByRole('button', { name: 'Restart server' }).click();
    const ask = page.getByRole('dialog', { name: 'Restart the server?' });
    await ask.getByLabel('Reason (written to the access log)').fill('kernel update');
    await ask.getByRole('button', { name: 'Restart now' }).click();
    await page.getByRole('alert').filter({ hasText: 'The restart was refused: this process has no host' }).waitFor();
    assert.equal((await pageApi(page, 'GET', '/healthz')).status, 200, 'still running');
    assert.deepEqual(page.problems, []);
    await page.context().close(); // stops its polling
  });

  it('an administrator changes the supervision alarm type of an environment', async () => {
    const page = await newPage();
    await login(page, 'ada', ADA_PASSWORD);
    await page.goto(`${app.base}/admin/supervision`);
    await page.getByRole('heading', { name: 'Supervision alarm type per environment' }).waitFor();
    await page.getByTestId('supervised-interfaces').getByText('DECT handsets on duty').waitFor();
    const select = page.getByLabel('Supervision alarm type of Default');
    assert.equal(await select.inputValue(), 'technical');
    await select.selectOption('fire');
    await page.locator('[data-id=default]').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('supervision-status').filter({ hasText: 'Saved: default now raises fire.' }).waitFor();
    const env = await pageApi(page, 'GET', '/api/v1/config/environments/default');
    assert.equal(env.json.supervisionAlarmType, 'fire');
    await screenshot(page, 'supervision');
    assert.deepEqual(page.problems, []);
  });

  it('a viewer sees neither page, and the API refuses them (403)', async () => {
    const page = await newPage();
    await login(page, 'vera', VERA_PASSWORD);
    assert.equal(await page.getByRole('link', { name: 'Interfaces and system' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Supervision alarms' }).count(), 0);
    for (const path of ['/admin/system', '/admin/supervision']) {
      await page.goto(`${app.base}${path}`);
      await page.getByTestId('forbidden').waitFor();
      assert.equal(await page.locator('[data-testid=interfaces]').count(), 0);
    }
    for (const [method, path, body] of [
      ['GET', '/api/v1/system/interfaces', undefined],
      ['GET', '/api/v1/system/supervision', undefined],
      ['PUT', '/api/v1/system/supervision/default', { alarmType: null }],
      ['POST', '/api/v1/system/restart', { scope: 'interfaces', reason: 'not mine to do' }],
    ] as const) {
      const r = await pageApi(page, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}`);
    }
    // The viewer holds system.monitor: the digest answers.
    assert.equal((await pageApi(page, 'GET', '/api/v1/system/monitor')).status, 200);
  });
});
