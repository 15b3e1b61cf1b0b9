// The HTTP API's answers to bad input, through the whole app in-process (PGlite in memory,
// in-process scheduler, loopback notifier, virtual clock): every refusal is an RFC 9457 problem
// with the right status and no stack trace, and a refused request writes nothing. Plus the
// operations endpoints and idempotent raise.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/harness.ts';

type Answer = Awaited<ReturnType<Harness['request']>>;

interface BadCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** A string is sent as is (content-type application/json unless `headers` says otherwise). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The exact status, or `4xx`: any client error (never a 500). */
  readonly status: number | '4xx';
  /** The problem type's last segment (`urn:tocsin:problem:<type>`). */
  readonly type?: string;
  /** JSON pointers `errors[]` must list. */
  readonly pointers?: readonly string[];
  /** `errors[]` must list at least one complaint, each with a pointer (where the exact one is not asserted). */
  readonly located?: boolean;
}

/** A problem+json answer with the status it claims and nothing of the server's insides. */
function assertProblem(r: Answer, c: BadCase): void {
  const what = `${c.name}: ${c.method} ${c.path} → ${r.status} ${r.text.slice(0, 300)}`;
  if (c.status === '4xx') assert.ok(r.status >= 400 && r.status < 500, what);
  else assert.equal(r.status, c.status, what);
  assert.match(r.headers['content-type'] ?? '', /^application\/problem\+json(;|$)/, what);
  assert.equal(r.json?.status, r.status, what);
  assert.equal(typeof r.json.title, 'string', what);
  assert.match(r.json.type, /^urn:tocsin:problem:[a-z-]+$/, what);
  if (c.type) assert.equal(r.json.type, `urn:tocsin:problem:${c.type}`, what);
  if (c.located) {
    assert.ok(Array.isArray(r.json.errors) && r.json.errors.length > 0, `${what}: errors[] is empty`);
    for (const e of r.json.errors) assert.ok(typeof e.pointer === 'string' || typeof e.parameter === 'string', what);
  }
  for (const p of c.pointers ?? []) {
    assert.ok(Array.isArray(r.json.errors), what);
    assert.ok(
      r.json.errors.some((e: { pointer: unknown; reason: unknown }) => e.pointer === p && typeof e.reason === 'string'),
      `${what}: errors[] lists ${p}`,
    );
  }
  // No stack frames ("    at fn (file:1:2)"), no source paths, no error class dumps.
  assert.doesNotMatch(r.text, /\s{2,}at \S|\bat (async )?[\w.<>$]+ \(/, `${what}: stack frame`);
  assert.doesNotMatch(r.text, /\.[cm]?[jt]s:\d+|node_modules|file:\/\//, `${what}: source path`);
  assert.ok(!('stack' in r.json), `${what}: stack member`);
}

const send = (h: Harness, c: BadCase): Promise<Answer> => h.request(c.method, c.path, c.body, c.headers);

/** A JSON text of more than 64 KiB that would otherwise be a valid raise. */
const oversized = JSON.stringify({ type: 'generic', text: 'x'.repeat(70 * 1024) });

describe('refused requests on an empty store', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  const cases: readonly BadCase[] = [
    // An alarm type that is not configured.
    {
      name: 'unknown alarm type',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'nope', text: 'x' },
      status: 422,
      type: 'unknown-alarm-type',
    },
    // A caller-chosen id with characters outside A–Z a–z 0–9 _ -.
    {
      name: 'id with bad characters',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'generic', text: 'x', id: 'bad id!' },
      status: 422,
      type: 'validation',
      pointers: ['/id'],
    },
    // A caller-chosen id longer than 64.
    {
      name: 'id too long',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'generic', text: 'x', id: 'i'.repeat(65) },
      status: 422,
      type: 'validation',
      pointers: ['/id'],
    },
    // JSON that does not parse.
    {
      name: 'malformed JSON',
      method: 'POST',
      path: '/api/v1/alarms',
      body: '{"type": "generic", "text": ',
      status: 400,
      type: 'bad-request',
    },
    // A JSON body that is a bare string (strict JSON parsing refuses it).
    { name: 'bare string body', method: 'POST', path: '/api/v1/alarms', body: '"Fire in cabin 7"', status: '4xx' },
    // A JSON body that is a bare number.
    { name: 'bare number body', method: 'POST', path: '/api/v1/alarms', body: '42', status: '4xx' },
    // A JSON body that is null.
    { name: 'null body', method: 'POST', path: '/api/v1/alarms', body: 'null', status: '4xx' },
    // A JSON body that is an array (parses, then fails validation).
    {
      name: 'array body',
      method: 'POST',
      path: '/api/v1/alarms',
      body: '[{"type": "generic", "text": "x"}]',
      status: '4xx',
    },
    // An empty body with a JSON content type.
    { name: 'empty body', method: 'POST', path: '/api/v1/alarms', body: '', status: '4xx' },
    // More than 64 KiB.
    {
      name: 'oversized body',
      method: 'POST',
      path: '/api/v1/alarms',
      body: oversized,
      status: 413,
      type: 'payload-too-large',
    },
    // A JSON text sent as text/plain.
    {
      name: 'wrong content type',
      method: 'POST',
      path: '/api/v1/alarms',
      body: JSON.stringify({ type: 'generic', text: 'x' }),
      headers: { 'content-type': 'text/plain' },
      status: 415,
      type: 'unsupported-media-type',
    },
    // No body and no content type at all.
    { name: 'no body', method: 'POST', path: '/api/v1/alarms', status: 415, type: 'unsupported-media-type' },
    // A property the schema does not have.
    {
      name: 'extra property',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'generic', text: 'x', priority: 1 },
      status: 422,
      type: 'validation',
    },
    // A property the source schema does not have.
    {
      name: 'extra property in source',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'generic', text: 'x', source: { adapter: 'a', zone: 4 } },
      status: 422,
      type: 'validation',
      pointers: ['/source/zone'],
    },
    // An empty text.
    {
      name: 'empty text',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'generic', text: '' },
      status: 422,
      type: 'validation',
      pointers: ['/text'],
    },
    // A text of whitespace only (trimmed to empty).
    {
      name: 'blank text',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'generic', text: ' \n ' },
      status: 422,
      type: 'validation',
      pointers: ['/text'],
    },
    // A text over 1000 characters.
    {
      name: 'text too long',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: 'generic', text: 'x'.repeat(1001) },
      status: 422,
      type: 'validation',
      pointers: ['/text'],
    },
    // Every offending field is listed, not just the first.
    {
      name: 'several bad fields',
      method: 'POST',
      path: '/api/v1/alarms',
      body: { type: '', text: '', location: 'l'.repeat(201) },
      status: 422,
      type: 'validation',
      pointers: ['/type', '/text', '/location'],
    },
    // GET of an alarm id that does not exist.
    {
      name: 'unknown alarm: read',
      method: 'GET',
      path: '/api/v1/alarms/no-such-alarm',
      status: 404,
      type: 'not-found',
    },
    // A response to an alarm id that does not exist.
    {
      name: 'unknown alarm: respond',
      method: 'POST',
      path: '/api/v1/alarms/no-such-alarm/responses',
      body: { response: 'accept', by: 'alice' },
      status: 404,
      type: 'not-found',
    },
    // Cancelling an alarm id that does not exist.
    {
      name: 'unknown alarm: cancel',
      method: 'POST',
      path: '/api/v1/alarms/no-such-alarm/cancel',
      body: { by: 'alice' },
      status: 404,
      type: 'not-found',
    },
    // The protocol of an alarm id that does not exist.
    {
      name: 'unknown alarm: protocol',
      method: 'GET',
      path: '/api/v1/alarms/no-such-alarm/protocol',
      status: 404,
      type: 'not-found',
    },
    // POST to a GET-only route.
    {
      name: 'POST to GET-only /healthz',
      method: 'POST',
      path: '/healthz',
      body: {},
      status: 405,
      type: 'method-not-allowed',
    },
    // DELETE on the alarms collection, which has GET and POST only.
    {
      name: 'DELETE on /api/v1/alarms',
      method: 'DELETE',
      path: '/api/v1/alarms',
      status: 405,
      type: 'method-not-allowed',
    },
    // A route that does not exist.
    { name: 'unknown route', method: 'GET', path: '/api/v1/alarmz', status: 404, type: 'not-found' },
    // Another API version.
    {
      name: 'unknown API version',
      method: 'POST',
      path: '/api/v2/alarms',
      body: { type: 'generic', text: 'x' },
      status: 404,
      type: 'not-found',
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}, and nothing is written`, async () => {
      assertProblem(await send(h, c), c);
      assert.deepEqual(await h.tocsin.store.listAlarms({ limit: 10 }), []);
      await h.tocsin.runtime.drain();
      assert.deepEqual(h.notifier.deliveries, []);
    });
  }

  it('a 405 answer names the allowed methods', async () => {
    const r = await h.request('POST', '/api/v1/alarms/some-id/protocol', {});
    assertProblem(r, { name: '405 Allow', method: 'POST', path: '/api/v1/alarms/some-id/protocol', status: 405 });
    assert.deepEqual(r.headers.allow?.split(/,\s*/).sort(), ['GET', 'HEAD']);
  });

  // Precise problem details for path parameters, unknown keys and unknown methods.
  describe('problem details', () => {
    it('a bad alarm id in the path is reported as a path parameter, not as the body root', {}, async () => {
      const r = await h.request('GET', '/api/v1/alarms/bad!id');
      assert.equal(r.status, 422);
      assert.doesNotMatch(r.json.detail, /body/);
      assert.notEqual(r.json.errors[0].pointer, '/');
    });

    it('an unrecognised property is pointed at by name', {}, async () => {
      const r = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'x', priority: 1 });
      assert.equal(r.status, 422);
      assert.ok(
        r.json.errors.some((e: { pointer: string }) => e.pointer === '/priority'),
        r.text,
      );
    });

    it('a method no router knows is answered with problem+json', {}, async () => {
      const r = await h.request('PROPFIND', '/api/v1/alarms');
      assert.equal(r.status, 501);
      assert.match(r.headers['content-type'] ?? '', /^application\/problem\+json/);
    });
  });
});

describe('refused steps on existing alarms', () => {
  let h: Harness;
  const LIVE = 'live-1';
  const ENDED = 'ended-1';
  before(async () => {
    h = await startHarness();
    for (const id of [LIVE, ENDED]) {
      const r = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Smoke in hold 2', id });
      assert.equal(r.status, 201, r.text);
    }
    const c = await h.request('POST', `/api/v1/alarms/${ENDED}/cancel`, { by: 'alice', reason: 'drill' });
    assert.equal(c.status, 202, c.text);
  });
  after(async () => {
    await h.stop();
  });

  /** What a step would change: each alarm's seq, state and protocol length, and the deliveries. */
  async function written() {
    await h.tocsin.runtime.drain();
    const alarms = await Promise.all(
      [LIVE, ENDED].map(async (id) => {
        const a = await h.tocsin.store.getAlarm(id);
        return { id, seq: a?.seq, state: a?.state, protocol: (await h.tocsin.store.listProtocol(id)).length };
      }),
    );
    return {
      alarms,
      count: (await h.tocsin.store.listAlarms({ limit: 10 })).length,
      deliveries: h.notifier.deliveries.length,
    };
  }

  const responses = `/api/v1/alarms/${LIVE}/responses`;
  const cancel = `/api/v1/alarms/${LIVE}/cancel`;
  const cases: readonly BadCase[] = [
    // A response kind other than accept or reject.
    {
      name: "response 'maybe'",
      method: 'POST',
      path: responses,
      body: { response: 'maybe', by: 'alice' },
      status: 422,
      type: 'validation',
      pointers: ['/response'],
    },
    // A property the response schema does not have.
    {
      name: 'extra property in a response',
      method: 'POST',
      path: responses,
      body: { response: 'accept', by: 'alice', note: 'on my way' },
      status: 422,
      type: 'validation',
    },
    // A responder id with bad characters.
    {
      name: 'responder id with bad characters',
      method: 'POST',
      path: responses,
      body: { response: 'accept', by: 'alice smith' },
      status: 422,
      type: 'validation',
      pointers: ['/by'],
    },
    // A response without a responder.
    {
      name: 'response without by',
      method: 'POST',
      path: responses,
      body: { response: 'accept' },
      status: 422,
      type: 'validation',
      pointers: ['/by'],
    },
    // Malformed JSON on the responses route.
    {
      name: 'malformed JSON response',
      method: 'POST',
      path: responses,
      body: '{"response": accept}',
      status: 400,
      type: 'bad-request',
    },
    // A bare JSON string on the responses route.
    { name: 'bare string response', method: 'POST', path: responses, body: '"accept"', status: '4xx' },
    // An array on the responses route.
    { name: 'array response', method: 'POST', path: responses, body: '[]', status: '4xx' },
    // A response sent as text/plain.
    {
      name: 'text/plain response',
      method: 'POST',
      path: responses,
      body: 'accept',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      type: 'unsupported-media-type',
    },
    // A response body over 64 KiB.
    {
      name: 'oversized response',
      method: 'POST',
      path: responses,
      body: JSON.stringify({ response: 'accept', by: 'alice', pad: 'x'.repeat(70 * 1024) }),
      status: 413,
      type: 'payload-too-large',
    },
    // A response to an alarm that has ended.
    {
      name: 'response to an ended alarm',
      method: 'POST',
      path: `/api/v1/alarms/${ENDED}/responses`,
      body: { response: 'accept', by: 'alice' },
      status: 409,
      type: 'alarm-ended',
    },
    // Cancelling an alarm that has ended.
    {
      name: 'cancel of an ended alarm',
      method: 'POST',
      path: `/api/v1/alarms/${ENDED}/cancel`,
      body: { by: 'alice' },
      status: 409,
      type: 'alarm-ended',
    },
    // A cancel with an empty reason.
    {
      name: 'cancel with an empty reason',
      method: 'POST',
      path: cancel,
      body: { by: 'alice', reason: '' },
      status: 422,
      type: 'validation',
      pointers: ['/reason'],
    },
    // A cancel with a property the schema does not have.
    {
      name: 'extra property in a cancel',
      method: 'POST',
      path: cancel,
      body: { by: 'alice', force: true },
      status: 422,
      type: 'validation',
    },
    // A cancel sent as text/plain.
    {
      name: 'text/plain cancel',
      method: 'POST',
      path: cancel,
      body: 'cancel',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      type: 'unsupported-media-type',
    },
    // An alarm id with bad characters in the path of a response.
    {
      name: 'path id with bad characters: respond',
      method: 'POST',
      path: '/api/v1/alarms/live!1/responses',
      body: { response: 'accept', by: 'alice' },
      status: 422,
      type: 'validation',
      located: true,
    },
    // An alarm id with bad characters in the path of a read.
    {
      name: 'path id with bad characters: read',
      method: 'GET',
      path: '/api/v1/alarms/live%201',
      status: 422,
      type: 'validation',
      located: true,
    },
    // An alarm id over 64 characters in the path of a protocol read.
    {
      name: 'path id too long: protocol',
      method: 'GET',
      path: `/api/v1/alarms/${'i'.repeat(65)}/protocol`,
      status: 422,
      type: 'validation',
      located: true,
    },
    // POST to the GET-only alarm route.
    {
      name: 'POST to GET-only alarm',
      method: 'POST',
      path: `/api/v1/alarms/${LIVE}`,
      body: { response: 'accept', by: 'alice' },
      status: 405,
      type: 'method-not-allowed',
    },
    // POST to the GET-only protocol route.
    {
      name: 'POST to GET-only protocol',
      method: 'POST',
      path: `/api/v1/alarms/${LIVE}/protocol`,
      body: {},
      status: 405,
      type: 'method-not-allowed',
    },
    // A sub-route that does not exist.
    {
      name: 'unknown sub-route',
      method: 'POST',
      path: `/api/v1/alarms/${LIVE}/acknowledge`,
      body: { by: 'alice' },
      status: 404,
      type: 'not-found',
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}, and nothing is written`, async () => {
      const before = await written();
      const r = await send(h, c);
      assertProblem(r, c);
      assert.deepEqual(await written(), before);
    });
  }

  it('the existing alarms are as raised: the live one untouched, the ended one cancelled', async () => {
    const live = await h.request('GET', `/api/v1/alarms/${LIVE}`);
    assert.equal(live.json.status, 'active');
    assert.equal(live.json.seq, 1);
    const ended = await h.request('GET', `/api/v1/alarms/${ENDED}`);
    assert.equal(ended.json.state, 'cancelled');
    assert.equal(ended.json.seq, 2);
  });
});

