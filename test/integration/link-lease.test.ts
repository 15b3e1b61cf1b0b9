// @requires: postgres
// Link leases (src/ports/link-lease.ts, src/runtime/lease-keeper.ts): one node of a cluster holds
// a device link; a crashed or cut-off node loses it to another after the TTL; a stopping node
// hands it over at once. On PostgreSQL (two stores = two nodes on one schema) and PGlite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinkLeases } from '../../src/ports/link-lease.ts';
import { nullLogger } from '../../src/runtime/observer.ts';
import { LeaseKeeper } from '../../src/runtime/lease-keeper.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import { createPostgresStore } from '../../src/store/pg-store.ts';
import type { KyselyAlarmStore } from '../../src/store/kysely-store.ts';
import { freshPgStore, memoryStore, pgUrl, type TestStore } from '../support/services.ts';

const TTL = 15_000;

/** A node: a keeper over its own store, recording when it opened and closed the link. */
function node(name: string, leases: LinkLeases, clock: VirtualClock) {
  const log: string[] = [];
  let cut = false;
  const flaky: LinkLeases = {
    acquire: (...a) => (cut ? Promise.reject(new Error('database unreachable')) : leases.acquire(...a)),
    release: (...a) => (cut ? Promise.reject(new Error('database unreachable')) : leases.release(...a)),
    get: (n) => leases.get(n),
  };
  const keeper = new LeaseKeeper({
    leases: flaky,
    name: 'dect:omm:12622',
    holder: name,
    ttlMs: TTL,
    clock,
    logger: nullLogger,
    onAcquired: (token) => void log.push(`open ${token}`),
    onLost: (reason) => void log.push(`close ${reason}`),
  });
  return {
    keeper,
    log,
    cut(on: boolean) {
      cut = on;
    },
  };
}

async function twoNodes(
  kind: 'postgres' | 'pglite',
): Promise<{ a: KyselyAlarmStore; b: KyselyAlarmStore; t: TestStore }> {
  if (kind === 'pglite') {
    const t = await memoryStore();
    return { a: t.store, b: t.store, t };
  }
  const t = await freshPgStore();
  return { a: t.store, b: createPostgresStore({ url: pgUrl(), schema: t.schema!, max: 2 }), t };
}

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`link leases on ${kind}`, () => {
    it('one node holds the link; a cut-off node closes it before its lease ends and the other takes over after', async () => {
      const { a: sa, b: sb, t } = await twoNodes(kind);
      const clock = new VirtualClock(Date.UTC(2026, 10, 26));
      const a = node('node-a', sa.leases, clock);
      const b = node('node-b', sb.leases, clock);
      // Each fired timer's attempt finishes (a real database round trip) before time moves on.
      const settle = async () => {
        await a.keeper.idle();
        await b.keeper.idle();
      };
      try {
        await a.keeper.start();
        await b.keeper.start();
        assert.deepEqual([a.log, b.log], [['open 1'], []]);
        assert.equal(a.keeper.held && !b.keeper.held, true);

        // Renewals keep it with a; b keeps asking and is refused.
        for (let i = 0; i < 6; i++) await clock.advanceAsync(TTL / 3, settle);
        assert.deepEqual([a.log, b.log], [['open 1'], []]);

        // a loses its database: it closes the link before its lease could run out ...
        a.cut(true);
        const cutAt = clock.now();
        const expiresAt = (await sa.leases.get('dect:omm:12622'))!.expiresAt;
        while (!a.log.includes('close renewal failed')) await clock.advanceAsync(1_000, settle);
        assert.ok(clock.now() < expiresAt, 'a closed the link while its lease still ran');
        // ... and b opens it only after the lease expired, with a new token.
        while (!b.keeper.held) await clock.advanceAsync(1_000, settle);
        assert.ok(clock.now() > expiresAt && clock.now() <= cutAt + TTL + TTL / 3 + 1_000);
        assert.deepEqual(b.log, ['open 2']);

        // a comes back: it does not get the link while b renews.
        a.cut(false);
        for (let i = 0; i < 6; i++) await clock.advanceAsync(TTL / 3, settle);
        assert.equal(a.keeper.held, false);
        assert.deepEqual(a.log, ['open 1', 'close renewal failed']);

        // b stops (a planned restart): it releases, and a takes over on its next attempt.
        await b.keeper.stop();
        assert.deepEqual(b.log, ['open 2', 'close stopping']);
        await clock.advanceAsync(TTL / 3, settle);
        assert.deepEqual(a.log, ['open 1', 'close renewal failed', 'open 3']);
      } finally {
        await a.keeper.stop();
        await b.keeper.stop();
        if (sb !== sa) await sb.close();
        await t.cleanup();
      }
    });

    it('nodes racing for a free lease get exactly one grant', async () => {
      const { a: sa, b: sb, t } = await twoNodes(kind);
      try {
        const at = Date.UTC(2026, 10, 26);
        const grants = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? sb : sa).leases.acquire('espa:line-1', `node-${i}`, at, TTL)),
        );
        assert.equal(grants.filter((g) => g !== undefined).length, 1);
        const holder = (await sa.leases.get('espa:line-1'))!.holder;
        // A renewal keeps the token; after expiry another holder gets token 2.
        assert.equal((await sa.leases.acquire('espa:line-1', holder, at + 1_000, TTL))?.token, 1);
        assert.equal(await sa.leases.acquire('espa:line-1', 'node-x', at + TTL, TTL), undefined);
        assert.equal((await sa.leases.acquire('espa:line-1', 'node-x', at + 1_000 + TTL + 1, TTL))?.token, 2);
      } finally {
        if (sb !== sa) await sb.close();
        await t.cleanup();
      }
    });
  });
}
