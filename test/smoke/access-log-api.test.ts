// The access log over HTTP on the real app: a filtered page newest first with a `before` cursor,
// per-parameter 422s, 403 (itself logged) without system.access-log, the CSV and JSON exports
// (streamed attachments, the JSON one a verifiable chain, each export recorded in itself),
// the chain check, and environment scoping (a principal of environment A sees neither B nor
// system-wide entries). Maintenance: the server's start and stop (maintenance.restart) and
// the migrations applied at start or by `tocsin migrate` (maintenance.update, once).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { AccessEntry, AccessEntryInput } from '../../src/ports/access-log.ts';
import { verifyAccessLog } from '../../src/runtime/access-log-chain.ts';
import { CSV_COLUMNS, restoreCell } from '../../src/runtime/access-log-export.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { createPgliteStore } from '../../src/store/pglite-store.ts';
import { runTocsin } from '../support/cli.ts';
import { startHarness, T0, type Harness } from '../support/harness.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

/** Appends rows as the server would write them; answers their seqs. */
async function append(rows: readonly AccessEntryInput[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const r of rows) seqs.push((await h.tocsin.store.accessLog.append(r)).seq);
  return seqs;
}

/** A token of the admin holding only `permissions`, for `environments`, as request headers. */
async function tokenWith(name: string, permissions: string[], environments: string[]) {
  const admin = (await h.tocsin.store.identity.findUserByLoginKey('admin'))!;
  const { token } = await h.tocsin.auth.issueToken(admin.id, { name, permissions, environments });
  return { authorization: `Bearer ${token}` };
}

const seqsOf = (r: { json: { entries: { seq: number }[] } }) => r.json.entries.map((e) => e.seq);
const iso = (ms: number) => new Date(ms).toISOString();
/** Async iteration over an array, for verifyAccessLog. */
async function* each<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

