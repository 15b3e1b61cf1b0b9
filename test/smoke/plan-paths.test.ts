// Model-based paths through the REAL runtime: for every built-in plan, xstate/graph's
// getShortestPaths over the plan machine (responses by group members and a stranger, CANCEL,
// and every other event the active states declare: `after` timers, PRESENCE, LINK_UP) gives
// the shortest event sequence to each reachable state value (deduplicated by target). Each
// sequence is driven through the whole app in-process (PGlite in memory, in-process scheduler,
// loopback notifier, virtual clock): responses and cancels over the HTTP API, a timer event by
// advancing the clock exactly to the due time of the pending timer row that delivers it. The
// alarm's recorded state and snapshot value must equal the path's target, and replay of the
// protocol must reproduce the stored snapshot. One harness for the file.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { __unsafe_getAllOwnEventDescriptors as ownEvents, type AnyMachineSnapshot } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { PlanInput } from '../../machines/plan-context.ts';
import { createPlanMachine } from '../../machines/plan-machine.ts';
import { planStart, planStep, stateKey } from '../../machines/plan-step.ts';
import { PlanCatalog } from '../../src/runtime/plan-catalog.ts';
import { replay } from '../../src/runtime/replay.ts';
import { pseudonymsIn } from '../../src/runtime/pseudonyms.ts';
import { startHarness, T0, type Harness } from '../support/harness.ts';

const GROUPS = { A: ['alice', 'bob'], B: ['carol'] };
const PARAMS = { levelTimeoutMs: 1_000, rounds: 2 };
const typeOf = (planId: string) => `path-${planId}`;

/** One alarm type per built-in plan. Typed by what startHarness takes, so it follows the config model. */
const file: NonNullable<NonNullable<Parameters<typeof startHarness>[0]>['file']> = {
  groups: GROUPS,
  alarmTypes: builtinPlans.map((p) => ({
    id: typeOf(p.ref.id),
    name: `Paths of ${p.ref.id}`,
    priority: 1,
    plan: p.ref,
    params: PARAMS,
    environment: 'default',
  })),
  autoRespond: {},
};

interface Ev {
  readonly type: string;
  readonly [k: string]: unknown;
}

/** Events with payloads for the graph; other declared event types are tried bare ({type}). */
const EVENTS: Ev[] = [
  ...['alice', 'bob', 'carol', 'zed'].flatMap((by) =>
    (['accept', 'reject'] as const).map((response) => ({ type: 'RESPONSE', response, by, at: T0 })),
  ),
  { type: 'CANCEL', by: 'operator', at: T0 },
];
const eventsIn = (snapshot: AnyMachineSnapshot): Ev[] =>
  (ownEvents(snapshot) as string[]).flatMap((type) => {
    const given = EVENTS.filter((e) => e.type === type);
    return given.length > 0 ? given : [{ type }];
  });

/** Only these reach a plan through the runtime's public surface (HTTP API, timers). */
/** Named signals (PRESENCE at the location, LINK_UP) go through POST /api/v1/alarms/{id}/signals. */
const isSignal = (e: Ev) =>
  /^[A-Z][A-Z0-9_]{0,31}$/.test(e.type) && !['RESPONSE', 'CANCEL', 'DELIVERY'].includes(e.type);
const label = (e: Ev) => (e.type === 'RESPONSE' ? `${e.by} ${e.response}s` : e.type.replace(/^xstate\.after\./, ''));

interface PlanPath {
  readonly planId: string;
  readonly target: string;
  readonly value: unknown;
  readonly done: boolean;
  readonly events: Ev[];
}

/** Shortest path to each reachable state value of the plan, fewest events first per target. */
function pathsOf(p: (typeof builtinPlans)[number]): PlanPath[] {
  const machine = createPlanMachine(p.definition);
  const input: PlanInput = {
    alarm: {
      id: 'graph',
      type: typeOf(p.ref.id),
      priority: 1,
      text: 'Path test',
      location: undefined,
      source: { adapter: 'http' },
      environment: 'default',
      raisedAt: T0,
    },
    groups: GROUPS,
    params: PARAMS,
  };
  const byTarget = new Map<string, PlanPath>();
  for (const path of getShortestPaths(machine, { input, events: eventsIn as never })) {
    const target = stateKey(path.state);
    // steps[0] is the initial state (event xstate.init); the rest are the events taken.
    const events = path.steps.map((s) => s.event as Ev).filter((e) => e.type !== 'xstate.init');
    const known = byTarget.get(target);
    if (!known || events.length < known.events.length) {
      byTarget.set(target, {
        planId: p.ref.id,
        target,
        value: path.state.value,
        done: path.state.status === 'done',
        events,
      });
    }
  }
  // Each path is also a valid pure run (the graph used the same machine, but not planStep).
  for (const path of byTarget.values()) {
    let r = planStart(machine, input);
    for (const e of path.events) r = planStep(machine, r.snapshot, e);
    assert.equal(stateKey(r.snapshot), path.target, `${p.ref.id}: pure fold of ${path.events.map(label)}`);
  }
  return [...byTarget.values()];
}

