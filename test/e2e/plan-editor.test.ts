// @requires: chromium
// The plan editor in headless Chromium against Tocsin on a loopback port (PGlite in memory,
// virtual clock): an administrator opens Escalation plans, opens the built-in `escalate`, breaks
// a transition target — the validator's problem shows at its line, both in the problem list and
// as a lint marker in the editor's gutter beside that line number — fixes it by making levelA a
// compound state, publishes it as version 2, sees the diagram draw the compound state and its
// child, analyses and simulates it, compares version 1 with 2, disables and re-enables a
// version. CodeMirror must be styled under the server's CSP (it mounts in a shadow root, so
// style-mod uses a constructed stylesheet): a CSP report or an unstyled editor fails the test. Screenshots: plans, plan-editor-error, plan-editor (the README's),
// plan-editor-tablet (768×1024).
// Nothing sleeps: every wait is for a selector or a state attribute.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import escalate from '../../machines/plans/escalate.json' with { type: 'json' };
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import { startConsoleApp, type ConsoleApp } from './console-app.ts';

const PASSWORD = 'plan-author-2026-long';
const HD = { width: 1280, height: 720 };

/** The editor shows a plan as JSON.stringify(plan, null, 2) plus a newline (plan-source.ts). */
const format = (plan: unknown) => `${JSON.stringify(plan, null, 2)}\n`;
/** The 1-based line of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

let app: ConsoleApp;
let browser: Browser;

before(async () => {
  assertConsoleBuilt();
  app = await startConsoleApp();
  browser = await launchBrowser();
  await app.addUser('author', 'administrator', PASSWORD);
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Replaces the editor's whole text the way a user would: select all, then type (insert) the new text. */
async function replaceText(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

describe('the plan editor', { concurrency: false }, () => {
  it('shows an error at its line, publishes the fixed plan, draws it, and diffs the versions', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: HD });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    // Console errors but the expected HTTP answers (401 before login, 422 for the broken plan):
    // a CSP refusal ("Refused to apply inline style…", "Refused to load the image…") fails the test.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });

    await page.goto(`${app.base}/login`);
    await page.fill('input[name=loginName]', 'author');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname !== '/login');
    await page.getByTestId('admin-menu').locator('summary').click();
    await page.getByRole('link', { name: 'Escalation plans' }).click();
    await page.waitForURL('**/admin/plans');
    await page.locator('[data-testid=plan-row][data-id=escalate]').waitFor();
    await screenshot(page, 'plans');

    await page.getByRole('link', { name: 'escalate', exact: true }).click();
    await page.waitForURL('**/admin/plans/escalate');
    await page.locator('[data-testid=plan-editor][data-ready=true]').waitFor();
    await page.locator('[data-testid=plan-check][data-status=valid]').waitFor();
    await page.locator('[data-testid=plan-diagram-svg] g[data-state=levelA][data-kind=atomic]').waitFor();

    // Styled under the CSP: CodeMirror's base theme lays the gutters out as flex.
    const gutterDisplay = await page
      .locator('.cm-gutters')
      .evaluate((el) => (globalThis as any).getComputedStyle(el).display as string);
    assert.equal(gutterDisplay, 'flex', 'CodeMirror is unstyled: its stylesheet was blocked');

    // Break a target: the problem is listed at its line and marked in the gutter beside that line number.
    const broken = structuredClone(escalate) as Record<string, any>;
    broken.states.levelB.after.levelTimeout.target = 'nowhere';
    const brokenText = format(broken);
    const line = lineOf(brokenText, '"target": "nowhere"');
    assert.ok(line > 1);
    await replaceText(page, brokenText);
    await page.locator('[data-testid=plan-check][data-status=invalid]').waitFor();
    const problem = page.getByTestId('plan-problem');
    assert.equal(await problem.count(), 1);
    assert.equal(await problem.getAttribute('data-line'), String(line));
    assert.match(await problem.innerText(), new RegExp(`Line ${line}\\b.*unknown target 'nowhere'`, 's'));
    // The problem's button (keyboard: Enter) puts the cursor on that line and scrolls it into view.
    await problem.getByRole('button', { name: `Line ${line}` }).press('Enter');
    assert.equal((await page.locator('.cm-activeLine').innerText()).trim(), '"target": "nowhere"');
    await page.locator('.cm-lint-marker-error').waitFor();
    // The line number level with the gutter's error marker.
    const marker = await page.locator('.cm-gutterElement:has(> .cm-lint-marker-error)').boundingBox();
    assert.ok(marker);
    const gutterLine = await page
      .locator('.cm-lineNumbers .cm-gutterElement')
      .evaluateAll(
        (ns, top) => ns.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 2)?.textContent,
        marker.y,
      );
    assert.equal(gutterLine, String(line));
    assert.equal((await page.locator('.cm-lintRange-error').first().innerText()).trim().startsWith('"target"'), true);
    assert.equal(await page.getByTestId('plan-publish').isDisabled(), true);
    await screenshot(page, 'plan-editor-error');

    // Fix it: levelA becomes a compound state whose child escalates to levelB.
    const fixed = structuredClone(escalate) as Record<string, any>;
    const { entry, after: levelAfter, ...rest } = fixed.states.levelA;
    void levelAfter;
    fixed.states.levelA = {
      initial: 'ringing',
      ...rest,
      states: { ringing: { entry, after: { levelTimeout: { target: '#escalate.levelB' } } } },
    };
    await replaceText(page, format(fixed));
    await page.locator('[data-testid=plan-check][data-status=valid]').waitFor();
    assert.equal(await page.getByTestId('plan-problem').count(), 0);
    await page.getByTestId('plan-publish').click();
    await page.getByTestId('plan-status').filter({ hasText: 'Published escalate as version 2.' }).waitFor();

    // The diagram: every state, levelA as a frame around its child.
    const svg = page.getByTestId('plan-diagram-svg');
    await svg.locator('g[data-state=levelA][data-kind=compound]').waitFor();
    await svg.locator('g[data-state="levelA.ringing"]').waitFor();
    const drawn = await svg.locator('g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')).sort());
    assert.deepEqual(drawn, [
      'accepted',
      'cancelled',
      'endOfRound',
      'levelA',
      'levelA.ringing',
      'levelB',
      'unanswered',
    ]);
    const child = await svg.locator('g[data-state="levelA.ringing"] rect').boundingBox();
    const parent = await svg.locator('g[data-state=levelA] > rect').boundingBox();
    assert.ok(
      child && parent && child.x > parent.x && child.y > parent.y,
      'the child is drawn inside its compound state',
    );
    assert.ok((await svg.locator('.edge').count()) >= 10);
    // The README's picture: the editor at the top of the plan, beside its diagram.
    await page.locator('.cm-content').press('ControlOrMeta+Home');
    await page.locator('.cm-activeLine', { hasText: '{' }).waitFor();
    await screenshot(page, 'plan-editor');

    // The analysis report and a simulated scenario (Bob accepts after 90 s) of the published plan.
    await page.getByRole('button', { name: 'Analyse' }).click();
    const report = page.getByTestId('analysis-report');
    await report.waitFor();
    assert.match(await report.innerText(), /Reachable states\s+.*levelA\.ringing/);
    await page.getByRole('tab', { name: 'Simulate' }).click();
    await page.getByLabel('Who').fill('bob');
    await page.getByRole('button', { name: 'Simulate', exact: true }).last().click();
    const timeline = page.getByTestId('sim-timeline');
    await timeline.waitFor();
    assert.match(await timeline.locator('caption').innerText(), /^Ends in /);
    assert.match(
      await timeline.locator('tbody tr').first().innerText(),
      /Alarm raised.*levelA\.ringing.*notify A \(round \d+\): alice, bob/s,
    );

    // Compare version 1 with version 2.
    await page.getByRole('tab', { name: 'Compare versions' }).click();
    await page.getByRole('button', { name: 'Compare' }).click();
    const changes = page.getByTestId('diff-change');
    await page.getByTestId('diff-table').waitFor();
    const pointers = await changes.locator('td:first-child code').allInnerTexts();
    assert.ok(pointers.includes('/states/levelA/initial'), pointers.join(', '));
    assert.ok(pointers.includes('/states/levelA/entry'), pointers.join(', '));
    await page.getByText(/^From version 1 to version 2, changes: \d+$/).waitFor();

    // The list shows the new version.
    await page.getByRole('link', { name: '← All plans' }).click();
    const row = page.locator('[data-testid=plan-row][data-id=escalate]');
    await row.locator('li[data-version="2"]').waitFor();
    // Disabling (administration.plans.disable, which administrators hold) and enabling again.
    await row.getByRole('button', { name: 'Disable escalate@1' }).click();
    await row.locator('li[data-version="1"]', { hasText: 'disabled' }).waitFor();
    await row.getByRole('button', { name: 'Enable escalate@1' }).click();
    await row.locator('li[data-version="1"]', { hasText: 'enabled' }).waitFor();

    // On a tablet in portrait the editor and the diagram stack, with no sideways scrolling.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.getByRole('link', { name: 'escalate', exact: true }).click();
    await page.locator('[data-testid=plan-editor][data-ready=true]').waitFor();
    await page.locator('[data-testid=plan-diagram-svg] g[data-state=levelA][data-kind=compound]').waitFor();
    const overflow = await page.evaluate(() => {
      const g = globalThis as any;
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px)`);
    await screenshot(page, 'plan-editor-tablet');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
