// @requires: chromium
// The operator's functions of the web console in headless Chromium, against Tocsin on a loopback
// port wired to the OMM simulator (the DECT link, as TOCSIN_DECT_* would configure it): an
// operator forwards an alarm on the board and sees the forwarded recipient on the card (and the
// FORWARD step in the protocol, by the operator); cancels all alarms and presences after a
// confirmation and the board empties; reads the contacts; sees the handsets with battery and
// charger, sends a locating alert that reaches the simulated handset, and asks a position.
// Screenshots at 1280×720 go to test-artifacts/screenshots/. Nothing sleeps: every wait is for
// a selector, or (for the simulator) a bounded number of event-loop turns.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import { startDectSim } from '../support/dect-sim.ts';
import { settled as settledWithin } from '../support/settled.ts';
import { consoleConfig, newWatchedPage, startConsoleApp, type ConsoleApp } from './console-app.ts';

const PASSWORD = 'operator-at-the-desk-7';

let app: ConsoleApp;
let sim: OmmSimulator;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const settled = (check: () => boolean | Promise<boolean>, what: string) => settledWithin(check, what, 50_000);

before(async () => {
  assertConsoleBuilt();
  const o = await startDectSim(
    {
      handsets: [
        { ppn: 1, number: '4711', name: 'Alice Ward', user: 1, rfp: 10, batteryLevel: 80 },
        { ppn: 2, number: '4712', name: 'Bob Bridge', user: 2, rfp: 11, batteryLevel: 12 },
      ],
      rfps: [10, 11],
    },
    { triggers: {}, locations: { 10: 'Ward 1, bed 4', 11: 'Bridge' } },
  );
  sim = o.sim;
  const { dect } = o;
  app = await startConsoleApp(
    {
      ...consoleConfig,
      contacts: [
        { id: 'harbour', name: 'Harbour master', environment: 'default', phone: '+49 40 1234' },
        { id: 'doctor', name: 'Doctor on call', environment: 'default', email: 'doctor@example.org' },
      ],
      groups: {
        ...consoleConfig.groups,
        night: { name: 'Night desk', presence: true, members: [{ kind: 'user', id: 'otto' }] },
      },
    },
    { dect },
  );
  await (app.tocsin.notifier as DectAdapter).whenUp();
  await app.addUser('otto', 'operator', PASSWORD);
  await app.addUser('dave', 'operator', 'dave-at-the-desk-7');
  browser = await launchBrowser();
  page = await newWatchedPage(browser, {}, problems);
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
});

async function raise(id: string, type: string, text: string, location: string): Promise<void> {
  await app.tocsin.runtime.raise(
    { id, type, text, location, source: { adapter: 'http' } },
    { kind: 'user', id: 'e2e' },
  );
}

