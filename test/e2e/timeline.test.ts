// @requires: chromium
// The alarm timeline in headless Chromium against Tocsin on a loopback port (PGlite in memory,
// virtual clock, loopback notifier): an alarm escalates and ends — Alice rejects, the level's
// timer fires, Carol accepts — then an operator opens its timeline from the protocol page, sees
// the lanes (the state lane ending in `accepted`, Alice's rejection, Carol's acceptance, the
// fired timer), steps through the recorded history with the keyboard — the statechart (the
// plan editor's elkjs diagram of the alarm's whole plan, which whoever reads the protocol may
// read, though not the plan editor's plans) highlights the selected step's state — and replays
// it: it reproduces every step. An administrator sees the same, with the same highlight. The
// screenshot goes to test-artifacts/screenshots/timeline.png.
// Nothing sleeps: every wait is for a selector.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import { consoleConfig, startConsoleApp, type ConsoleApp } from './console-app.ts';

const OPERATOR_PASSWORD = 'desk-operator-2026-long';
const ADMIN_PASSWORD = 'plan-reader-admin-2026-long';
const HD = { width: 1280, height: 720 };

let app: ConsoleApp;
let browser: Browser;
let alarmId: string;

/** The API as the operator (a token with exactly the permissions the test needs). */
let call: Awaited<ReturnType<ConsoleApp['operatorApi']>>;

