// Notifications to pagers through an ESPA 4.4.4 pager system, as `tocsin start` builds it
// (TOCSIN_ESPA444_LINKS with a `control` line): a plan notifies group P, whose member is the
// device `pager-201`; Tocsin, the control station, sends the call to the pager-system simulator;
// its status reports come back: '3' paged → delivered, '6' acknowledged → the alarm is accepted.
// The simulator's delays run on a manual queue; Tocsin polls it on its own (short) interval, its
// acknowledgement and traffic timeouts at their longest so that load cannot fire them.
// Waiting is for IO only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import { pagerSystem } from '../../adapters/espa444/espa444-simulator-stations.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import { memoryStore, type TestStore } from '../support/services.ts';
import { settled } from '../support/settled.ts';

const plan = {
  id: 'page-p',
  initial: 'paging',
  states: {
    paging: {
      entry: { type: 'notify', params: { group: 'P' } },
      on: {
        RESPONSE: { guard: 'accepted', target: 'done', actions: ['recordResponse', 'withdraw'] },
        CANCEL: { target: 'done', actions: 'withdraw' },
      },
    },
    done: { type: 'final' },
  },
};

let timers: ManualTimers;
let pager: EspaStation;
let store: TestStore;
let h: Harness;

before(async () => {
  timers = new ManualTimers();
  pager = pagerSystem({
    schedule: timers.set,
    statusScript: {
      '201': [
        { status: '3', afterMs: 1_000 },
        { status: '6', afterMs: 5_000 },
      ],
    },
  });
  const { port } = await pager.start({ mode: 'server', port: 0 });
  store = await memoryStore();
  await store.store.putPlan({ id: 'page-p', version: 1 }, plan, 0);
  h = await startHarness({
    store: store.store,
    file: {
      ...testFileConfig,
      groups: { ...testFileConfig.groups, P: { members: [{ kind: 'device', id: 'pager-201' }] } },
      alarmTypes: [
        {
          id: 'page',
          name: 'Page',
          priority: 1,
          plan: { id: 'page-p', version: 1 },
          params: {},
          environment: 'default',
        },
      ],
    },
    espa: {
      espa444: [
        {
          id: 'pagers',
          role: 'control',
          connect: { host: '127.0.0.1', port },
          charset: 'latin1',
          pollIntervalMs: 20,
          // Tocsin's link timers run in real time here (the simulator's on the manual queue):
          // at their longest, so a loaded machine cannot time out an exchange the simulator
          // then waits for forever.
          ackTimeoutMs: 60_000,
          trafficTimeoutMs: 600_000,
          rules: [],
          sendsPagers: true,
        },
      ],
      espax: undefined,
    },
    // No override: the app builds its channels from the configuration (the pager line).
    devices: true,
  });
});
after(async () => {
  await h?.stop();
  await pager?.stop();
  await store?.cleanup();
});

describe('pagers over ESPA 4.4.4', () => {
  it('a notification is a call to the pager; paged → delivered, acknowledged → accepted', async () => {
    assert.equal(h.tocsin.notifier.channel, 'espa444-pagers');
    const r = await h.request('POST', '/api/v1/alarms', { type: 'page', text: 'Fire deck 5', id: 'pg-1' });
    assert.equal(r.status, 201, r.text);
    await h.advance(0);
    const call = await pager.waitForBlock((b) => b.header === '1');
    assert.deepEqual(
      call.records.filter((x) => ['1', '2', '4', '6'].includes(x.id)),
      [
        { id: '1', value: '201' },
        { id: '2', value: 'Fire deck 5' },
        { id: '4', value: '3' },
        { id: '6', value: '1' },
      ],
    );
    const status = async () =>
      (await h.request('GET', '/api/v1/alarms/pg-1')).json.recipients.find(
        (x: { recipient: string }) => x.recipient === 'device:pager-201',
      )?.status;
    timers.advance(1_000); // the pager system reports '3' paged
    await settled(async () => (await status()) === 'delivered', 'delivered');
    timers.advance(4_000); // … and '6' acknowledged by called party
    await settled(async () => (await status()) === 'accepted', 'accepted');
    assert.equal((await h.request('GET', '/api/v1/alarms/pg-1')).json.status, 'ended');
  });
});