const plans = builtinPlans.map((p) => ({ id: p.ref.id, paths: pathsOf(p) }));

let h: Harness;
before(async () => {
  h = await startHarness({ file });
});
after(async () => {
  await h?.stop();
});

async function drive(path: PlanPath): Promise<string> {
  const raised = await h.request('POST', '/api/v1/alarms', { type: typeOf(path.planId), text: 'Path test' });
  assert.equal(raised.status, 201, raised.text);
  const id = raised.json.id as string;
  for (const e of path.events) {
    if (e.type === 'RESPONSE') {
      const r = await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: e.response, by: e.by });
      assert.equal(r.status, 202, `${label(e)}: ${r.status} ${r.text}`);
    } else if (isSignal(e)) {
      const r = await h.request('POST', `/api/v1/alarms/${id}/signals`, { signal: e.type, by: 'path-test' });
      assert.equal(r.status, 202, `${e.type}: ${r.status} ${r.text}`);
    } else if (e.type === 'CANCEL') {
      const r = await h.request('POST', `/api/v1/alarms/${id}/cancel`, { by: e.by });
      assert.equal(r.status, 202, `CANCEL: ${r.status} ${r.text}`);
    } else {
      // A timer event: advance exactly to the due time of the one pending timer that delivers it.
      const timers = (await h.tocsin.store.listTimers(id)).filter(
        (t) => t.status === 'pending' && (t.event as Ev).type === e.type,
      );
      assert.equal(timers.length, 1, `${label(e)}: pending timers ${JSON.stringify(timers)}`);
      const wait = timers[0]!.dueAt - h.clock.now();
      assert.ok(wait >= 0, `${label(e)} is overdue by ${-wait} ms`);
      await h.advance(wait);
      const fired = (await h.tocsin.store.listTimers(id)).find((t) => t.id === timers[0]!.id);
      assert.equal(fired?.status, 'fired', `${label(e)} did not fire`);
    }
  }
  return id;
}

describe('shortest paths of every built-in plan through the real runtime (virtual clock)', () => {
  it('the graph reaches every state the plan declares at rest', () => {
    for (const p of builtinPlans) {
      const targets = new Set(plans.find((x) => x.id === p.ref.id)!.paths.map((x) => x.target));
      // States left at once by `always` (escalate's endOfRound) are never at rest.
      const atRest = Object.entries(p.definition.states)
        .filter(([, s]) => (s as { always?: unknown }).always === undefined)
        .map(([name]) => name);
      assert.deepEqual([...targets].sort(), atRest.sort(), p.ref.id);
    }
  });

  for (const { id: planId, paths } of plans) {
    for (const path of paths) {
      const name = `${planId}: ${path.events.map(label).join(' → ') || '(raise)'} ⇒ ${path.target}`;
      it(name, async () => {
        const id = await drive(path);
        const alarm = (await h.tocsin.store.getAlarm(id))!;
        assert.equal(alarm.state, path.target);
        assert.deepEqual((alarm.snapshot as { value: unknown }).value, path.value);
        assert.equal(alarm.status, path.done ? 'ended' : 'active');
        const entries = await h.tocsin.store.listProtocol(id);
        assert.equal(entries.at(-1)!.toState, path.target);
        assert.equal(entries.length, 1 + path.events.length, 'one protocol entry per event');
        const machine = await new PlanCatalog(h.tocsin.store).machine(alarm.plan);
        // Pseudonyms resolved (issue 4, item 10), the replay runs over the values as the alarm did.
        const resolved = await h.tocsin.store.resolvePseudonyms(pseudonymsIn(entries));
        const r = replay(machine, entries, h.notifier.channel, resolved);
        assert.equal(r.ok, true, JSON.stringify(r));
        if (r.ok) {
          assert.deepEqual(r.snapshot, alarm.snapshot);
          assert.equal(stateKey(r.snapshot), path.target);
        }
      });
    }
  }
});
