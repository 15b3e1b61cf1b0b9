// Erasing a person (issue 4, item 10) through the HTTP API, the whole app in-process: the
// protocol stores pseudonyms from the start, shows names while they are known, and after the
// erase shows the pseudonym; the hash chain verifies before and after; no table holding alarm
// data keeps the login name; a running alarm goes on; the erase is in the access log with
// the pseudonym and row counts, never the values.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { PlanCatalog } from '../../src/runtime/plan-catalog.ts';
import { verifyChain } from '../../src/runtime/protocol-hash.ts';
import { pseudonymsIn } from '../../src/runtime/pseudonyms.ts';
import { replay } from '../../src/runtime/replay.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';

const LOGIN = 'zelda-k';
const DISPLAY = 'Zelda Kowalski';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ file: { ...testFileConfig, groups: { A: [LOGIN, 'bob'], B: ['carol'], empty: [] } } });
});
afterEach(async () => {
  await h.stop();
});

async function raise(text: string) {
  const r = await h.request('POST', '/api/v1/alarms', { type: 'fast', text, location: 'Deck 3' });
  assert.equal(r.status, 201, r.text);
  return r.json.id as string;
}
const respond = async (id: string, response: 'accept' | 'reject', by: string) =>
  assert.equal((await h.request('POST', `/api/v1/alarms/${id}/responses`, { response, by })).status, 202);

/** Every row of the tables that hold alarm data, as JSON text (what a database dump would show). */
async function dump(): Promise<string> {
  const out: string[] = [];
  for (const t of ['protocol', 'notifications', 'alarms', 'timers', 'outbox', 'pseudonyms']) {
    const rows = await sql<{ j: string }>`select row_to_json(t)::text as j from ${sql.table(t)} t`.execute(
      h.tocsin.store.db,
    );
    out.push(...rows.rows.map((r) => r.j));
  }
  return out.join('\n');
}

// `operator` receives notifications; `viewer` may not, so the notifier refuses and its error
// text (naming the recipient) reaches the outbox, the notification and a DELIVERY event.
for (const userGroup of ['operator', 'viewer']) {
  describe(`erasing a person (user group ${userGroup})`, () => {
    it('replaces the person by a pseudonym in everything the protocol shows; the chain still verifies', async () => {
      const c = await h.request('POST', '/api/v1/users', {
        loginName: LOGIN,
        displayName: DISPLAY,
        phone: '+49 30 7319 8642',
        email: 'zelda@example.org',
        userGroup,
        environments: ['default'],
        password: 'zelda-Passphrase-44',
        mustChangePassword: false,
      });
      assert.equal(c.status, 201, c.text);

      // An alarm the person rejected, ended by carol; another still running, notifying the person.
      const ended = await raise('Fire in cabin 7');
      await respond(ended, 'reject', LOGIN);
      await respond(ended, 'reject', 'bob');
      await respond(ended, 'accept', 'carol');
      const running = await raise('Smoke on deck 5');

      // Before: the API shows the name; the stored protocol holds only its pseudonym.
      const before = await h.request('GET', `/api/v1/alarms/${ended}/protocol`);
      assert.deepEqual(before.json.chain, { ok: true });
      assert.ok(before.text.includes(`"by":"${LOGIN}"`), 'the responder is shown by name');
      assert.ok(before.text.includes(`notified A: ${LOGIN}, bob`), 'the note names the recipients');
      const stored = await sql<{ j: string }>`select row_to_json(p)::text as j from protocol p`.execute(
        h.tocsin.store.db,
      );
      assert.ok(stored.rows.length >= 5);
      assert.ok(!stored.rows.some((r) => r.j.includes(LOGIN)), 'no login name in the stored protocol');
      assert.ok((await dump()).includes(LOGIN), 'the mutable tables hold the name before the erase');

      const r = await h.request('POST', `/api/v1/users/${c.json.id}/erase`);
      assert.equal(r.status, 200, r.text);

      // The access log: the erase, with the protocol pseudonym and counts, without the values.
      const log = await h.tocsin.store.accessLog.list({ limit: 10_000 });
      const entry = log.find((e) => e.action === 'user.erase' && e.target === c.json.id);
      assert.ok(entry, 'the erase is logged');
      const details = entry.details as {
        pseudonym: string;
        protocol: {
          pseudonym: string;
          rows: { pseudonyms: number; notifications: number; alarms: number; timers: number; outbox: number };
        };
      };
      const p = details.protocol.pseudonym;
      assert.match(p, /^p-[0-9a-f]{16}$/);
      assert.ok(details.protocol.rows.pseudonyms >= 1, JSON.stringify(details));
      assert.ok(details.protocol.rows.notifications >= 2, JSON.stringify(details));
      assert.equal(details.protocol.rows.alarms, 2, JSON.stringify(details));
      assert.ok(details.protocol.rows.outbox >= 2, JSON.stringify(details));
      const logged = JSON.stringify(entry);
      for (const v of [LOGIN, 'Zelda', 'Kowalski', 'zelda@example.org', '7319 8642', '73198642'])
        assert.ok(!logged.includes(v), `${v} in the access log`);

      // After: the pseudonym where the name was, everywhere the protocol is shown; chain intact.
      for (const id of [ended, running]) {
        const after = await h.request('GET', `/api/v1/alarms/${id}/protocol`);
        assert.deepEqual(after.json.chain, { ok: true });
        assert.ok(!after.text.includes(LOGIN) && !after.text.includes('Zelda'), after.text.slice(0, 500));
        assert.ok(after.text.includes(p), 'the pseudonym is shown');
        assert.ok(after.text.includes('"bob"'), 'other people are still shown by name');
      }
      const shown = (await h.request('GET', `/api/v1/alarms/${ended}/protocol`)).json;
      assert.equal(shown.entries.find((e: { event: { by?: string } }) => e.event.by !== undefined).event.by, p);
      const detail = await h.request('GET', `/api/v1/alarms/${running}`);
      assert.ok(!detail.text.includes(LOGIN), 'the alarm view shows the pseudonym');

      // The database: no table holding alarm data keeps the login name (nor the display name).
      const all = await dump();
      assert.ok(!all.toLowerCase().includes(LOGIN), 'login name left in the database');
      assert.ok(!all.includes('Kowalski'));

      // The running alarm goes on (escalates, accepted) and still replays exactly, as rewritten.
      await h.advance(1000);
      await respond(running, 'accept', 'carol');
      for (const id of [ended, running]) {
        const entries = await h.tocsin.store.listProtocol(id);
        const alarm = (await h.tocsin.store.getAlarm(id))!;
        assert.equal(alarm.status, 'ended');
        assert.deepEqual(verifyChain(entries, alarm), { ok: true });
        const machine = await new PlanCatalog(h.tocsin.store).machine(alarm.plan);
        const resolved = await h.tocsin.store.resolvePseudonyms(pseudonymsIn(entries));
        assert.ok(!resolved.has(p), 'the erased pseudonym no longer resolves');
        const re = replay(machine, entries, 'loopback', resolved);
        assert.equal(re.ok, true, JSON.stringify(re));
        if (re.ok) assert.deepEqual(re.snapshot, alarm.snapshot);
      }
      assert.ok(!(await dump()).toLowerCase().includes(LOGIN), 'no later step wrote the name again');
    });
  });
}
