// The ESPA 4.4.4 transport (adapters/espa444/espa444-transport.ts) over real loopback TCP:
// as TCP client toward a port where nothing listens it reports link-down once and retries
// after 1, 2, 4 … s up to the 60 s cap; once a nurse-call simulator listens there it
// connects, answers the simulator's polls (link-up) and takes its call — the paging role as
// TCP client — and after a drop the back-off starts again at 1 s. Timers on a manual clock;
// the test awaits socket events, never a sleep.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { Espa444Transport } from '../../adapters/espa444/espa444-transport.ts';
import { nurseCallStation } from '../../adapters/espa444/espa444-simulator-stations.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A port on 127.0.0.1 where nothing listens (for now). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('ESPA 4.4.4 transport as TCP client', { timeout: 30_000 }, () => {
  it('backs off 1 s → 60 s while nothing listens, then connects, takes a call, and starts again at 1 s', async () => {
    const timers = new ManualTimers();
    const port = await freePort();
    const events = new Recorder<string>();
    const blocks: string[] = [];
    const t = new Espa444Transport({
      linkId: 'panel',
      role: 'paging',
      tcp: { mode: 'client', host: '127.0.0.1', port },
      timers,
      onBlock: async (b) => {
        blocks.push(b.records.map((r) => `${r.id}=${r.value}`).join(' '));
        return 'accepted';
      },
      onSupervision: (e) => events.push(e),
      log: (_level, msg) => events.push(msg),
    });
    cleanups.push(() => t.stop());
    const retrying = () => events.next((m) => /reconnecting in/.test(m));
    let next = retrying();
    const down = events.next((e) => e === 'link-down');
    await t.start();
    await down;
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const msg = await next;
      const pending = timers.pending();
      assert.deepEqual(pending, [Number(/in (\d+) ms/.exec(msg)![1])], 'one reconnect timer, as logged');
      delays.push(pending[0]!);
      next = retrying();
      timers.advance(pending[0]!);
    }
    await next;
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000]);
    assert.deepEqual(timers.pending(), [60_000], 'capped at 60 s');
    assert.equal(events.seen.filter((e) => e === 'link-down').length, 1, 'link-down once per outage');

    // A nurse-call system starts listening on that port.
    const sim = nurseCallStation({ schedule: timers.set });
    await sim.start({ mode: 'server', port });
    cleanups.push(() => sim.stop());
    const up = events.next((e) => e === 'link-up');
    const connected = sim.waitFor((e) => e.dir === 'conn');
    timers.advance(60_000);
    await connected;
    timers.advance(2_000); // the simulator's first poll
    await up;
    assert.deepEqual(await sim.call('310', 'Bath 3'), { ok: true, answers: ['ack'] });
    assert.deepEqual(blocks, ['1=310 2=Bath 3 3=1 4=3 5=1 6=3']);

    // A drop after the link was up: the back-off starts again at 1 s.
    const again = retrying();
    sim.drop();
    assert.equal(await again, 'ESPA 4.4.4 panel: reconnecting in 1000 ms');
    assert.equal(events.seen.filter((e) => e === 'link-down').length, 2);
  });
});
