// @requires: chromium
// The administration pages in headless Chromium against Tocsin on a loopback port (PGlite in
// memory, virtual clock): the admin changes the forced password; creates a user group by ticking
// permissions in the tree (a section's "all", then one unticked); creates a user in that group
// (a password mismatch and a server validation error shown at their fields), edits, locks and
// unlocks them; the new user logs in and sees only what the group allows. On the configuration
// page a web alarm template and an alarm type are created with a validation error at its field,
// edited, refused when stale (If-Match), and deleted; a notification group with presence is
// created and a member logged in to it. The access log lists all of it, filters by
// an action family, verifies its chain, and its CSV export downloads and parses into the rows
// the API lists. Screenshots at 1280×720 (and one on a tablet). Nothing sleeps.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Locator, Page, ViewportSize } from 'playwright-core';
import { CSV_COLUMNS } from '../../src/runtime/access-log-export.ts';
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import {
  HD,
  login as loginAt,
  newWatchedPage,
  startConsoleApp,
  type ConsoleApp,
  type WatchedPage,
} from './console-app.ts';

const ADMIN_PASSWORD = 'Admin-pages-2026-ward';
const NINA_PASSWORD = 'nina-night-shift-42';
const NINA_NEW_PASSWORD = 'nina-day-shift-2027';

let app: ConsoleApp;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(viewport: ViewportSize = HD): Promise<WatchedPage> {
  const page = await newWatchedPage(browser, { viewport, acceptDownloads: true });
  contexts.push(page.context());
  return page;
}

const login = (page: Page, name: string, password: string) => loginAt(page, app.base, name, password);

/** The API from the page, with its session and CSRF token. */
async function pageApi(page: Page, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return page.evaluate(
    async ({ method, path, body, headers }) => {
      const csrf = (globalThis as any).sessionStorage.getItem('tocsin.csrf') ?? '';
      const r = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, json: text === '' ? undefined : JSON.parse(text) };
    },
    { method, path, body, headers },
  );
}

/** The field (label, control, error) labelled `label`. */
const field = (page: Page, label: string): Locator =>
  page.locator('.admin-field', { has: page.getByLabel(label, { exact: true }) });

async function openAdmin(page: Page, link: string): Promise<void> {
  await page.getByTestId('admin-menu').locator('summary').click();
  await page.getByTestId('admin-menu').getByRole('link', { name: link, exact: true }).click();
}

