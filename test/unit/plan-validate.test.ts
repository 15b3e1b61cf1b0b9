// The plan validator (machines/plan-validate.ts): a corpus of invalid plans, each rejected with
// exactly the expected pointers and matching reasons (test/fixtures/plans/invalid/*.json); the
// valid corpus passes; no transition out of a final state (the root's on/after included); random mutations of the escalate plan are either rejected or build and
// start; the published JSON Schema lists every registered name; the params checker.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPlanMachine } from '../../machines/plan-machine.ts';
import { planStart, planStep } from '../../machines/plan-step.ts';
import { planJsonSchema } from '../../machines/plan-schema.ts';
import { registeredNames } from '../../machines/registry.ts';
import { checkParams, paramSpecs } from '../../machines/registry-params.ts';
import { validatePlan } from '../../machines/plan-validate.ts';

const dir = new URL('../fixtures/plans/', import.meta.url);
const read = (path: string): any => JSON.parse(readFileSync(new URL(path, dir), 'utf8'));
const list = (sub: string) =>
  readdirSync(new URL(`${sub}/`, dir))
    .filter((f) => f.endsWith('.json'))
    .sort();

interface Expected {
  readonly pointer: string;
  readonly reason: string;
}

function assertProblems(actual: readonly Expected[], expected: readonly Expected[], what: string) {
  assert.deepEqual(
    actual.map((p) => p.pointer),
    expected.map((p) => p.pointer),
    `${what}: pointers\n${JSON.stringify(actual, null, 2)}`,
  );
  expected.forEach((e, i) => {
    assert.match(actual[i]!.reason, new RegExp(e.reason), `${what}: reason at ${e.pointer}`);
  });
}

const input = {
  alarm: {
    id: 'a1',
    type: 'test',
    priority: 1,
    text: 'test',
    location: undefined,
    source: { adapter: 'test' },
    environment: 'default',
    raisedAt: 0,
  },
  groups: { A: ['u1'], B: ['u2'] },
  params: { levelTimeoutMs: 60_000, rounds: 2 },
};

describe('plan validator: invalid corpus', () => {
  const files = list('invalid');
  it('has at least 15 fixtures', () => assert.ok(files.length >= 15, `${files.length} fixtures`));
  for (const file of files) {
    it(file, () => {
      const fixture = read(`invalid/${file}`);
      // A fixture may give any of the known-name sets of ValidateOptions next to its plan.
      const opts = Object.fromEntries(
        (['groups', 'profiles', 'contacts', 'devices', 'alarmTypes'] as const)
          .filter((k) => fixture[k] !== undefined)
          .map((k) => [k, fixture[k]]),
      );
      const result = validatePlan(fixture.plan, opts);
      assert.equal(result.ok, false, `${file} validated`);
      if (result.ok) return;
      assertProblems(result.problems, fixture.expect, file);
      assertProblems(result.warnings, fixture.warnings ?? [], `${file} warnings`);
    });
  }
});

