// The golden corpus (test/fixtures/golden/*.json, recorded through the real runtime by
// test/fixtures/golden/record.ts): every recorded history must still replay exactly under the
// plan it pinned — over its pseudonyms, and over the resolved values as the alarm ran — and end
// in the stored snapshot. A change to the registry, plan-step, step-builder or a built-in plan
// that alters what an old alarm would do fails here. The tamper cases prove the check can fail:
// an altered entry breaks the chain at its seq; an altered and re-hashed entry (a forger who
// re-computes the chain) diverges at its seq with what the recording says and what replay computed.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';
import { canonicalJson, verifyChain } from '../../src/runtime/protocol-hash.ts';
import { replay } from '../../src/runtime/replay.ts';
import type { ProtocolEntry } from '../../src/ports/alarm-store.ts';
import { forge, GOLDEN_DIR, loadGolden } from '../fixtures/golden/import.ts';
import type { GoldenHistory } from '../fixtures/golden/record.ts';

const files = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = loadGolden;
const machineOf = (h: GoldenHistory) => createPlanMachine(h.plan.definition as PlanDefinition);
const mapOf = (h: GoldenHistory) => new Map(Object.entries(h.pseudonyms));

describe('the golden corpus', () => {
  it('covers every built-in plan and the scenarios the corpus promises', () => {
    const histories = files.map(load);
    for (const p of builtinPlans) {
      const names = files.filter((f) => f.startsWith(`${p.ref.id}--`)).map((f) => f.split('--')[1]);
      for (const s of ['accepted-level-1', 'escalated', 'all-rejected', 'cancelled', 'delivery-failed'])
        assert.ok(names.includes(`${s}.json`), `${p.ref.id}: ${s}`);
    }
    const events = histories.flatMap((h) => h.entries.map((e) => (e.event as { type: string }).type));
    for (const t of ['RAISE', 'RESPONSE', 'CANCEL', 'DELIVERY', 'PRESENCE', 'LINK_UP'])
      assert.ok(events.includes(t), t);
    const effects = histories.flatMap((h) => h.entries.flatMap((e) => e.effects as { type: string }[]));
    for (const t of ['notify', 'withdraw', 'forward', 'log', 'timer.set', 'timer.cancel'])
      assert.ok(
        effects.some((e) => e.type === t),
        t,
      );
    assert.ok(
      histories.some((h) => h.entries.some((e) => e.kind === 'timer')),
      'a fired timer',
    );
    assert.ok(
      histories.some((h) => h.alarm.status === 'active'),
      'an alarm left open',
    );
  });

  for (const f of files) {
    it(`${f} replays exactly under its pinned plan`, () => {
      const h = load(f);
      const entries = h.entries;
      assert.deepEqual(verifyChain(entries, h.alarm), { ok: true });
      const machine = machineOf(h);
      // Over the pseudonyms the protocol holds, and over the values as the alarm ran.
      const bare = replay(machine, entries, 'golden');
      assert.equal(bare.ok, true, JSON.stringify(bare));
      const r = replay(machine, entries, 'golden', mapOf(h));
      assert.equal(r.ok, true, JSON.stringify(r));
      if (r.ok) {
        assert.equal(r.steps, h.alarm.seq);
        assert.equal(canonicalJson(r.snapshot), canonicalJson(h.alarm.snapshot));
      }
      // A published version is immutable: the shipped plan of a built-in ref is the pinned one.
      const shipped = builtinPlans.find((p) => p.ref.id === h.plan.ref.id && p.ref.version === h.plan.ref.version);
      if (shipped) assert.equal(canonicalJson(shipped.definition), canonicalJson(h.plan.definition));
    });
  }
});

describe('the golden check can fail', () => {
  const h = load('escalate--escalated.json');
  const machine = machineOf(h);
  // seq 1 raise → levelA, seq 2 timer → levelB, seq 3 carol accepts → accepted.
  assert.deepEqual(
    h.entries.map((e) => e.toState),
    ['levelA', 'levelB', 'accepted'],
  );

  it('an altered entry breaks the hash chain at its seq', () => {
    const { entries } = forge(h, 2, (e) => ({ ...e, toState: 'levelA' }), { rehash: false });
    const r = replay(machine, entries, 'golden', mapOf(h));
    assert.deepEqual(r, { ok: false, seq: 2, reason: 'entry altered (hash mismatch)' });
  });

  it('an altered state, re-hashed, diverges at its seq: recorded levelA, replayed levelB', () => {
    const { entries } = forge(h, 2, (e) => ({ ...e, toState: 'levelA' }), { rehash: true });
    assert.deepEqual(verifyChain(entries), { ok: true }, 'the forger re-computed the chain');
    const r = replay(machine, entries, 'golden', mapOf(h));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.seq, 2);
    assert.equal(r.reason, 'state levelB ≠ recorded levelA');
    assert.equal(r.expected?.state, 'levelA');
    assert.equal(r.actual?.state, 'levelB');
  });

  it('an altered effect (a recipient dropped), re-hashed, diverges at its seq with both effect lists', () => {
    const dropOne = (e: ProtocolEntry) => ({
      ...e,
      effects: (e.effects as { type: string; recipients?: string[] }[]).map((x) =>
        x.type === 'withdraw' ? { ...x, recipients: x.recipients!.slice(1) } : x,
      ),
    });
    const { entries } = forge(h, 3, dropOne, { rehash: true });
    const r = replay(machine, entries, 'golden', mapOf(h));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.seq, 3);
    assert.equal(r.reason, 'effects differ from the recorded ones');
    assert.notEqual(canonicalJson(r.expected!.effects), canonicalJson(r.actual!.effects));
    assert.equal(r.expected!.state, r.actual!.state);
  });

  it('a changed plan under the same ref diverges at the first step it changes', () => {
    const def = structuredClone(h.plan.definition) as PlanDefinition;
    (def.states.levelB as { entry: unknown }).entry = [{ type: 'notify', params: { group: 'A' } }];
    const r = replay(createPlanMachine(def), h.entries, 'golden', mapOf(h));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.seq, 2);
      assert.equal(r.reason, 'effects differ from the recorded ones');
    }
  });
});
