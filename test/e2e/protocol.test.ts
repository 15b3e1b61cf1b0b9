// @requires: chromium
// The console's protocol page in headless Chromium against Tocsin on a loopback port (PGlite in
// memory, virtual clock, loopback notifier): an operator filters the protocol in the page (with
// the keyboard), sees the matching alarms and an empty state for a filter nothing matches,
// exports the filtered protocol as CSV — the browser's download (playwright's download event)
// parses with csv-parse into exactly the rows the API lists for that filter — and as JSON.
// Screenshots go to test-artifacts/screenshots/. Nothing sleeps: every wait is for a selector.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { PROTOCOL_CSV_COLUMNS } from '../../src/http/protocol-export.ts';
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import { startConsoleApp, type ConsoleApp } from './console-app.ts';

const OPERATOR_PASSWORD = 'desk-operator-2026-long';
const HD = { width: 1280, height: 720 };

let app: ConsoleApp;
let browser: Browser;

/** The API as the operator (a token with exactly the permissions the test needs). */
let call: Awaited<ReturnType<ConsoleApp['operatorApi']>>;

before(async () => {
  assertConsoleBuilt();
  app = await startConsoleApp();
  browser = await launchBrowser();
  call = await app.operatorApi('desk', OPERATOR_PASSWORD, ['operation.alarms.trigger', 'operation.protocol']);
  // Three alarms that end (Alice's handset accepts once virtual time moves), then one still active.
  for (const body of [
    { type: 'fire', text: 'Smoke detector triggered', location: 'Ward 3, room 312' },
    { type: 'nurse-call', text: 'Patient call', location: 'Ward 1, room 104' },
    { type: 'technical', text: 'Nurse call panel offline', location: 'Ward 2, corridor' },
  ]) {
    assert.equal((await call('POST', '/api/v1/alarms', body)).status, 201);
    await app.advance(1000);
  }
  await app.advance(0);
  const active = { type: 'fire', text: 'Smoke in the "quiet" room, =1+1', location: 'Ward 3, room 318' };
  assert.equal((await call('POST', '/api/v1/alarms', active)).status, 201);
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the protocol page', { concurrency: false }, () => {
  let page: Page;

  it('lists the protocol, filters it from the keyboard, and shows an empty state', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: HD, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));

    await page.goto(`${app.base}/login`);
    await page.fill('input[name=loginName]', 'desk');
    await page.fill('input[name=password]', OPERATOR_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/board');
    await page.getByRole('link', { name: 'Protocol' }).click();
    await page.waitForURL('**/protocol');
    await page.getByRole('heading', { name: 'Protocol' }).waitFor();
    const rows = page.locator('[data-testid=protocol-row]');
    await rows.nth(3).waitFor();
    assert.equal(await rows.count(), 4);

    // Type a location and press Enter: the form applies the filter.
    await page.getByLabel('Location contains').fill('ward 3');
    await page.getByLabel('Location contains').press('Enter');
    await page.locator('[data-testid=protocol-table] caption', { hasText: '2 alarms' }).waitFor();
    assert.deepEqual(await rows.locator('td:nth-child(5)').allTextContents(), ['Ward 3, room 318', 'Ward 3, room 312']);
    await screenshot(page, 'protocol');

    // A filter nothing matches: the empty state says what to do.
    await page.getByLabel('User (notified or responded)').fill('nobody');
    await page.getByLabel('User (notified or responded)').press('Enter');
    await page.getByTestId('protocol-empty').filter({ hasText: 'No alarm matches these filters' }).waitFor();
    await page.getByLabel('User (notified or responded)').fill('alice');
    await page.getByLabel('User (notified or responded)').press('Enter');
    await page.locator('[data-testid=protocol-table] caption', { hasText: '2 alarms' }).waitFor();
    assert.deepEqual(problems, []);
  });

  it('exports the filtered protocol as a CSV download that parses with the right rows', async () => {
    const expected = await call('GET', '/api/v1/protocol?location=ward%203&user=alice');
    assert.equal(expected.status, 200);
    const ids = expected.json.alarms.map((a: { id: string }) => a.id);
    assert.equal(ids.length, 2);

    // Operated from the keyboard: focus the button and press Enter.
    const button = page.getByRole('button', { name: 'Export CSV' });
    const [download] = await Promise.all([page.waitForEvent('download'), button.press('Enter')]);
    assert.match(download.suggestedFilename(), /^tocsin-protocol-\d{8}T\d{6}Z\.csv$/);
    const text = await readFile((await download.path())!, 'utf8');
    const records = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(records[0]!), [...PROTOCOL_CSV_COLUMNS]);
    assert.deepEqual(
      records.map((r) => r.id),
      ids,
    );
    assert.deepEqual(
      records.map((r) => [r.type, r.location, r.status]),
      [
        ['fire', 'Ward 3, room 318', 'active'],
        ['fire', 'Ward 3, room 312', 'ended'],
      ],
    );
    // Quotes and a comma survive RFC 4180 quoting (a cell starting with = would get a leading ').
    assert.equal(records[0]!.text, 'Smoke in the "quiet" room, =1+1');
    assert.match(records[1]!.responses!, /^alice: accept at /);
    await page.getByTestId('export-status').filter({ hasText: 'Exported: tocsin-protocol-' }).waitFor();

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const rows = JSON.parse(await readFile((await json.path())!, 'utf8')) as { id: string }[];
    assert.deepEqual(
      rows.map((r) => r.id),
      ids,
    );
  });
});
