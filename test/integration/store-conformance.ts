/**
 * The AlarmStore conformance suite: one set of cases, run against PostgreSQL
 * (store-pg.test.ts) and PGlite (store-pglite.test.ts). Every case starts from an empty,
 * migrated store.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { AlarmFacts } from '../../src/domain/alarm.ts';
import type { StepCommit, TimerRecord } from '../../src/ports/alarm-store.ts';
import { GENESIS, hashEntry, verifyChain } from '../../src/runtime/protocol-hash.ts';
import type { TestStore } from '../support/services.ts';

const T = Date.UTC(2026, 10, 25, 8, 0, 0);
const PLAN = { id: 'escalate', version: 1 };

const facts = (id: string): AlarmFacts => ({
  id,
  type: 'generic',
  priority: 3,
  text: 'Smoke in cabin 7',
  location: 'Deck 3',
  source: { adapter: 'http', device: 'web' },
  environment: 'default',
  raisedAt: T,
});

/** A minimal valid step `seq` for `id`, chained on `prevHash`. */
function step(id: string, seq: number, prevHash: string, extra: Partial<StepCommit> = {}): StepCommit {
  const body = {
    alarmId: id,
    seq,
    at: T + seq,
    kind: seq === 1 ? ('raised' as const) : ('event' as const),
    event: { type: seq === 1 ? 'RAISE' : 'RESPONSE', n: seq },
    fromState: seq === 1 ? null : 'levelA',
    toState: 'levelA',
    guards: [{ guard: 'accepted', result: false }],
    effects: [],
    actor: { kind: 'user' as const, id: 'u' },
    note: `step ${seq}`,
    lateMs: null,
    prevHash,
  };
  return {
    alarmId: id,
    expectedSeq: seq - 1,
    ...(seq === 1 ? { create: { facts: facts(id), plan: PLAN } } : {}),
    status: 'active',
    state: 'levelA',
    snapshot: { value: 'levelA', context: { n: seq } },
    entry: { ...body, hash: hashEntry(body) },
    cancelSendIds: [],
    addTimers: [],
    notifications: [],
    outbox: [],
    ...extra,
  };
}

const timer = (id: string, alarmId: string, dueAt: number, sendId = 'xstate.after.x.p.levelA'): TimerRecord => ({
  id,
  alarmId,
  sendId,
  event: { type: sendId },
  dueAt,
  status: 'pending',
  createdSeq: 1,
  firedAt: null,
  lateMs: null,
});

