// Plan versions over HTTP on the whole app: publish, list, export, diff, disable and enable; a
// raise of a type pinned to a disabled version still raises, under the built-in escalate@1,
// and its protocol says so. escalate@2 (group B first) is seeded before start so an alarm type
// can pin it (types are checked against the store at start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import { startHarness, T0, testFileConfig, type Harness } from '../support/harness.ts';
import { memoryStore } from '../support/services.ts';

const escalate = builtinPlans[0]!.definition as any;
/** escalate with group B notified first: visibly different from escalate@1. */
const bFirst = (id: string, description: string) => {
  const p = structuredClone(escalate);
  p.id = id;
  p.description = description;
  p.states.levelA.entry = [{ type: 'notify', params: { group: 'B' } }];
  return p;
};

let h: Harness;
before(async () => {
  const { store } = await memoryStore();
  assert.equal(await store.publishPlan('escalate', escalate, T0, 'seed'), 1);
  assert.equal(await store.publishPlan('escalate', bFirst('escalate', escalate.description), T0, 'seed'), 2);
  h = await startHarness({
    store,
    file: {
      ...testFileConfig,
      alarmTypes: [
        ...testFileConfig.alarmTypes,
        {
          id: 'pinned',
          name: 'Pinned to escalate@2',
          priority: 2,
          plan: { id: 'escalate', version: 2 },
          params: { levelTimeoutMs: 1_000, rounds: 1 },
          environment: 'default',
        },
      ],
    },
  });
});
after(async () => {
  await h.stop();
});

/** Raises a `pinned` alarm; answers its pinned plan, first recipients and raise note. */
async function raisePinned(id: string) {
  const r = await h.request('POST', '/api/v1/alarms', { type: 'pinned', text: 'Door 4 forced', id });
  assert.equal(r.status, 201, r.text);
  const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
  const p = (await h.request('GET', `/api/v1/alarms/${id}/protocol`)).json;
  return {
    plan: a.plan,
    recipients: a.recipients.map((x: { recipient: string }) => x.recipient).sort(),
    note: p.entries[0].note as string,
  };
}

