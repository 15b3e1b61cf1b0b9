// The configuration model over HTTP, through the whole app (PGlite in memory, virtual clock):
// create, replace and delete items with versions and If-Match; bad input answered with every
// problem at its pointer and nothing written; references kept whole; every change in the
// hash-chained record; and what the runtime makes of it when an alarm is raised — text
// templates, presence-tracked groups and their fallback, a plan whose group was deleted
// falling back to the environment's default plan with a supervision alarm, forwarding.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

const changeCount = async () => (await h.request('GET', '/api/v1/config/changes?limit=1000')).json.changes.length;

async function raise(type: string, id: string, extra: Record<string, unknown> = {}) {
  const r = await h.request('POST', '/api/v1/alarms', { type, text: 'Smoke in room 12', id, ...extra });
  assert.equal(r.status, 201, r.text);
  await h.advance(0);
  return (await h.request('GET', `/api/v1/alarms/${id}`)).json;
}
const recipients = (a: { recipients: { recipient: string }[] }) => a.recipients.map((x) => x.recipient).sort();

async function publish(plan: unknown): Promise<number> {
  const r = await h.request('POST', '/api/v1/plans', { plan });
  assert.equal(r.status, 201, r.text);
  return r.json.version;
}

/** A plan that notifies one group and ends on the first accept. */
const oneGroupPlan = (id: string, group: string, extra: Record<string, unknown> = {}) => ({
  id,
  initial: 'level',
  states: {
    level: {
      entry: [{ type: 'notify', params: { group } }, ...((extra.entry as unknown[]) ?? [])],
      on: { RESPONSE: [{ guard: 'accepted', target: 'done', actions: ['recordResponse', 'withdraw'] }] },
    },
    done: { type: 'final' },
  },
});

