// Runtime invariants under random command sequences, through the REAL runtime: the whole app
// in-process (PGlite in memory, in-process scheduler, loopback notifier) on a virtual clock,
// driven over the HTTP API. One harness for the file (PGlite takes seconds to start); every
// fast-check run raises a fresh 'fast' alarm (levelTimeoutMs 1000, rounds 3, A=[alice, bob],
// B=[carol]) and, at its end, checks the alarm's protocol, replay, deliveries and timers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { PlanNotification } from '../../machines/plan-context.ts';
import { LoopbackNotifier } from '../../src/notify/loopback-notifier.ts';
import type { OutgoingNotification, SendResult } from '../../src/ports/notifier.ts';
import { PlanCatalog } from '../../src/runtime/plan-catalog.ts';
import { verifyChain } from '../../src/runtime/protocol-hash.ts';
import { replay } from '../../src/runtime/replay.ts';
import { pseudonymsIn, resolveDeep } from '../../src/runtime/pseudonyms.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import { startHarness, T0, testFileConfig, type Harness } from '../support/harness.ts';

/** The loopback notifier, also counting every send it is asked for (it deduplicates deliveries itself). */
class CountingNotifier extends LoopbackNotifier {
  readonly sendCalls: string[] = [];
  override async send(n: OutgoingNotification): Promise<SendResult> {
    this.sendCalls.push(n.idempotencyKey);
    return super.send(n);
  }
}

type Command =
  | { readonly respond: 'accept' | 'reject'; readonly by: string }
  | { readonly cancel: string }
  | { readonly advance: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      respond: fc.constantFrom('accept' as const, 'reject' as const),
      by: fc.constantFrom('alice', 'bob', 'carol', 'zed'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ cancel: fc.constantFrom('alice', 'operator') }) },
  { weight: 4, arbitrary: fc.record({ advance: fc.integer({ min: 0, max: 3000 }) }) },
);
// Rejects and clock advances outnumber accepts, so runs reach later rounds and 'unanswered'.
const commands = fc.array(command, { maxLength: 14 });

const fast = testFileConfig.alarmTypes.find((t) => t.id === 'fast')!;
const groupSize = (g: unknown) => (g as string[]).length;
const MAX_SENDS =
  Number(fast.params!.rounds) * (groupSize(testFileConfig.groups!.A) + groupSize(testFileConfig.groups!.B));

let h: Harness;
let notifier: CountingNotifier;
before(async () => {
  const clock = new VirtualClock(T0);
  notifier = new CountingNotifier({ clock });
  h = await startHarness({ clock, notifier });
});
after(async () => {
  await h?.stop();
});

const respond = (id: string, response: string, by: string) =>
  h.request('POST', `/api/v1/alarms/${id}/responses`, { response, by });
const cancel = (id: string, by: string) => h.request('POST', `/api/v1/alarms/${id}/cancel`, { by });

/** Runs `cs` against a fresh alarm; returns its id and the events sent while it was active. */
async function drive(cs: readonly Command[]): Promise<{ id: string; accepted: unknown[] }> {
  const raised = await h.request('POST', '/api/v1/alarms', { type: 'fast', text: 'Fire in cabin 7' });
  assert.equal(raised.status, 201, raised.text);
  const id = raised.json.id as string;
  const accepted: unknown[] = [];
  for (const c of cs) {
    if ('advance' in c) {
      await h.advance(c.advance);
      continue;
    }
    const ended = (await h.tocsin.store.getAlarm(id))!.status === 'ended';
    const r = 'respond' in c ? await respond(id, c.respond, c.by) : await cancel(id, c.cancel);
    assert.equal(r.status, ended ? 409 : 202, `${JSON.stringify(c)} → ${r.status} ${r.text}`);
    if (!ended)
      accepted.push('respond' in c ? { type: 'RESPONSE', response: c.respond, by: c.by } : { type: 'CANCEL' });
  }
  return { id, accepted };
}

describe('runtime invariants under random commands (real runtime, virtual clock)', () => {
  it('chain, replay, at-most-once delivery, timers and 409 after the end hold for every sequence', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (cs) => {
        const { id, accepted } = await drive(cs);
        const { store } = h.tocsin;
        const alarm = (await store.getAlarm(id))!;
        // Pseudonyms (issue 4, item 10): compared as the protocol API shows them, resolved.
        const stored = await store.listProtocol(id);
        const resolved = await store.resolvePseudonyms(pseudonymsIn(stored));
        const entries = stored;
        const shown = stored.map((e) => resolveDeep(e, resolved));

        // The protocol is an intact hash chain and records exactly the commands sent while active.
        assert.deepEqual(verifyChain(entries), { ok: true });
        assert.deepEqual(
          shown
            .filter((e) => e.kind === 'event')
            .map((e) => {
              const ev = e.event as { type: string; response?: string; by?: string };
              return ev.type === 'RESPONSE' ? { type: ev.type, response: ev.response, by: ev.by } : { type: ev.type };
            }),
          accepted,
        );

        // Replay under the pinned plan reproduces the stored snapshot.
        const machine = await new PlanCatalog(store).machine(alarm.plan);
        const r = replay(machine, entries, notifier.channel, resolved);
        assert.equal(r.ok, true, JSON.stringify(r));
        if (r.ok) assert.deepEqual(r.snapshot, alarm.snapshot);

        // Each idempotency key was delivered at most once per operation, and never even re-sent.
        const mine = notifier.deliveries.filter((d) => d.alarmId === id);
        for (const op of ['send', 'withdraw'] as const) {
          const keys = mine.filter((d) => d.op === op).map((d) => d.key);
          assert.equal(new Set(keys).size, keys.length, `${op} delivered twice`);
        }
        const calls = notifier.sendCalls.filter((k) => k.startsWith(`${id}/`));
        assert.equal(new Set(calls).size, calls.length, `a send was repeated: ${calls.join(', ')}`);
        const sends = mine.filter((d) => d.op === 'send');
        assert.ok(sends.length <= MAX_SENDS, `${sends.length} sends`);

        // What was withdrawn is exactly what the plan marked withdrawn.
        const planned = (alarm.snapshot as { context: { notifications: PlanNotification[] } }).context.notifications;
        assert.deepEqual(
          mine
            .filter((d) => d.op === 'withdraw')
            .map((d) => d.notificationId)
            .sort(),
          planned
            .filter((n) => n.status === 'withdrawn')
            .map((n) => n.id)
            .sort(),
        );

        // Timers: none pending (or armed) once ended; exactly one while a level is waiting.
        const timers = await store.listTimers(id);
        const pending = timers.filter((t) => t.status === 'pending');
        const want = alarm.status === 'ended' || alarm.state === 'unanswered' ? 0 : 1;
        assert.equal(pending.length, want, `${alarm.status} ${alarm.state}: ${JSON.stringify(pending)}`);
        for (const t of timers) assert.equal(await h.tocsin.scheduler.isArmed(t.id), t.status === 'pending');

        // Responses to an ended alarm are refused with 409 (cancelling first if still active).
        if (alarm.status === 'active') assert.equal((await cancel(id, 'operator')).status, 202);
        for (const late of [await respond(id, 'accept', 'alice'), await cancel(id, 'operator')]) {
          assert.equal(late.status, 409, late.text);
          assert.equal(late.headers['content-type'], 'application/problem+json');
        }
        assert.equal((await store.listTimers(id)).filter((t) => t.status === 'pending').length, 0);
      }),
      { numRuns: 40 },
    );
  });
});
