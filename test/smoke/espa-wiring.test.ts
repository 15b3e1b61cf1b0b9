// The ESPA interfaces as `tocsin start` builds them (src/app/devices.ts, espa-wiring.ts), end to
// end with the DECT channel: a nurse call over ESPA 4.4.4 raises an alarm, alice's handset
// (OMM simulator) gets it and accepts, and "acknowledged by called party" goes back to the
// nurse-call system; a reset cancels. An ESPA-X client's P-START becomes an alarm whose
// progress comes back as P-EVENT per participant and P-ENDED; P-STOP cancels and withdraws the
// handset's message. Every document the ESPA-X server sent validates against the XSD.
//
// The simulators' timers run on one manual queue (the nurse-call station's polls, the
// handset's answer); the app's own timers are real but not needed. Waiting is for IO only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import type { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import { nurseCallStation } from '../../adapters/espa444/espa444-simulator-stations.ts';
import { EspaxSimulator } from '../../adapters/espax/espax-simulator.ts';
import { startDectSim } from '../support/dect-sim.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';
import { nursePolls, nurseStatuses } from '../support/nurse-call-polls.ts';
import { settled } from '../support/settled.ts';
import { schemaFailures } from '../support/xmllint.ts';

const POLL_MS = 2_000;
let timers: ManualTimers;
let omm: OmmSimulator;
let nurse: EspaStation;
let armed: Recorder<number>;
let espax: EspaxSimulator;
let h: Harness;

const { pollUntil } = nursePolls(POLL_MS, () => ({ timers, armed, settle: () => h.advance(0) }));
const statuses = (address: string) => nurseStatuses(nurse, address);

before(async () => {
  timers = new ManualTimers();
  armed = new Recorder<number>();
  const o = await startDectSim({
    handsets: [{ ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'accept', afterMs: 5_000 } }],
    rfps: [10],
    schedule: timers.set,
  });
  omm = o.sim;
  nurse = nurseCallStation({
    pollIntervalMs: POLL_MS,
    schedule: (ms, fn) => {
      armed.push(ms);
      return timers.set(ms, fn);
    },
  });
  const { port: nursePort } = await nurse.start({ mode: 'server', port: 0 });
  h = await startHarness({
    dect: o.dect,
    espa: {
      espa444: [
        {
          id: 'ward3',
          role: 'paging',
          connect: { host: '127.0.0.1', port: nursePort },
          charset: 'latin1',
          rules: [{ address: '2*', alarmType: 'generic' }],
          sendsPagers: false,
        },
      ],
      espax: {
        host: '127.0.0.1',
        port: 0,
        tls: false,
        clients: [{ client: 'NurseCall-Ward3', user: 'nurse3', password: 'secret12' }],
        rules: [{ signal: 'Emergency', alarmType: 'fast' }, { alarmType: 'generic' }],
        heartbeatTimeoutMs: undefined,
      },
    },
  });
  await (h.tocsin.notifier as DectAdapter).whenUp();
  const u = await h.request('POST', '/api/v1/users', {
    loginName: 'alice',
    displayName: 'Alice',
    phone: '4711',
    userGroup: 'operator',
    environments: ['default'],
    password: 'alice-Passphrase-77',
  });
  assert.equal(u.status, 201, u.text);
  await settled(() => nurse.connected, 'Tocsin dialled the nurse-call system');
  espax = new EspaxSimulator({
    port: h.tocsin.devices.espaxPort()!,
    client: 'NurseCall-Ward3',
    user: 'nurse3',
    password: 'secret12',
    now: () => Date.UTC(2026, 10, 26, 8),
  });
  await espax.connect();
});
after(async () => {
  await espax?.end().catch(() => {});
  await h?.stop();
  await nurse?.stop();
  await omm?.stop();
});

/** The alarm raised by a device of an ESPA interface (its id, type and status). */
const alarmFrom = async (device: string) => {
  const a = (await h.tocsin.store.listAlarms({ limit: 200 })).find((x) => x.facts.source.device === device);
  return a && { id: a.facts.id, type: a.facts.type, status: a.status };
};

