// @requires: postgres
// The device interfaces' view of alarms (src/ports/alarm-intake.ts): raise, cancel and follow an
// alarm through the store's change feed, on PGlite and on PostgreSQL, and across two stores
// (nodes) sharing one PostgreSQL schema.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { TocsinError } from '../../src/domain/errors.ts';
import type { AlarmProgress } from '../../src/ports/alarm-intake.ts';
import { createPostgresStore } from '../../src/store/pg-store.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { freshPgStore, memoryStore, pgUrl, type TestStore } from '../support/services.ts';

const SOURCE = { adapter: 'espa444', device: 'nurse-call/201' };

/** Records what a watch listener is told and lets the test wait for a progress that matches. */
function recorder() {
  const seen: AlarmProgress[] = [];
  const waiters: { pred: (p: AlarmProgress) => boolean; resolve: (p: AlarmProgress) => void }[] = [];
  return {
    seen,
    listener(p: AlarmProgress) {
      seen.push(p);
      for (const w of [...waiters])
        if (w.pred(p)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(p);
        }
    },
    until(pred: (p: AlarmProgress) => boolean): Promise<AlarmProgress> {
      const hit = seen.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

const status = (p: AlarmProgress, recipient: string) => p.participants.find((x) => x.recipient === recipient)?.status;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`alarm intake and watch on ${kind}`, () => {
    let h: Harness;
    let store: TestStore;
    const start = async () => {
      store = kind === 'pglite' ? await memoryStore() : await freshPgStore();
      h = await startHarness({ store: store.store });
    };
    const stop = async () => {
      await h.stop();
      await store.cleanup().catch(() => {});
    };

    it('follows an alarm from raise through delivery to acceptance, in order, ending once', async () => {
      await start();
      try {
        const { intake, watch } = h.tocsin;
        assert.deepEqual(await intake.raise({ id: 'espa-1', alarmType: 'generic', text: 'Bed 2', source: SOURCE }), {
          created: true,
        });
        assert.deepEqual(await intake.raise({ id: 'espa-1', alarmType: 'generic', text: 'Bed 2', source: SOURCE }), {
          created: false,
        });
        assert.deepEqual(await intake.active(SOURCE), ['espa-1']);
        assert.deepEqual(await intake.active({ ...SOURCE, device: 'nurse-call/202' }), []);
        const r = recorder();
        watch.watch('espa-1', (p) => r.listener(p));
        await h.advance(0);
        const sent = await r.until((p) => status(p, 'alice') === 'sent' && status(p, 'bob') === 'sent');
        assert.equal(sent.ended, false);
        await h.tocsin.runtime.respond('espa-1', 'accept', 'alice', { kind: 'user', id: 'alice' });
        const end = await r.until((p) => p.ended);
        assert.equal(end.endReason, 'accepted');
        assert.equal(status(end, 'alice'), 'accepted');
        // Never told the same progress twice; nothing after the end.
        const texts = r.seen.map((p) => JSON.stringify(p));
        assert.equal(new Set(texts).size, texts.length);
        assert.equal(r.seen.filter((p) => p.ended).length, 1);
        assert.equal(r.seen.at(-1)?.ended, true);
        assert.deepEqual(await intake.active(SOURCE), []);
      } finally {
        await stop();
      }
    });

    it('cancels on the device’s behalf; a second cancel and an unknown alarm answer false', async () => {
      await start();
      try {
        const { intake, watch } = h.tocsin;
        await intake.raise({ id: 'espa-2', alarmType: 'generic', source: SOURCE });
        const r = recorder();
        watch.watch('espa-2', (p) => r.listener(p));
        assert.equal(await intake.cancel('espa-2', 'reset from the nurse-call system', 'espa444:nurse-call'), true);
        const end = await r.until((p) => p.ended);
        assert.equal(end.endReason, 'cancelled');
        assert.equal(await intake.cancel('espa-2', 'again', 'espa444:nurse-call'), false);
        assert.equal(await intake.cancel('no-such-alarm', 'x', 'espa444:nurse-call'), false);
        await assert.rejects(
          intake.raise({ id: 'espa-3', alarmType: 'no-such-type', source: SOURCE }),
          (err: unknown) => err instanceof TocsinError && err.code === 'unknown-alarm-type',
        );
      } finally {
        await stop();
      }
    });
  });
}

describe('the change feed across nodes (PostgreSQL NOTIFY)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('announces a step committed by one store to another store on the same schema, and resyncs after a lost connection', async () => {
    const a = await freshPgStore();
    cleanups.push(() => a.cleanup());
    const b = createPostgresStore({ url: pgUrl(), schema: a.schema! });
    cleanups.push(() => b.close());
    const got: string[] = [];
    let wake: (() => void) | undefined;
    const stopListening = await b.listenChanges((id) => {
      got.push(id);
      wake?.();
    });
    cleanups.push(stopListening);
    const waitFor = (id: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (got.includes(id)) resolve();
          else wake = check;
        };
        check();
      });

    const h = await startHarness({ store: a.store });
    cleanups.push(() => h.stop());
    await h.tocsin.intake.raise({ id: 'node-a-1', alarmType: 'generic', source: SOURCE });
    await waitFor('node-a-1');

    // Kill the listening connections (b's, and the harness's own watch): each feed reconnects and
    // says '*' (anything may have changed).
    const admin = new pg.Client({ connectionString: pgUrl() });
    await admin.connect();
    try {
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where query like 'LISTEN "${b.changeChannel}"'`,
      );
      assert.equal(killed.rowCount, 2);
    } finally {
      await admin.end();
    }
    await waitFor('*');
    await h.tocsin.intake.raise({ id: 'node-a-2', alarmType: 'generic', source: SOURCE });
    await waitFor('node-a-2');
  });
});