describe('the operator’s functions in the console', { concurrency: false }, () => {
  it('logs in as an operator and lands on the board', async () => {
    await raise('e2e-fire', 'fire', 'Smoke detector triggered', 'Ward 3, room 312');
    await raise('e2e-nurse', 'nurse-call', 'Patient call', 'Ward 1, room 104');
    await page.goto(`${app.base}/`);
    await page.waitForURL('**/login');
    await page.fill('input[name=loginName]', 'otto');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/board');
    await page.locator('[data-alarm-id="e2e-fire"]').waitFor();
  });

  it('forwards an alarm from its card: the forwarded recipient appears, and the protocol names the operator', async () => {
    const card = page.locator('[data-alarm-id="e2e-fire"]');
    await card.getByRole('button', { name: /Forward the alarm fire/ }).click();
    const dialog = page.getByRole('dialog', { name: /Forward alarm fire/ });
    await dialog.waitFor();
    await dialog.getByLabel('Forward to').selectOption('dave');
    await dialog.getByLabel('Message (optional)').fill('Please take over, I am at the other fire');
    await screenshot(page, 'board-forward');
    await dialog.getByRole('button', { name: 'Forward', exact: true }).click();
    await card.getByRole('status').filter({ hasText: 'Forwarded to dave.' }).waitFor();
    // The live board brings the new recipient, shown as forwarded.
    const row = card.getByTestId('recipient').filter({ hasText: 'dave' });
    await row.filter({ hasText: 'forwarded (#1)' }).waitFor();
    await screenshot(page, 'board-forwarded');
    const protocol = await app.tocsin.store.listProtocol('e2e-fire');
    // (Dave has no handset: a DELIVERY failure may follow the forward.)
    const step = protocol.find((e) => (e.event as { type: string }).type === 'FORWARD')!;
    assert.ok(step, 'a FORWARD step');
    assert.equal(step.actor.kind, 'user');
    assert.match(step.note, /forwarded by /);
  });

  it('the forward dialog is keyboard-operable and Escape closes it', async () => {
    const card = page.locator('[data-alarm-id="e2e-nurse"]');
    await card.getByRole('button', { name: /Forward the alarm nurse-call/ }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('cancels all alarms and presences after a confirmation: the board is empty', async () => {
    // Otto is logged in to the night desk (by a colleague's API token).
    const colleague = await app.operatorApi('pat', 'pat-at-the-desk-77', ['operation.presence']);
    assert.equal((await colleague('PUT', '/api/v1/config/groups/night/presence/otto', {})).status, 200);
    await page.getByTestId('cancel-all').click();
    const confirm = page.getByTestId('cancel-all-confirm');
    await confirm.getByText('Cancel all 2 active alarms of your environments?').waitFor();
    await confirm.getByTestId('cancel-all-presences').check();
    await confirm.getByRole('button', { name: 'Yes, cancel all' }).click();
    await page
      .getByTestId('cancel-all-result')
      .filter({ hasText: 'Cancelled 2 alarms; logged out 1 presences.' })
      .waitFor();
    await page.getByTestId('empty').waitFor();
    assert.equal(await page.getByTestId('count').textContent(), 'Active alarms: 0');
    assert.deepEqual((await colleague('GET', '/api/v1/config/groups/night/presence')).json.present, []);
    await screenshot(page, 'board-cancelled-all');
  });

  it('lists the contacts', async () => {
    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.waitForURL('**/contacts');
    const rows = page.getByTestId('contact');
    await rows.first().waitFor();
    assert.deepEqual(await rows.locator('th').allTextContents(), ['Doctor on call', 'Harbour master']);
    await page.getByRole('link', { name: 'Call Harbour master' }).waitFor();
    await screenshot(page, 'contacts');
  });

  it('shows the handsets with battery and charger; a locating alert reaches the handset; a position on demand', async () => {
    // The handsets report their state (EventPPState) when it changes.
    sim.moveTo(1, 10);
    sim.moveTo(2, 11);
    sim.setCharger(1, true);
    sim.setBattery(1, 80);
    sim.setBattery(2, 12);
    await page.getByRole('link', { name: 'Phones' }).click();
    await page.waitForURL('**/phones');
    const alice = page.locator('[data-testid=phone][data-number="4711"]');
    await alice.waitFor();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await alice.getByTestId('phone-battery').filter({ hasText: '80 %' }).waitFor();
    await alice.getByTestId('phone-charger').filter({ hasText: 'In charger' }).waitFor();
    await alice.getByTestId('phone-state').filter({ hasText: 'Logged on' }).waitFor();
    await alice.getByText('Ward 1, bed 4').waitFor();
    await page
      .locator('[data-testid=phone][data-number="4712"]')
      .getByTestId('phone-battery')
      .filter({ hasText: '12 % (low)' })
      .waitFor();
    await screenshot(page, 'phones');
    await page.getByRole('button', { name: 'Send a locating alert to handset 4711' }).click();
    await page.getByTestId('phones-notice').filter({ hasText: 'Locating alert sent to handset 4711' }).waitFor();
    await settled(() => sim.inbox(1).some((m) => m.msg.priority === 'LocatingAlert'), 'the locating alert');
    await page.getByRole('button', { name: 'Ask where handset 4711 is now' }).click();
    await page.getByTestId('phones-notice').filter({ hasText: 'Handset 4711 is near Ward 1, bed 4' }).waitFor();
    assert.deepEqual(problems, []);
  });
});