describe('plan validator: valid corpus', () => {
  for (const file of list('valid')) {
    it(file, () => {
      const plan = read(`valid/${file}`);
      const result = validatePlan(plan);
      assert.deepEqual(result.ok ? [] : result.problems, []);
      assert.deepEqual(result.warnings, []);
      assert.ok(result.ok);
      assert.equal(result.plan, plan);
    });
  }

  it('the fixture escalate.json is the shipped plan', () => {
    assert.deepEqual(read('valid/escalate.json'), JSON.parse(readFileSync('machines/plans/escalate.json', 'utf8')));
  });

  it('checks notify groups only when groups are given', () => {
    const plan = read('valid/escalate.json');
    assert.ok(validatePlan(plan, { groups: ['A', 'B', 'C'] }).ok);
    const r = validatePlan(plan, { groups: ['A'] });
    assert.ok(!r.ok);
    assertProblems(r.problems, [{ pointer: '/states/levelB/entry/0/params/group', reason: "unknown.*'B'" }], 'groups');
  });

  it('checks profiles, contacts, devices, alarm types and nobodyPresent groups only when their set is given', () => {
    const plan = {
      id: 'refs',
      initial: 'a',
      states: {
        a: {
          entry: [
            { type: 'notify', params: { group: 'A', profile: 'loud' } },
            { type: 'notify', params: { device: 'pager-1' } },
            { type: 'notify', params: { contact: 'ext-9' } },
            { type: 'forward', params: { alarmType: 'fire' } },
          ],
          on: { PRESENCE: { guard: { type: 'nobodyPresent', params: { group: 'B' } }, target: 'done' } },
        },
        done: { type: 'final' },
      },
    };
    // Nothing given: nothing checked.
    assert.ok(validatePlan(plan).ok);
    // Every set given and every name known.
    const all = {
      groups: ['A', 'B'],
      profiles: ['loud'],
      devices: ['pager-1'],
      contacts: ['ext-9'],
      alarmTypes: ['fire'],
    };
    assert.ok(validatePlan(plan, all).ok);
    // Each set alone, empty: exactly its references are reported.
    const cases: [keyof typeof all, string[]][] = [
      ['groups', ['/states/a/entry/0/params/group', '/states/a/on/PRESENCE/guard/params/group']],
      ['profiles', ['/states/a/entry/0/params/profile']],
      ['devices', ['/states/a/entry/1/params/device']],
      ['contacts', ['/states/a/entry/2/params/contact']],
      ['alarmTypes', ['/states/a/entry/3/params/alarmType']],
    ];
    for (const [key, pointers] of cases) {
      const r = validatePlan(plan, { ...all, [key]: [] });
      assert.ok(!r.ok, key);
      assert.deepEqual(
        r.problems.map((p) => p.pointer),
        pointers,
        key,
      );
    }
    const r = validatePlan(plan, { alarmTypes: ['police'] });
    assert.deepEqual(!r.ok && r.problems, [
      { pointer: '/states/a/entry/3/params/alarmType', reason: "unknown alarm type 'fire'" },
    ]);
  });

  it('accepts a root `on` next to a top-level final state: an ended plan takes no event', () => {
    // "Cancel from anywhere": the root's `on` is fine, because planStep returns a done snapshot
    // unchanged (XState's own transition() would still take the root's `on` on it).
    const cancelAnywhere = {
      id: 'p',
      initial: 'a',
      on: { CANCEL: '.done', RESPONSE: { target: '.a' } },
      states: { a: { after: { 1000: 'done' } }, done: { type: 'final' } },
    };
    const r = validatePlan(cancelAnywhere);
    assert.deepEqual(r.ok ? [] : r.problems, []);
    const machine = createPlanMachine(r.ok ? r.plan : (undefined as never));
    const input = { alarm: {} as never, groups: {}, params: {} };
    const started = planStart(machine, input);
    const ended = planStep(machine, started.snapshot, { type: 'CANCEL' });
    assert.equal((ended.snapshot as { status: string }).status, 'done');
    const after = planStep(machine, ended.snapshot, { type: 'RESPONSE' });
    assert.deepEqual(after.snapshot, ended.snapshot, 'the root on did not revive the ended plan');
    assert.deepEqual(after.actions, []);
  });

  it('escapes pointers (RFC 6901) and never throws', () => {
    const r = validatePlan({ id: 'p', initial: 'a', states: { a: { on: { 'x/y~z': 'nope' } } } });
    assert.ok(!r.ok);
    assert.ok(r.problems.some((p) => p.pointer === '/states/a/on/x~1y~0z'));
    for (const bad of [null, 1, 'x', [], undefined, () => 1]) assert.equal(validatePlan(bad).ok, false);
    const cyclic: any = { id: 'p', initial: 'a', states: {} };
    cyclic.states.a = cyclic;
    assert.match((validatePlan(cyclic) as any).problems[0].reason, /not JSON-serialisable/);
  });
});

