// Pseudonyms (src/runtime/pseudonyms.ts) and their use by buildStep: the pseudonymiser as a
// table, the entry rewriting as a table, and a property over random runs of every built-in
// plan: no login name appears anywhere in a protocol entry, the chain verifies, the run
// replays over its pseudonyms and over the resolved values, and resolving gives the names back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { PlanInput, PlanNotification } from '../../machines/plan-context.ts';
import { createPlanMachine } from '../../machines/plan-machine.ts';
import { planStart, planStep, type StepResult } from '../../machines/plan-step.ts';
import type { AlarmFacts } from '../../src/domain/alarm.ts';
import type { ProtocolEntry, StepCommit } from '../../src/ports/alarm-store.ts';
import { GENESIS, verifyChain } from '../../src/runtime/protocol-hash.ts';
import {
  EntryPseudonymiser,
  isPseudonym,
  pseudonymiser,
  pseudonymsIn,
  replaceValues,
  resolveDeep,
} from '../../src/runtime/pseudonyms.ts';
import { replay } from '../../src/runtime/replay.ts';
import { buildStep, type StepInput } from '../../src/runtime/step-builder.ts';

const ps = pseudonymiser('test-key');

describe('pseudonymiser', () => {
  it('is deterministic and of the form p- and 16 hex digits', () => {
    assert.equal(ps('alice'), ps('alice'));
    assert.match(ps('alice'), /^p-[0-9a-f]{16}$/);
    assert.ok(isPseudonym(ps('alice')));
  });
  it('maps different values to different pseudonyms', () => {
    assert.notEqual(ps('alice'), ps('bob'));
    // Case matters: `Alice` is another recorded spelling (erasure finds both).
    assert.notEqual(ps('alice'), ps('Alice'));
  });
  it('differs between installation keys', () => {
    assert.notEqual(pseudonymiser('key-1')('alice'), pseudonymiser('key-2')('alice'));
  });
  it('leaves a pseudonym as it is (replay maps recorded pseudonyms to themselves)', () => {
    assert.equal(ps(ps('alice')), ps('alice'));
  });
});

describe('EntryPseudonymiser', () => {
  const a = ps('alice');
  const cases: { name: string; run: (z: EntryPseudonymiser) => unknown; want: unknown }[] = [
    // A responder.
    { name: 'RESPONSE by', run: (z) => z.event({ type: 'RESPONSE', by: 'alice' }), want: { type: 'RESPONSE', by: a } },
    // A device stays in clear: it is no person.
    { name: 'device address', run: (z) => z.address('device:p1'), want: 'device:p1' },
    // A notification id keeps group and round.
    {
      name: 'notification id',
      run: (z) => z.notificationId('A.2.alice'),
      want: `A.2.${a}`,
    },
    // A single-recipient notification: the group is `@<address>`.
    { name: 'single notification id', run: (z) => z.notificationId('@alice.0.alice'), want: `@${a}.0.${a}` },
    // A login name with dots is one address.
    {
      name: 'dotted login name',
      run: (z) => z.notificationId('B.0.alice.smith'),
      want: `B.0.${ps('alice.smith')}`,
    },
    // The raise's frozen group members and presence.
    {
      name: 'raise input',
      run: (z) =>
        z.event({ type: 'RAISE', input: { groups: { A: ['alice', 'device:x'] }, presence: { A: ['alice'] } } }),
      want: { type: 'RAISE', input: { groups: { A: [a, 'device:x'] }, presence: { A: [a] } } },
    },
    // An operator's forward: recipients, the forwarder, and their names in the forward text.
    {
      name: 'forward',
      run: (z) => z.event({ type: 'FORWARD', recipients: ['alice'], by: 'bob', text: 'bob asks alice to take room 3' }),
      want: {
        type: 'FORWARD',
        recipients: [a],
        by: ps('bob'),
        text: `${ps('bob')} asks ${a} to take room 3`,
      },
    },
    // Users as actors; a system actor stays.
    { name: 'user actor', run: (z) => z.actor({ kind: 'user', id: 'alice' }), want: { kind: 'user', id: a } },
    {
      name: 'system actor',
      run: (z) => z.actor({ kind: 'system', id: 'timer' }),
      want: { kind: 'system', id: 'timer' },
    },
    // The loopback device answers for a recipient.
    {
      name: 'loopback actor',
      run: (z) => z.actor({ kind: 'device', id: 'loopback:alice' }),
      want: { kind: 'device', id: `loopback:${a}` },
    },
    // Text: whole words only, `alice` inside `malice` or `alice.b` stays.
    {
      name: 'note text',
      run: (z) => (z.address('alice'), z.text('alice rejected; malice, alice.b and alice.')),
      want: `${a} rejected; malice, alice.b and ${a}.`,
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.run(new EntryPseudonymiser(ps)), c.want));

  it('resolveDeep shows values, keeps unknown (erased) pseudonyms', () => {
    const entry = { note: `${a} rejected`, event: { by: a, other: ps('bob') } };
    assert.deepEqual(pseudonymsIn(entry).sort(), [a, ps('bob')].sort());
    assert.deepEqual(resolveDeep(entry, new Map([[a, 'alice']])), {
      note: 'alice rejected',
      event: { by: 'alice', other: ps('bob') },
    });
  });

  it('replaceValues rewrites stored JSON: values, notification ids, idempotency keys', () => {
    const m = new Map([['alice', a]]);
    assert.deepEqual(
      replaceValues({ n: [{ id: 'A.0.alice', user: 'alice', key: 'x1/A.0.alice' }], text: 'alice fell' }, m),
      { n: [{ id: `A.0.${a}`, user: a, key: `x1/A.0.${a}` }], text: 'alice fell' },
    );
  });
});

