// @requires: chromium
// The board end-to-end over the real DECT path, in headless Chromium: Tocsin on a loopback port
// wired to the OMM simulator (the DECT link, as TOCSIN_DECT_* would configure it), each Tocsin
// user's phone being her handset's number. An operator triggers an alarm from a web template and
// it is pushed onto the board (its latency against the 1 s is bench figure 6); the handsets of level A get the message (text, priority, the
// accept/reject keys); Alice's handset rejects and the card shows it; virtual time passes the
// level timeout and the plan escalates to Carol's handset, which accepts, and the card moves to
// the ended alarms as accepted by Carol. Then Bob's emergency key raises an alarm that appears
// on the board at the place of his base station, raised by Bob. The simulator's handset delays
// run on Tocsin's virtual clock (app.advance); nothing sleeps: every wait is for a selector, or
// (for the simulator) a bounded number of event-loop turns. Screenshot at 1280×720 in
// test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import type { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { assertConsoleBuilt, launchBrowser, screenshot } from '../support/browser.ts';
import { startDectSim } from '../support/dect-sim.ts';
import { settled as settledWithin } from '../support/settled.ts';
import { consoleConfig, newWatchedPage, startConsoleApp, type ConsoleApp } from './console-app.ts';

const PASSWORD = 'operator-at-the-desk-7';
const LEVEL_TIMEOUT_MS = 60_000; // consoleConfig's fire alarm
const CAROL_ANSWERS_AFTER_MS = 5_000;

let app: ConsoleApp;
let sim: OmmSimulator;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const settled = (check: () => boolean | Promise<boolean>, what: string) => settledWithin(check, what, 50_000);

/** A Tocsin user whose phone is a handset's number (written as people write it). */
async function addHandsetUser(loginName: string, displayName: string, phone: string): Promise<void> {
  await app.tocsin.auth.createUser(
    SYSTEM,
    { loginName, displayName, phone, userGroup: 'operator', environments: ['*'] },
    'handset-user-password-7',
    { mustChangePassword: false },
  );
}

type ProtocolEntry = {
  kind: string;
  event: { type: string; by?: string; response?: string };
  actor: { kind: string; id: string };
};
let readProtocol: (method: string, path: string) => Promise<{ status: number; json: any }>;

/** The alarm's protocol from the API, as an operator reads it: pseudonyms shown as names. */
async function protocolOf(id: string): Promise<ProtocolEntry[]> {
  const r = await readProtocol('GET', `/api/v1/alarms/${encodeURIComponent(id)}/protocol`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.chain.ok, true, 'the hash chain verifies');
  return r.json.entries as ProtocolEntry[];
}

before(async () => {
  assertConsoleBuilt();
  const o = await startDectSim(
    {
      handsets: [
        // Level A: Alice rejects as soon as virtual time moves; Bob's handset rings and nobody answers.
        { ppn: 1, number: '4711', name: 'Alice Ward', user: 1, rfp: 10, behaviour: { kind: 'reject', afterMs: 0 } },
        { ppn: 2, number: '4712', name: 'Bob Bridge', user: 2, rfp: 11, behaviour: { kind: 'silent' } },
        // Level B: Carol accepts a few (virtual) seconds after her handset rings.
        {
          ppn: 3,
          number: '4713',
          name: 'Carol Desk',
          user: 3,
          rfp: 12,
          behaviour: { kind: 'accept', afterMs: CAROL_ANSWERS_AFTER_MS },
        },
      ],
      rfps: [10, 11, 12],
      // The handsets' answers wait on Tocsin's virtual clock: they come when the test advances it.
      schedule: (ms, fn) => {
        const timer = app.clock.setTimer(app.clock.now() + ms, fn);
        return () => app.clock.clearTimer(timer);
      },
    },
    {
      triggers: { SOS: 'personal-emergency' },
      locations: { 10: 'Ward 3, nurses’ room', 11: 'Bridge', 12: 'Front desk' },
    },
  );
  sim = o.sim;
  const { dect } = o;
  app = await startConsoleApp(
    {
      ...consoleConfig,
      // No loopback auto-responder: the handsets answer.
      autoRespond: {},
      alarmTypes: [
        ...(consoleConfig.alarmTypes ?? []),
        {
          id: 'personal-emergency',
          name: 'Personal emergency',
          priority: 1,
          plan: { id: 'escalate', version: 1 },
          params: { levelTimeoutMs: LEVEL_TIMEOUT_MS, rounds: 1 },
          environment: 'default',
        },
      ],
    },
    { dect },
  );
  await (app.tocsin.notifier as DectAdapter).whenUp();
  // consoleConfig's groups: A = alice, bob; B = carol. Their phones are their handsets.
  await addHandsetUser('alice', 'Alice Ward', '47 11');
  await addHandsetUser('bob', 'Bob Bridge', '4712');
  await addHandsetUser('carol', 'Carol Desk', '47-13');
  await app.addUser('otto', 'operator', PASSWORD);
  readProtocol = await app.operatorApi('pat', 'pat-reads-the-protocol-7', ['operation.protocol']);
  browser = await launchBrowser();
  page = await newWatchedPage(browser, {}, problems);
});
after(async () => {
  // The browser first: its open event stream would keep the HTTP server from closing.
  await browser?.close();
  await app?.stop();
  await sim?.stop();
});