describe('the access log over HTTP', () => {
  it('the server start is recorded (maintenance.restart, phase start)', async () => {
    const r = await h.request('GET', '/api/v1/access-log?action=maintenance.restart');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.entries.length, 1, 'one start so far, no stop');
    const [start] = r.json.entries;
    assert.equal(start.actor, 'system');
    assert.equal(start.outcome, 'success');
    assert.equal(start.at, iso(T0));
    assert.deepEqual(start.details, { phase: 'start', mode: 'embedded', version: VERSION });
    // The harness store was migrated before the server started: no update to record.
    assert.deepEqual((await h.request('GET', '/api/v1/access-log?action=maintenance.update')).json.entries, []);
  });

  it('lists newest first, filters, and pages back with before / nextBefore', async () => {
    const t = T0 + 10_000;
    const seqs = await append([
      { at: t, actor: 'pager', action: 'login', outcome: 'success', source: '10.0.0.1' },
      { at: t + 1000, actor: 'pager', action: 'group.create', outcome: 'success', environment: 'default' },
      { at: t + 2000, actor: 'pager', action: 'group.delete', outcome: 'denied', environment: 'default' },
      { at: t + 3000, actor: 'pager', action: 'login', outcome: 'failure' },
      { at: t + 4000, actor: 'pager', action: 'plan.publish', outcome: 'success', details: { id: 'x' } },
    ]);
    const get = (q: string) => h.request('GET', `/api/v1/access-log?actor=pager&${q}`);

    const p1 = await get('limit=2');
    assert.equal(p1.status, 200, p1.text);
    assert.deepEqual(seqsOf(p1), [seqs[4], seqs[3]]);
    assert.equal(p1.json.nextBefore, seqs[3]);
    assert.equal(p1.json.entries[0].at, iso(t + 4000), 'times are ISO 8601');
    assert.deepEqual(p1.json.entries[0].details, { id: 'x' });
    const p2 = await get(`limit=2&before=${p1.json.nextBefore}`);
    assert.deepEqual(seqsOf(p2), [seqs[2], seqs[1]]);
    const p3 = await get(`limit=2&before=${p2.json.nextBefore}`);
    assert.deepEqual(seqsOf(p3), [seqs[0]]);
    assert.equal(p3.json.nextBefore, null, 'the last page');
    // A page that ends exactly at the last entry has no next page either.
    assert.equal((await get('limit=5')).json.nextBefore, null);
    assert.deepEqual(seqsOf(await get(`after=${seqs[2]}`)), [seqs[4], seqs[3]], 'after bounds the window below');

    assert.deepEqual(seqsOf(await get('outcome=denied')), [seqs[2]]);
    assert.deepEqual(seqsOf(await get('action=group.*')), [seqs[2], seqs[1]]);
    assert.deepEqual(seqsOf(await get('action=login')), [seqs[3], seqs[0]]);
    assert.deepEqual(seqsOf(await get('environment=default')), [seqs[2], seqs[1]]);
    // from inclusive, to exclusive; a date-time with an offset.
    const window = `from=${encodeURIComponent(iso(t + 1000))}&to=${encodeURIComponent('2026-11-25T13:00:13+01:00')}`;
    assert.equal(Date.parse('2026-11-25T13:00:13+01:00'), t + 3000);
    assert.deepEqual(seqsOf(await get(window)), [seqs[2], seqs[1]]);
    assert.deepEqual(seqsOf(await h.request('GET', '/api/v1/access-log?actor=nobody')), []);
  });

  it('refuses bad query parameters with 422, one error per parameter', async () => {
    const r = await h.request('GET', '/api/v1/access-log?limit=0&outcome=maybe&from=yesterday&before=-1&colour=red');
    assert.equal(r.status, 422, r.text);
    assert.equal(r.headers['content-type'], 'application/problem+json');
    const named = r.json.errors.map((e: { parameter: string }) => e.parameter).sort();
    assert.deepEqual(named, ['before', 'colour', 'from', 'limit', 'outcome']);
    for (const q of ['limit=501', 'limit=1.5', 'actor=a&actor=b', 'action=user.**', 'to=2026-13-01', 'after=x']) {
      const bad = await h.request('GET', `/api/v1/access-log?${q}`);
      assert.equal(bad.status, 422, `${q}: ${bad.text}`);
      assert.equal(bad.json.errors.length, 1, q);
    }
    assert.equal((await h.request('GET', '/api/v1/access-log?limit=500')).status, 200);
    const exp = await h.request('GET', '/api/v1/access-log/export?format=xml');
    assert.equal(exp.status, 422);
    assert.equal(exp.json.errors[0].parameter, 'format');
    assert.equal((await h.request('GET', '/api/v1/access-log/export')).status, 422, 'format is required');
  });

  it('without system.access-log: 403, and the denial is in the log', async () => {
    const headers = await tokenWith('viewer-only', ['operation.alarms.view'], ['*']);
    for (const path of ['/api/v1/access-log', '/api/v1/access-log/export?format=csv', '/api/v1/access-log/verify']) {
      const r = await h.request('GET', path, undefined, headers);
      assert.equal(r.status, 403, `${path}: ${r.text}`);
      assert.match(r.json.detail, /needs the permission 'system.access-log'/);
    }
    const denied = await h.request('GET', '/api/v1/access-log?action=permission.denied&limit=3');
    assert.deepEqual(
      denied.json.entries.map((e: AccessEntry) => [e.actor, e.outcome, e.target, (e.details as any).permission]),
      [
        ['admin', 'denied', 'GET /api/v1/access-log/verify', 'system.access-log'],
        ['admin', 'denied', 'GET /api/v1/access-log/export', 'system.access-log'],
        ['admin', 'denied', 'GET /api/v1/access-log', 'system.access-log'],
      ],
    );
  });

  it('exports CSV as an attachment: the rows of the time window, parseable, and the export logged', async () => {
    const t = T0 + 100_000;
    const seqs = await append([
      { at: t, actor: '=csv|x', action: 'login', outcome: 'failure', details: { reason: 'bad, "twice"' } },
      { at: t + 1000, actor: 'csv', action: 'user.create', outcome: 'success', environment: 'default', target: 'u/1' },
    ]);
    const r = await h.request('GET', `/api/v1/access-log/export?format=csv&from=${iso(t)}&to=${iso(t + 2000)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(
      r.headers['content-disposition'] ?? '',
      /^attachment; filename="tocsin-access-log-20261125T120000Z\.csv"$/,
    );
    const rows = (parse(r.text, { columns: true }) as Record<string, string>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, restoreCell(v)])),
    );
    assert.deepEqual(Object.keys(rows[0]!), [...CSV_COLUMNS]);
    assert.deepEqual(
      rows.map((x) => [Number(x.seq), x.at, x.actor, x.action, x.outcome, x.environment, x.target, x.details]),
      [
        [seqs[0], iso(t), '=csv|x', 'login', 'failure', '', '', '{"reason":"bad, \\"twice\\""}'],
        [seqs[1], iso(t + 1000), 'csv', 'user.create', 'success', 'default', 'u/1', ''],
      ],
    );
    assert.ok(r.text.includes("'=csv|x"), 'the formula cell is neutralised in the file');
    const logged = await h.request('GET', '/api/v1/access-log?action=audit.export&limit=1');
    const [e] = logged.json.entries;
    assert.equal(e.actor, 'admin');
    assert.match(e.source, /127\.0\.0\.1/);
    assert.equal(e.outcome, 'success');
    assert.deepEqual(e.details, { format: 'csv', from: iso(t), to: iso(t + 2000), environments: '*' });
  });

  it('exports JSON that verifies as a chain and ends with its own export entry; verify agrees', async () => {
    const r = await h.request('GET', '/api/v1/access-log/export?format=json');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(r.headers['content-disposition'] ?? '', /filename="tocsin-access-log-\d{8}T\d{6}Z\.json"/);
    const entries = r.json as AccessEntry[];
    assert.equal(entries[0]!.seq, 1);
    const head = await h.tocsin.store.accessLog.head();
    assert.deepEqual(await verifyAccessLog(each(entries), head), { entries: head!.seq, ok: true });
    const own = entries.at(-1)!;
    assert.deepEqual(
      [own.action, own.actor, own.details],
      ['audit.export', 'admin', { format: 'json', from: null, to: null, environments: '*' }],
    );

    const v = await h.request('GET', '/api/v1/access-log/verify');
    assert.equal(v.status, 200, v.text);
    assert.deepEqual(v.json, { entries: head!.seq, ok: true, head });
  });

  it('a principal of environment A sees A’s entries only: not B’s, not system-wide ones', async () => {
    const t = T0 + 200_000;
    const [a1, , , a2] = await append([
      { at: t, actor: 'scoped', action: 'config.change', outcome: 'success', environment: 'A' },
      { at: t + 1000, actor: 'scoped', action: 'config.change', outcome: 'success', environment: 'B' },
      { at: t + 2000, actor: 'scoped', action: 'login', outcome: 'success' },
      { at: t + 3000, actor: 'scoped', action: 'plan.publish', outcome: 'success', environment: 'A' },
    ]);
    const headers = await tokenWith('auditor-a', ['system.access-log'], ['A']);
    const list = await h.request('GET', '/api/v1/access-log?actor=scoped', undefined, headers);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(seqsOf(list), [a2, a1]);
    // Everything this principal can see at all is of environment A (the start, denials and logins are not).
    const everything = await h.request('GET', '/api/v1/access-log?limit=500', undefined, headers);
    assert.deepEqual(seqsOf(everything), [a2, a1]);
    const other = await h.request('GET', '/api/v1/access-log?environment=B', undefined, headers);
    assert.deepEqual(seqsOf(other), [], 'asking for B by name shows nothing either');

    const json = await h.request('GET', '/api/v1/access-log/export?format=json', undefined, headers);
    assert.deepEqual(
      (json.json as AccessEntry[]).map((e) => e.seq),
      [a1, a2],
    );
    const csv = await h.request('GET', '/api/v1/access-log/export?format=csv', undefined, headers);
    assert.deepEqual(
      (parse(csv.text, { columns: true }) as Record<string, string>[]).map((row) => [Number(row.seq), row.environment]),
      [
        [a1, 'A'],
        [a2, 'A'],
      ],
    );
    // The exports are logged (system-wide entries: the admin sees them, the scoped auditor does not).
    const logged = await h.request('GET', '/api/v1/access-log?action=audit.export&limit=2');
    assert.deepEqual(
      logged.json.entries.map((e: AccessEntry) => [(e.details as any).format, (e.details as any).environments]),
      [
        ['csv', ['A']],
        ['json', ['A']],
      ],
    );
    // The chain check reports counts only and is the same for every holder of the permission.
    const v = await h.request('GET', '/api/v1/access-log/verify', undefined, headers);
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.ok, true);
    assert.equal(v.json.head.seq, (await h.tocsin.store.accessLog.head())!.seq);
  });
});

describe('maintenance operations in the access log', () => {
  const names = Object.keys(migrations).sort();

  it('a start that migrates records maintenance.update with the migrations, and the stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-al-'));
    try {
      const fresh = await startHarness({ store: await createPgliteStore({ dataDir: dir }) });
      const update = await fresh.request('GET', '/api/v1/access-log?action=maintenance.*');
      assert.deepEqual(
        update.json.entries.map((e: AccessEntry) => [e.action, e.actor, e.details]),
        [
          ['maintenance.restart', 'system', { phase: 'start', mode: 'embedded', version: VERSION }],
          ['maintenance.update', 'system', { migrations: names, via: 'start', version: VERSION }],
        ],
      );
      await fresh.stop();
      const store = await createPgliteStore({ dataDir: dir });
      try {
        const [last] = await store.accessLog.list({ limit: 1, order: 'desc' });
        assert.equal(last?.action, 'maintenance.restart');
        assert.deepEqual(last?.details, { phase: 'stop', mode: 'embedded', version: VERSION });
        assert.deepEqual(await store.migrate(), [], 'nothing left to apply');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`tocsin migrate` records the migrations it applied, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-al-'));
    try {
      const env = { TOCSIN_DATA_DIR: dir };
      for (let i = 0; i < 2; i++) {
        const r = runTocsin(['migrate'], env);
        assert.equal(r.code, 0, r.stderr);
      }
      const store = await createPgliteStore({ dataDir: join(dir, 'pglite') });
      try {
        const entries = await store.accessLog.list({ limit: 10 });
        assert.deepEqual(
          entries.map((e) => [e.seq, e.action, e.actor, e.details]),
          [[1, 'maintenance.update', 'system', { migrations: names, via: 'migrate', version: VERSION }]],
        );
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
