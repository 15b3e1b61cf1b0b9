// The operation protocol over HTTP on the real app (src/http/protocol-routes.ts): alarms raised
// and answered through the API, then filtered by time, type, location, user, status and state,
// paged with before / nextBefore; per-parameter 422s; 403 without operation.protocol; the CSV
// export parses (csv-parse) into exactly the right rows, formula cells defused, and the JSON
// export equals the list; each export is access-logged (protocol.export); and a principal of
// one environment never sees another environment's alarm, in the list or in an export.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { PROTOCOL_CSV_COLUMNS } from '../../src/http/protocol-export.ts';
import { restoreCell } from '../../src/runtime/access-log-export.ts';
import { startHarness, T0, type Harness } from '../support/harness.ts';

let h: Harness;
let scoped: Record<string, string>;

const ok = (r: { status: number; text: string }, what: string) => assert.ok(r.status < 300, `${what}: ${r.text}`);
const iso = (ms: number) => new Date(ms).toISOString();

/** A token of the admin holding only `permissions`, for `environments`, as request headers. */
async function tokenWith(name: string, permissions: string[], environments: string[]) {
  const admin = (await h.tocsin.store.identity.findUserByLoginKey('admin'))!;
  const { token } = await h.tocsin.auth.issueToken(admin.id, { name, permissions, environments });
  return { authorization: `Bearer ${token}` };
}

const FORMULA = '=HYPERLINK("http://evil.example","x")';

before(async () => {
  h = await startHarness();
  const raise = async (id: string, type: string, text: string, location?: string) => {
    ok(await h.request('POST', '/api/v1/alarms', { id, type, text, ...(location ? { location } : {}) }), id);
    await h.advance(1000);
  };
  await raise('p-1', 'generic', 'Smoke in ward 3', 'Ward 3, room 312');
  await raise('p-2', 'fast', 'Patient call', 'Ward 1, kitchen');
  await raise('p-3', 'generic', 'Door open,\nstill "open"', FORMULA);
  // p-1: bob rejects, alice accepts: it ends.
  ok(await h.request('POST', '/api/v1/alarms/p-1/responses', { response: 'reject', by: 'bob' }), 'reject');
  await h.advance(10);
  ok(await h.request('POST', '/api/v1/alarms/p-1/responses', { response: 'accept', by: 'alice' }), 'accept');
  await h.advance(0);

  // Another environment with an alarm of its own, raised by the admin (every environment).
  const put = async (seg: string, id: string, body: unknown) =>
    ok(await h.request('PUT', `/api/v1/config/${seg}/${id}`, body), `${seg}/${id}`);
  await put('environments', 'other', { name: 'Other site' });
  await put('profiles', 'profile-other', { name: 'Other profile', environment: 'other' });
  await put('alarm-types', 'type-other', {
    name: 'Other type',
    environment: 'other',
    priority: 2,
    plan: 'escalate@1',
    profile: 'profile-other',
    params: { levelTimeoutMs: 60_000, rounds: 1 },
  });
  await raise('p-other', 'type-other', 'Smoke in ward 3 of the other site', 'Ward 3, room 312');
  scoped = await tokenWith('protocol-default', ['operation.protocol'], ['default']);
});
after(async () => {
  await h.stop();
});

const ids = (r: { json: { alarms: { id: string }[] } }) => r.json.alarms.map((a) => a.id);
const list = (q: string, headers?: Record<string, string>) =>
  h.request('GET', `/api/v1/protocol?${q}`, undefined, headers);