describe('the board over the DECT path', { concurrency: false }, () => {
  let alarmId: string;

  it('an operator logs in and lands on the empty, live board', async () => {
    assert.equal(app.tocsin.notifier.channel, 'dect');
    await page.goto(`${app.base}/`);
    await page.waitForURL('**/login');
    await page.fill('input[name=loginName]', 'otto');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/board');
    await page.getByTestId('empty').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
  });

  it('trigger from the console → on the board → the handsets of level A ring', async (t) => {
    await page.selectOption('select[name=template]', 'fire-ward-3');
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Trigger alarm' }).click();
    const card = page.locator('[data-testid=alarm]', { hasText: 'Ward 3, room 312' });
    await card.waitFor();
    t.diagnostic(`on the board after ${(performance.now() - t0).toFixed(0)} ms`);
    alarmId = (await card.getAttribute('data-alarm-id'))!;
    assert.ok(alarmId, 'the card names its alarm');
    await card.getByTestId('priority').filter({ hasText: 'Critical · P1' }).waitFor();
    await card.getByTestId('source').filter({ hasText: 'Web / API' }).waitFor();

    // Alice's and Bob's handsets (their users' phones) get the message; Carol's (level B) not yet.
    await settled(() => sim.inbox(1).length === 1 && sim.inbox(2).length === 1, 'level A’s handsets have it');
    for (const [ppn, number] of [
      [1, '4711'],
      [2, '4712'],
    ] as const) {
      const m = sim.inbox(ppn)[0]!;
      assert.equal(m.toAddr, `tel:${number}`);
      assert.match(m.msg.content!, /Smoke detector triggered/);
      assert.equal(m.msg.priority, 'Emergency', 'a P1 alarm rings as Emergency');
      assert.deepEqual([...m.choices].sort(), ['OrderNok', 'OrderOk'], 'the accept and reject keys');
      assert.ok(m.progress.includes('Delivered'));
    }
    assert.equal(sim.inbox(3).length, 0);
    // The board shows both as delivered to the handset.
    for (const who of ['alice', 'bob'])
      await card
        .locator('tr[data-testid=recipient]', { hasText: who })
        .getByTestId('phase')
        .filter({ hasText: 'Delivered' })
        .waitFor();
  });

  it('Alice’s handset rejects: the card shows her rejection; the plan waits for Bob', async () => {
    const card = page.locator(`[data-alarm-id="${alarmId}"]`);
    await app.advance(0); // the handset's OrderNok is due now
    await settled(() => sim.inbox(1)[0]!.confirmation === 'OrderNok', 'Alice’s OrderNok');
    const alice = card.locator('tr[data-testid=recipient]', { hasText: 'alice' });
    await alice.getByTestId('phase').filter({ hasText: 'Rejected' }).waitFor();
    // Not everyone of level A rejected: still level A, Bob's handset still ringing.
    await card.getByTestId('state').filter({ hasText: 'State: levelA' }).waitFor();
    await card
      .locator('tr[data-testid=recipient]', { hasText: 'bob' })
      .getByTestId('phase')
      .filter({ hasText: 'Delivered' })
      .waitFor();
    assert.equal(sim.inbox(3).length, 0, 'no escalation before the level timeout');
  });

  it('the level timeout escalates to Carol’s handset; she accepts and the alarm ends as accepted', async () => {
    const card = page.locator(`[data-alarm-id="${alarmId}"]`);
    await app.advance(LEVEL_TIMEOUT_MS);
    await settled(() => sim.inbox(3).length === 1, 'Carol’s handset has it');
    const m = sim.inbox(3)[0]!;
    assert.equal(m.toAddr, 'tel:4713');
    assert.match(m.msg.content!, /Smoke detector triggered/);
    assert.equal(m.msg.priority, 'Emergency');
    const carol = card.locator('tr[data-testid=recipient]', { hasText: 'carol' });
    await carol.getByTestId('phase').filter({ hasText: 'Delivered' }).waitFor();
    await card.getByTestId('state').filter({ hasText: 'State: levelB' }).waitFor();
    await screenshot(page, 'board-dect-escalated');

    // Carol presses OK on her handset.
    await app.advance(CAROL_ANSWERS_AFTER_MS);
    await settled(() => m.confirmation === 'OrderOk', 'Carol’s OrderOk');
    await page.getByTestId('empty').waitFor();
    assert.equal(await page.getByTestId('count').textContent(), 'Active alarms: 0');
    const ended = page.locator(`.recent [data-testid=alarm][data-alarm-id="${alarmId}"]`);
    await ended.getByTestId('state').filter({ hasText: 'accepted' }).waitFor();
    await ended
      .locator('tr[data-testid=recipient]', { hasText: 'carol' })
      .getByTestId('phase')
      .filter({ hasText: 'Accepted' })
      .waitFor();
    await ended
      .locator('tr[data-testid=recipient]', { hasText: 'alice' })
      .getByTestId('phase')
      .filter({ hasText: 'Rejected' })
      .waitFor();
    // Bob's open message is withdrawn from his handset.
    await settled(() => sim.inbox(2)[0]!.deleted, 'Bob’s message deleted from his handset');
    // The protocol, as an operator reads it (names for the stored pseudonyms): Alice rejected
    // and Carol accepted, each from her handset.
    const entries = await protocolOf(alarmId);
    const responses = entries
      .filter((e) => e.event.type === 'RESPONSE')
      .map((e) => [e.event.by, e.event.response, e.actor.kind]);
    assert.deepEqual(responses, [
      ['alice', 'reject', 'device'],
      ['carol', 'accept', 'device'],
    ]);
  });

  it('Bob’s emergency key raises an alarm on the board, by Bob, at his base station', async () => {
    sim.moveTo(2, 11);
    const adapter = app.tocsin.notifier as DectAdapter;
    await settled(
      () => adapter.phones().some((p) => p.ppn === 2 && p.location === 'Bridge'),
      'the handset’s place at RFP 11',
    );
    sim.pressEmergency(2);
    const card = page.locator('ol.alarms[aria-label="Active alarms"] [data-testid=alarm]', { hasText: 'Bridge' });
    await card.waitFor();
    await card.getByRole('heading', { name: 'personal-emergency · Bridge' }).waitFor();
    await card.getByTestId('priority').filter({ hasText: 'Critical · P1' }).waitFor();
    await card.getByText(/SOS/).waitFor();
    assert.equal(await page.getByTestId('count').textContent(), 'Active alarms: 1');
    const id = (await card.getAttribute('data-alarm-id'))!;
    const alarm = await app.tocsin.store.getAlarm(id);
    assert.ok(alarm, 'the alarm is stored');
    assert.equal(alarm.facts.type, 'personal-emergency');
    assert.deepEqual(alarm.facts.source, { adapter: 'dect', device: 'tel:4712' });
    assert.equal(alarm.facts.location, 'Bridge');
    // The person who pressed the key: the Tocsin user whose phone is handset 4712.
    const [raised] = await protocolOf(id);
    assert.equal(raised!.kind, 'raised');
    assert.deepEqual(raised!.actor, { kind: 'user', id: 'bob' });
    await screenshot(page, 'board-dect');
    assert.deepEqual(problems, []);
  });
});