export function storeConformance(name: string, make: () => Promise<TestStore>): void {
  describe(`AlarmStore conformance: ${name}`, () => {
    let t: TestStore;
    before(async () => {
      t = await make();
    });
    after(async () => {
      await t.cleanup();
    });
    beforeEach(async () => {
      // Empty every table (the protocol's append-only trigger forbids DELETE, so TRUNCATE).
      await sql`truncate protocol, timers, notifications, outbox, alarms`.execute(t.store.db);
      await t.store.putPlan(PLAN, { id: 'escalate', initial: 'a', states: { a: {} } }, T);
    });

    it('migrate is idempotent', async () => {
      await t.store.migrate();
      await t.store.migrate();
      await t.store.ping();
    });

    it('stores a plan version once; the same definition again is a no-op, a different one throws', async () => {
      await t.store.putPlan({ id: 'p', version: 1 }, { a: [1, { b: 2 }] }, T);
      await t.store.putPlan({ id: 'p', version: 1 }, { a: [1, { b: 2 }] }, T);
      assert.deepEqual(await t.store.getPlan({ id: 'p', version: 1 }), { a: [1, { b: 2 }] });
      await assert.rejects(t.store.putPlan({ id: 'p', version: 1 }, { a: 2 }, T), /different definition/);
      assert.equal(await t.store.getPlan({ id: 'p', version: 2 }), undefined);
    });

    it('keeps a plan as published, member order included (jsonb alone would sort the keys)', async () => {
      // Keys whose jsonb order (shorter first) differs from the authored order.
      const authored = { states: { levelB: {}, done: {}, levelA: {} }, initial: 'levelA', id: 'ordered' };
      const order = (v: unknown) => JSON.stringify(v);
      await t.store.putPlan({ id: 'ordered', version: 1 }, authored, T);
      assert.equal(order(await t.store.getPlan({ id: 'ordered', version: 1 })), order(authored));
      assert.equal(await t.store.publishPlan('ordered', authored, T, 'alice'), 2);
      assert.equal(order((await t.store.getPlanInfo({ id: 'ordered', version: 2 }))!.definition), order(authored));
      // A version published before the source was kept reads from the jsonb column, as it ran.
      await sql`update plans set source = null where id = 'ordered' and version = 1`.execute(t.store.db);
      const old = await t.store.getPlan({ id: 'ordered', version: 1 });
      assert.deepEqual(old, authored);
      assert.notEqual(order(old), order(authored));
    });

    it('round-trips an alarm with the same JS types on every driver', async () => {
      const r = await t.store.commit(step('a1', 1, GENESIS));
      assert.deepEqual(r, { ok: true, cancelledTimerIds: [] });
      const a = await t.store.getAlarm('a1');
      assert.ok(a);
      assert.deepEqual(a.facts, facts('a1'));
      assert.deepEqual(a.plan, PLAN);
      assert.equal(a.seq, 1);
      assert.equal(typeof a.seq, 'number');
      assert.equal(a.updatedAt, T + 1);
      assert.equal(a.endedAt, undefined);
      assert.deepEqual(a.snapshot, { value: 'levelA', context: { n: 1 } });
      const [e] = await t.store.listProtocol('a1');
      assert.equal(e!.at, T + 1);
      assert.equal(e!.lateMs, null);
      assert.deepEqual(e!.guards, [{ guard: 'accepted', result: false }]);
    });

    it('creating an existing id answers `exists` and writes nothing', async () => {
      const s1 = step('a1', 1, GENESIS);
      await t.store.commit(s1);
      const again = await t.store.commit({ ...s1, addTimers: [timer('t-a1-1-0', 'a1', T + 5)] });
      assert.deepEqual(again, { ok: false, reason: 'exists' });
      assert.equal((await t.store.listProtocol('a1')).length, 1);
      assert.equal((await t.store.listTimers('a1')).length, 0);
    });

    it('a stale expectedSeq answers `conflict` and writes nothing at all', async () => {
      const s1 = step('a1', 1, GENESIS);
      await t.store.commit(s1);
      await t.store.commit(step('a1', 2, s1.entry.hash));
      const stale = step('a1', 2, s1.entry.hash, {
        addTimers: [timer('t-a1-2-0', 'a1', T + 5)],
        outbox: [{ id: 'o-a1-2-0', alarmId: 'a1', seq: 2, kind: 'notify', payload: {}, createdAt: T }],
      });
      assert.deepEqual(await t.store.commit(stale), { ok: false, reason: 'conflict' });
      assert.equal((await t.store.getAlarm('a1'))!.seq, 2);
      assert.equal((await t.store.listProtocol('a1')).length, 2);
      assert.equal((await t.store.listTimers('a1')).length, 0);
      assert.equal((await t.store.claimOutbox({ now: T, leaseMs: 1000, limit: 10 })).length, 0);
    });

    it('consuming a timer that is no longer pending answers `stale-timer` and writes nothing', async () => {
      const s1 = step('a1', 1, GENESIS, { addTimers: [timer('t-a1-1-0', 'a1', T + 100)] });
      await t.store.commit(s1);
      const fire = step('a1', 2, s1.entry.hash, { consumeTimer: { id: 't-a1-1-0', firedAt: T + 100, lateMs: 0 } });
      assert.equal((await t.store.commit(fire)).ok, true);
      const tm = await t.store.getTimer('t-a1-1-0');
      assert.equal(tm!.status, 'fired');
      assert.equal(tm!.firedAt, T + 100);
      const again = step('a1', 3, fire.entry.hash, { consumeTimer: { id: 't-a1-1-0', firedAt: T + 200, lateMs: 100 } });
      assert.deepEqual(await t.store.commit(again), { ok: false, reason: 'stale-timer' });
      assert.equal((await t.store.getAlarm('a1'))!.seq, 2);
    });

    it('a commit whose seq check fails also rolls back the timer it consumed', async () => {
      const s1 = step('a1', 1, GENESIS, { addTimers: [timer('t-a1-1-0', 'a1', T + 100)] });
      await t.store.commit(s1);
      const wrong = {
        ...step('a1', 2, s1.entry.hash, { consumeTimer: { id: 't-a1-1-0', firedAt: T, lateMs: 0 } }),
        expectedSeq: 7,
      };
      assert.deepEqual(await t.store.commit(wrong), { ok: false, reason: 'conflict' });
      assert.equal((await t.store.getTimer('t-a1-1-0'))!.status, 'pending');
    });

    it('cancels pending timers by send id and reports their ids; fired ones stay fired', async () => {
      const s1 = step('a1', 1, GENESIS, {
        addTimers: [
          timer('t-a1-1-0', 'a1', T + 100, 'x'),
          timer('t-a1-1-1', 'a1', T + 200, 'y'),
          timer('t-a1-1-2', 'a1', T + 300, 'x'),
        ],
      });
      await t.store.commit(s1);
      const s2 = step('a1', 2, s1.entry.hash, { consumeTimer: { id: 't-a1-1-0', firedAt: T + 100, lateMs: 0 } });
      await t.store.commit(s2);
      const s3 = step('a1', 3, s2.entry.hash, { cancelSendIds: ['x'] });
      assert.deepEqual(await t.store.commit(s3), { ok: true, cancelledTimerIds: ['t-a1-1-2'] });
      const statuses = (await t.store.listTimers('a1')).map((x) => [x.id, x.status]);
      assert.deepEqual(statuses, [
        ['t-a1-1-0', 'fired'],
        ['t-a1-1-1', 'pending'],
        ['t-a1-1-2', 'cancelled'],
      ]);
    });

    it('lists pending timers earliest first, filters overdue ones, and pages by id', async () => {
      const s1 = step('a1', 1, GENESIS, {
        addTimers: [
          timer('t-a1-1-2', 'a1', T + 300),
          timer('t-a1-1-0', 'a1', T + 100),
          timer('t-a1-1-1', 'a1', T + 200),
        ],
      });
      await t.store.commit(s1);
      assert.deepEqual(
        (await t.store.pendingTimers({ limit: 10 })).map((x) => x.id),
        ['t-a1-1-0', 't-a1-1-1', 't-a1-1-2'],
      );
      assert.deepEqual(
        (await t.store.pendingTimers({ limit: 10, dueBefore: T + 200 })).map((x) => x.id),
        ['t-a1-1-0', 't-a1-1-1'],
      );
      assert.deepEqual(
        (await t.store.pendingTimers({ limit: 2, afterId: 't-a1-1-0' })).map((x) => x.id),
        ['t-a1-1-1', 't-a1-1-2'],
      );
    });

    it('notification rows move only forward, whoever writes them', async () => {
      const n = {
        notificationId: 'A.0.u',
        recipient: 'u',
        channel: 'loopback',
        group: 'A',
        round: 0,
        idempotencyKey: 'a1/A.0.u',
      };
      const s1 = step('a1', 1, GENESIS, { notifications: [{ ...n, status: 'pending' }] });
      await t.store.commit(s1);
      assert.equal(await t.store.markNotification('a1', 'A.0.u', { status: 'sent', at: T + 1 }), true);
      assert.equal(await t.store.markNotification('a1', 'A.0.u', { status: 'sent', at: T + 2 }), false);
      const s2 = step('a1', 2, s1.entry.hash, {
        notifications: [{ ...n, status: 'accepted', response: 'accept', respondedAt: T + 3 }],
      });
      await t.store.commit(s2);
      // A late delivery report must not turn an accepted notification back into "delivered".
      assert.equal(await t.store.markNotification('a1', 'A.0.u', { status: 'delivered', at: T + 4 }), false);
      const s3 = step('a1', 3, s2.entry.hash, { notifications: [{ ...n, status: 'pending' }] });
      await t.store.commit(s3);
      const [row] = await t.store.listNotifications('a1');
      assert.equal(row!.status, 'accepted');
      assert.equal(row!.response, 'accept');
      assert.equal(row!.respondedAt, T + 3);
      assert.equal(row!.sentAt, T + 1);
      assert.equal(row!.deliveredAt, null);
    });

    it('leases outbox rows: a claimed row is not handed out again until its lease expires', async () => {
      const s1 = step('a1', 1, GENESIS, {
        outbox: [
          { id: 'o-a1-1-0', alarmId: 'a1', seq: 1, kind: 'notify', payload: { x: 1 }, createdAt: T },
          { id: 'o-a1-1-1', alarmId: 'a1', seq: 1, kind: 'withdraw', payload: { x: 2 }, createdAt: T },
        ],
      });
      await t.store.commit(s1);
      const first = await t.store.claimOutbox({ now: T, leaseMs: 1000, limit: 10, ids: ['o-a1-1-0'] });
      assert.deepEqual(
        first.map((o) => [o.id, o.attempts, o.payload]),
        [['o-a1-1-0', 1, { x: 1 }]],
      );
      assert.deepEqual(
        (await t.store.claimOutbox({ now: T + 999, leaseMs: 1000, limit: 10 })).map((o) => o.id),
        ['o-a1-1-1'],
      );
      assert.deepEqual(await t.store.claimOutbox({ now: T + 999, leaseMs: 1000, limit: 10 }), []);
      const again = await t.store.claimOutbox({ now: T + 1001, leaseMs: 1000, limit: 10 });
      assert.deepEqual(
        again.map((o) => [o.id, o.attempts]),
        [['o-a1-1-0', 2]],
      );
      await t.store.completeOutbox('o-a1-1-0', { status: 'done', at: T + 1002 });
      await t.store.completeOutbox('o-a1-1-0', { status: 'failed', at: T + 1003, error: 'ignored: already done' });
      assert.deepEqual(await t.store.claimOutbox({ now: T + 5000, leaseMs: 1000, limit: 10, ids: ['o-a1-1-0'] }), []);
    });

    it('refuses to rewrite or delete the protocol', async () => {
      await t.store.commit(step('a1', 1, GENESIS));
      await assert.rejects(sql`update protocol set note = 'forged'`.execute(t.store.db), /append-only/);
      await assert.rejects(sql`delete from protocol`.execute(t.store.db), /append-only/);
      assert.equal((await t.store.listProtocol('a1'))[0]!.note, 'step 1');
    });

    it('an ended alarm accepts no further step and counts by state only while active', async () => {
      const s1 = step('a1', 1, GENESIS);
      await t.store.commit(s1);
      await t.store.commit(step('b1', 1, GENESIS));
      assert.deepEqual(await t.store.countActiveByState(), { levelA: 2 });
      const end = step('a1', 2, s1.entry.hash, { status: 'ended', state: 'accepted' });
      await t.store.commit(end);
      assert.equal((await t.store.getAlarm('a1'))!.endedAt, T + 2);
      assert.deepEqual(await t.store.commit(step('a1', 3, end.entry.hash)), { ok: false, reason: 'conflict' });
      assert.deepEqual(await t.store.countActiveByState(), { levelA: 1 });
      assert.deepEqual(
        (await t.store.listAlarms({ status: 'ended', limit: 5 })).map((a) => a.facts.id),
        ['a1'],
      );
    });

    it('queries alarms by time, type, location, user, status, state and environment, paging newest first', async () => {
      const raise = (id: string, over: Partial<AlarmFacts>, recipients: string[] = [], state = 'levelA') => {
        const s = step(id, 1, GENESIS, {
          state,
          notifications: recipients.map((r) => ({
            notificationId: `A.0.${r}`,
            recipient: r,
            channel: 'loopback',
            group: 'A',
            round: 0,
            status: 'pending' as const,
            idempotencyKey: `${id}-${r}`,
          })),
        });
        return t.store.commit({ ...s, create: { facts: { ...facts(id), ...over }, plan: PLAN } });
      };
      await raise('p1', { raisedAt: T, type: 'fire', location: 'Ward 3, room 312' }, ['alice', 'bob']);
      await raise('p2', { raisedAt: T + 1000, type: 'fire', location: 'Ward 1_2' }, ['Carol'], '{"level":"b"}');
      await raise('p3', { raisedAt: T + 1000, type: 'technical', location: 'WARD 3 corridor' }, ['bob']);
      await raise(
        'p4',
        { raisedAt: T + 2000, type: 'fire', environment: 'other', source: { adapter: 'supervision' } },
        ['alice'],
      );
      const ids = async (q: Partial<Parameters<typeof t.store.queryAlarms>[0]>) =>
        (await t.store.queryAlarms({ limit: 10, ...q })).map((a) => a.facts.id);
      // Newest first; ties by id descending.
      assert.deepEqual(await ids({}), ['p4', 'p3', 'p2', 'p1']);
      assert.deepEqual(await ids({ environments: ['default'] }), ['p3', 'p2', 'p1']);
      assert.deepEqual(await ids({ environments: [] }), []);
      assert.deepEqual(await ids({ from: T + 1000, to: T + 2000 }), ['p3', 'p2']);
      assert.deepEqual(await ids({ type: 'fire', environments: ['default'] }), ['p2', 'p1']);
      assert.deepEqual(await ids({ location: 'ward 3' }), ['p3', 'p1']);
      // LIKE wildcards are taken literally.
      assert.deepEqual(await ids({ location: '1_2' }), ['p2']);
      assert.deepEqual(await ids({ location: '%' }), []);
      assert.deepEqual(await ids({ user: 'BOB' }), ['p3', 'p1']);
      assert.deepEqual(await ids({ user: 'carol' }), ['p2']);
      assert.deepEqual(await ids({ user: 'bo' }), []);
      assert.deepEqual(await ids({ state: 'level' }), ['p2']);
      assert.deepEqual(await ids({ state: 'levelA' }), ['p4', 'p3', 'p1']);
      assert.deepEqual(await ids({ status: 'ended' }), []);
      assert.deepEqual(await ids({ adapter: 'supervision' }), ['p4']);
      assert.deepEqual(await ids({ adapter: 'http', environments: ['default'], limit: 2 }), ['p3', 'p2']);
      assert.deepEqual(await ids({ adapter: 'supervision', environments: ['default'] }), []);
      // Paging: a page of 2, then the rest after its last alarm.
      assert.deepEqual(await ids({ limit: 2 }), ['p4', 'p3']);
      assert.deepEqual(await ids({ before: { raisedAt: T + 1000, id: 'p3' } }), ['p2', 'p1']);
      const notes = await t.store.listNotificationsOf(['p1', 'p3']);
      assert.deepEqual(
        notes.map((n) => `${n.alarmId}:${n.recipient}`),
        ['p1:alice', 'p1:bob', 'p3:bob'],
      );
      assert.deepEqual(await t.store.listNotificationsOf([]), []);
    });

    it('transact hands decide the locked alarm and timer, and writes what it returns', async () => {
      const s1 = step('a1', 1, GENESIS, { addTimers: [timer('t-a1-1-0', 'a1', T + 100)] });
      await t.store.commit(s1);
      let seen: [number, string | undefined] | undefined;
      const r = await t.store.transact('a1', 't-a1-1-0', (alarm, tm) => {
        seen = [alarm.seq, tm?.status];
        return step('a1', 2, alarm.lastHash, { consumeTimer: { id: 't-a1-1-0', firedAt: T + 100, lateMs: 0 } });
      });
      assert.deepEqual(seen, [1, 'pending']);
      assert.equal(r.ok, true);
      assert.equal((await t.store.getAlarm('a1'))!.seq, 2);
      assert.equal((await t.store.getTimer('t-a1-1-0'))!.status, 'fired');
    });

    it('transact: an unknown alarm is not-found; undefined from decide writes nothing; a throwing decide rolls back', async () => {
      assert.deepEqual(await t.store.transact('nope', undefined, () => assert.fail('decide must not run')), {
        ok: false,
        reason: 'not-found',
      });
      const s1 = step('a1', 1, GENESIS);
      await t.store.commit(s1);
      assert.deepEqual(await t.store.transact('a1', undefined, () => undefined), { ok: false, reason: 'skipped' });
      await assert.rejects(
        t.store.transact('a1', undefined, () => {
          throw new Error('plan failed');
        }),
        /plan failed/,
      );
      assert.equal((await t.store.getAlarm('a1'))!.seq, 1);
      assert.equal((await t.store.listProtocol('a1')).length, 1);
    });

    it('transact serialises concurrent steps of one alarm: every one lands, in some order, without conflicts', async () => {
      const s1 = step('a1', 1, GENESIS);
      await t.store.commit(s1);
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          t.store.transact('a1', undefined, (alarm) => step('a1', alarm.seq + 1, alarm.lastHash)),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.ok),
        Array(12).fill(true),
      );
      const entries = await t.store.listProtocol('a1');
      assert.equal(entries.length, 13);
      assert.deepEqual(verifyChain(entries), { ok: true });
    });

    // Versions count from 1 per id; each publish returns its own; the export round-trips.
    it('publishes numbered versions per plan id and exports each with its metadata', async () => {
      assert.equal(await t.store.publishPlan('pub-a', { n: 1 }, T, 'alice'), 1);
      assert.equal(await t.store.publishPlan('pub-a', { n: 2, x: [1] }, T + 1, 'bob'), 2);
      assert.equal(await t.store.publishPlan('pub-b', { n: 1 }, T + 2, 'alice'), 1);
      assert.deepEqual(await t.store.getPlanInfo({ id: 'pub-a', version: 2 }), {
        id: 'pub-a',
        version: 2,
        definition: { n: 2, x: [1] },
        publishedAt: T + 1,
        publishedBy: 'bob',
        disabledAt: null,
        environment: '*',
      });
      assert.deepEqual(await t.store.getPlan({ id: 'pub-a', version: 1 }), { n: 1 });
      assert.equal(await t.store.getPlanInfo({ id: 'pub-a', version: 3 }), undefined);
      const listed = (await t.store.listPlans()).filter((p) => p.id.startsWith('pub-'));
      assert.deepEqual(listed, [
        {
          id: 'pub-a',
          versions: [
            { version: 1, publishedAt: T, publishedBy: 'alice', disabledAt: null, environment: '*' },
            { version: 2, publishedAt: T + 1, publishedBy: 'bob', disabledAt: null, environment: '*' },
          ],
        },
        {
          id: 'pub-b',
          versions: [{ version: 1, publishedAt: T + 2, publishedBy: 'alice', disabledAt: null, environment: '*' }],
        },
      ]);
      // A new id takes the environment asked for; later versions keep it, another one is refused.
      assert.equal(await t.store.publishPlan('pub-e', { n: 1 }, T, 'alice', { environment: 'ward' }), 1);
      assert.deepEqual(await t.store.publishPlan('pub-e', { n: 2 }, T, 'eve', { environment: 'icu' }), { conflict: 2 });
      assert.equal(await t.store.publishPlan('pub-e', { n: 2 }, T, 'alice'), 2);
      assert.deepEqual(
        (await t.store.listPlans()).find((p) => p.id === 'pub-e')!.versions.map((v) => v.environment),
        ['ward', 'ward'],
      );
      // A version stored with putPlan (the built-ins) was published by 'system'.
      const escalate = (await t.store.listPlans()).find((p) => p.id === 'escalate')!;
      assert.equal(escalate.versions[0]!.publishedBy, 'system');
    });

    // Publishers racing on one id each get a distinct version, with no gap.
    it('concurrent publishes of one plan id get distinct consecutive versions', async () => {
      const versions = await Promise.all(
        Array.from({ length: 6 }, (_, i) => t.store.publishPlan('pub-race', { i }, T, `u${i}`)),
      );
      assert.deepEqual(
        [...versions].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6],
      );
      for (const [i, v] of versions.entries()) {
        assert.deepEqual(await t.store.getPlan({ id: 'pub-race', version: v }), { i });
      }
    });

    // Disable and enable are idempotent; an unknown version answers false and changes nothing.
    it('disables and re-enables a version; an unknown version is false', async () => {
      await t.store.publishPlan('pub-d', { n: 1 }, T, 'alice');
      const ref = { id: 'pub-d', version: 1 };
      assert.equal(await t.store.setPlanDisabled(ref, true, T + 10, 'bob'), true);
      assert.equal(await t.store.setPlanDisabled(ref, true, T + 20, 'carol'), true);
      assert.equal((await t.store.getPlanInfo(ref))!.disabledAt, T + 10);
      assert.equal(await t.store.setPlanDisabled(ref, false, T + 30, 'bob'), true);
      assert.equal(await t.store.setPlanDisabled(ref, false, T + 30, 'bob'), true);
      assert.equal((await t.store.getPlanInfo(ref))!.disabledAt, null);
      assert.equal(await t.store.setPlanDisabled({ id: 'pub-d', version: 2 }, true, T, 'bob'), false);
      assert.equal(await t.store.setPlanDisabled({ id: 'nope', version: 1 }, false, T, 'bob'), false);
    });

    // ── pseudonyms (issue 4, item 10) ────────────────────────────────────────────────────
    it('pseudonym key: the first stored candidate wins, also for concurrent first starts', async () => {
      const keys = await Promise.all(['k-1', 'k-2', 'k-3'].map((k) => t.store.pseudonymKey(k)));
      assert.equal(new Set(keys).size, 1);
      assert.equal(await t.store.pseudonymKey('k-other'), keys[0]);
    });

    it('pseudonyms: a step writes its mapping atomically; an erasure forgets values and rewrites the mutable tables', async () => {
      await sql`truncate pseudonyms`.execute(t.store.db);
      const pa = 'p-00000000000000aa';
      const pb = 'p-00000000000000bb';
      const s1 = step('a1', 1, GENESIS, {
        snapshot: { value: 'levelA', context: { groups: { A: ['alice', 'bob'] }, current: ['A.0.alice'] } },
        addTimers: [{ ...timer('t-a1-1-0', 'a1', T + 5), event: { type: 'X', by: 'alice' } }],
        notifications: [
          {
            notificationId: 'A.0.alice',
            recipient: 'alice',
            channel: 'loopback',
            group: 'A',
            round: 0,
            status: 'pending',
            idempotencyKey: 'a1/A.0.alice',
          },
        ],
        outbox: [
          {
            id: 'o-a1-1-0',
            alarmId: 'a1',
            seq: 1,
            kind: 'notify',
            payload: { text: 'alice fell', notifications: [{ id: 'A.0.alice', user: 'alice', key: 'a1/A.0.alice' }] },
            createdAt: T,
          },
        ],
        pseudonyms: [
          { pseudonym: pa, value: 'alice' },
          { pseudonym: pb, value: 'bob' },
        ],
      });
      // A step that is not written writes no mapping either.
      assert.deepEqual(await t.store.commit({ ...s1, expectedSeq: 5, create: undefined }), {
        ok: false,
        reason: 'conflict',
      });
      assert.equal((await t.store.resolvePseudonyms([pa])).size, 0);
      assert.equal((await t.store.commit(s1)).ok, true);
      assert.deepEqual(
        await t.store.resolvePseudonyms([pa, pb, 'p-00000000000000cc']),
        new Map([
          [pa, 'alice'],
          [pb, 'bob'],
        ]),
      );

      const counts = await t.store.erasePersonalValues(
        [
          { value: 'alice', pseudonym: pa },
          { value: 'Alice Example', pseudonym: 'p-00000000000000dd' },
        ],
        T + 10,
      );
      assert.deepEqual(counts, { pseudonyms: 2, notifications: 1, alarms: 1, timers: 1, outbox: 1 });
      assert.deepEqual(await t.store.resolvePseudonyms([pa, pb]), new Map([[pb, 'bob']]));
      const [n] = await t.store.listNotifications('a1');
      assert.deepEqual([n!.recipient, n!.notificationId, n!.idempotencyKey], [pa, `A.0.${pa}`, `a1/A.0.${pa}`]);
      assert.deepEqual((await t.store.getAlarm('a1'))!.snapshot, {
        value: 'levelA',
        context: { groups: { A: [pa, 'bob'] }, current: [`A.0.${pa}`] },
      });
      assert.deepEqual((await t.store.getTimer('t-a1-1-0'))!.event, { type: 'X', by: pa });
      const [o] = await t.store.claimOutbox({ now: T, leaseMs: 1000, limit: 10 });
      // Free text stays: it is what a person typed, not an address.
      assert.deepEqual(o!.payload, {
        text: 'alice fell',
        notifications: [{ id: `A.0.${pa}`, user: pa, key: `a1/A.0.${pa}` }],
      });
      // The protocol is untouched and verifies; an erased value is not mapped again by a later step.
      assert.deepEqual(verifyChain(await t.store.listProtocol('a1')), { ok: true });
      const s2 = step('a1', 2, s1.entry.hash, {
        pseudonyms: [{ pseudonym: 'p-00000000000000dd', value: 'Alice Example' }],
      });
      assert.equal((await t.store.commit(s2)).ok, true);
      assert.equal((await t.store.resolvePseudonyms(['p-00000000000000dd'])).size, 0);
      // Idempotent.
      assert.deepEqual(await t.store.erasePersonalValues([{ value: 'alice', pseudonym: pa }], T + 20), {
        pseudonyms: 0,
        notifications: 0,
        alarms: 0,
        timers: 0,
        outbox: 0,
      });
    });
    // ── end pseudonyms ───────────────────────────────────────────────────────────────────

    it('property: any mix of fresh and stale commits leaves a gap-free, verifiable chain', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: -2, max: 1 }), { minLength: 1, maxLength: 25 }),
          async (offsets) => {
            await sql`truncate protocol, timers, notifications, outbox, alarms`.execute(t.store.db);
            const first = step('p1', 1, GENESIS);
            await t.store.commit(first);
            let seq = 1;
            let hash = first.entry.hash;
            for (const off of offsets) {
              // off = 0 is the right expectedSeq; anything else is a stale or future writer.
              const s = { ...step('p1', seq + 1, hash), expectedSeq: seq + off };
              const r = await t.store.commit(s);
              assert.equal(r.ok, off === 0);
              if (r.ok) {
                seq++;
                hash = s.entry.hash;
              }
            }
            const entries = await t.store.listProtocol('p1');
            assert.equal(entries.length, seq);
            assert.deepEqual(verifyChain(entries), { ok: true });
            assert.equal((await t.store.getAlarm('p1'))!.lastHash, hash);
          },
        ),
        { numRuns: 15 },
      );
    });
  });
}