describe('the operation protocol over HTTP', () => {
  it('lists alarms newest first with who was notified and who responded', async () => {
    const r = await list('', scoped);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(r), ['p-3', 'p-2', 'p-1']);
    assert.equal(r.json.nextBefore, null);
    const p1 = r.json.alarms[2];
    assert.equal(p1.type, 'generic');
    assert.equal(p1.priority, 3);
    assert.equal(p1.location, 'Ward 3, room 312');
    assert.equal(p1.status, 'ended');
    assert.equal(p1.raisedAt, iso(T0));
    assert.ok(p1.endedAt !== null);
    assert.deepEqual(
      p1.notified.map((n: { recipient: string }) => n.recipient),
      ['alice', 'bob'],
    );
    assert.deepEqual(
      p1.responses.map((x: { by: string; response: string }) => `${x.by}:${x.response}`),
      ['bob:reject', 'alice:accept'],
    );
    assert.equal(r.json.alarms[0].status, 'active');
    assert.deepEqual(r.json.alarms[0].responses, []);
  });

  it('filters by time, type, location, user, status and state', async () => {
    const cases: [string, string[]][] = [
      [`from=${iso(T0 + 1000)}`, ['p-3', 'p-2']],
      [`to=${iso(T0 + 1000)}`, ['p-1']],
      [`from=${iso(T0 + 1000)}&to=${iso(T0 + 2000)}`, ['p-2']],
      ['type=fast', ['p-2']],
      ['location=WARD%203', ['p-1']],
      ['location=ward', ['p-2', 'p-1']],
      ['user=Bob', ['p-3', 'p-2', 'p-1']],
      ['user=nobody', []],
      ['status=ended', ['p-1']],
      ['status=active', ['p-3', 'p-2']],
      // The fast alarm has escalated (1 s per level); the others wait at their first level.
      [`state=${encodeURIComponent((await list('type=fast', scoped)).json.alarms[0].state)}`, ['p-2']],
      [`state=${encodeURIComponent((await list('type=generic&status=active', scoped)).json.alarms[0].state)}`, ['p-3']],
      ['type=generic&status=active', ['p-3']],
    ];
    for (const [q, want] of cases) {
      const r = await list(q, scoped);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
      assert.deepEqual(ids(r), want, q);
    }
  });

  it('pages back with before / nextBefore', async () => {
    const seen: string[] = [];
    let q = 'limit=1';
    for (let i = 0; i < 5; i++) {
      const r = await list(q, scoped);
      assert.equal(r.status, 200, r.text);
      seen.push(...ids(r));
      if (r.json.nextBefore === null) break;
      q = `limit=1&before=${encodeURIComponent(r.json.nextBefore)}`;
    }
    assert.deepEqual(seen, ['p-3', 'p-2', 'p-1']);
  });

  it('never shows another environment’s alarm to a principal without it', async () => {
    // The admin (every environment) sees it …
    assert.deepEqual(ids(await list('location=ward%203')), ['p-other', 'p-1']);
    // … a principal of `default` never, whatever the filter.
    for (const q of ['', 'type=type-other', 'location=other', 'limit=500', 'user=alice']) {
      const r = await list(q, scoped);
      assert.equal(r.status, 200, r.text);
      assert.ok(!ids(r).includes('p-other'), q);
      assert.ok(!r.text.includes('other site'), q);
    }
    for (const format of ['csv', 'json']) {
      const r = await h.request('GET', `/api/v1/protocol/export?format=${format}`, undefined, scoped);
      assert.equal(r.status, 200, r.text);
      assert.ok(!r.text.includes('p-other') && !r.text.includes('other site'), format);
    }
  });

  it('answers 422 naming each bad parameter, and 403 without operation.protocol', async () => {
    const bad = async (path: string, params: string[]) => {
      const r = await h.request('GET', path, undefined, scoped);
      assert.equal(r.status, 422, `${path}: ${r.text}`);
      assert.match(r.headers['content-type']!, /application\/problem\+json/);
      const named = (r.json.errors ?? r.json.details ?? []).map((d: { parameter: string }) => d.parameter).sort();
      assert.deepEqual(named, [...params].sort(), path);
    };
    await bad('/api/v1/protocol?limit=0', ['limit']);
    await bad('/api/v1/protocol?limit=501&from=yesterday&status=gone', ['limit', 'from', 'status']);
    await bad('/api/v1/protocol?x=1', ['x']);
    await bad('/api/v1/protocol?type=a&type=b', ['type']);
    await bad('/api/v1/protocol?before=abc', ['before']);
    await bad('/api/v1/protocol?location=', ['location']);
    await bad('/api/v1/protocol/export', ['format']);
    await bad('/api/v1/protocol/export?format=xml&to=2026-13-01', ['format', 'to']);
    const viewOnly = await tokenWith('alarms-only', ['operation.alarms.view'], ['default']);
    assert.equal((await list('', viewOnly)).status, 403);
    assert.equal((await h.request('GET', '/api/v1/protocol/export?format=csv', undefined, viewOnly)).status, 403);
  });

  it('exports CSV that parses into the right rows, formula cells defused, and JSON equal to the list', async () => {
    const r = await h.request('GET', '/api/v1/protocol/export?format=csv&location=ward', undefined, scoped);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(r.headers['content-disposition']!, /^attachment; filename="tocsin-protocol-\d{8}T\d{6}Z\.csv"$/);
    const records = parse(r.text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(records[0]!), [...PROTOCOL_CSV_COLUMNS]);
    assert.deepEqual(
      records.map((x) => x.id),
      ['p-2', 'p-1'],
    );
    const p1 = records[1]!;
    assert.equal(p1.location, 'Ward 3, room 312');
    assert.equal(p1.status, 'ended');
    assert.equal(p1.raised_at, iso(T0));
    assert.match(p1.notified!, /^alice \(\w+\); bob \(\w+\)$/);
    assert.match(p1.responses!, /^bob: reject at \S+Z; alice: accept at \S+Z$/);

    const all = await h.request('GET', '/api/v1/protocol/export?format=csv', undefined, scoped);
    const rows = parse(all.text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((x) => x.id),
      ['p-3', 'p-2', 'p-1'],
    );
    // The formula is defused, reversibly; a comma, a quote and a line break survive RFC 4180 quoting.
    assert.equal(rows[0]!.location, `'${FORMULA}`);
    assert.equal(restoreCell(rows[0]!.location!), FORMULA);
    assert.equal(rows[0]!.text, 'Door open,\nstill "open"');
    assert.ok(all.text.includes('\r\n'));

    // Nothing matching: the header row alone.
    const none = await h.request('GET', '/api/v1/protocol/export?format=csv&user=nobody', undefined, scoped);
    assert.equal(none.text, `${PROTOCOL_CSV_COLUMNS.join(',')}\r\n`);

    const j = await h.request('GET', '/api/v1/protocol/export?format=json', undefined, scoped);
    assert.equal(j.status, 200, j.text);
    assert.equal(j.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(j.text), (await list('limit=500', scoped)).json.alarms);
  });

  it('records every export in the access log (protocol.export, with the filter)', async () => {
    const before = await h.request('GET', '/api/v1/access-log?action=protocol.export');
    await h.request('GET', '/api/v1/protocol/export?format=json&type=fast&from=2026-11-25', undefined, scoped);
    const r = await h.request('GET', '/api/v1/access-log?action=protocol.export');
    assert.equal(r.json.entries.length, before.json.entries.length + 1);
    const [e] = r.json.entries;
    assert.equal(e.outcome, 'success');
    assert.equal(e.environment, 'default');
    assert.deepEqual(e.details, {
      format: 'json',
      type: 'fast',
      from: '2026-11-25T00:00:00.000Z',
      environments: ['default'],
    });
  });
});
