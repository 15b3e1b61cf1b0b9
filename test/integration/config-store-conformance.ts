/**
 * The ConfigStore conformance suite: one set of cases, run against PostgreSQL
 * (store-pg.test.ts) and PGlite (store-pglite.test.ts) through `store.config`. Every case
 * starts from empty configuration tables. `sameDatabase` (PostgreSQL only) opens a second
 * store on the same schema, for the cases where another process makes the change.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import {
  checkReferences,
  environmentSchema,
  groupSchema,
  type ConfigSnapshot,
  type Group,
} from '../../src/domain/config-model.ts';
import type { ConfigStore, ConfigWrite } from '../../src/ports/config-store.ts';
import { StoreDirectory } from '../../src/runtime/directory-view.ts';
import { verifyConfigChain } from '../../src/runtime/protocol-hash.ts';
import type { KyselyAlarmStore } from '../../src/store/kysely-store.ts';
import type { TestStore } from '../support/services.ts';

const T = Date.UTC(2026, 10, 26, 8, 0, 0);
const META = { actor: 'alice', at: T };
const none = (): readonly unknown[] => [];

const env = environmentSchema.parse({ id: 'default', name: 'Default' });
/** A group as the schema leaves it (defaults filled), so an identical put compares equal. */
const group = (id: string, extra: Partial<Group> = {}): Group => groupSchema.parse({ id, name: id, ...extra });
const putGroup = (g: Group, ifVersion?: number): ConfigWrite => ({ op: 'put', kind: 'group', item: g, ifVersion });

export interface ConfigConformanceOptions {
  /** A second, independent store on the same database (another process's view). */
  readonly sameDatabase?: (t: TestStore) => Promise<{ store: KyselyAlarmStore; close(): Promise<void> }>;
}

