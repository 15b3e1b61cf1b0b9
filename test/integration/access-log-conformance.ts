/**
 * The AccessLog conformance suite: one set of cases, run against PostgreSQL
 * (store-pg.test.ts) and PGlite (store-pglite.test.ts) through `store.accessLog`. Every case
 * starts from an empty log. Emptying it needs the append-only triggers switched off for the
 * moment (as the table's owner can): exactly what the application never does.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { AccessAction, AccessEntry, AccessEntryInput, AccessLog } from '../../src/ports/access-log.ts';
import { verifyAccessChain, verifyAccessLog } from '../../src/runtime/access-log-chain.ts';
import { accessLogCsv, accessLogJson, CSV_COLUMNS, restoreCell } from '../../src/runtime/access-log-export.ts';
import type { TestStore } from '../support/services.ts';

const T = Date.UTC(2026, 10, 26, 8, 0, 0);

const collect = async (chunks: AsyncIterable<string>) => {
  let s = '';
  for await (const c of chunks) s += c;
  return s;
};
const all = async (log: AccessLog) => {
  const out: AccessEntry[] = [];
  for await (const e of log.entries()) out.push(e);
  return out;
};

/** A CSV export back to entries: cells restored, empty optional cells null, JSON details parsed. */
function fromCsv(text: string): AccessEntry[] {
  // Any line break ends a record unless quoted, as many readers assume: RFC 4180 quoting keeps
  // every break inside a field quoted (csv-stringify alone quotes only a whole CRLF).
  const rows = parse(text, { columns: true, record_delimiter: ['\r\n', '\n', '\r'] }) as Record<string, string>[];
  return rows.map((raw) => {
    const r = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, restoreCell(v)]));
    const opt = (v: string | undefined) => (v === '' || v === undefined ? null : v);
    return {
      seq: Number(r.seq),
      at: Date.parse(r.at!),
      actor: r.actor!,
      source: opt(r.source),
      action: r.action!,
      outcome: r.outcome as AccessEntry['outcome'],
      target: opt(r.target),
      environment: opt(r.environment),
      details: r.details === '' ? null : JSON.parse(r.details!),
      prevHash: r.prev_hash!,
      hash: r.hash!,
    };
  });
}

