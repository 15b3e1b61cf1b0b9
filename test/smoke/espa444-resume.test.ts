// @requires: postgres
// ESPA 4.4.4 calls raised before a restart are followed again, in the whole app (src/app/
// devices.ts, espa-wiring.ts, the runtime's AlarmIntake and the store's AlarmWatch): a nurse
// call raises an alarm; after "restart interfaces" (Devices.restartLinks) and after a process
// restart (a new app on the same PostgreSQL schema) a cancellation still goes back to the
// nurse-call system as '5' call terminated, once.
//
// The nurse-call station (a control station, TCP server) runs its polls on a manual queue;
// the app dials it. Waiting is for IO only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import { nurseCallStation } from '../../adapters/espa444/espa444-simulator-stations.ts';
import type { EspaConfig } from '../../src/app/espa-config.ts';
import type { KyselyAlarmStore } from '../../src/store/kysely-store.ts';
import { createPostgresStore } from '../../src/store/pg-store.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';
import { freshPgStore, pgUrl, type TestStore } from '../support/services.ts';
import { nursePolls, nurseStatuses } from '../support/nurse-call-polls.ts';
import { settled } from '../support/settled.ts';

const POLL_MS = 2_000;
let timers: ManualTimers;
let nurse: EspaStation;
let armed: Recorder<number>;
let shared: TestStore;
/** The second app's own connection to the shared schema (the first one's closes with it). */
let again: KyselyAlarmStore | undefined;
let h: Harness;
let espa: EspaConfig;

const { pollUntil, polls } = nursePolls(POLL_MS, () => ({ timers, armed, settle: () => h.advance(0) }));
const statuses = (address: string) => nurseStatuses(nurse, address);

/** A nurse call to `address`, ACKed; resolves with its alarm id once '2' (in queue) went back. */
async function raised(address: string): Promise<string> {
  const call = nurse.call(address, `Room ${address}`);
  await pollUntil(async () => (await Promise.race([call, Promise.resolve(undefined)])) !== undefined, 'the ACK');
  assert.deepEqual(await call, { ok: true, answers: ['ack'] });
  await pollUntil(() => statuses(address).includes('2'), 'in queue');
  const a = (await h.tocsin.store.listAlarms({ limit: 200 })).find((x) => x.facts.source.device === `ward4/${address}`);
  assert.ok(a, 'the alarm is recorded');
  return a.facts.id;
}

/** Resolves once the app dialled the nurse-call system again, the link is up and the calls raised before are followed. */
async function relinked(): Promise<void> {
  await settled(() => nurse.connected, 'Tocsin dialled the nurse-call system again');
  const [adapter] = h.tocsin.devices.espa444;
  await pollUntil(() => adapter!.transport.up, 'link-up');
  await adapter!.whenResumed();
}

/**
 * Cancels the alarm and waits until its status is queued for the nurse-call system: the store's
 * announcement comes over another connection (NOTIFY), and polls alone could outrun it.
 */
async function cancelled(id: string): Promise<void> {
  const r = await h.request('POST', `/api/v1/alarms/${id}/cancel`, { by: 'admin', reason: 'test' });
  assert.equal(r.status, 202, r.text);
  const [adapter] = h.tocsin.devices.espa444;
  await settled(() => adapter!.transport.queued > 0, 'the status is queued for the nurse-call system');
}

before(async () => {
  timers = new ManualTimers();
  armed = new Recorder<number>();
  nurse = nurseCallStation({
    pollIntervalMs: POLL_MS,
    schedule: (ms, fn) => {
      armed.push(ms);
      return timers.set(ms, fn);
    },
  });
  const { port } = await nurse.start({ mode: 'server', port: 0 });
  espa = {
    espa444: [
      {
        id: 'ward4',
        role: 'paging',
        connect: { host: '127.0.0.1', port },
        charset: 'latin1',
        rules: [{ address: '2*', alarmType: 'generic' }],
        sendsPagers: false,
      },
    ],
    espax: undefined,
  };
  shared = await freshPgStore();
  h = await startHarness({ store: shared.store, espa });
  await relinked();
});
after(async () => {
  await h?.stop();
  await nurse?.stop();
  await again?.close().catch(() => {});
  await shared?.cleanup();
});

describe('ESPA 4.4.4 calls raised before a restart', () => {
  it('after "restart interfaces" a cancellation goes back as call terminated, once', async () => {
    const id = await raised('201');
    await h.tocsin.devices.restartLinks();
    await relinked();
    await cancelled(id);
    await pollUntil(() => statuses('201').includes('5'), 'call terminated');
    await polls(2);
    assert.deepEqual(statuses('201'), ['2', '5']);
  });

  it('after a process restart (a new app on the same schema) a cancellation goes back, once', async () => {
    const id = await raised('202');
    const clock = h.clock;
    await h.stop();
    again = createPostgresStore({ url: pgUrl(), schema: shared.schema!, max: 5 });
    h = await startHarness({ store: again, espa, clock });
    await relinked();
    await cancelled(id);
    await pollUntil(() => statuses('202').includes('5'), 'call terminated');
    await polls(2);
    assert.deepEqual(statuses('202'), ['2', '5']);
  });
});
