// Mailboxes (src/runtime/mailbox.ts): per-key strict ordering under every interleaving
// fast-check's scheduler picks for the work items' inner promises, keys running side by side,
// failures not blocking the queue, and drain(). Deferred promises, never timers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Mailboxes } from '../../src/runtime/mailbox.ts';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (a macrotask turn, not a sleep). */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('Mailboxes (properties)', () => {
  it('runs work for one key one at a time, in arrival order, whatever order inner promises settle in', async () => {
    const item = fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      fails: fc.boolean(),
      hops: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(item, { minLength: 1, maxLength: 12 }), async (s, items) => {
        const mb = new Mailboxes();
        const log: { ev: 'start' | 'end'; i: number }[] = [];
        const running = new Map<string, number>();
        let overlap = false;
        const results = items.map((it, i) =>
          mb.run(it.key, async () => {
            log.push({ ev: 'start', i });
            running.set(it.key, (running.get(it.key) ?? 0) + 1);
            if (running.get(it.key)! > 1) overlap = true;
            // Several scheduled awaits: the scheduler may interleave other keys between them.
            for (let h = 0; h < it.hops; h++) await s.schedule(Promise.resolve(), `${it.key}#${i}.${h}`);
            running.set(it.key, running.get(it.key)! - 1);
            log.push({ ev: 'end', i });
            if (it.fails) throw new Error(`work ${i} failed`);
            return i;
          }),
        );
        const settled = await s.waitFor(Promise.allSettled(results));

        assert.equal(overlap, false, 'two items of one key ran at once');
        // Each caller gets its own item's outcome, and a failure never blocked a later item.
        settled.forEach((r, i) => {
          if (items[i]!.fails) assert.deepEqual(r, { status: 'rejected', reason: new Error(`work ${i} failed`) });
          else assert.deepEqual(r, { status: 'fulfilled', value: i });
        });
        // Per key: start i, end i, start j, end j ... in arrival order.
        for (const key of new Set(items.map((x) => x.key))) {
          const mine = items.flatMap((x, i) => (x.key === key ? [i] : []));
          const seen = log.filter((l) => items[l.i]!.key === key);
          assert.deepEqual(
            seen,
            mine.flatMap((i) => [
              { ev: 'start', i },
              { ev: 'end', i },
            ]),
          );
        }
        // Different keys run side by side: the first item of every key starts before anything ends.
        const firstEnd = log.findIndex((l) => l.ev === 'end');
        assert.equal(firstEnd, new Set(items.map((x) => x.key)).size);
        // Finished keys are forgotten (checked before drain(), which would spin on a leaked key).
        await turn();
        assert.equal(mb.size, 0);
        await mb.drain();
      }),
      { numRuns: 200 },
    );
  });
});

describe('Mailboxes', () => {
  // A rejected item rejects only its own caller; the next item of the key still runs.
  it('a rejected work item does not block the next one', async () => {
    const mb = new Mailboxes();
    const first = mb.run('k', async () => {
      throw new Error('boom');
    });
    const second = mb.run('k', async () => 'next');
    await assert.rejects(first, /boom/);
    assert.equal(await second, 'next');
  });

  // A work function that throws synchronously (not an async function) is treated the same way.
  it('a synchronously throwing work item does not block the next one', async () => {
    const mb = new Mailboxes();
    const first = mb.run('k', () => {
      throw new Error('sync boom');
    });
    const second = mb.run('k', async () => 2);
    await assert.rejects(first, /sync boom/);
    assert.equal(await second, 2);
  });

  // While an item of key a is still running (it yields for two turns), the item of key b starts.
  // Were keys serialised, b would start only after a ended (and nothing here would hang).
  it('different keys run concurrently', async () => {
    const mb = new Mailboxes();
    const order: string[] = [];
    const a = mb.run('a', async () => {
      order.push('a start');
      await turn();
      await turn();
      order.push('a end');
    });
    const b = mb.run('b', async () => {
      order.push('b start');
    });
    await Promise.all([a, b]);
    assert.deepEqual(order, ['a start', 'b start', 'a end']);
  });

  // The second item of a key has not started while the first is still running.
  it('the next item of a key waits for the running one', async () => {
    const mb = new Mailboxes();
    const gate = deferred();
    let secondStarted = false;
    const first = mb.run('k', () => gate.promise);
    const second = mb.run('k', async () => {
      secondStarted = true;
    });
    await turn();
    assert.equal(secondStarted, false);
    assert.equal(mb.size, 1);
    gate.resolve();
    await Promise.all([first, second]);
    assert.equal(secondStarted, true);
  });

  // drain() waits for every queued item, including one queued while draining, then size is 0.
  it('drain() resolves only when all work (also work added meanwhile) has finished', async () => {
    const mb = new Mailboxes();
    await mb.drain(); // nothing queued: resolves at once
    const gates = [deferred(), deferred(), deferred()];
    const done: string[] = [];
    void mb.run('a', async () => {
      await gates[0]!.promise;
      done.push('a1');
      // Queued from inside running work, after drain() was called.
      void mb.run('c', async () => {
        await gates[2]!.promise;
        done.push('c1');
      });
    });
    void mb.run('b', async () => {
      await gates[1]!.promise;
      done.push('b1');
    });
    void mb.run('b', () => Promise.reject(new Error('ignored by drain'))).catch(() => done.push('b2'));
    let drained = false;
    const draining = mb.drain().then(() => (drained = true));
    gates[1]!.resolve();
    await turn();
    assert.equal(drained, false);
    gates[0]!.resolve();
    await turn();
    assert.equal(drained, false, 'drain() ignored work queued while draining');
    gates[2]!.resolve();
    await draining;
    assert.deepEqual(done.sort(), ['a1', 'b1', 'b2', 'c1']);
    assert.equal(mb.size, 0);
  });
});