describe('operations endpoints and idempotent raise', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('GET /healthz answers 200', async () => {
    const r = await h.request('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok' });
  });

  it('GET /readyz answers 200 with the database and scheduler checks both ok', async () => {
    const r = await h.request('GET', '/readyz');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'ready');
    assert.equal(r.json.checks.length, 2);
    assert.match(r.json.checks[0].name, /^database \(pglite\)$/);
    assert.match(r.json.checks[1].name, /^scheduler \(in-process\)$/);
    for (const c of r.json.checks) assert.equal(c.ok, true, JSON.stringify(c));
  });

  it('GET /metrics is Prometheus text with the step counter and the active-alarms gauge', async () => {
    const raised = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'x', id: 'metrics-1' });
    assert.ok(raised.status === 201 || raised.status === 200, raised.text);
    const r = await h.request('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(r.text, /^# TYPE tocsin_events_processed_total counter$/m);
    assert.match(r.text, /^tocsin_events_processed_total\{kind="raised"\} [1-9]\d*$/m);
    assert.match(r.text, /^# TYPE tocsin_alarms_active gauge$/m);
    assert.match(r.text, /^tocsin_alarms_active\{state="levelA"\} [1-9]\d*$/m);
  });

  it('raising the same id twice answers 201 then 200 and raises one alarm only', async () => {
    const body = { type: 'generic', text: 'Door 4 forced', id: 'idem-1' };
    const first = await h.request('POST', '/api/v1/alarms', body);
    assert.equal(first.status, 201, first.text);
    assert.deepEqual(first.json, { id: 'idem-1', created: true });
    assert.equal(first.headers.location, '/api/v1/alarms/idem-1');
    const sentAfterFirst = h.notifier.deliveries.filter((d) => d.alarmId === 'idem-1').length;
    const second = await h.request('POST', '/api/v1/alarms', body);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.json, { id: 'idem-1', created: false });
    assert.equal(second.headers.location, '/api/v1/alarms/idem-1');
    await h.tocsin.runtime.drain();
    const all = await h.tocsin.store.listAlarms({ limit: 200 });
    assert.equal(all.filter((a) => a.facts.id === 'idem-1').length, 1);
    assert.equal((await h.tocsin.store.listProtocol('idem-1')).length, 1);
    assert.equal(h.notifier.deliveries.filter((d) => d.alarmId === 'idem-1').length, sentAfterFirst);
  });
});
