// What-if (src/runtime/replay-what-if.ts) over the golden corpus: recorded inputs at their
// recorded times, timers from the alternative plan's own delays on a virtual timeline. Under the
// plan it pinned, every golden history comes out as recorded (no difference: the engine agrees
// with the runtime); under altered plans the differences are the ones the change implies.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';
import type { ProtocolEntry } from '../../src/ports/alarm-store.ts';
import { resolveDeep } from '../../src/runtime/pseudonyms.ts';
import { recipientOf, recordedOutcome, whatIf } from '../../src/runtime/replay-what-if.ts';
import type { GoldenHistory } from '../fixtures/golden/record.ts';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const files = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json'));
const load = (f: string): GoldenHistory => JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as GoldenHistory;
/** The entries with people by name, as the service hands them over. */
const clear = (h: GoldenHistory): ProtocolEntry[] =>
  h.entries.map((e) => resolveDeep(e, new Map(Object.entries(h.pseudonyms))));
const status = (h: GoldenHistory) => h.alarm.status as 'active' | 'ended';

/** The escalate plan with `edit` applied to a copy. */
function variant(h: GoldenHistory, edit: (states: Record<string, any>) => void) {
  const def = structuredClone(h.plan.definition) as PlanDefinition;
  edit(def.states as Record<string, any>);
  return createPlanMachine(def);
}

describe('what-if', () => {
  for (const f of files) {
    it(`${f}: under its own plan, nothing differs`, () => {
      const h = load(f);
      const r = whatIf(createPlanMachine(h.plan.definition as PlanDefinition), clear(h), { recordedStatus: status(h) });
      assert.deepEqual(r.differences, [], JSON.stringify(r, null, 1).slice(0, 2000));
      assert.deepEqual(r.alternative.notifications, r.recorded.notifications);
      assert.equal(r.alternative.end.status, h.alarm.status);
    });
  }

  it('a shorter level timeout notifies level B earlier; the recorded accept still ends it', () => {
    const h = load('escalate--escalated.json'); // A at 0, timer at +1000 → carol, carol accepts at +1100
    const faster = variant(h, (s) => {
      s.levelA.after = { 400: { target: 'levelB' } };
    });
    const r = whatIf(faster, clear(h), { recordedStatus: 'ended' });
    assert.deepEqual(
      r.recorded.notifications.map((n) => [n.recipient, n.at]),
      [
        ['alice', 0],
        ['bob', 0],
        ['carol', 1000],
      ],
    );
    assert.deepEqual(
      r.alternative.notifications.map((n) => [n.recipient, n.at]),
      [
        ['alice', 0],
        ['bob', 0],
        ['carol', 400],
      ],
    );
    assert.deepEqual(r.differences, [
      { kind: 'notified-at-another-time', recipient: 'carol', recordedAt: 1000, alternativeAt: 400 },
    ]);
    assert.deepEqual(r.alternative.end, { state: 'accepted', at: 1100, status: 'ended' });
    assert.equal(r.alternative.reason, 'final');
  });

  it('a longer timeout past the recorded accept: level B is never called, and the accept comes from someone not notified', () => {
    const h = load('escalate--escalated.json');
    const slower = variant(h, (s) => {
      s.levelA.after = { 5000: { target: 'levelB' } };
    });
    const r = whatIf(slower, clear(h), { recordedStatus: 'ended' });
    // Outcome differences first, then how the inputs were fed.
    assert.deepEqual(r.differences, [
      { kind: 'only-recorded', recipient: 'carol', at: 1000 },
      { kind: 'response-from-not-notified', seq: 3, by: 'carol', at: 1100 },
    ]);
    // escalate's levelA accepts anyone's accept: the alarm still ends at the recorded time.
    assert.deepEqual(r.alternative.end, { state: 'accepted', at: 1100, status: 'ended' });
  });

  it('a recorded timer is not copied: without `after`, the alternative waits, and stops at the horizon', () => {
    const h = load('escalate--all-rejected.json');
    const noTimers = variant(h, (s) => {
      delete s.levelA.after;
      delete s.levelB.after;
    });
    const r = whatIf(noTimers, clear(h), { recordedStatus: 'active', horizonMs: 60_000 });
    // Only the raise and the recorded responses move it (A and B reject at +100, carol at +1100).
    const inputAt = new Set([0, ...h.entries.filter((e) => e.kind === 'event').map((e) => e.at - h.entries[0]!.at)]);
    assert.ok(
      r.alternative.notifications.every((n) => inputAt.has(n.at)),
      JSON.stringify(r.alternative),
    );
    assert.ok(
      r.recorded.notifications.some((n) => !inputAt.has(n.at)),
      'the recording has timer-driven notifications',
    );
    assert.equal(r.alternative.reason, 'idle');
    assert.deepEqual(
      r.differences.find((d) => d.kind === 'end-state'),
      { kind: 'end-state', recorded: 'unanswered', alternative: 'levelA' },
    );
  });

  it('a delivery result for someone the alternative never notified is dropped and reported', () => {
    const h = load('golden-delivery-escalates--delivery-failed.json');
    const failed = h.entries.find((e) => (e.event as { type: string }).type === 'DELIVERY')!;
    const onlyB = variant(h, (s) => {
      s.levelA.entry = [{ type: 'notify', params: { group: 'B' } }];
    });
    const r = whatIf(onlyB, clear(h), { recordedStatus: 'ended' });
    // The failed send was one of group A's; under the alternative only B was notified.
    const skipped = r.differences.find((d) => d.kind === 'delivery-skipped');
    assert.ok(skipped && skipped.kind === 'delivery-skipped', JSON.stringify(r.differences));
    assert.equal(skipped.seq, failed.seq);
    assert.ok(['alice', 'bob'].includes(skipped.recipient), skipped.recipient);
  });

  it('the horizon bounds a run whose alarm is still recent', () => {
    const h = load('escalate--escalated.json');
    const r = whatIf(createPlanMachine(h.plan.definition as PlanDefinition), clear(h), { horizonMs: 500 });
    assert.equal(r.alternative.reason, 'horizon');
    assert.equal(r.alternative.end.state, 'levelA');
  });

  it('reads recipients out of notification ids', () => {
    assert.equal(recipientOf('A.0.alice'), 'alice');
    assert.equal(recipientOf('@device:p1.0.device:p1'), 'device:p1');
    assert.equal(recipientOf('A.1.p-0123456789abcdef'), 'p-0123456789abcdef');
    assert.equal(recipientOf('nonsense'), undefined);
  });

  it('the recorded outcome counts every recipient of every notify', () => {
    const h = load('tpl-repeat-backoff--escalated.json'); // A at 0, 30 s, 90 s; B at 210 s
    const o = recordedOutcome(clear(h), 'ended');
    assert.deepEqual(
      o.notifications.map((n) => `${n.recipient}@${n.at}`),
      ['alice@0', 'bob@0', 'alice@30000', 'bob@30000', 'alice@90000', 'bob@90000', 'carol@210000'],
    );
  });
});
