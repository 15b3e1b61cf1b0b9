// @requires: postgres
// Database unreachable (issue: "ingress answers 503, nothing is half-written, and the runtime
// resumes by itself when the database returns; no stack traces in responses"). The whole app
// runs in-process on a virtual clock, its PostgreSQL pool behind a real TCP proxy that the tests
// cut (connections refused, open ones reset) and restore on the same port. What the database
// holds is read through a separate client on the real URL, never through the proxy.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { LoopbackNotifier } from '../../src/notify/loopback-notifier.ts';
import type { OutgoingNotification, SendResult } from '../../src/ports/notifier.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import { createPostgresStore } from '../../src/store/pg-store.ts';
import type { KyselyAlarmStore } from '../../src/store/kysely-store.ts';
import { waitFor } from '../support/child.ts';
import { startHarness, T0, type Harness } from '../support/harness.ts';
import { dropSchema, pgUrl, uniqueName } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/** InProcessScheduler's default `retryDelayMs` (src/scheduler/in-process-scheduler.ts). */
const SCHEDULER_RETRY_MS = 1000;
/** The EffectRunner's lease (`leaseMs` in src/app/tocsin.ts). */
const OUTBOX_LEASE_MS = 30_000;
/** Level timeout of the 'fast' alarm type (test/support/harness.ts). */
const FAST_LEVEL_MS = 1000;

let proxy: TcpProxy;
let schema: string;
let store: KyselyAlarmStore;
let h: Harness | undefined;
let db: pg.Client;

/** Proxy, fresh schema (migrated through the proxy), and the separate client on the real URL. */
async function setup(): Promise<void> {
  proxy = TcpProxy.forPostgres(pgUrl());
  await proxy.start();
  schema = uniqueName('t');
  store = createPostgresStore({ url: proxy.url, schema, max: 4 });
  await store.migrate();
  db = new pg.Client({ connectionString: pgUrl() });
  await db.connect();
}

async function start(notifier?: LoopbackNotifier, clock?: VirtualClock): Promise<Harness> {
  h = await startHarness({ store, ...(notifier ? { notifier } : {}), ...(clock ? { clock } : {}) });
  return h;
}

beforeEach(setup);
afterEach(async () => {
  await proxy.close(); // first: a pool still connecting into a black hole is released at once
  await h?.stop();
  h = undefined;
  await db.end();
  await dropSchema(schema);
});

const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;

/** Everything the database holds about alarms, read on the real URL (not through the proxy). */
async function dbState() {
  const s = `"${schema}"`;
  return {
    alarms: await rows(`select id, seq, status, state, last_hash from ${s}.alarms order by id`),
    protocolLength: Object.fromEntries(
      (await rows(`select alarm_id, count(*)::int as n from ${s}.protocol group by alarm_id order by alarm_id`)).map(
        (r) => [r.alarm_id, r.n],
      ),
    ),
    timers: await rows(`select id, status, late_ms from ${s}.timers order by id`),
    notifications: await rows(
      `select alarm_id, notification_id, recipient, status from ${s}.notifications order by alarm_id, notification_id`,
    ),
    outbox: await rows(`select id, kind, status, attempts from ${s}.outbox order by id`),
  };
}

async function raise(type: 'fast' | 'generic', text: string, id?: string): Promise<string> {
  const r = await h!.request('POST', '/api/v1/alarms', { type, text, ...(id ? { id } : {}) });
  assert.equal(r.status, 201, r.text);
  return r.json.id as string;
}

/** Recipients of every `send` the loopback channel delivered (idempotent repeats are not deliveries). */
const sent = (alarmId?: string): string[] =>
  h!.notifier.deliveries
    .filter((d) => d.op === 'send' && (alarmId === undefined || d.alarmId === alarmId))
    .map((d) => d.recipient);

/** A 503 problem answer that reveals nothing of the failure inside. */
function assertUnavailable(r: { status: number; headers: Record<string, string>; json: any; text: string }): void {
  assert.equal(r.status, 503, r.text);
  assert.equal(r.headers['content-type'], 'application/problem+json');
  assert.match(r.headers['retry-after'] ?? '', /^[1-9][0-9]*$/, 'Retry-After: a positive number of seconds');
  assert.equal(r.json?.status, 503);
  assert.equal(r.json?.type, 'urn:tocsin:problem:unavailable');
  assert.doesNotMatch(
    r.text,
    /\bat \S+ \(|:\d+:\d+\)|\.[cm]?[jt]s:\d|node_modules|"stack"/,
    `a stack trace leaked: ${r.text}`,
  );
  assert.doesNotMatch(r.text, /\b(select|insert|update|delete|from|where|returning)\b/i, `SQL leaked: ${r.text}`);
  assert.doesNotMatch(r.text, /ECONN|127\.0\.0\.1|terminated|queryable|pg_/i, `a driver error leaked: ${r.text}`);
}