export function configStoreConformance(
  name: string,
  make: () => Promise<TestStore>,
  opts: ConfigConformanceOptions = {},
): void {
  describe(`ConfigStore conformance: ${name}`, () => {
    let t: TestStore;
    let cs: ConfigStore;
    const all = () => cs.changes({ limit: 10_000 });
    /** Items, versions, presence and the change record: everything a refused write must leave alone. */
    const everything = async () => {
      const s = await cs.load();
      return {
        items: Object.fromEntries(Object.entries(s.snapshot).map(([k, m]) => [k, [...m.entries()]])),
        versions: [...s.versions.entries()].sort(),
        presence: s.presence,
        changes: await all(),
      };
    };

    before(async () => {
      t = await make();
      cs = t.store.config;
    });
    after(async () => {
      await t.cleanup();
    });
    beforeEach(async () => {
      // TRUNCATE: the change record's append-only trigger refuses row-level DELETE.
      await sql`truncate config_items, presence, config_changes`.execute(t.store.db);
    });

    it('create, update and delete count versions 1, 2 … and delete removes the item', async () => {
      const r1 = await cs.write([putGroup(group('g1'))], META, none);
      assert.equal(r1.ok && r1.version, 1);
      const r2 = await cs.write([putGroup(group('g1', { name: 'Night' }))], META, none);
      assert.equal(r2.ok && r2.version, 2);
      let s = await cs.load();
      assert.equal(s.versions.get('group/g1'), 2);
      assert.equal(s.snapshot.group.get('g1')!.name, 'Night');
      const r3 = await cs.write([{ op: 'delete', kind: 'group', id: 'g1' }], META, none);
      assert.equal(r3.ok, true);
      s = await cs.load();
      assert.equal(s.snapshot.group.has('g1'), false);
      assert.equal(s.versions.has('group/g1'), false);
      // Deleting what is not there: not-found, no entry.
      assert.deepEqual(await cs.write([{ op: 'delete', kind: 'group', id: 'g1' }], META, none), {
        ok: false,
        reason: 'not-found',
        current: 0,
      });
      assert.deepEqual(
        (await all()).map((e) => [e.op, e.kind, e.id]),
        [
          ['create', 'group', 'g1'],
          ['update', 'group', 'g1'],
          ['delete', 'group', 'g1'],
        ],
      );
    });

    it('a stale ifVersion answers version-mismatch with the current version and writes nothing', async () => {
      await cs.write([putGroup(group('g1'))], META, none);
      const before = await everything();
      // 0 = "must not exist yet"; 2 = a version from the future; both against current 1.
      for (const ifVersion of [0, 2]) {
        assert.deepEqual(await cs.write([putGroup(group('g1', { name: 'X' }), ifVersion)], META, none), {
          ok: false,
          reason: 'version-mismatch',
          current: 1,
        });
      }
      assert.deepEqual(await cs.write([{ op: 'delete', kind: 'group', id: 'g1', ifVersion: 3 }], META, none), {
        ok: false,
        reason: 'version-mismatch',
        current: 1,
      });
      // Creating with ifVersion 1 what does not exist: current 0.
      assert.deepEqual(await cs.write([putGroup(group('g2'), 1)], META, none), {
        ok: false,
        reason: 'version-mismatch',
        current: 0,
      });
      assert.deepEqual(await everything(), before);
      const ok = await cs.write([putGroup(group('g1', { name: 'X' }), 1)], META, none);
      assert.equal(ok.ok && ok.version, 2);
    });

    it('an identical put (keys in any order) is a no-op: same version, no entry', async () => {
      await cs.write([putGroup(group('g1', { members: [{ kind: 'user', id: 'u1' }] }))], META, none);
      const before = await everything();
      const same = group('g1', { members: [{ kind: 'user', id: 'u1' }] });
      const reordered = Object.fromEntries(Object.entries(same).reverse()) as Group;
      for (const g of [same, reordered]) {
        assert.deepEqual(await cs.write([putGroup(g)], META, none), { ok: true, version: 1, entry: undefined });
      }
      assert.deepEqual(await everything(), before);
    });

    it('a check with problems answers refused and leaves items and the change record untouched', async () => {
      await cs.write([{ op: 'put', kind: 'environment', item: env }], META, none);
      const before = await everything();
      let seen: ConfigSnapshot | undefined;
      const r = await cs.write([putGroup(group('g1', { environment: 'nowhere' }))], META, (next) => {
        seen = next;
        return checkReferences(next);
      });
      // The check saw the configuration as it would have been, the new group included.
      assert.equal(seen?.group.has('g1'), true);
      assert.deepEqual(r, {
        ok: false,
        reason: 'refused',
        problems: [{ kind: 'group', id: 'g1', pointer: '/environment', reason: "unknown environment 'nowhere'" }],
      });
      // A delete that would leave a dangling reference is refused too.
      await cs.write([putGroup(group('g1'))], META, checkReferences);
      const mid = await everything();
      const del = await cs.write([{ op: 'delete', kind: 'environment', id: 'default' }], META, checkReferences);
      assert.equal(!del.ok && del.reason, 'refused');
      assert.deepEqual(await everything(), mid);
      assert.equal(mid.changes.length, before.changes.length + 1);
    });

    it('several writes in one call are all or nothing', async () => {
      await cs.write([putGroup(group('g1'))], META, none);
      const before = await everything();
      // The last write fails (stale version, missing item, refused check): the earlier ones are undone.
      const failing: [readonly ConfigWrite[], (s: ConfigSnapshot) => readonly unknown[], string][] = [
        [[putGroup(group('g2')), putGroup(group('g1', { name: 'X' }), 7)], none, 'version-mismatch'],
        [[putGroup(group('g2')), { op: 'delete', kind: 'group', id: 'g9' }], none, 'not-found'],
        [[{ op: 'delete', kind: 'group', id: 'g1' }, putGroup(group('g2'))], () => ['no'], 'refused'],
      ];
      for (const [writes, check, reason] of failing) {
        const r = await cs.write(writes, META, check);
        assert.equal(!r.ok && r.reason, reason);
        assert.deepEqual(await everything(), before);
      }
      // An environment and a group that needs it, in one call: the check sees both.
      const ok = await cs.write(
        [{ op: 'put', kind: 'environment', item: env }, putGroup(group('g2')), putGroup(group('g1', { name: 'Y' }))],
        META,
        checkReferences,
      );
      assert.equal(ok.ok, true);
      const s = await cs.load();
      assert.deepEqual([...s.versions.entries()].sort(), [
        ['environment/default', 1],
        ['group/g1', 2],
        ['group/g2', 1],
      ]);
    });

    it('appends one entry per real change, with before and after, and the call answers the last', async () => {
      const g1 = group('g1');
      const g1b = group('g1', { name: 'B' });
      await cs.write([putGroup(g1), putGroup(group('g3'))], META, none);
      const r = await cs.write(
        [putGroup(group('g2')), putGroup(g1), putGroup(g1b), { op: 'delete', kind: 'group', id: 'g3' }],
        { actor: 'bob', at: T + 5 },
        none,
      );
      const entries = await all();
      // g1 put identically: no entry; the rest one each, in order.
      assert.deepEqual(
        entries.map((e) => ({ seq: e.seq, op: e.op, id: e.id, before: e.before, after: e.after })),
        [
          { seq: 1, op: 'create', id: 'g1', before: null, after: g1 },
          { seq: 2, op: 'create', id: 'g3', before: null, after: group('g3') },
          { seq: 3, op: 'create', id: 'g2', before: null, after: group('g2') },
          { seq: 4, op: 'update', id: 'g1', before: g1, after: g1b },
          { seq: 5, op: 'delete', id: 'g3', before: group('g3'), after: null },
        ],
      );
      assert.deepEqual(
        entries.slice(2).map((e) => [e.actor, e.at]),
        Array(3).fill(['bob', T + 5]),
      );
      assert.deepEqual(r.ok && r.entry, entries[4]);
      // Paging from a seq.
      assert.deepEqual(
        (await cs.changes({ after: 1, limit: 2 })).map((e) => e.seq),
        [2, 3],
      );
    });

    // Two changes of one item in one call: each entry and the final row agree with the sequence
    // (each upsert writes the version of its own step, not the call's last one).
    it('an item created and deleted (or updated twice) in one call is recorded step by step', async () => {
      const twice = await cs.write([putGroup(group('g1')), putGroup(group('g1', { name: 'B' }))], META, none);
      assert.equal(twice.ok && twice.version, 2);
      const r = await cs.write([putGroup(group('g2')), { op: 'delete', kind: 'group', id: 'g2' }], META, none);
      assert.equal(r.ok, true);
      assert.equal((await cs.load()).snapshot.group.has('g2'), false);
      assert.deepEqual(
        (await all()).map((e) => [e.op, e.id]),
        [
          ['create', 'g1'],
          ['update', 'g1'],
          ['create', 'g2'],
          ['delete', 'g2'],
        ],
      );
    });

    it('the change record verifies as a hash chain, and the database refuses UPDATE and DELETE on it', async () => {
      await cs.write([{ op: 'put', kind: 'environment', item: env }, putGroup(group('g1'))], META, none);
      await cs.setPresence('g1', 'u1', true, META);
      await cs.write([putGroup(group('g1', { presence: true }))], META, none);
      const entries = await all();
      const head = await cs.changesHead();
      assert.deepEqual(head, { seq: 4, hash: entries[3]!.hash });
      assert.deepEqual(verifyConfigChain(entries, head), { ok: true });
      // A test that can fail: an edited entry is detected.
      const forged = entries.map((e, i) => (i === 1 ? { ...e, actor: 'mallory' } : e));
      assert.equal(verifyConfigChain(forged, head).ok, false);
      await assert.rejects(sql`update config_changes set actor = 'mallory'`.execute(t.store.db), /append-only/);
      await assert.rejects(sql`delete from config_changes where seq = 4`.execute(t.store.db), /append-only/);
      assert.deepEqual(await all(), entries);
    });

    it('setPresence logs in and out once: a repeated call answers false and appends nothing', async () => {
      assert.equal(await cs.setPresence('g1', 'u1', true, META), true);
      assert.equal(await cs.setPresence('g1', 'u1', true, META), false);
      assert.deepEqual((await cs.load()).presence, { g1: ['u1'] });
      assert.equal(await cs.setPresence('g1', 'u1', false, META), true);
      assert.equal(await cs.setPresence('g1', 'u1', false, META), false);
      // Never logged in: nothing to log out.
      assert.equal(await cs.setPresence('g2', 'u9', false, META), false);
      assert.deepEqual((await cs.load()).presence, {});
      assert.deepEqual(
        (await all()).map((e) => [e.kind, e.id, e.op, e.before, e.after]),
        [
          ['presence', 'g1', 'presence-in', null, { member: 'u1' }],
          ['presence', 'g1', 'presence-out', null, { member: 'u1' }],
        ],
      );
    });

    it('load answers presence per group with members sorted', async () => {
      // Lower-case ids only: the SQL orders by the database collation (C here, and on PGlite).
      for (const [g, m] of [
        ['g2', 'carol'],
        ['g1', 'carol'],
        ['g1', 'alice'],
        ['g2', 'alice'],
        ['g1', 'bob'],
      ] as const) {
        await cs.setPresence(g, m, true, META);
      }
      assert.deepEqual((await cs.load()).presence, { g1: ['alice', 'bob', 'carol'], g2: ['alice', 'carol'] });
    });

    it('concurrent writers are serialised: a check over the whole configuration is never exceeded', async () => {
      const MAX = 3;
      const atMost = (s: ConfigSnapshot) => (s.group.size <= MAX ? [] : [`more than ${MAX} groups`]);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => cs.write([putGroup(group(`g${i}`))], META, atMost)),
        // Presence changes interleave on the same chain.
        ...Array.from({ length: 5 }, (_, i) => cs.setPresence('g0', `u${i}`, true, META)),
      ]);
      const writes = results.slice(0, 10) as Awaited<ReturnType<ConfigStore['write']>>[];
      assert.equal(writes.filter((r) => r.ok).length, MAX);
      assert.equal(writes.filter((r) => !r.ok && r.reason === 'refused').length, 10 - MAX);
      assert.equal((await cs.load()).snapshot.group.size, MAX);
      const entries = await all();
      assert.equal(entries.length, MAX + 5);
      assert.deepEqual(verifyConfigChain(entries, await cs.changesHead()), { ok: true });
    });

    it('concurrent updates with the same ifVersion: exactly one wins', async () => {
      await cs.write([putGroup(group('g1'))], META, none);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => cs.write([putGroup(group('g1', { name: `n${i}` }), 1)], META, none)),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.deepEqual(
        results.filter((r) => !r.ok),
        Array(7).fill({ ok: false, reason: 'version-mismatch', current: 2 }),
      );
    });

    // Model-based: any sequence of puts, deletes (with or without ifVersion) and presence
    // changes leaves the store equal to a plain in-memory model, and the record a valid chain
    // with exactly one entry per change the model counted.
    it('property: random operation sequences match a model and keep the chain valid', async () => {
      const ids = ['g1', 'g2', 'g3'];
      const op = fc.oneof(
        fc.record({
          type: fc.constant('put' as const),
          id: fc.constantFrom(...ids),
          name: fc.constantFrom('A', 'B'),
          stale: fc.boolean(),
        }),
        fc.record({ type: fc.constant('delete' as const), id: fc.constantFrom(...ids), stale: fc.boolean() }),
        fc.record({
          type: fc.constant('presence' as const),
          id: fc.constantFrom(...ids),
          member: fc.constantFrom('u1', 'u2'),
          present: fc.boolean(),
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 10 }), async (ops) => {
          await sql`truncate config_items, presence, config_changes`.execute(t.store.db);
          const model = new Map<string, { name: string; version: number }>();
          const present = new Set<string>();
          let expectedEntries = 0;
          for (const o of ops) {
            const cur = model.get(o.id);
            const version = cur?.version ?? 0;
            if (o.type === 'presence') {
              const key = `${o.id} ${o.member}`;
              const changes = present.has(key) !== o.present;
              assert.equal(await cs.setPresence(o.id, o.member, o.present, META), changes);
              if (o.present) present.add(key);
              else present.delete(key);
              if (changes) expectedEntries++;
              continue;
            }
            // `stale` sends a version that is off by one (the write must be refused).
            const ifVersion = o.stale ? version + 1 : version;
            if (o.type === 'put') {
              const r = await cs.write([putGroup(group(o.id, { name: o.name }), ifVersion)], META, none);
              if (o.stale) {
                assert.deepEqual(r, { ok: false, reason: 'version-mismatch', current: version });
              } else if (cur?.name === o.name) {
                assert.deepEqual(r, { ok: true, version, entry: undefined });
              } else {
                assert.equal(r.ok && r.version, version + 1);
                model.set(o.id, { name: o.name, version: version + 1 });
                expectedEntries++;
              }
            } else {
              const r = await cs.write([{ op: 'delete', kind: 'group', id: o.id, ifVersion }], META, none);
              if (o.stale) assert.deepEqual(r, { ok: false, reason: 'version-mismatch', current: version });
              else if (!cur) assert.deepEqual(r, { ok: false, reason: 'not-found', current: 0 });
              else {
                assert.equal(r.ok, true);
                model.delete(o.id);
                expectedEntries++;
              }
            }
          }
          const s = await cs.load();
          assert.deepEqual(
            [...s.snapshot.group.values()].map((g) => [g.id, g.name, s.versions.get(`group/${g.id}`)]).sort(),
            [...model.entries()].map(([id, m]) => [id, m.name, m.version]).sort(),
          );
          assert.deepEqual(
            Object.entries(s.presence).flatMap(([g, ms]) => ms.map((m) => `${g} ${m}`)),
            [...present].sort(),
          );
          const entries = await all();
          assert.equal(entries.length, expectedEntries);
          assert.deepEqual(verifyConfigChain(entries, await cs.changesHead()), { ok: true });
        }),
        { numRuns: 25 },
      );
    });

    it('StoreDirectory serves its cached view while the head stands and re-reads when it moves', async () => {
      const dir = new StoreDirectory(cs);
      const v1 = await dir.current();
      assert.equal(await dir.current(), v1);
      await cs.write([putGroup(group('g1', { members: [{ kind: 'user', id: 'u1' }] }))], META, none);
      const v2 = await dir.current();
      assert.notEqual(v2, v1);
      assert.deepEqual(v2.groups(), { g1: ['u1'] });
      await cs.setPresence('g1', 'u1', true, META);
      assert.notEqual(await dir.current(), v2);
    });

    if (opts.sameDatabase) {
      const open = opts.sameDatabase;
      it('StoreDirectory sees a change made through another store on the same database', async () => {
        const other = await open(t);
        try {
          const dir = new StoreDirectory(cs);
          assert.deepEqual((await dir.current()).groups(), {});
          const members = [{ kind: 'user' as const, id: 'u1' }];
          const r = await other.store.config.write([putGroup(group('g1', { members, presence: true }))], META, none);
          assert.equal(r.ok, true);
          // Presence-tracked and nobody present: no recipients, but the group is there.
          assert.deepEqual((await dir.current()).groups(), { g1: [] });
          assert.equal(await other.store.config.setPresence('g1', 'u1', true, META), true);
          const v = await dir.current();
          assert.deepEqual(v.groups(), { g1: ['u1'] });
          assert.deepEqual(v.presence(), { g1: ['u1'] });
          // Both stores append to one chain.
          await cs.write([putGroup(group('g2'))], META, none);
          const entries = await other.store.config.changes({ limit: 100 });
          assert.deepEqual(verifyConfigChain(entries, await cs.changesHead()), { ok: true });
          assert.equal(entries.length, 3);
        } finally {
          await other.close();
        }
      });
    }
  });
}