// ── property: runs of the built-in plans ────────────────────────────────────────────────

/** Login names that cannot occur by chance in the rest of an entry (no `zq` in hex or plan ids). */
const loginName = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,6}$/), fc.constantFrom('', '.x', '@ship.example', '-2', '_b'))
  .map(([s, t]) => `zq${s}${t}`);

type Action =
  | { t: 'respond'; who: number; accept: boolean }
  | { t: 'cancel'; who: number }
  | { t: 'timer' }
  | { t: 'fail'; n: number }
  | { t: 'presence'; who: number; present: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ t: fc.constant('respond' as const), who: fc.nat(3), accept: fc.boolean() }),
  fc.record({ t: fc.constant('cancel' as const), who: fc.nat(3) }),
  fc.constant({ t: 'timer' as const }),
  fc.record({ t: fc.constant('fail' as const), n: fc.nat(5) }),
  fc.record({ t: fc.constant('presence' as const), who: fc.nat(3), present: fc.boolean() }),
);

function run(planIndex: number, names: readonly string[], actions: readonly Action[]) {
  const plan = builtinPlans[planIndex % builtinPlans.length]!;
  const machine = createPlanMachine(plan.definition);
  const facts: AlarmFacts = {
    id: 'a1',
    type: 't',
    priority: 1,
    text: 'Fire in cabin 7',
    location: 'Deck 3',
    source: { adapter: 'http' },
    environment: 'default',
    raisedAt: 0,
  };
  const input: PlanInput = {
    alarm: facts,
    groups: { A: [names[0]!, names[1]!], B: [names[2]!] },
    presence: { A: [names[0]!] },
    params: { levelTimeoutMs: 1000, rounds: 2 },
  };
  const entries: ProtocolEntry[] = [];
  const commits: StepCommit[] = [];
  let timers: { event: unknown }[] = [];
  let result: StepResult = planStart(machine, input);
  let prev: PlanNotification[] = [];
  const base = {
    alarmId: 'a1',
    facts,
    channel: 'loopback',
    pseudonymise: ps,
  } satisfies Partial<StepInput>;
  const commit = (
    r: StepResult,
    kind: StepInput['kind'],
    event: unknown,
    actor: StepInput['actor'],
    trigger: string,
  ): boolean => {
    const last = entries.at(-1);
    const c = buildStep(
      {
        ...base,
        seq: entries.length + 1,
        prevHash: last?.hash ?? GENESIS,
        prevState: last?.toState ?? null,
        prevNotifications: prev,
        now: entries.length * 100,
        kind,
        event,
        actor,
        trigger,
        ...(kind === 'timer' ? { consumeTimer: { id: 't', firedAt: entries.length * 100, lateMs: 0 } } : {}),
      },
      r,
    );
    entries.push(c.entry);
    commits.push(c);
    prev = (r.snapshot.context.notifications ?? []) as PlanNotification[];
    timers = [
      ...timers.filter((t) => !c.cancelSendIds.includes(String((t as { sendId?: string }).sendId))),
      ...c.addTimers,
    ];
    result = r;
    return r.snapshot.status !== 'done';
  };
  commit(
    result,
    'raised',
    { type: 'RAISE', id: 'a1', input },
    { kind: 'user', id: names[3]! },
    `raised by user ${names[3]!}`,
  );
  for (const a of actions) {
    if (result.snapshot.status === 'done') break;
    const who = names[a.t === 'respond' || a.t === 'cancel' || a.t === 'presence' ? a.who : 0]!;
    let event: { type: string; [k: string]: unknown };
    let kind: StepInput['kind'] = 'event';
    let trigger: string;
    if (a.t === 'respond') {
      event = { type: 'RESPONSE', response: a.accept ? 'accept' : 'reject', by: who, at: entries.length * 100 };
      trigger = `${who} ${a.accept ? 'accepted' : 'rejected'}`;
    } else if (a.t === 'cancel') {
      event = { type: 'CANCEL', by: who, at: entries.length * 100 };
      trigger = `cancelled by ${who}`;
    } else if (a.t === 'presence') {
      event = { type: 'PRESENCE', group: 'A', user: who, present: a.present, at: entries.length * 100 };
      trigger = `${who} ${a.present ? 'logged in to' : 'logged out of'} group A`;
    } else if (a.t === 'fail') {
      const ns = prev;
      if (ns.length === 0) continue;
      const n = ns[a.n % ns.length]!;
      event = { type: 'DELIVERY', notificationId: n.id, status: 'failed', at: entries.length * 100 };
      trigger = `delivery of ${n.id} failed`;
    } else {
      const t = timers.shift();
      if (!t) continue;
      event = t.event as { type: string };
      kind = 'timer';
      trigger = `timer ${event.type} fired`;
    }
    const actor = a.t === 'timer' ? { kind: 'system' as const, id: 'timer' } : { kind: 'user' as const, id: who };
    commit(planStep(machine, result.snapshot, event), kind, event, actor, trigger);
  }
  return { machine, entries, commits };
}