describe('database outage', () => {
  it('ingress answers 503 while cut, writes nothing, and serves again after restore without a restart', async () => {
    await start();
    const first = await raise('fast', 'Smoke in engine room');
    const second = await raise('generic', 'Door open', 'door-7');
    assert.deepEqual(sent(), ['alice', 'bob', 'alice', 'bob']);
    const before = await dbState();
    assert.equal(before.alarms.length, 2);
    assert.deepEqual(before.protocolLength, { [first]: 1, 'door-7': 1 });

    await proxy.cut();

    assertUnavailable(await h!.request('POST', '/api/v1/alarms', { type: 'fast', text: 'Fire in cabin 7' }));
    assertUnavailable(await h!.request('POST', '/api/v1/alarms', { type: 'fast', text: 'Fire', id: 'fire-1' }));
    const ready = await h!.request('GET', '/readyz');
    assertUnavailable(ready);
    assert.match(ready.json.detail, /database/, 'readyz names the database');
    assert.doesNotMatch(ready.json.detail, /scheduler/, 'the in-process scheduler is fine');
    const responded = await h!.request('POST', `/api/v1/alarms/${first}/responses`, { response: 'accept', by: 'bob' });
    assertUnavailable(responded);
    assertUnavailable(await h!.request('POST', `/api/v1/alarms/${second}/cancel`, { by: 'alice', reason: 'drill' }));
    assertUnavailable(await h!.request('GET', `/api/v1/alarms/${first}`));
    assertUnavailable(await h!.request('GET', '/api/v1/alarms'));
    // Authentication needs the database (the token is looked up), so even a bad body answers
    // 503: nobody unauthenticated learns anything while the database is away.
    assertUnavailable(await h!.request('POST', '/api/v1/alarms', { type: 'fast' }));
    assert.deepEqual(sent(), ['alice', 'bob', 'alice', 'bob'], 'nothing notified while cut');

    await proxy.restore();

    assert.deepEqual(await dbState(), before, 'nothing was (half-)written during the outage');
    // The same pool, app and runtime: no restart.
    assert.equal((await h!.request('GET', '/readyz')).status, 200);
    const third = await raise('fast', 'Fire in cabin 7');
    assert.deepEqual(sent(third), ['alice', 'bob']);
    assert.equal(await raise('fast', 'Fire', 'fire-1'), 'fire-1', 'the id refused during the outage is free');
    const ok = await h!.request('POST', `/api/v1/alarms/${first}/responses`, { response: 'accept', by: 'bob' });
    assert.equal(ok.status, 202, ok.text);
    const after = await dbState();
    assert.equal(after.alarms.length, 4);
    assert.deepEqual(after.protocolLength, { [first]: 2, 'door-7': 1, 'fire-1': 1, [third]: 1 });
  });

  it('a transaction cut between its statements is rolled back whole, answered 503, and the process survives', async () => {
    await start();
    const uncaught: unknown[] = [];
    const record = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', record);
    try {
      const before = await dbState();
      // The alarm row is already inserted (in the open transaction) when its protocol entry is sent.
      const cut = proxy.cutOnQuery(/insert into "protocol"/);
      assertUnavailable(await h!.request('POST', '/api/v1/alarms', { type: 'fast', text: 'Gas', id: 'gas-1' }));
      await cut;
      await proxy.restore();
      assert.deepEqual(await dbState(), before, 'the transaction left nothing behind');
      assert.deepEqual(sent(), [], 'nothing notified');
      assert.equal(await raise('fast', 'Gas', 'gas-1'), 'gas-1');
      assert.deepEqual(sent('gas-1'), ['alice', 'bob']);
      assert.deepEqual((await dbState()).protocolLength, { 'gas-1': 1 });
    } finally {
      process.removeListener('uncaughtException', record);
    }
    assert.deepEqual(
      uncaught.map((e) => `${(e as Error).name}: ${(e as Error).message}`),
      [],
      'a connection lost under a checked-out pg client raised an uncaught error (the process would crash)',
    );
  });

  it('a database that does not answer (black hole): requests queued for a connection get 503 too', async () => {
    // Waits for the pool's own connect timeout (connectionTimeoutMillis 5000 in src/store/pg-store.ts):
    // real time, because that timeout is what a caller experiences; nothing else is waited for.
    await start();
    await raise('fast', 'Warm-up'); // the plan is cached: each raise below needs its own connection
    const before = await dbState();
    await proxy.stall();
    const n = 6; // more than the pool's max of 4: two wait in the pool's queue
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => h!.request('POST', '/api/v1/alarms', { type: 'fast', text: `Leak ${i}` })),
    );
    assert.deepEqual(
      answers.map((r) => r.status),
      Array.from({ length: n }, () => 503),
      `every raise refused as unavailable: ${answers.map((r) => r.text).join('\n')}`,
    );
    for (const r of answers) assertUnavailable(r);
    await proxy.restore();
    assert.deepEqual(await dbState(), before, 'nothing was written');
    const id = await raise('fast', 'Leak');
    assert.deepEqual(sent(id), ['alice', 'bob']);
  });

  it('a level timer falling due while cut fires once the database is back, through the scheduler retry', async () => {
    await start();
    const id = await raise('fast', 'Smoke');
    assert.deepEqual(sent(id), ['alice', 'bob']);
    const [timer] = await h!.tocsin.store.listTimers(id);
    assert.ok(timer && timer.status === 'pending' && timer.dueAt === T0 + FAST_LEVEL_MS);
    const before = await dbState();

    await proxy.cut();
    await h!.advance(FAST_LEVEL_MS); // fires at the due time; the runtime cannot read or commit
    await waitFor(() => h!.tocsin.scheduler.isArmed(timer.id), { what: 'the scheduler re-arming the failed timer' });
    assert.deepEqual(sent(id), ['alice', 'bob'], 'B not notified while cut');

    await proxy.restore();
    assert.deepEqual(await dbState(), before, 'the failed fire wrote nothing');
    await h!.advance(SCHEDULER_RETRY_MS); // the retry, with nobody's help

    assert.deepEqual(sent(id), ['alice', 'bob', 'carol'], 'group B notified exactly once');
    const timerEntries = (await h!.tocsin.store.listProtocol(id)).filter((e) => e.kind === 'timer');
    assert.equal(timerEntries.length, 1);
    assert.equal(timerEntries[0]!.toState, 'levelB');
    assert.ok(timerEntries[0]!.lateMs! > 0, `lateMs ${timerEntries[0]!.lateMs}`);
    assert.equal(timerEntries[0]!.lateMs, SCHEDULER_RETRY_MS);
    assert.match(timerEntries[0]!.note, /fired 1000 ms late \(via scheduler\)/);
    assert.equal((await h!.tocsin.store.getTimer(timer.id))?.lateMs, SCHEDULER_RETRY_MS);

    // Nothing is left for the reconciler: it neither fires again nor notifies again.
    const report = await h!.tocsin.reconciler.reconcileOnce();
    assert.deepEqual([report.fired, report.errors], [0, 0]);
    assert.deepEqual(sent(id), ['alice', 'bob', 'carol']);
  });

  it('a level timer falling due while cut is fired late by the reconciler, and the scheduler retry is then a no-op', async () => {
    await start();
    const id = await raise('fast', 'Smoke');
    const [timer] = await h!.tocsin.store.listTimers(id);
    await proxy.cut();
    await h!.advance(FAST_LEVEL_MS);
    await waitFor(() => h!.tocsin.scheduler.isArmed(timer!.id), { what: 'the scheduler re-arming the failed timer' });
    await h!.advance(250); // before the retry is due

    // A reconcile pass during the outage counts its errors and changes nothing.
    const during = await h!.tocsin.reconciler.reconcileOnce();
    assert.equal(during.fired, 0);
    assert.ok(during.errors > 0);

    await proxy.restore();
    const report = await h!.tocsin.reconciler.reconcileOnce();
    assert.equal(report.fired, 1);
    assert.deepEqual(sent(id), ['alice', 'bob', 'carol']);
    await h!.advance(SCHEDULER_RETRY_MS - 250); // the scheduler's retry arrives: fenced, stale
    assert.equal(await h!.tocsin.scheduler.isArmed(timer!.id), false, 'a stale fire is not re-armed');
    assert.deepEqual(sent(id), ['alice', 'bob', 'carol'], 'group B notified exactly once');
    const timerEntries = (await h!.tocsin.store.listProtocol(id)).filter((e) => e.kind === 'timer');
    assert.equal(timerEntries.length, 1);
    assert.equal(timerEntries[0]!.lateMs, 250);
    assert.match(timerEntries[0]!.note, /fired 250 ms late \(via reconciler\)/);
  });

  // The 'generic' type (level timeout 60 s) so that no escalation happens within the 30 s lease.
  it('an outbox effect that failed stays pending through the outage and is sent exactly once after the lease', async () => {
    await start();
    h!.notifier.failNextSends(2, true);
    const id = await raise('generic', 'Water ingress');
    assert.deepEqual(sent(id), []);
    assert.equal(h!.notifier.attempts, 2);
    const pending = await dbState();
    assert.deepEqual(
      pending.notifications.map((n) => [n.recipient, n.status]),
      [
        ['alice', 'pending'],
        ['bob', 'pending'],
      ],
    );
    assert.deepEqual(
      pending.outbox.map((o) => [o.kind, o.status, o.attempts]),
      [['notify', 'pending', 1]],
    );

    // Until the lease expires nobody runs the row again, however often the reconciler passes.
    await h!.advance(OUTBOX_LEASE_MS);
    assert.equal((await h!.tocsin.reconciler.reconcileOnce()).effects, 0);
    assert.deepEqual(sent(id), []);

    await proxy.cut();
    await h!.advance(1); // the lease has expired, but the database is gone
    const during = await h!.tocsin.reconciler.reconcileOnce();
    assert.deepEqual([during.effects, during.errors > 0], [0, true]);
    assert.deepEqual(sent(id), []);

    await proxy.restore();
    const report = await h!.tocsin.reconciler.reconcileOnce();
    assert.equal(report.effects, 1);
    assert.deepEqual(sent(id).sort(), ['alice', 'bob'], 'each notification sent exactly once');
    assert.equal(h!.notifier.attempts, 4);
    const after = await dbState();
    assert.deepEqual(
      after.notifications.map((n) => [n.recipient, n.status]),
      [
        ['alice', 'sent'],
        ['bob', 'sent'],
      ],
    );
    assert.deepEqual(
      after.outbox.map((o) => [o.status, o.attempts]),
      [['done', 2]],
    );
    assert.equal((await h!.tocsin.reconciler.reconcileOnce()).effects, 0);
    assert.deepEqual(sent(id).sort(), ['alice', 'bob']);
  });

  it('an effect cut off between the send and its bookkeeping is re-run after the lease and delivered once', async () => {
    // The cut happens inside the notifier, after the device has the message and before the
    // runner can record 'sent': the row stays pending, the re-run repeats the idempotency key.
    const clock = new VirtualClock(T0);
    let cutting: Promise<void> | undefined;
    let armed = false;
    const notifier = new (class extends LoopbackNotifier {
      override async send(n: OutgoingNotification): Promise<SendResult> {
        if (armed) {
          armed = false;
          cutting = proxy.cut();
        }
        const result = await super.send(n);
        await cutting; // every send in flight returns only once the database is gone
        return result;
      }
    })({ clock });
    await start(notifier, clock);
    armed = true;
    const id = await raise('generic', 'Water ingress');
    assert.ok(cutting, 'the cut happened during the send');
    await cutting;
    assert.deepEqual(sent(id).sort(), ['alice', 'bob']);

    await proxy.restore();
    cutting = undefined;
    const interrupted = await dbState();
    assert.deepEqual(
      interrupted.notifications.map((n) => n.status),
      ['pending', 'pending'],
      'the sends were never recorded',
    );
    assert.deepEqual(
      interrupted.outbox.map((o) => [o.status, o.attempts]),
      [['pending', 1]],
    );

    await h!.advance(OUTBOX_LEASE_MS);
    assert.equal((await h!.tocsin.reconciler.reconcileOnce()).effects, 0, 'the lease still holds');
    await h!.advance(1);
    assert.equal((await h!.tocsin.reconciler.reconcileOnce()).effects, 1);
    assert.deepEqual(sent(id).sort(), ['alice', 'bob'], 'the repeated key is not delivered twice');
    assert.equal(h!.notifier.attempts, 4, 'both were handed to the channel again');
    const after = await dbState();
    assert.deepEqual(
      after.notifications.map((n) => n.status),
      ['sent', 'sent'],
    );
    assert.deepEqual(
      after.outbox.map((o) => [o.status, o.attempts]),
      [['done', 2]],
    );
  });
});