before(async () => {
  assertConsoleBuilt();
  app = await startConsoleApp();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

describe('administration pages', { concurrency: false }, () => {
  let admin: WatchedPage;

  it('the admin changes the forced password, then creates a user group from the permission tree', async () => {
    admin = await newPage();
    await login(admin, 'admin', 'admin');
    await admin.waitForURL('**/password');
    await admin.fill('input[name=oldPassword]', 'admin');
    await admin.fill('input[name=newPassword]', ADMIN_PASSWORD);
    await admin.fill('input[name=repeat]', ADMIN_PASSWORD);
    await admin.click('button[type=submit]');
    await admin.waitForURL('**/board');

    await openAdmin(admin, 'User groups');
    await admin.waitForURL('**/admin/user-groups');
    await admin.getByRole('heading', { name: 'User groups', level: 1 }).waitFor();
    await admin.locator('[data-testid=group-row][data-id=viewer]').waitFor();

    // The Administrator group: every box ticked and locked, and the page says why.
    await admin.getByRole('button', { name: 'Edit Administrator' }).click();
    await admin.getByTestId('administrator-note').waitFor();
    const adminTree = admin.getByTestId('permission-tree');
    assert.equal(await adminTree.locator('input[name=permissions]:not(:checked)').count(), 0);
    assert.equal(await adminTree.locator('input[name=permissions]:not([disabled])').count(), 0);
    assert.equal(await admin.getByTestId('group-form').getByRole('button', { name: 'Delete…' }).count(), 0);

    await admin.getByRole('button', { name: 'New user group' }).click();
    const form = admin.getByTestId('group-form');
    await form.getByRole('heading', { name: 'New user group' }).waitFor();
    await admin.getByLabel('Group id').fill('desk-lite');
    await admin.getByLabel('Group name').fill('Desk lite');
    await admin.getByLabel('Description', { exact: true }).fill('Sees alarms and the protocol; receives notifications');
    // A section's "all": both General permissions; then one of them off again.
    const general = form.getByLabel('All of General');
    await general.check();
    assert.equal(await form.getByLabel('User administration', { exact: true }).isChecked(), true);
    await form.getByLabel('User administration', { exact: true }).uncheck();
    assert.equal(await general.evaluate((el) => (el as unknown as { indeterminate: boolean }).indeterminate), true);
    // Two leaves, one by keyboard (Space toggles a focused checkbox).
    await form.getByLabel('View alarms', { exact: true }).check();
    await form.getByLabel('Protocol', { exact: true }).focus();
    await admin.keyboard.press('Space');
    await screenshot(admin, 'admin-user-groups');
    await form.getByRole('button', { name: 'Create user group' }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'User group Desk lite created.' }).waitFor();
    await admin.locator('[data-testid=group-row][data-id=desk-lite]').waitFor();

    const saved = await pageApi(admin, 'GET', '/api/v1/user-groups/desk-lite');
    assert.deepEqual(saved.json.permissions, ['receive-notifications', 'operation.alarms.view', 'operation.protocol']);
    // The server refuses to reduce the Administrator group whatever the page does.
    const reduce = await pageApi(admin, 'PUT', '/api/v1/user-groups/administrator', {
      name: 'Administrator',
      permissions: ['operation.protocol'],
    });
    assert.equal(reduce.status, 409);

    // Two administrators: the form was read at version 1, someone else saves meanwhile; this
    // save is refused (412), nothing is overwritten, and a reload shows the other's version.
    await admin.getByRole('button', { name: 'Edit Desk lite' }).click();
    await form.getByLabel('Description', { exact: true }).fill('My description');
    const other = await pageApi(admin, 'PUT', '/api/v1/user-groups/desk-lite', {
      name: 'Desk lite',
      description: 'The other admin’s description',
      permissions: saved.json.permissions,
    });
    assert.equal(other.status, 200, JSON.stringify(other.json));
    await form.getByRole('button', { name: 'Save changes' }).click();
    const stale = form.getByTestId('stale');
    await stale.filter({ hasText: 'Someone else changed this user group meanwhile' }).waitFor();
    assert.equal(
      (await pageApi(admin, 'GET', '/api/v1/user-groups/desk-lite')).json.description,
      'The other admin’s description',
    );
    await stale.getByRole('button', { name: 'Reload the current version' }).click();
    await stale.waitFor({ state: 'detached' });
    assert.equal(
      await admin.getByTestId('group-form').getByLabel('Description', { exact: true }).inputValue(),
      'The other admin’s description',
    );
    assert.deepEqual(admin.problems, []);
  });

  it('creates a user in the group (errors at their fields), edits, locks and unlocks them', async () => {
    await openAdmin(admin, 'Users');
    await admin.waitForURL('**/admin/users');
    await admin.locator('[data-testid=user-row][data-login=admin]').waitFor();
    await admin.getByRole('button', { name: 'New user' }).click();
    const form = admin.getByTestId('user-form');
    await admin.getByLabel('Login name').fill('nina');
    await admin.getByLabel('Display name').fill('Nina Nurse');
    await admin.getByLabel('User group').selectOption({ label: 'Desk lite' });
    await admin.getByLabel('Phone', { exact: true }).fill('call me');
    await admin.getByLabel('Initial password').fill(NINA_PASSWORD);
    await admin.getByLabel('Repeat the password').fill(`${NINA_PASSWORD}!`);
    await admin.getByLabel('Must change the password at the next login').uncheck();

    // The console checks the repeat itself…
    await form.getByRole('button', { name: 'Create user' }).click();
    await field(admin, 'Repeat the password').getByTestId('field-error').filter({ hasText: 'differ' }).waitFor();
    // …and shows the server's verdict on the phone number at the phone field.
    await admin.getByLabel('Repeat the password').fill(NINA_PASSWORD);
    await form.getByRole('button', { name: 'Create user' }).click();
    await field(admin, 'Phone').getByTestId('field-error').waitFor();
    assert.equal(await admin.getByLabel('Phone', { exact: true }).getAttribute('aria-invalid'), 'true');
    await admin.getByLabel('Phone', { exact: true }).fill('+49 30 1234');
    await form.getByRole('button', { name: 'Create user' }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'User nina created.' }).waitFor();
    const row = admin.locator('[data-testid=user-row][data-login=nina]');
    await row.filter({ hasText: 'Desk lite' }).waitFor();

    // Edit: the form opened on the new user.
    await admin.getByTestId('user-editor').getByRole('heading', { name: 'Edit user nina' }).waitFor();
    await admin.getByLabel('Display name').fill('Nina Nightingale');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'Changes to nina saved.' }).waitFor();
    await row.filter({ hasText: 'Nina Nightingale' }).waitFor();

    await admin.getByRole('button', { name: 'Lock account' }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'nina is locked' }).waitFor();
    await row.getByTestId('user-status').filter({ hasText: 'locked' }).waitFor();
    const refused = await fetch(`${app.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ loginName: 'nina', password: NINA_PASSWORD }),
    });
    assert.notEqual(refused.status, 200, 'a locked user cannot log in');
    await screenshot(admin, 'admin-users');
    await admin.getByRole('button', { name: 'Unlock account' }).click();
    await row.getByTestId('user-status').filter({ hasText: 'active' }).waitFor();

    // Set a password: a differing repeat is caught at its field; then the new one logs in, the old not.
    const setForm = admin.getByRole('form', { name: 'Set password' });
    const login = (password: string) =>
      fetch(`${app.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ loginName: 'nina', password }),
      }).then((r) => r.status);
    /** Fills and sends the form; resolves once it has been answered (the fields empty on success). */
    const setPassword = async (password: string, repeat: string) => {
      await setForm.getByLabel('New password').fill(password);
      await setForm.getByLabel('Repeat the password').fill(repeat);
      await setForm.getByLabel('Must change the password at the next login').uncheck();
      await setForm.getByRole('button', { name: 'Set password' }).click();
    };
    await setPassword(NINA_NEW_PASSWORD, `${NINA_NEW_PASSWORD}?`);
    await field(admin, 'Repeat the password').getByTestId('field-error').filter({ hasText: 'differ' }).waitFor();
    assert.equal(await login(NINA_PASSWORD), 200, 'nothing changed');
    await setPassword(NINA_NEW_PASSWORD, NINA_NEW_PASSWORD);
    await admin.getByTestId('admin-done').filter({ hasText: 'Password of nina set' }).waitFor();
    assert.equal(await login(NINA_PASSWORD), 401);
    assert.equal(await login(NINA_NEW_PASSWORD), 200);
    // Back to the first one, for the tests below.
    await setPassword(NINA_PASSWORD, NINA_PASSWORD);
    await admin.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('input[name=newPassword]')].every((i: any) => i.value === ''),
    );
    assert.equal(await login(NINA_PASSWORD), 200);

    // Erase asks first; "No" keeps everything.
    await admin.getByRole('button', { name: 'Erase personal data…' }).click();
    await admin.getByRole('button', { name: 'No, keep it' }).click();
    await admin.getByRole('button', { name: 'Erase personal data…' }).waitFor();

    // A leaver: personal data erased (after the question), then the account deleted.
    const created = await pageApi(admin, 'POST', '/api/v1/users', {
      loginName: 'leaver',
      displayName: 'Lee Leaver',
      userGroup: 'desk-lite',
      environments: ['*'],
      password: 'leaving-soon-2026',
    });
    assert.equal(created.status, 201);
    await admin.reload();
    await admin.getByRole('button', { name: 'Edit leaver' }).click();
    await admin.getByRole('button', { name: 'Erase personal data…' }).click();
    await admin.getByRole('group', { name: /Replace the personal data of leaver/ }).waitFor();
    await admin.getByRole('button', { name: 'Yes, erase personal data' }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'Personal data erased' }).waitFor();
    const erased = admin.locator(`[data-testid=user-row][data-login^="erased-"]`);
    await erased.getByTestId('user-status').filter({ hasText: 'erased' }).waitFor();
    assert.equal(await admin.locator('[data-testid=user-row][data-login=leaver]').count(), 0);
    await admin.getByTestId('user-editor').getByRole('button', { name: 'Delete…' }).click();
    await admin.getByRole('button', { name: 'Yes, delete' }).click();
    await admin
      .getByTestId('admin-done')
      .filter({ hasText: /User erased-\w+ deleted\./ })
      .waitFor();
    await erased.waitFor({ state: 'detached' });
    assert.deepEqual(admin.problems, []);
  });

  it('the new user sees only what the group allows; the server refuses the rest', async () => {
    const nina = await newPage();
    await login(nina, 'nina', NINA_PASSWORD);
    await nina.waitForURL('**/board');
    await nina.getByTestId('who').filter({ hasText: 'Nina Nightingale' }).waitFor();
    const links = await nina.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').allTextContents();
    assert.deepEqual(links, ['Alarm board', 'Protocol', 'What-if', 'My account']);
    assert.equal(await nina.getByTestId('admin-menu').count(), 0);
    assert.equal(await nina.locator('form.trigger').count(), 0, 'no trigger form without operation.alarms.trigger');
    await nina.goto(`${app.base}/admin/users`);
    await nina.getByTestId('forbidden').waitFor();
    const statuses = await Promise.all(
      ['/api/v1/users', '/api/v1/user-groups', '/api/v1/config/alarm-types', '/api/v1/access-log'].map(
        async (p) => (await pageApi(nina, 'GET', p)).status,
      ),
    );
    assert.deepEqual(statuses, [403, 403, 403, 403]);
    assert.deepEqual(nina.problems, []);
  });

  it('creates, edits and deletes a web alarm template and an alarm type, with errors at their fields', async () => {
    await openAdmin(admin, 'Configuration');
    await admin.waitForURL('**/admin/configuration');
    await admin.getByRole('tab', { name: /^Environments/ }).waitFor();
    // The tabs follow the arrow keys.
    await admin.getByRole('tab', { name: /^Environments/ }).focus();
    await admin.keyboard.press('ArrowRight');
    await admin.getByRole('tab', { name: /^Alarm types/, selected: true }).waitFor();
    await admin.locator('[data-testid=config-row][data-id=fire]').waitFor();

    await admin.getByRole('tab', { name: /^Web alarm templates/ }).click();
    await admin.locator('[data-testid=config-row][data-id=fire-ward-3]').waitFor();
    await admin.getByRole('button', { name: 'New: Web alarm template' }).click();
    const form = admin.getByTestId('config-form');
    await admin.getByLabel('Id', { exact: true }).fill('smoke-ward-5');
    await admin.getByLabel('Name', { exact: true }).fill('Smoke, ward 5');
    await admin.getByLabel('Alarm type', { exact: true }).fill('fire');
    await admin.getByLabel('Location', { exact: true }).fill('Ward 5, corridor');
    // No alarm text: the server names the field, and the page shows it there.
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await field(admin, 'Alarm text').getByTestId('field-error').waitFor();
    assert.equal(await admin.getByLabel('Alarm text', { exact: true }).getAttribute('aria-invalid'), 'true');
    await admin.getByLabel('Alarm text', { exact: true }).fill('Smoke detector triggered');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'Web alarm template Smoke, ward 5 created.' }).waitFor();
    await admin.locator('[data-testid=config-row][data-id=smoke-ward-5]').waitFor();

    await admin.getByLabel('Location', { exact: true }).fill('Ward 5, room 501');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'saved' }).waitFor();
    await form.getByRole('heading', { name: /version 2/ }).waitFor();
    await screenshot(admin, 'admin-configuration');

    // Someone else changes it meanwhile: the page's save is refused, not overwritten.
    const other = await pageApi(
      admin,
      'PUT',
      '/api/v1/config/web-templates/smoke-ward-5',
      { name: 'Smoke, ward 5', alarmType: 'fire', text: 'Changed elsewhere' },
      { 'If-Match': '"2"' },
    );
    assert.equal(other.status, 200);
    await admin.getByLabel('Alarm text', { exact: true }).fill('My change');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByTestId('stale').waitFor();
    await admin.getByRole('button', { name: 'Load the current version' }).click();
    await form.getByRole('heading', { name: /version 3/ }).waitFor();
    assert.equal(await admin.getByLabel('Alarm text', { exact: true }).inputValue(), 'Changed elsewhere');

    await form.getByRole('button', { name: 'Delete…' }).click();
    await form.getByRole('button', { name: 'Yes, delete' }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'deleted' }).waitFor();
    await admin.locator('[data-testid=config-row][data-id=smoke-ward-5]').waitFor({ state: 'detached' });

    // An alarm type: an invalid id is named at the id field.
    await admin.getByRole('tab', { name: /^Alarm types/ }).click();
    await admin.getByRole('button', { name: 'New: Alarm type' }).click();
    await admin.getByLabel('Id', { exact: true }).fill('Gas Leak');
    await admin.getByLabel('Name', { exact: true }).fill('Gas leak');
    await admin.getByLabel('Priority', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await field(admin, 'Id').getByTestId('field-error').waitFor();
    await admin.getByLabel('Id', { exact: true }).fill('gas-leak');
    await admin.getByLabel('Plan parameters', { exact: true }).fill('{ "rounds": 2,');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await field(admin, 'Plan parameters').getByTestId('field-error').filter({ hasText: 'not valid JSON' }).waitFor();
    await admin.getByLabel('Plan parameters', { exact: true }).fill('{ "rounds": 2 }');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'Alarm type Gas leak created.' }).waitFor();
    await admin.getByLabel('Priority', { exact: true }).fill('3');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByRole('heading', { name: /version 2/ }).waitFor();
    const type = await pageApi(admin, 'GET', '/api/v1/config/alarm-types/gas-leak');
    assert.equal(type.json.priority, 3);
    assert.deepEqual(type.json.params, { rounds: 2 });
    await form.getByRole('button', { name: 'Delete…' }).click();
    await form.getByRole('button', { name: 'Yes, delete' }).click();
    await admin.locator('[data-testid=config-row][data-id=gas-leak]').waitFor({ state: 'detached' });

    // A notification group with presence, its members as JSON; then nina logged in to it.
    await admin.getByRole('tab', { name: /^Notification groups/ }).click();
    await admin.getByRole('button', { name: 'New: Notification group' }).click();
    await admin.getByLabel('Id', { exact: true }).fill('night');
    await admin.getByLabel('Name', { exact: true }).fill('Night shift');
    await admin.getByLabel('Members', { exact: true }).fill('[{ "kind": "user", "id": "nina" }]');
    await admin.getByLabel(/^Track presence/).check();
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await admin.getByTestId('admin-done').filter({ hasText: 'Notification group Night shift created.' }).waitFor();
    await admin.getByRole('button', { name: 'Presence in Night shift' }).click();
    const presence = admin.getByTestId('presence-panel');
    await presence.getByRole('row', { name: /nina logged out/ }).waitFor();
    await presence.getByRole('button', { name: 'Log in: nina' }).click();
    await presence.getByRole('row', { name: /nina logged in/ }).waitFor();
    const present = await pageApi(admin, 'GET', '/api/v1/config/groups/night/presence');
    assert.deepEqual(present.json.present, ['nina']);
    assert.deepEqual(admin.problems, []);
  });

  it('the access log lists the changes, filters, verifies, and exports a CSV with the right rows', async () => {
    // More than a page of entries: nina locked and unlocked a few more times through the API.
    const nina = (await pageApi(admin, 'GET', '/api/v1/users')).json.users.find((u: any) => u.loginName === 'nina');
    for (let i = 0; i < 8; i++)
      for (const op of ['lock', 'unlock'])
        assert.equal((await pageApi(admin, 'POST', `/api/v1/users/${nina.id}/${op}`, {})).status, 200);
    await openAdmin(admin, 'Access log');
    await admin.waitForURL('**/admin/access-log');
    const rows = admin.locator('[data-testid=log-row]');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
    for (const a of ['user.lock', 'user.unlock', 'config.change']) assert.ok(actions.includes(a), `${a} in ${actions}`);
    assert.equal(await rows.count(), 25, 'a page of 25');
    await admin.getByRole('button', { name: 'Older' }).click();
    await admin.locator('[data-testid=log-table] caption', { hasText: 'page 2' }).waitFor();
    await admin.getByRole('button', { name: 'Newer' }).click();
    await admin.locator('[data-testid=log-table] caption', { hasText: 'page 1' }).waitFor();

    // An action family, typed and applied with Enter.
    const filterBy = async (action: string) => {
      await admin.getByLabel('Action', { exact: true }).fill(action);
      await admin.getByLabel('Action', { exact: true }).press('Enter');
      // Every row shown is of the family (and there is at least one).
      await admin.waitForFunction(
        (prefix) => {
          const rs = [...(globalThis as any).document.querySelectorAll('[data-testid=log-row]')];
          return rs.length > 0 && rs.every((r: any) => r.dataset.action.startsWith(prefix));
        },
        action.slice(0, -1),
      );
      return rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
    };
    const users = await filterBy('user.*');
    for (const a of ['user.create', 'user.update', 'user.lock', 'user.unlock'])
      assert.ok(users.includes(a), `${a} in ${users}`);
    assert.ok(
      users.every((a) => a?.startsWith('user.')),
      users.join(', '),
    );
    // Newest first: the other admin's save; the refused stale one changed nothing and is not here.
    assert.deepEqual(await filterBy('group.*'), ['group.update', 'group.create']);
    await admin.getByRole('button', { name: 'Reset filters' }).click();

    await admin.getByRole('button', { name: 'Verify the chain' }).click();
    await admin.getByTestId('verify-result').filter({ hasText: 'The chain is intact' }).waitFor();
    await screenshot(admin, 'admin-access-log');

    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Export CSV' }).press('Enter'),
    ]);
    assert.match(download.suggestedFilename(), /^tocsin-access-log-\d{8}T\d{6}Z\.csv$/);
    await admin.getByTestId('export-status').filter({ hasText: 'Exported: tocsin-access-log-' }).waitFor();
    const records = parse(await readFile((await download.path())!, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    assert.deepEqual(Object.keys(records[0]!), [...CSV_COLUMNS]);
    // Everything up to and including the export's own entry, oldest first, as the API lists it.
    const last = records[records.length - 1]!;
    assert.equal(last.action, 'audit.export');
    const listed = await pageApi(admin, 'GET', `/api/v1/access-log?limit=500&before=${Number(last.seq) + 1}`);
    assert.equal(listed.status, 200);
    const api = [...(listed.json.entries as { seq: number; action: string; actor: string; target: string | null }[])]
      .reverse()
      .map((e) => [String(e.seq), e.action, e.actor, e.target ?? '']);
    assert.deepEqual(
      records.map((r) => [r.seq, r.action, r.actor, r.target]),
      api,
    );
    assert.ok(records.some((r) => r.action === 'config.change' && r.target === 'web-templates/smoke-ward-5'));
    assert.deepEqual(admin.problems, []);
  });

  it('works on a tablet: the users page fits the width and its empty filter state says what to do', async () => {
    const tablet = await newPage({ width: 820, height: 1180 });
    await tablet.context().addCookies(await admin.context().cookies());
    await tablet.goto(`${app.base}/admin/users`);
    await tablet.locator('[data-testid=user-row][data-login=nina]').waitFor();
    const overflow = await tablet.evaluate(() => {
      const g = globalThis as any;
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px)`);
    await tablet.getByLabel('Filter the list').fill('nobody-here');
    await tablet.getByTestId('admin-empty').filter({ hasText: 'Clear the filter field' }).waitFor();
    await screenshot(tablet, 'admin-users-tablet');
    assert.deepEqual(tablet.problems, []);
  });
});