describe('configuration items over HTTP', () => {
  it('creates, replaces with If-Match, refuses a stale version, deletes — each change recorded', async () => {
    const start = await changeCount();
    const url = '/api/v1/config/profiles/loud';
    const created = await h.request('PUT', url, { name: 'Loud', priority: 'emergency', volume: 9 });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.etag, '"1"');
    assert.equal(created.json.tone, 0, 'defaults are filled in');
    // The same body again changes nothing: same version, no new record entry.
    const same = await h.request('PUT', url, { name: 'Loud', priority: 'emergency', volume: 9 });
    assert.equal(same.status, 200);
    assert.equal(same.json.version, 1);
    assert.equal(await changeCount(), start + 1);
    const updated = await h.request(
      'PUT',
      url,
      { name: 'Louder', priority: 'emergency', volume: 9 },
      { 'If-Match': '"1"' },
    );
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.version, 2);
    const stale = await h.request('PUT', url, { name: 'Lost update', priority: 'low' }, { 'If-Match': '"1"' });
    assert.equal(stale.status, 412, stale.text);
    assert.equal((await h.request('GET', url)).json.name, 'Louder', 'the stale write changed nothing');
    const gone = await h.request('DELETE', url, undefined, { 'If-Match': '"2"' });
    assert.equal(gone.status, 200, gone.text);
    assert.equal((await h.request('GET', url)).status, 404);
    const changes = (await h.request('GET', `/api/v1/config/changes?after=0&limit=1000`)).json.changes.slice(start);
    assert.deepEqual(
      changes.map((c: any) => [c.kind, c.id, c.op, c.actor]),
      [
        ['profile', 'loud', 'create', 'admin'],
        ['profile', 'loud', 'update', 'admin'],
        ['profile', 'loud', 'delete', 'admin'],
      ],
    );
    assert.equal(changes[1].before.name, 'Loud');
    assert.equal(changes[1].after.name, 'Louder');
    const verify = await h.request('GET', '/api/v1/config/changes/verify');
    assert.equal(verify.json.ok, true, verify.text);
    // Each change is in the access log too, by whom and from where.
    const logged = (await h.tocsin.store.accessLog.list({ limit: 1000, action: 'config.change' })).filter(
      (e) => e.target === 'profiles/loud',
    );
    assert.deepEqual(
      logged.map((e) => [e.actor, (e.details as { op: string }).op, e.outcome]),
      [
        ['admin', 'create', 'success'],
        ['admin', 'update', 'success'],
        ['admin', 'delete', 'success'],
      ],
    );
    assert.ok(logged.every((e) => e.source !== null));
  });

  it('answers bad items with every problem at its pointer and writes nothing', async () => {
    const start = await changeCount();
    const cases: [string, unknown, string[]][] = [
      [
        '/api/v1/config/environments/ward',
        { name: 'Ward', timeZone: 'Mars/Olympus', colour: 'red' },
        ['/timeZone', '/colour'],
      ],
      ['/api/v1/config/groups/night', { id: 'day', name: 'Night' }, ['/id']],
      [
        '/api/v1/config/groups/night',
        {
          name: 'Night',
          members: [
            { kind: 'user', id: 'a' },
            { kind: 'user', id: 'a' },
          ],
        },
        ['/members'],
      ],
      ['/api/v1/config/alarm-types/fire', { name: 'Fire', priority: 1, profile: 'nosuch' }, ['/profile']],
      ['/api/v1/config/alarm-types/fire', { name: 'Fire', priority: 1, plan: 'nosuch@1' }, ['/plan']],
      [
        '/api/v1/config/alarm-types/fire',
        { name: 'Fire', priority: 1, textTemplate: 'At {alarm.room}' },
        ['/textTemplate'],
      ],
      ['/api/v1/config/groups/night', { name: 'Night', fallback: 'nosuch' }, ['/fallback']],
      ['/api/v1/config/contacts/x', { name: 'X', email: 'not an address' }, ['/email']],
      ['/api/v1/config/web-templates/t', { name: 'T', alarmType: 'nosuch', text: 'Help' }, ['/alarmType']],
    ];
    for (const [url, body, pointers] of cases) {
      const r = await h.request('PUT', url, body);
      assert.equal(r.status, 422, `${url} ${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.headers['content-type'], 'application/problem+json');
      assert.deepEqual(
        r.json.errors.map((e: { pointer: string }) => e.pointer).sort(),
        [...pointers].sort(),
        `${url} ${JSON.stringify(body)}: ${r.text}`,
      );
    }
    assert.equal(
      (await h.request('PUT', '/api/v1/config/groups/A', '{', { 'content-type': 'text/plain' })).status,
      415,
    );
    assert.equal((await h.request('PUT', '/api/v1/config/groups/bad%20id', { name: 'x' })).status, 422);
    assert.equal(
      (await h.request('PUT', '/api/v1/config/groups/A', { name: 'A' }, { 'If-Match': 'W/"1"' })).status,
      400,
    );
    assert.equal(await changeCount(), start, 'nothing was written');
  });

  it('refuses to delete what another item refers to, naming the referrer', async () => {
    assert.equal((await h.request('PUT', '/api/v1/config/profiles/soft', { name: 'Soft' })).status, 201);
    const t = await h.request('PUT', '/api/v1/config/alarm-types/call', { name: 'Call', priority: 4, profile: 'soft' });
    assert.equal(t.status, 201, t.text);
    const r = await h.request('DELETE', '/api/v1/config/profiles/soft');
    assert.equal(r.status, 409, r.text);
    assert.match(r.json.errors[0].reason, /alarmType 'call': unknown profile 'soft'/);
    assert.equal((await h.request('GET', '/api/v1/config/profiles/soft')).status, 200);
    assert.equal((await h.request('DELETE', '/api/v1/config/alarm-types/call')).status, 200);
    assert.equal((await h.request('DELETE', '/api/v1/config/profiles/soft')).status, 200);
  });
});

describe('the configuration at raise time', () => {
  it("fills the alarm type's text template", async () => {
    const t = await h.request('PUT', '/api/v1/config/alarm-types/fire', {
      name: 'Fire',
      priority: 1,
      textTemplate: 'FIRE ({alarm.priority}): {alarm.text} at {alarm.location}',
      params: { levelTimeoutMs: 1000, rounds: 1 },
    });
    assert.equal(t.status, 201, t.text);
    const a = await raise('fire', 'fire-1', { location: 'Deck 5' });
    assert.equal(a.text, 'FIRE (1): Smoke in room 12 at Deck 5');
  });

  it('notifies only present members of a presence-tracked group, and its fallback when nobody is present', async () => {
    const g = await h.request('PUT', '/api/v1/config/groups/A', {
      name: 'A',
      members: [
        { kind: 'user', id: 'alice' },
        { kind: 'user', id: 'bob' },
      ],
      presence: true,
      fallback: 'B',
    });
    assert.equal(g.status, 200, g.text);
    // Nobody logged in to A: group B's carol is notified in A's place.
    const nobody = await raise('fast', 'presence-1');
    assert.deepEqual(recipients(nobody), ['carol']);
    const p = await h.request('GET', '/api/v1/alarms/presence-1/protocol');
    assert.match(p.json.entries[0].note, /group A is empty: B notified instead/);
    // alice logs in: only she is notified.
    const login = await h.request('PUT', '/api/v1/config/groups/A/presence/alice');
    assert.deepEqual(login.json, { group: 'A', member: 'alice', present: true, changed: true });
    assert.equal((await h.request('PUT', '/api/v1/config/groups/A/presence/alice')).json.changed, false);
    assert.equal((await h.request('PUT', '/api/v1/config/groups/A/presence/zed')).status, 422, 'not a member');
    assert.deepEqual(recipients(await raise('fast', 'presence-2')), ['alice']);
    // The running alarm froze A's presence; logging out reaches its plan as a PRESENCE event.
    assert.equal((await h.request('DELETE', '/api/v1/config/groups/A/presence/alice')).status, 200);
    const entries = (await h.request('GET', '/api/v1/alarms/presence-2/protocol')).json.entries;
    const last = entries[entries.length - 1];
    assert.deepEqual(
      { type: last.event.type, group: last.event.group, user: last.event.user, present: last.event.present },
      { type: 'PRESENCE', group: 'A', user: 'alice', present: false },
    );
    assert.match(last.note, /alice logged out of group A/);
    const ops = (await h.request('GET', '/api/v1/config/changes?limit=1000')).json.changes
      .filter((c: any) => c.kind === 'presence')
      .map((c: any) => c.op);
    assert.deepEqual(ops, ['presence-in', 'presence-out']);
    // Restore A for the tests that follow.
    const restore = await h.request('PUT', '/api/v1/config/groups/A', {
      name: 'A',
      members: [
        { kind: 'user', id: 'alice' },
        { kind: 'user', id: 'bob' },
      ],
    });
    assert.equal(restore.status, 200, restore.text);
  });

  it('a plan whose group was deleted is flagged, and its alarms fall back to the default plan with a supervision alarm', async () => {
    const members = [{ kind: 'user', id: 'dave' }];
    assert.equal((await h.request('PUT', '/api/v1/config/groups/night', { name: 'Night', members })).status, 201);
    const v = await publish(oneGroupPlan('night-plan', 'night'));
    const t = await h.request('PUT', '/api/v1/config/alarm-types/night-call', {
      name: 'Night call',
      priority: 2,
      plan: `night-plan@${v}`,
    });
    assert.equal(t.status, 201, t.text);
    assert.deepEqual(recipients(await raise('night-call', 'night-1')), ['dave']);
    const env = await h.request('PUT', '/api/v1/config/environments/default', {
      name: 'default',
      defaultPlan: 'escalate@1',
      supervisionAlarmType: 'generic',
    });
    assert.equal(env.status, 200, env.text);

    const del = await h.request('DELETE', '/api/v1/config/groups/night');
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(
      del.json.warnings.map((w: any) => w.alarmType),
      ['night-call'],
    );
    assert.match(del.json.warnings[0].reasons.join(' '), /night/);
    const problems = (await h.request('GET', '/api/v1/config/problems')).json.alarmTypes;
    assert.deepEqual(
      problems.map((p: any) => p.alarmType),
      ['night-call'],
    );

    const a = await raise('night-call', 'night-2');
    assert.deepEqual(a.plan, { id: 'escalate', version: 1 }, 'the environment default plan');
    assert.deepEqual(recipients(a), ['alice', 'bob']);
    const raised = (await h.request('GET', '/api/v1/alarms/night-2/protocol')).json.entries[0];
    assert.match(raised.note, /plan night-plan@\d+ .*unknown .*night.*: fell back to escalate@1/);
    assert.deepEqual(raised.event.planFallback.to, { id: 'escalate', version: 1 });
    const sup = await h.request('GET', '/api/v1/alarms/supervision-night-2');
    assert.equal(sup.status, 200, sup.text);
    assert.equal(sup.json.type, 'generic');
    assert.match(sup.json.text, /alarm night-2 \(night-call\): .*fell back to escalate@1/);
    const metrics = (await h.request('GET', '/metrics')).text;
    assert.match(metrics, /tocsin_supervision_events_total\{reason="plan-fallback"\} 1/);
    // Fixed by pointing the type at a plan that runs: no longer flagged.
    assert.equal(
      (await h.request('PUT', '/api/v1/config/alarm-types/night-call', { name: 'Night call', priority: 2 })).status,
      200,
    );
    assert.deepEqual((await h.request('GET', '/api/v1/config/problems')).json.alarmTypes, []);
  });

  it("forwards: a plan's forward action raises an alarm of another type, once", async () => {
    const plan = oneGroupPlan('fwd-plan', 'A', {
      entry: [{ type: 'forward', params: { alarmType: 'generic', text: 'Forwarded: {alarm.text}' } }],
    });
    const v = await publish(plan);
    const t = await h.request('PUT', '/api/v1/config/alarm-types/forwarding', {
      name: 'Forwarding',
      priority: 2,
      plan: `fwd-plan@${v}`,
    });
    assert.equal(t.status, 201, t.text);
    await raise('forwarding', 'fwd-1');
    const raised = (await h.request('GET', '/api/v1/alarms/fwd-1/protocol')).json.entries[0];
    const effect = raised.effects.find((e: any) => e.type === 'forward');
    assert.ok(effect, raised.note);
    const f = await h.request('GET', `/api/v1/alarms/${effect.alarmId}`);
    assert.equal(f.status, 200, f.text);
    assert.equal(f.json.type, 'generic');
    assert.equal(f.json.text, 'Forwarded: Smoke in room 12');
    assert.deepEqual(f.json.source, { adapter: 'forward', device: 'fwd-1' });
    // Running the forward again (a re-run outbox row) raises nothing new: the id is derived from the step.
    const again = await h.tocsin.runtime.forwardRaise('fwd-1', {
      alarmType: 'generic',
      text: 'again',
      id: effect.alarmId,
    });
    assert.deepEqual(again, { ok: true });
    const forwarded = (await h.request('GET', '/api/v1/alarms')).json.alarms.filter((x: any) =>
      String(x.text).startsWith('Forwarded:'),
    );
    assert.equal(forwarded.length, 1);
    assert.equal((await h.request('GET', `/api/v1/alarms/${effect.alarmId}`)).json.text, 'Forwarded: Smoke in room 12');
  });
});