describe('a nurse call over ESPA 4.4.4', () => {
  it('raises an alarm, reaches alice’s handset, and her accept goes back as acknowledged by called party', async () => {
    const call = nurse.call('201', 'Room 201 bed 2');
    await pollUntil(async () => (await Promise.race([call, Promise.resolve(undefined)])) !== undefined, 'the ACK');
    assert.deepEqual(await call, { ok: true, answers: ['ack'] });
    const alarm = await alarmFrom('ward3/201');
    assert.ok(alarm, 'the alarm is recorded before the call was ACKed');
    assert.equal(alarm.type, 'generic');
    await h.advance(0);
    await settled(() => omm.inbox(1).some((m) => m.msg.content === 'Room 201 bed 2'), 'alice’s handset has it');
    await pollUntil(() => statuses('201').includes('6'), 'acknowledged by called party');
    assert.deepEqual(statuses('201'), ['2', '3', '6']);
    const after = (await h.request('GET', `/api/v1/alarms/${alarm.id}`)).json;
    assert.equal(after.status, 'ended');
    const protocol = (await h.request('GET', `/api/v1/alarms/${alarm.id}/protocol`)).json;
    assert.deepEqual(protocol.entries[0].actor, { kind: 'device', id: 'espa444:ward3/201' });
  });

  it('a reset (call type 1) cancels the alarm of that address and withdraws its messages', async () => {
    const call = nurse.call('202', 'Room 202');
    await pollUntil(async () => (await Promise.race([call, Promise.resolve(undefined)])) !== undefined, 'the ACK');
    await h.advance(0);
    await settled(() => omm.inbox(1).some((m) => m.msg.content === 'Room 202'), 'the handset has it');
    const reset = nurse.reset('202');
    await pollUntil(async () => (await Promise.race([reset, Promise.resolve(undefined)])) !== undefined, 'reset ACK');
    const alarm = (await alarmFrom('ward3/202'))!;
    assert.equal((await h.request('GET', `/api/v1/alarms/${alarm.id}`)).json.status, 'ended');
    await h.advance(0);
    await settled(() => omm.inbox(1).find((m) => m.msg.content === 'Room 202')?.deleted === true, 'withdrawn');
    await pollUntil(() => statuses('202').includes('5'), 'call terminated');
    assert.ok(!statuses('202').includes('6'));
  });
});

describe('an ESPA-X client', () => {
  it('logs in; its P-START becomes an alarm; P-EVENT Accepted for alice and P-ENDED come back', async () => {
    const login = await espax.login();
    assert.equal(login.fields['RSP-CODE'], '200');
    const from = espax.received.length;
    const rsp = await espax.pStart({
      'CP-PR-REF': 'w3-r12-bed2-0001',
      'CP-CALLINGNO': '3122',
      'CP-TEXTMSG': 'Patient call Room 12 Bed 2',
      'CP-SIGNAL': 'Urgent',
      'CP-WARD': 'Ward 3',
      'CP-BED': '12-2',
      'CP-PR-DETAILS': 'All',
    });
    assert.equal(rsp.fields['RSP-CODE'], '200');
    const tan = rsp.fields['SP-PR-TAN'];
    assert.match(tan ?? '', /^[1-9][0-9]*$/);
    await h.advance(0);
    await settled(() => omm.inbox(1).some((m) => m.msg.content === 'Patient call Room 12 Bed 2'), 'handset');
    timers.advance(5_000); // alice accepts on her handset
    const accepted = await espax.waitFor(
      (r) => r.name === 'IND.P-EVENT' && r.fields['SS-RESULT'] === 'Accepted' && r.fields['SP-PR-TAN'] === tan,
      from,
    );
    assert.equal(accepted.fields['SS-NETW-NO'], '4711');
    assert.equal(accepted.fields['SS-NETW-NAME'], 'Alice');
    const ended = await espax.waitFor((r) => r.name === 'IND.P-ENDED' && r.fields['SP-PR-TAN'] === tan, from);
    assert.equal(ended.fields['SP-ENDREASON'], 'Finished');
    assert.equal(ended.fields['SP-RESULT'], 'Positive');
    assert.ok(espax.received.slice(from).some((r) => r.name === 'IND.P-STARTED'));
  });

  it('P-STOP cancels the alarm and withdraws the handset’s message; P-ENDED says the client ended it', async () => {
    const from = espax.received.length;
    const rsp = await espax.pStart({
      'CP-PR-REF': 'w3-r14-0002',
      'CP-TEXTMSG': 'Room 14 call',
      'CP-SIGNAL': 'Emergency',
    });
    assert.equal(rsp.fields['RSP-CODE'], '200');
    const tan = rsp.fields['SP-PR-TAN'];
    await h.advance(0);
    await settled(() => omm.inbox(1).some((m) => m.msg.content === 'Room 14 call'), 'handset');
    const alarm = await alarmFrom('NurseCall-Ward3/w3-r14-0002');
    assert.equal(alarm?.type, 'fast', 'CP-SIGNAL Emergency maps to the fast alarm type');
    const stop = await espax.pStop({ tan: tan! });
    assert.equal(stop.fields['RSP-CODE'], '200');
    await h.advance(0);
    await settled(() => omm.inbox(1).find((m) => m.msg.content === 'Room 14 call')?.deleted === true, 'withdrawn');
    const ended = await espax.waitFor((r) => r.name === 'IND.P-ENDED' && r.fields['SP-PR-TAN'] === tan, from);
    assert.equal(ended.fields['SP-ENDREASON'], 'Client');
    assert.equal((await espax.pStop({ tan: tan! })).fields['RSP-CODE'], '404');
  });

  it('every document the server sent is valid against the ESPA-X schema', () => {
    const docs = espax.received.map((r) => r.xml);
    assert.ok(docs.length >= 8);
    assert.deepEqual(schemaFailures(docs), []);
  });
});
