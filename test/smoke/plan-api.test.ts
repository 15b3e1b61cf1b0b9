// The plan tools over HTTP: schema, validate, analyse, simulate. Nothing is written by any of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const escalate = builtinPlans[0]!.definition;
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

describe('plan tools over HTTP', () => {
  // The schema lists registered names so editors can autocomplete them.
  it('serves the plan JSON Schema', async () => {
    const r = await h.request('GET', '/api/v1/schemas/plan.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^application\/schema\+json/);
    assert.match(r.text, /"notify"/);
    assert.match(r.text, /"levelTimeout"/);
  });

  // The shipped plan is valid under the harness's groups.
  it('validates a valid plan', async () => {
    const r = await h.request('POST', '/api/v1/plans/validate', { plan: escalate });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true });
  });

  // Every problem is listed, under /plan, as a 422 problem; nothing is written.
  it('lists every problem of an invalid plan with its pointer under /plan', async () => {
    const bad = structuredClone(escalate) as any;
    bad.states.levelA.after = { 0: 'nowhere' };
    bad.states.levelB.entry = [{ type: 'notify', params: { group: 'Z' } }];
    bad.states.levelA.invoke = { src: 'x' };
    const r = await h.request('POST', '/api/v1/plans/validate', { plan: bad });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.headers['content-type'], 'application/problem+json');
    const pointers = r.json.errors.map((e: { pointer: string }) => e.pointer);
    assert.ok(pointers.includes('/plan/states/levelA/invoke'), r.text);
    assert.ok(
      pointers.some((p: string) => p.startsWith('/plan/states/levelA/after/0')),
      r.text,
    );
    assert.ok(
      pointers.some((p: string) => p.startsWith('/plan/states/levelB/entry/0')),
      r.text,
    );
    assert.deepEqual(await h.tocsin.store.listAlarms({ limit: 5 }), []);
  });

  // The 'fast' type: 1 s per level, 3 rounds, A = 2 users, B = 1: 6 s and 9 notifications at worst.
  it('analyses a plan under an alarm type', async () => {
    const r = await h.request('POST', '/api/v1/plans/analyse', { plan: escalate, alarmType: 'fast' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.worstCaseFirstNotificationMs, 0);
    assert.equal(r.json.worstCaseLastEscalationMs, 6000);
    assert.equal(r.json.maxNotificationsPerAlarm, 9);
    assert.deepEqual(r.json.unreachableStates, []);
  });

  // A scenario file from the fixtures: the timeline ends as the runtime would.
  it('simulates a scenario and agrees with the alarm the runtime runs', async () => {
    const scenario = {
      steps: [
        { at: 500, event: 'reject', by: 'alice' },
        { at: 600, event: 'reject', by: 'bob' },
        { at: 900, event: 'accept', by: 'carol' },
      ],
    };
    const r = await h.request('POST', '/api/v1/plans/simulate', { plan: escalate, alarmType: 'fast', scenario });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.end.state, 'accepted');
    assert.equal(r.json.notifications, 3);
    // The same through the runtime on the virtual clock.
    const id = (await h.request('POST', '/api/v1/alarms', { type: 'fast', text: 'sim check' })).json.id;
    await h.advance(500);
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'reject', by: 'alice' });
    await h.advance(100);
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'reject', by: 'bob' });
    await h.advance(300);
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'accept', by: 'carol' });
    const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
    assert.equal(a.state, r.json.end.state);
    assert.equal(a.recipients.length, r.json.notifications);
  });

  // A bad scenario and an unknown alarm type are 422 problems naming the field.
  it('refuses a bad scenario and an unknown alarm type', async () => {
    const s = await h.request('POST', '/api/v1/plans/simulate', {
      plan: escalate,
      scenario: { steps: [{ at: -1, event: 'accept', by: 'x' }] },
    });
    assert.equal(s.status, 422, s.text);
    assert.equal(s.json.errors[0].pointer, '/scenario/steps/0/at');
    const t = await h.request('POST', '/api/v1/plans/analyse', { plan: escalate, alarmType: 'nope' });
    assert.equal(t.status, 422, t.text);
    assert.equal(t.json.type, 'urn:tocsin:problem:unknown-alarm-type');
  });

  // The scenario fixtures are valid scenarios.
  it('accepts every scenario fixture', async () => {
    for (const f of ['nobody-answers', 'accept-at-once']) {
      const scenario = JSON.parse(readFileSync(`test/fixtures/scenarios/${f}.json`, 'utf8'));
      const r = await h.request('POST', '/api/v1/plans/simulate', { plan: escalate, alarmType: 'generic', scenario });
      assert.equal(r.status, 200, `${f}: ${r.text}`);
    }
  });
});