before(async () => {
  assertConsoleBuilt();
  // Alice rejects after 5 s, Bob never answers, so level A times out; Carol accepts after 10 s.
  app = await startConsoleApp({
    ...consoleConfig,
    autoRespond: { alice: { response: 'reject', afterMs: 5_000 }, carol: { response: 'accept', afterMs: 10_000 } },
  });
  browser = await launchBrowser();
  call = await app.operatorApi('desk', OPERATOR_PASSWORD, [
    'operation.alarms.trigger',
    'operation.alarms.view',
    'operation.protocol',
  ]);
  const raised = await call('POST', '/api/v1/alarms', {
    type: 'fire',
    text: 'Smoke detector triggered',
    location: 'Ward 3, room 312',
  });
  assert.equal(raised.status, 201);
  alarmId = raised.json.id;
  await app.addUser('planner', 'administrator', ADMIN_PASSWORD);
  await app.advance(5_000);
  await app.advance(60_000);
  await app.advance(10_000);
  const alarm = await call('GET', `/api/v1/alarms/${alarmId}`);
  assert.equal(alarm.json.status, 'ended');
  assert.equal(alarm.json.state, 'accepted');
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the alarm timeline', { concurrency: false }, () => {
  it('opens from the protocol, draws the lanes, steps with the keyboard and replays', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: HD });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    // The 401 of GET /api/v1/auth/me before the login is expected.
    page.on('console', (m) => {
      if (
        m.type() === 'error' &&
        !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
      )
        problems.push(m.text());
    });

    const protocol = await call('GET', `/api/v1/alarms/${alarmId}/protocol`);
    assert.equal(protocol.status, 200);
    const steps = protocol.json.entries as { seq: number; toState: string; kind: string; lateMs: number | null }[];
    assert.ok(
      steps.some((s) => s.kind === 'timer'),
      'the level timer fired',
    );
    assert.equal(steps[steps.length - 1]!.toState, 'accepted');

    await page.goto(`${app.base}/login`);
    await page.fill('input[name=loginName]', 'desk');
    await page.fill('input[name=password]', OPERATOR_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/board');
    await page.getByRole('link', { name: 'Protocol' }).click();
    await page.waitForURL('**/protocol');
    const row = page.locator(`[data-testid=protocol-row][data-id="${alarmId}"]`);
    await row.getByRole('link', { name: /Open the timeline of this alarm/ }).click();
    await page.waitForURL(`**/alarms/${alarmId}`);
    await page.getByRole('heading', { name: 'Alarm timeline: Smoke detector triggered' }).waitFor();
    assert.equal(await page.title(), 'Tocsin · Alarm timeline');

    // The lanes: the state lane ends in `accepted`; the recipients' answers; the fired timer.
    const lanes = page.getByTestId('timeline-lanes');
    await lanes.waitFor();
    const states = await page
      .locator('[data-testid=lane-state] [data-state]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    assert.equal(states[0], 'levelA');
    assert.equal(states[states.length - 1], 'accepted');
    await page
      .locator('[data-testid=lane-recipient][data-recipient=carol]')
      .getByRole('img', { name: /^carol: accepted at / })
      .waitFor();
    await page
      .locator('[data-testid=lane-recipient][data-recipient=alice]')
      .getByRole('img', { name: /^alice: rejected at / })
      .waitFor();
    await page
      .locator('[data-testid=lane-recipient][data-recipient=bob]')
      .getByRole('img', { name: /^bob: sent at / })
      .waitFor();
    await page
      .getByTestId('lane-timers')
      .getByRole('img', { name: /fired at .*, \d+ ms late/ })
      .first()
      .waitFor();
    assert.equal(await page.getByTestId('timeline-step').count(), steps.length);

    // The scrubber, from the keyboard: it starts at the last step.
    const scrubber = page.getByRole('slider', { name: 'Recorded step' });
    await page
      .getByTestId('step-details')
      .getByRole('heading', { name: new RegExp(`^Step ${steps.length} at `) })
      .waitFor();
    // The statechart of the alarm's plan (GET …/plan: the operator reads the protocol, not the plan
    // editor's plans), every state of escalate@1, also those this alarm never reached; drawn by
    // elkjs as SVG, it highlights the selected step's state: outlined, ringed, named in its label.
    const chart = page.getByTestId('plan-diagram');
    await chart.getByRole('heading', { name: 'Plan statechart' }).waitFor();
    const svg = chart.getByTestId('plan-diagram-svg');
    await svg.locator('g[data-state=accepted][data-kind=final][data-active=state] rect.ring').waitFor();
    assert.equal(await svg.getAttribute('aria-label'), 'Statechart, highlighted state: accepted');
    const drawn = await svg.locator('g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    assert.deepEqual(drawn.toSorted(), ['accepted', 'cancelled', 'endOfRound', 'levelA', 'levelB', 'unanswered']);
    assert.equal(await chart.getByText(/^Only the states and transitions/).count(), 0);
    assert.equal((await call('GET', '/api/v1/plans/escalate/versions/1')).status, 403, 'no plan editor reading');
    assert.ok((await svg.locator('g.edge polyline').count()) >= 2, 'the transitions are drawn');
    await scrubber.focus();
    await page.keyboard.press('Home');
    await svg.locator('g[data-state=levelA][data-active=state]').waitFor();
    assert.equal(await svg.locator('[data-active]').count(), 1);
    assert.equal(await svg.locator('rect.ring').count(), 1);
    assert.equal(await svg.getAttribute('aria-label'), 'Statechart, highlighted state: levelA');
    await page
      .getByTestId('step-details')
      .getByRole('heading', { name: /^Step 1 at / })
      .waitFor();
    assert.equal((await page.getByTestId('step-transition').textContent())?.trim(), '∅ → levelA');
    assert.match((await scrubber.getAttribute('aria-valuetext')) ?? '', /^Step 1 of \d+: RAISE, ∅ → levelA$/);
    await page.keyboard.press('ArrowRight');
    await page
      .getByTestId('step-details')
      .getByRole('heading', { name: /^Step 2 at / })
      .waitFor();
    assert.equal(await page.locator('[data-testid=timeline-step][aria-current=step] td').first().textContent(), '2');
    // The Next button, by keyboard too.
    await page.getByRole('button', { name: 'Next step' }).press('Enter');
    await page
      .getByTestId('step-details')
      .getByRole('heading', { name: /^Step 3 at / })
      .waitFor();
    const timerStep = steps.find((s) => s.kind === 'timer')!;
    await scrubber.focus();
    for (let i = 3; i < timerStep.seq; i++) await page.keyboard.press('ArrowRight');
    await page
      .getByTestId('step-details')
      .getByText(/^\d+ ms late$/)
      .waitFor();
    // The scrubber moved the highlight along: the timer's step left level A.
    await svg.locator(`g[data-state="${timerStep.toState}"][data-active=state]`).waitFor();
    assert.equal(await svg.locator('[data-active]').count(), 1);
    assert.equal(await svg.getAttribute('aria-label'), `Statechart, highlighted state: ${timerStep.toState}`);

    // Replay: the recorded inputs reproduce every step under the pinned plan.
    await page.getByRole('button', { name: 'Replay' }).press('Enter');
    await page
      .getByTestId('replay-status')
      .filter({ hasText: `Reproduces: ${steps.length} steps under escalate@1` })
      .waitFor();
    await screenshot(page, 'timeline');
    assert.deepEqual(problems, []);
  });

  it('shows an administrator the whole plan too, with the same highlight following the scrubber', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: HD });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${app.base}/login`);
    await page.fill('input[name=loginName]', 'planner');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname !== '/login');
    await page.goto(`${app.base}/alarms/${alarmId}`);
    const chart = page.getByTestId('plan-diagram');
    const svg = chart.getByTestId('plan-diagram-svg');
    // Every state of escalate@1, also those this alarm never reached; no "only the visited" notice.
    await svg.locator('g[data-state=accepted][data-active=state]').waitFor();
    const drawn = await svg.locator('g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    assert.deepEqual(drawn.toSorted(), ['accepted', 'cancelled', 'endOfRound', 'levelA', 'levelB', 'unanswered']);
    assert.equal(await chart.getByText(/^Only the states and transitions/).count(), 0);
    await page.getByRole('slider', { name: 'Recorded step' }).focus();
    await page.keyboard.press('Home');
    await svg.locator('g[data-state=levelA][data-active=state]').waitFor();
    assert.equal(await svg.locator('[data-active]').count(), 1);
    assert.equal(await svg.getAttribute('aria-label'), 'Statechart, highlighted state: levelA');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('the page of an unknown alarm says so, and a path that is no id is no page', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: HD });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.base}/login`);
    await page.fill('input[name=loginName]', 'desk');
    await page.fill('input[name=password]', OPERATOR_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/board');
    await page.goto(`${app.base}/alarms/no-such-alarm`);
    await page.getByRole('alert').filter({ hasText: 'does not exist' }).waitFor();
    const bad = await fetch(`${app.base}/alarms/a/b`);
    assert.equal(bad.status, 404);
  });
});