describe('plan validator: mutations of escalate', () => {
  const base = read('valid/escalate.json');
  const stateNames = Object.keys(base.states);
  type Mutation =
    | { kind: 'delete'; state: string }
    | { kind: 'retarget'; state: string; to: string }
    | { kind: 'unknownKey'; state: string; key: string }
    | { kind: 'delay'; state: string; delay: string }
    | { kind: 'entry'; state: string; action: string };
  const name = fc.constantFrom(...stateNames);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), state: name }),
    fc.record({
      kind: fc.constant('retarget' as const),
      state: name,
      to: fc.oneof(name, fc.constantFrom('nope', '#escalate.levelB', '.x', 'levelA.y')),
    }),
    fc.record({
      kind: fc.constant('unknownKey' as const),
      state: name,
      key: fc.constantFrom('invoke', 'src', '__proto__', 'id', 'tags', 'type', 'initial'),
    }),
    fc.record({
      kind: fc.constant('delay' as const),
      state: name,
      delay: fc.oneof(
        fc.integer({ min: -10, max: 800_000_000 }).map(String),
        fc.constantFrom('levelTimeout', 'soon', '1e3', ''),
      ),
    }),
    fc.record({
      kind: fc.constant('entry' as const),
      state: name,
      action: fc.constantFrom('notify', 'withdraw', 'nextRound', 'log', 'recordResponse', 'page'),
    }),
  );

  function apply(plan: any, m: Mutation): void {
    const s = plan.states[m.state];
    switch (m.kind) {
      case 'delete':
        delete plan.states[m.state];
        break;
      case 'retarget': {
        const walk = (v: any): boolean => {
          if (v && typeof v === 'object') {
            if (typeof v.target === 'string') {
              v.target = m.to;
              return true;
            }
            return Object.values(v).some(walk);
          }
          return false;
        };
        if (!walk(s)) s.always = { target: m.to };
        break;
      }
      case 'unknownKey':
        s[m.key] = m.key === 'type' ? 'final' : m.key === 'initial' ? 'levelA' : { src: 'x' };
        break;
      case 'delay':
        s.after = { ...(s.after ?? {}), [m.delay]: { target: 'accepted' } };
        break;
      case 'entry':
        s.entry = [...(s.entry ?? []), m.action];
        break;
    }
  }

  it('a mutated plan is rejected, or builds and starts', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const plan = JSON.parse(JSON.stringify(base));
        for (const m of mutations) if (plan.states[m.state]) apply(plan, m);
        const result = validatePlan(plan);
        if (!result.ok) {
          assert.ok(result.problems.length > 0);
          for (const p of result.problems) {
            assert.match(p.pointer, /^(|\/.*)$/);
            assert.doesNotMatch(p.reason, /^validator failed/);
          }
          return;
        }
        planStart(createPlanMachine(result.plan), input);
      }),
      { numRuns: 300 },
    );
  });
});

describe('plan schema and registry params', () => {
  it('the schema enumerates every registered action, guard and delay', () => {
    assert.deepEqual(new Set(planJsonSchema.$defs.actionName.enum), registeredNames.actions);
    assert.deepEqual(new Set(planJsonSchema.$defs.guardName.enum), registeredNames.guards);
    assert.deepEqual(new Set(planJsonSchema.$defs.delayName.enum), registeredNames.delays);
    const typed = planJsonSchema.$defs.action.anyOf.slice(1).map((a: any) => a.properties.type.const);
    assert.deepEqual(new Set(typed), registeredNames.actions);
    assert.equal(planJsonSchema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(planJsonSchema.additionalProperties, false);
    assert.equal(planJsonSchema.$defs.state.additionalProperties, false);
    JSON.parse(JSON.stringify(planJsonSchema));
  });

  it("the schema carries each name's params: notify's recipients and options, forward, nobodyPresent", () => {
    const params = (kind: 'action' | 'guard', name: string): any =>
      (planJsonSchema.$defs[kind] as any).anyOf.slice(1).find((a: any) => a.properties.type.const === name)!.properties
        .params;
    const notify = params('action', 'notify');
    assert.deepEqual(Object.keys(notify.properties), ['group', 'user', 'device', 'contact', 'profile', 'text']);
    assert.deepEqual(
      notify.oneOf.map((x: any) => x.required),
      [['group'], ['user'], ['device'], ['contact']],
    );
    assert.deepEqual(params('action', 'forward').required, ['alarmType']);
    assert.deepEqual(params('guard', 'nobodyPresent').required, ['group']);
  });

  it('every registered name has a params spec and a doc, and nothing else does', () => {
    for (const kind of ['actions', 'guards', 'delays'] as const) {
      assert.deepEqual(new Set(Object.keys(paramSpecs[kind])), registeredNames[kind], kind);
      for (const spec of Object.values(paramSpecs[kind])) assert.ok(spec.doc.length > 0);
    }
  });

  it('checkParams covers types, enums, bounds, required and additional properties', () => {
    const spec = {
      type: 'object',
      properties: {
        n: { type: 'integer', minimum: 1, maximum: 5 },
        x: { type: 'number' },
        b: { type: 'boolean' },
        e: { enum: ['a', 'b'] },
      },
      required: ['n'],
      additionalProperties: false,
    } as const;
    assert.deepEqual(checkParams(spec, { n: 3, x: 1.5, b: true, e: 'a' }, '/p'), []);
    const problems = checkParams(spec, { n: 9, x: 'no', b: 1, e: 'c', z: 0 }, '/p');
    assert.deepEqual(
      problems.map((p) => p.pointer),
      ['/p/n', '/p/x', '/p/b', '/p/e', '/p/z'],
    );
    assert.deepEqual(checkParams(spec, {}, '/p'), [{ pointer: '/p', reason: "missing required 'n'" }]);
    assert.match(checkParams(spec.properties.n, 1.5, '/n')[0]!.reason, /integer/);
    assert.match(checkParams(spec, [], '')[0]!.reason, /object, not array/);
  });
});