describe('buildStep with a pseudonymiser (property)', () => {
  it('no login name in any entry; the chain verifies; the run replays; resolving restores the names', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.uniqueArray(loginName, { minLength: 4, maxLength: 4 }),
        fc.array(action, { maxLength: 12 }),
        (planIndex, names, actions) => {
          const { machine, entries, commits } = run(planIndex, names, actions);
          for (const e of entries) {
            const text = JSON.stringify(e);
            for (const n of names) assert.ok(!text.includes(n), `${n} in entry ${e.seq}: ${text}`);
          }
          assert.deepEqual(verifyChain(entries), { ok: true });
          // Over the pseudonyms alone; and over the values, resolved as the store would.
          const r = replay(machine, entries, 'loopback');
          assert.equal(r.ok, true, JSON.stringify(r));
          const mapped = new Map(commits.flatMap((c) => c.pseudonyms ?? []).map((p) => [p.pseudonym, p.value]));
          const clear = replay(machine, entries, 'loopback', mapped);
          assert.equal(clear.ok, true, JSON.stringify(clear));
          if (clear.ok) assert.deepEqual(clear.snapshot.context.groups, { A: [names[0], names[1]], B: [names[2]] });
          // Every pseudonym the entries hold is one the commits asked the store to map.
          for (const p of pseudonymsIn(entries)) assert.ok(mapped.has(p), `${p} not mapped`);
          // The raise entry, resolved, names the members in clear again.
          const raised = resolveDeep(entries[0]!, mapped).event as { input: PlanInput };
          assert.deepEqual(raised.input.groups, { A: [names[0], names[1]], B: [names[2]] });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('without a pseudonymiser the entry is in clear (as before)', () => {
    const machine = createPlanMachine(builtinPlans[0]!.definition);
    const input: PlanInput = {
      alarm: {
        id: 'a1',
        type: 't',
        priority: 1,
        text: 'x',
        location: undefined,
        source: { adapter: 'http' },
        environment: 'default',
        raisedAt: 0,
      },
      groups: { A: ['alice'], B: ['bob'] },
      params: { levelTimeoutMs: 1000, rounds: 1 },
    };
    const c = buildStep(
      {
        alarmId: 'a1',
        facts: input.alarm,
        seq: 1,
        prevHash: GENESIS,
        prevState: null,
        prevNotifications: [],
        now: 0,
        kind: 'raised',
        event: { type: 'RAISE', input },
        actor: { kind: 'user', id: 'carol' },
        channel: 'loopback',
        trigger: 'raised by user carol',
      },
      planStart(machine, input),
    );
    assert.match(c.entry.note, /raised by user carol.*notified A: alice/);
    assert.equal(c.pseudonyms, undefined);
  });
});