export function accessLogConformance(name: string, make: () => Promise<TestStore>): void {
  describe(`AccessLog conformance: ${name}`, () => {
    let t: TestStore;
    let log: AccessLog;
    const reset = () =>
      t.store.db.transaction().execute(async (trx) => {
        await sql`alter table access_log disable trigger user`.execute(trx);
        await sql`truncate access_log`.execute(trx);
        await sql`alter table access_log enable trigger user`.execute(trx);
      });

    before(async () => {
      t = await make();
      log = t.store.accessLog;
    });
    after(async () => {
      await t.cleanup();
    });
    beforeEach(reset);

    it('append answers the stored entry: seq 1, 2 …, nulls for what was not given, whole milliseconds', async () => {
      const a = await log.append({
        at: T + 0.9,
        actor: 'alice',
        source: '10.0.0.7',
        action: 'login',
        outcome: 'success',
      });
      const b = await log.append({
        at: T + 5,
        actor: 'alice',
        action: 'user.create',
        outcome: 'success',
        target: 'user/bob',
        environment: 'ward-1',
        details: { fields: ['name', 'phone'], admin: false },
        source: '',
      });
      assert.deepEqual(
        { ...a, hash: undefined, prevHash: undefined },
        {
          seq: 1,
          at: T,
          actor: 'alice',
          source: '10.0.0.7',
          action: 'login',
          outcome: 'success',
          target: null,
          environment: null,
          details: null,
          hash: undefined,
          prevHash: undefined,
        },
      );
      assert.equal(b.seq, 2);
      assert.equal(b.source, null); // an empty string is stored as null
      assert.equal(b.prevHash, a.hash);
      assert.deepEqual(await all(log), [a, b]);
      assert.deepEqual(await log.head(), { seq: 2, hash: b.hash });
    });

    it('an empty log: no head, no entries, and it verifies', async () => {
      assert.equal(await log.head(), undefined);
      assert.deepEqual(await log.list({ limit: 10 }), []);
      assert.deepEqual(await verifyAccessLog(log.entries()), { entries: 0, ok: true });
    });

    it('list pages by seq and filters by time, action (exact or family), actor and environment', async () => {
      const rows: AccessEntryInput[] = [
        { at: T, actor: 'alice', action: 'login', outcome: 'success' },
        { at: T + 1000, actor: 'alice', action: 'group.create', outcome: 'success', environment: 'e1' },
        { at: T + 2000, actor: 'bob', action: 'group.delete', outcome: 'denied', environment: 'e2' },
        { at: T + 3000, actor: 'bob', action: 'login', outcome: 'failure' },
        { at: T + 4000, actor: 'alice', action: 'plan.publish', outcome: 'success', environment: 'e1' },
        // An action stored by a newer release; `group.*` takes its `.` literally (no regex, no LIKE).
        { at: T + 5000, actor: 'carol', action: 'groupXcreate' as AccessAction, outcome: 'success' },
      ];
      for (const r of rows) await log.append(r);
      const seqs = async (o: Parameters<AccessLog['list']>[0]) => (await log.list(o)).map((e) => e.seq);
      assert.deepEqual(await seqs({ limit: 2 }), [1, 2]);
      assert.deepEqual(await seqs({ after: 2, limit: 2 }), [3, 4]);
      assert.deepEqual(await seqs({ after: 4, limit: 10 }), [5, 6]);
      // from inclusive, to exclusive.
      assert.deepEqual(await seqs({ limit: 10, from: T + 1000, to: T + 3000 }), [2, 3]);
      assert.deepEqual(await seqs({ limit: 10, action: 'login' }), [1, 4]);
      assert.deepEqual(await seqs({ limit: 10, action: 'group.*' }), [2, 3]);
      assert.deepEqual(await seqs({ limit: 10, action: 'group' }), []);
      assert.deepEqual(await seqs({ limit: 10, actor: 'bob' }), [3, 4]);
      assert.deepEqual(await seqs({ limit: 10, environment: 'e1' }), [2, 5]);
      assert.deepEqual(await seqs({ limit: 10, actor: 'alice', environment: 'e1', action: 'plan.*' }), [5]);
      // Paging within a filter.
      assert.deepEqual(await seqs({ limit: 1, after: 2, actor: 'alice' }), [5]);
      const filtered: number[] = [];
      for await (const e of log.entries({ from: T + 2000 })) filtered.push(e.seq);
      assert.deepEqual(filtered, [3, 4, 5, 6]);
    });

    it('list pages backwards (before, order desc) and filters by outcome and a set of environments', async () => {
      const rows: AccessEntryInput[] = [
        { at: T, actor: 'alice', action: 'login', outcome: 'success' },
        { at: T + 1000, actor: 'alice', action: 'group.create', outcome: 'success', environment: 'A' },
        { at: T + 2000, actor: 'bob', action: 'group.delete', outcome: 'denied', environment: 'B' },
        { at: T + 3000, actor: 'bob', action: 'login', outcome: 'failure' },
        { at: T + 4000, actor: 'alice', action: 'plan.publish', outcome: 'success', environment: 'A' },
        { at: T + 5000, actor: 'carol', action: 'plan.disable', outcome: 'denied', environment: 'C' },
      ];
      for (const r of rows) await log.append(r);
      const seqs = async (o: Parameters<AccessLog['list']>[0]) => (await log.list(o)).map((e) => e.seq);
      // Newest first, then the next page below the last seq seen; `after` bounds the window below.
      assert.deepEqual(await seqs({ limit: 2, order: 'desc' }), [6, 5]);
      assert.deepEqual(await seqs({ limit: 2, order: 'desc', before: 5 }), [4, 3]);
      assert.deepEqual(await seqs({ limit: 10, order: 'desc', before: 5, after: 2 }), [4, 3]);
      // `before` in ascending order too.
      assert.deepEqual(await seqs({ limit: 10, before: 3 }), [1, 2]);
      assert.deepEqual(await seqs({ limit: 10, outcome: 'denied' }), [3, 6]);
      // A scope: only its environments; entries of no environment (logins) never match.
      assert.deepEqual(await seqs({ limit: 10, environments: ['A'] }), [2, 5]);
      assert.deepEqual(await seqs({ limit: 10, environments: ['A', 'C'], outcome: 'denied' }), [6]);
      assert.deepEqual(await seqs({ limit: 10, environments: [] }), [], 'an empty scope sees nothing');
      const scoped: number[] = [];
      for await (const e of log.entries({ environments: ['B', 'C'] })) scoped.push(e.seq);
      assert.deepEqual(scoped, [3, 6]);
    });

    it('the chain verifies, and a forged entry is found at its seq', async () => {
      for (let i = 0; i < 5; i++) {
        await log.append({ at: T + i, actor: `u${i}`, action: 'login', outcome: 'success' });
      }
      const head = await log.head();
      assert.deepEqual(await verifyAccessLog(log.entries(), head), { entries: 5, ok: true });
      // Edited as the table's owner can (triggers off): seq 3 is reported, and nothing before it.
      await t.store.db.transaction().execute(async (trx) => {
        await sql`alter table access_log disable trigger user`.execute(trx);
        await sql`update access_log set actor = 'mallory' where seq = 3`.execute(trx);
        await sql`alter table access_log enable trigger user`.execute(trx);
      });
      assert.deepEqual(await verifyAccessLog(log.entries(), head), {
        entries: 2,
        ok: false,
        seq: 3,
        reason: 'entry altered (hash mismatch)',
      });
      // In memory too: a removed entry and a cut-off tail.
      const entries = await all(log);
      assert.equal(verifyAccessChain(entries.filter((e) => e.seq !== 2)).ok, false);
      assert.deepEqual(verifyAccessChain(entries.slice(0, 2), head), {
        ok: false,
        seq: 3,
        reason: 'the log ends at seq 5: later entries are missing or replaced',
      });
    });

    it('the database refuses UPDATE, DELETE and TRUNCATE with SQLSTATE 42501, changing nothing', async () => {
      await log.append({ at: T, actor: 'alice', action: 'login', outcome: 'success' });
      await log.append({ at: T, actor: 'alice', action: 'logout', outcome: 'success' });
      const before = await all(log);
      for (const stmt of [
        sql`update access_log set actor = 'mallory'`,
        sql`delete from access_log where seq = 2`,
        sql`truncate access_log`,
      ]) {
        await assert.rejects(stmt.execute(t.store.db), (err: { code?: string; message?: string }) => {
          assert.equal(err.code, '42501');
          assert.match(err.message ?? '', /append-only/);
          return true;
        });
      }
      assert.deepEqual(await all(log), before);
    });

    it('20 concurrent appends make one valid chain with seq 1..20', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          log.append({ at: T + i, actor: `u${i}`, action: 'login', outcome: 'success' }),
        ),
      );
      assert.deepEqual(
        results.map((e) => e.seq).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const entries = await all(log);
      assert.deepEqual(verifyAccessChain(entries, await log.head()), { ok: true });
      // Every caller got the entry that is stored.
      assert.deepEqual(
        [...results].sort((a, b) => a.seq - b.seq),
        entries,
      );
    });

    it('unstorable text (NUL, lone surrogates) is stored as U+FFFD and still verifies', async () => {
      const e = await log.append({
        at: T,
        actor: 'a\u0000b',
        action: 'login',
        outcome: 'failure',
        target: '\uD800x',
        details: { 'k\u0000': ['\uDFFF'] },
      });
      assert.equal(e.actor, 'a\uFFFDb');
      assert.equal(e.target, '\uFFFDx');
      assert.deepEqual(e.details, { 'k\uFFFD': ['\uFFFD'] });
      assert.deepEqual(await all(log), [e]);
      assert.deepEqual(verifyAccessChain([e]), { ok: true });
    });

    it('CSV export: a header row, CRLF records, formula cells neutralised', async () => {
      assert.equal(await collect(accessLogCsv(log.entries())), `${CSV_COLUMNS.join(',')}\r\n`);
      await log.append({ at: T, actor: '=HYPERLINK("http://x","y")', action: 'login', outcome: 'failure' });
      await log.append({ at: T, actor: "'quoted", action: 'login', outcome: 'failure', source: '@evil' });
      const text = await collect(accessLogCsv(log.entries()));
      const lines = text.split('\r\n');
      assert.equal(lines[0], CSV_COLUMNS.join(','));
      assert.match(lines[1]!, /^1,2026-11-26T08:00:00\.000Z,"'=HYPERLINK\(""http:\/\/x"",""y""\)",,login,failure,/);
      assert.match(lines[2]!, /^2,2026-11-26T08:00:00\.000Z,''quoted,'@evil,login,failure,/);
      assert.equal(lines[3], '');
      const raw = parse(text, { columns: true }) as Record<string, string>[];
      assert.deepEqual(
        raw.map((r) => [r.actor, r.source]),
        [
          [`'=HYPERLINK("http://x","y")`, ''],
          [`''quoted`, `'@evil`],
        ],
      );
    });

    // Each prefix a spreadsheet treats as a formula (or that OWASP lists), in the actor and in
    // a JSON detail's position: the cell starts with `'`; harmless text is left alone.
    it('CSV export neutralises every formula prefix (= + - @ tab CR) and a leading quote', async () => {
      const cases: [string, string][] = [
        ['=1+2', "'=1+2"],
        ['+1', "'+1"],
        ['-1', "'-1"],
        ['@SUM(A1)', "'@SUM(A1)"],
        ['\tx', "'\tx"],
        ['\rx', "'\rx"],
        ["'x", "''x"],
        ['a=1', 'a=1'],
        [' =1', ' =1'],
      ];
      for (const [actor] of cases) await log.append({ at: T, actor, action: 'login', outcome: 'failure' });
      const raw = parse(await collect(accessLogCsv(log.entries())), { columns: true }) as Record<string, string>[];
      assert.deepEqual(
        raw.map((r) => r.actor),
        cases.map(([, cell]) => cell),
      );
    });

    // Any entries (unicode, quotes, commas, line breaks, formula prefixes, JSON details) come
    // back from the CSV export as stored, and from the JSON export exactly; both verify.
    it('property: CSV and JSON exports parse back to the stored entries', async () => {
      const text = fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.string({
          unit: fc.constantFrom('=', '+', '-', '@', "'", '"', ',', '\n', '\r', '\t', ' ', 'a', 'é', '😀'),
          maxLength: 8,
        }),
      );
      const input = fc.record({
        at: fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }),
        actor: text,
        source: fc.option(text),
        action: fc.constantFrom('login', 'logout', 'user.update', 'permission.denied' as const),
        outcome: fc.constantFrom('success', 'failure', 'denied' as const),
        target: fc.option(text),
        environment: fc.option(text),
        details: fc.option(fc.jsonValue({ maxDepth: 2 })),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(input, { maxLength: 6 }), async (inputs) => {
          await reset();
          for (const i of inputs) await log.append(i as AccessEntryInput);
          const stored = await all(log);
          assert.deepEqual(fromCsv(await collect(accessLogCsv(log.entries()))), stored);
          const json = JSON.parse(await collect(accessLogJson(log.entries()))) as AccessEntry[];
          assert.deepEqual(json, stored);
          assert.deepEqual(verifyAccessChain(json, await log.head()), { ok: true });
        }),
        { numRuns: 30 },
      );
    });
  });
}
