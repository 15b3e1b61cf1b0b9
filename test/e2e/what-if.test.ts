// @requires: chromium
// The what-if page in headless Chromium against Tocsin on a loopback port (PGlite in memory,
// virtual clock): twelve fire alarms are recorded under escalate@1 (group A: alice and bob;
// Alice's handset accepts at once); escalate@2 notifies group B (carol) first. Run from the
// keyboard over the default time range, the page replays the alarms in batches with a progress
// bar — the test holds each what-if request until it has seen the bar's count, so nothing races —
// then shows per alarm who would have been called instead, a page at a time. Screenshot: what-if.
// Nothing sleeps: every wait is for a selector or for a held request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Route } from 'playwright-core';
import escalate from '../../machines/plans/escalate.json' with { type: 'json' };
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import { startConsoleApp, type ConsoleApp } from './console-app.ts';

const PASSWORD = 'what-if-analyst-2026';
const HD = { width: 1280, height: 720 };
const ALARMS = 12;

let app: ConsoleApp;
let browser: Browser;

before(async () => {
  assertConsoleBuilt();
  app = await startConsoleApp();
  browser = await launchBrowser();
  await app.addUser('analyst', 'administrator', PASSWORD);
  const call = await app.operatorApi('desk', 'desk-operator-2026-long', ['operation.alarms.trigger']);
  for (let i = 0; i < ALARMS; i++) {
    const r = await call('POST', '/api/v1/alarms', { type: 'fire', text: `Smoke ${i + 1}`, location: 'Ward 3' });
    assert.equal(r.status, 201);
  }
  await app.advance(1000);
  // The alternative: the same plan, but its first level notifies group B.
  const alternative = structuredClone(escalate) as Record<string, any>;
  alternative.states.levelA.entry = [{ type: 'notify', params: { group: 'B' } }];
  assert.equal(await app.tocsin.store.publishPlan('escalate', alternative, app.clock.now(), 'test'), 2);
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the what-if page', () => {
  it('replays the recorded alarms under another version with progress, and shows who would have been called', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: HD });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    // Each what-if request waits here until the test has seen the progress it should show.
    const held: Route[] = [];
    let arrived: (() => void) | undefined;
    await page.route('**/api/v1/replay/what-if', (route) => {
      held.push(route);
      arrived?.();
    });
    const nextRequest = () =>
      new Promise<Route>((resolve) => {
        const take = () => (held.length > 0 ? resolve(held.shift()!) : (arrived = take));
        take();
      });

    await page.goto(`${app.base}/login`);
    await page.fill('input[name=loginName]', 'analyst');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname !== '/login');
    await page.getByRole('link', { name: 'What-if' }).click();
    await page.waitForURL('**/what-if');
    await page.getByTestId('what-if-start').filter({ hasText: 'Choose a plan version and a time range' }).waitFor();

    // From the keyboard: type the version, press Enter.
    await page.getByLabel('Plan version').fill('escalate@2');
    await page.getByLabel('Plan version').press('Enter');
    const progress = page.getByTestId('what-if-progress');

    const first = await nextRequest();
    await progress.getByText(`Replaying alarms: 0 of ${ALARMS}`).waitFor();
    assert.equal(await progress.locator('progress').getAttribute('max'), String(ALARMS));
    assert.deepEqual((first.request().postDataJSON() as { alarms: string[] }).alarms.length, 10);
    await first.continue();
    const second = await nextRequest();
    await progress.getByText(`Replaying alarms: 10 of ${ALARMS}`).waitFor();
    assert.equal(await progress.locator('progress').getAttribute('value'), '10');
    await second.continue();

    const results = page.getByTestId('what-if-results');
    await results.waitFor();
    assert.equal(await progress.locator('progress').count(), 0); // done: the bar is gone
    const summary = page.getByTestId('what-if-summary');
    assert.equal(await summary.locator('dd[data-key=alarms]').innerText(), String(ALARMS));
    assert.equal(await summary.locator('dd[data-key=changed]').innerText(), String(ALARMS));
    assert.equal(await summary.locator('dd[data-key=failed]').innerText(), '0');

    // Each alarm: Alice and Bob were called, Carol would have been instead.
    const alarms = page.getByTestId('what-if-alarm');
    assert.equal(await alarms.count(), 10); // a page of ten
    const firstAlarm = alarms.first();
    await firstAlarm.getByText('carol would have been called after 0').waitFor();
    const kinds = await firstAlarm
      .getByTestId('what-if-difference')
      .evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')));
    assert.ok(kinds.includes('only-recorded') && kinds.includes('only-alternative'), kinds.join(', '));
    assert.match(await firstAlarm.innerText(), /alice was called after 0 .* but would not have been\./);
    assert.match(await firstAlarm.innerText(), /Would have called\s+carol \(B, 0/);
    await screenshot(page, 'what-if');

    // The second page holds the other two.
    await page.getByText('Page 1 of 2').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2').waitFor();
    assert.equal(await alarms.count(), ALARMS - 10);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