describe('plan versions over HTTP', () => {
  const v1 = { ...structuredClone(escalate), id: 'demo' };
  const v2 = bFirst('demo', 'Group B first.');

  it('publishes, lists, exports and diffs versions', async () => {
    const p1 = await h.request('POST', '/api/v1/plans', { plan: v1 });
    assert.equal(p1.status, 201, p1.text);
    assert.deepEqual(p1.json, { id: 'demo', version: 1 });
    assert.equal(p1.headers.location, '/api/v1/plans/demo/versions/1');
    const p2 = await h.request('POST', '/api/v1/plans', { plan: v2 });
    assert.deepEqual(p2.json, { id: 'demo', version: 2 });

    const list = (await h.request('GET', '/api/v1/plans')).json;
    const demo = list.plans.find((p: { id: string }) => p.id === 'demo');
    assert.deepEqual(
      demo.versions.map((v: { version: number; publishedBy: string; disabledAt: null }) => [
        v.version,
        v.publishedBy,
        v.disabledAt,
      ]),
      [
        [1, 'admin', null],
        [2, 'admin', null],
      ],
    );
    assert.deepEqual(
      list.plans.find((p: { id: string }) => p.id === 'escalate').versions.map((v: { version: number }) => v.version),
      [1, 2],
    );

    // The export is exactly what was published, round-tripped through JSON.
    const e = await h.request('GET', '/api/v1/plans/demo/versions/2');
    assert.equal(e.status, 200, e.text);
    assert.deepEqual(e.json.definition, JSON.parse(JSON.stringify(v2)));
    assert.equal(e.json.publishedAt, new Date(T0).toISOString());

    const d = await h.request('GET', '/api/v1/plans/demo/diff?from=1&to=2');
    assert.equal(d.status, 200, d.text);
    assert.deepEqual(d.json.changes, [
      { op: 'replace', pointer: '/description', from: escalate.description, to: 'Group B first.' },
      { op: 'replace', pointer: '/states/levelA/entry/0/params/group', from: 'A', to: 'B' },
    ]);
  });

  it('refuses an invalid plan with pointers under /plan and writes nothing', async () => {
    const bad = { ...structuredClone(v1), id: 'demo-bad' };
    bad.states.levelB.entry = [{ type: 'notify', params: { group: 'Z' } }];
    const r = await h.request('POST', '/api/v1/plans', { plan: bad });
    assert.equal(r.status, 422, r.text);
    assert.ok(r.json.errors.some((e: { pointer: string }) => e.pointer.startsWith('/plan/states/levelB/entry/0')));
    const list = (await h.request('GET', '/api/v1/plans')).json;
    assert.equal(
      list.plans.some((p: { id: string }) => p.id === 'demo-bad'),
      false,
    );
  });

  it('imports an exported version under another id and keeps version numbers; conflicts write nothing', async () => {
    // Another server's export of escalate@1, imported here as `ward-escalate` version 1.
    const exported = (await h.request('GET', '/api/v1/plans/escalate/versions/1')).json.definition;
    const imp = await h.request('POST', '/api/v1/plans', { plan: exported, id: 'ward-escalate', version: 1 });
    assert.equal(imp.status, 201, imp.text);
    assert.deepEqual(imp.json, { id: 'ward-escalate', version: 1 });
    const stored = (await h.request('GET', '/api/v1/plans/ward-escalate/versions/1')).json.definition;
    assert.deepEqual(stored, { ...exported, id: 'ward-escalate' });
    // The same import again: nothing new (200), so imports can be retried.
    const again = await h.request('POST', '/api/v1/plans', { plan: exported, id: 'ward-escalate', version: 1 });
    assert.equal(again.status, 200, again.text);
    // A different definition at that version, or a gap: 409, nothing written.
    const other = await h.request('POST', '/api/v1/plans', {
      plan: bFirst('x', 'other'),
      id: 'ward-escalate',
      version: 1,
    });
    assert.equal(other.status, 409, other.text);
    const gap = await h.request('POST', '/api/v1/plans', { plan: exported, id: 'ward-escalate', version: 3 });
    assert.equal(gap.status, 409, gap.text);
    assert.match(gap.json.detail, /continues at version 2, not 3/);
    const versions = (await h.request('GET', '/api/v1/plans')).json.plans.find(
      (p: { id: string }) => p.id === 'ward-escalate',
    ).versions;
    assert.equal(versions.length, 1);
    // Unknown members and malformed ids or versions: 422 at their pointer.
    for (const [body, pointer] of [
      [{ plan: exported, colour: 'red' }, '/colour'],
      [{ plan: exported, id: 'bad id' }, '/id'],
      [{ plan: exported, version: 0 }, '/version'],
    ] as const) {
      const r = await h.request('POST', '/api/v1/plans', body);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.errors[0].pointer, pointer);
    }
  });

  it('answers 404 for an unknown version and 422 naming a malformed parameter', async () => {
    assert.equal((await h.request('GET', '/api/v1/plans/demo/versions/9')).status, 404);
    assert.equal((await h.request('GET', '/api/v1/plans/nope/versions/1')).status, 404);
    assert.equal((await h.request('POST', '/api/v1/plans/demo/versions/9/disable')).status, 404);
    assert.equal((await h.request('GET', '/api/v1/plans/demo/diff?from=1&to=9')).status, 404);
    const v = await h.request('GET', '/api/v1/plans/demo/versions/0');
    assert.equal(v.status, 422, v.text);
    assert.deepEqual(
      v.json.errors.map((e: { parameter: string }) => e.parameter),
      ['version'],
    );
    const q = await h.request('GET', '/api/v1/plans/demo/diff?from=1');
    assert.equal(q.status, 422, q.text);
    assert.equal(q.json.errors[0].parameter, 'to');
    const i = await h.request('GET', '/api/v1/plans/a.b/versions/1');
    assert.equal(i.json.errors[0].parameter, 'id');
  });

  it('a type pinned to a disabled version still raises, under escalate@1, and says so; enable restores it', async () => {
    const before = await raisePinned('pin-1');
    assert.deepEqual(before.plan, { id: 'escalate', version: 2 });
    assert.deepEqual(before.recipients, ['carol']);
    assert.doesNotMatch(before.note, /disabled/);

    const d = await h.request('POST', '/api/v1/plans/escalate/versions/2/disable');
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.disabledAt, new Date(T0).toISOString());
    const fallen = await raisePinned('pin-2');
    assert.deepEqual(fallen.plan, { id: 'escalate', version: 1 });
    assert.deepEqual(fallen.recipients, ['alice', 'bob']);
    assert.match(fallen.note, /plan escalate@2 is disabled: fell back to escalate@1/);

    const en = await h.request('POST', '/api/v1/plans/escalate/versions/2/enable');
    assert.equal(en.status, 200, en.text);
    assert.equal(en.json.disabledAt, null);
    const again = await raisePinned('pin-3');
    assert.deepEqual(again.plan, { id: 'escalate', version: 2 });
    assert.deepEqual(again.recipients, ['carol']);
  });
});
