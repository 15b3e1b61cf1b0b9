// The ESPA-X interface end to end over real loopback TCP: the adapter (adapters/espax) against
// the client simulator (espax-simulator.ts, which shares no code with the server), with the
// alarms in memory (test/support/fake-alarms.ts) driven by the test and timers that
// only move when the test advances them. Covers: RSP.P-START only after raise resolved, the
// mapping to an alarm, P-STARTED / P-STATUS / P-EVENT (once per participant and result) /
// P-ENDED, CP-PR-DETAILS, a resent P-START, 450 on other content, P-STOP and P-GETSTAT, a store
// that is down (503, nothing half-done) or an alarm type that does not exist (404), indications
// after a reconnect, and P-STOP by TAN after a restart. Last: every document the server sent
// validates against the XSD.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { EspaxAdapter, type EspaxAdapterOptions } from '../../adapters/espax/espax-adapter.ts';
import { alarmIdOf } from '../../adapters/espax/espax-mapping.ts';
import { EspaxSimulator, type Received } from '../../adapters/espax/espax-simulator.ts';
import { FakeAlarms } from '../support/fake-alarms.ts';
import { schemaFailures } from '../support/xmllint.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';

const T0 = Date.UTC(2024, 4, 14, 8, 35, 59);
const CLIENT = 'NurseCall-Ward3';
/** Every simulator of this file: their documents are validated at the end. */
const sims: EspaxSimulator[] = [];
const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of sims) s.drop();
  for (const stop of stops) await stop();
});

const VECTOR_CALL = {
  'CP-PR-REF': 'w3-r12-bed2-0001',
  'CP-GROUPID': '1002',
  'CP-CALLINGNO': '3122',
  'CP-CALLINGNAME': 'Room 12',
  'CP-TEXTMSG': 'Patient call Room 12 Bed 2',
  'CP-SIGNAL': 'Urgent',
  'CP-WARD': 'Ward 3',
  'CP-BED': '12-2',
  'CP-PRIO': 'High',
  'CP-PR-DETAILS': 'All',
};

async function setup(alarms = new FakeAlarms(), over: Partial<EspaxAdapterOptions> = {}) {
  const timers = new ManualTimers();
  const supervision = new Recorder<string>();
  const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
  let tans = [2033246342, 1111, 2222, 3333, 4444];
  const adapter = new EspaxAdapter({
    server: { port: 0, host: '127.0.0.1' },
    credentials: [{ client: CLIENT, user: 'nurse3', password: 'secret12' }],
    rules: [
      { groupId: '1002', signal: 'Urgent', alarmType: 'nurse-urgent' },
      { groupId: '9*', alarmType: 'ghost-type' },
      { groupId: '1*', alarmType: 'nurse-call' },
    ],
    intake: alarms,
    watch: alarms,
    now: () => T0 + timers.now,
    timers,
    newTan: () => {
      const [t, ...rest] = tans;
      tans = rest;
      return t ?? 5555;
    },
    sink: { supervision: (e, d) => supervision.push(`${e}: ${d}`) },
    log: (_level, msg, fields) => logs.push({ msg, fields }),
    ...over,
  });
  const port = await adapter.start();
  stops.push(() => adapter.stop());
  const connect = async () => {
    const sim = new EspaxSimulator({ port, client: CLIENT, user: 'nurse3', password: 'secret12', timers });
    sims.push(sim);
    await sim.connect();
    const r = await sim.login();
    assert.equal(r.fields['RSP-CODE'], '200');
    return sim;
  };
  return { alarms, adapter, timers, supervision, logs, connect, sim: await connect() };
}

const named = (name: string) => (r: Received) => r.name === name;
/** A round trip: everything the server sent before its answer has arrived. */
const barrier = (sim: EspaxSimulator) => sim.heartbeat();
const count = (sim: EspaxSimulator, name: string, result?: string) =>
  sim.received.filter((r) => r.name === name && (result === undefined || r.fields['SS-RESULT'] === result)).length;

describe('ESPA-X adapter: a call from start to end', () => {
  it('answers P-START only once the alarm is recorded, then reports it to the end', async () => {
    const { alarms, sim } = await setup();
    alarms.hold();
    const from = sim.received.length;
    const rsp = sim.pStart(VECTOR_CALL);
    await barrier(sim);
    // raise was called but has not resolved: no RSP.P-START yet.
    assert.equal(alarms.raised.length, 1);
    assert.equal(count(sim, 'RSP.P-START'), 0);
    alarms.release();
    const r = await rsp;
    assert.equal(r.fields['RSP-CODE'], '200');
    assert.equal(r.fields['SP-PR-TAN'], '2033246342');
    assert.equal(r.fields['CP-PR-REF'], 'w3-r12-bed2-0001');
    const id = alarmIdOf(CLIENT, 2033246342);
    assert.deepEqual(alarms.raised[0], {
      id,
      alarmType: 'nurse-urgent',
      text: 'Patient call Room 12 Bed 2',
      location: 'Ward 3 / 12-2',
      source: { adapter: 'espax', device: `${CLIENT}/w3-r12-bed2-0001` },
    });
    const started = await sim.waitFor(named('IND.P-STARTED'), from);
    assert.equal(started.fields['SP-PR-TAN'], '2033246342');
    assert.equal(started.fields['SP-STATUS'], 'Active');
    assert.ok(sim.received.indexOf(started) > sim.received.indexOf(r), 'P-STARTED after RSP.P-START');
    await sim.waitFor(named('IND.P-STATUS'), from);

    alarms.participant(id, 'anna', 'delivered', { number: '4711', name: 'Nurse Anna' });
    alarms.participant(id, 'ben', 'failed', { number: '+49 4712', name: 'Nurse Ben' });
    alarms.participant(id, 'anna', 'read', { number: '4711', name: 'Nurse Anna' });
    alarms.participant(id, 'anna', 'accepted', { number: '4711', name: 'Nurse Anna' });
    alarms.participant(id, 'anna', 'accepted', { number: '4711', name: 'Nurse Anna' });
    alarms.update(id, { state: '"accepted"', ended: true, endReason: 'accepted' });
    const ended = await sim.waitFor(named('IND.P-ENDED'), from);
    assert.equal(ended.fields['SP-ENDREASON'], 'Finished');
    assert.equal(ended.fields['SP-RESULT'], 'Positive');
    // One P-EVENT per participant and result, never twice (read after delivered is still Reached).
    assert.equal(count(sim, 'IND.P-EVENT', 'Reached'), 1);
    assert.equal(count(sim, 'IND.P-EVENT', 'Accepted'), 1);
    const notReached = sim.received.filter((x) => x.fields['SS-RESULT'] === 'Not reached');
    assert.equal(notReached.length, 1);
    assert.equal(notReached[0]!.fields['SS-NETW-NO'], '494712');
    const accepted = sim.received.find((x) => x.fields['SS-RESULT'] === 'Accepted')!;
    assert.deepEqual(
      { no: accepted.fields['SS-NETW-NO'], name: accepted.fields['SS-NETW-NAME'], st: accepted.fields['SS-STATUS'] },
      { no: '4711', name: 'Nurse Anna', st: 'Completed' },
    );
    // Nothing after the end: another change is not reported.
    await barrier(sim);
    const n = sim.received.length;
    assert.equal(count(sim, 'IND.P-ENDED'), 1);
    await barrier(sim);
    assert.equal(sim.received.length, n + 1);
  });

  it('gives a resent P-START the same TAN and raises once; other content under the reference → 450', async () => {
    const { alarms, sim } = await setup();
    const a = await sim.pStart(VECTOR_CALL);
    const b = await sim.pStart(VECTOR_CALL);
    assert.equal(b.fields['RSP-CODE'], '200');
    assert.equal(b.fields['SP-PR-TAN'], a.fields['SP-PR-TAN']);
    assert.equal(alarms.raised.length, 1);
    const c = await sim.pStart({ ...VECTOR_CALL, 'CP-TEXTMSG': 'another call' });
    assert.equal(c.fields['RSP-CODE'], '450');
    assert.equal(alarms.raised.length, 1);
  });

  it('maps through the first matching rule and answers 404 when none matches', async () => {
    const { alarms, sim } = await setup();
    await sim.pStart({ 'CP-GROUPID': '1777', 'CP-TEXTMSG': 'x' });
    assert.equal(alarms.raised.at(-1)?.alarmType, 'nurse-call');
    // Without a reference the device is <client>/<TAN>.
    assert.equal(alarms.raised.at(-1)?.source.device, `${CLIENT}/2033246342`);
    const r = await sim.pStart({ 'CP-GROUPID': '2000' });
    assert.equal(r.fields['RSP-CODE'], '404');
    assert.equal(alarms.raised.length, 1);
  });

  it('honours CP-PR-DETAILS: Results sends P-EVENT and P-ENDED only; No sends nothing', async () => {
    const { alarms, sim } = await setup();
    const from = sim.received.length;
    const r = await sim.pStart({ 'CP-PR-REF': 'res', 'CP-GROUPID': '1', 'CP-PR-DETAILS': 'Results' });
    const q = await sim.pStart({ 'CP-PR-REF': 'none', 'CP-GROUPID': '1', 'CP-PR-DETAILS': 'No' });
    for (const rsp of [r, q]) {
      const id = alarmIdOf(CLIENT, Number(rsp.fields['SP-PR-TAN']));
      alarms.participant(id, 'anna', 'accepted', { number: '4711' });
      alarms.update(id, { ended: true, endReason: 'other' });
    }
    await sim.waitFor((x) => x.name === 'IND.P-ENDED' && x.fields['CP-PR-REF'] === 'res', from);
    await barrier(sim);
    const ind = sim.received.slice(from).filter((x) => x.name.startsWith('IND.'));
    assert.deepEqual(
      ind.map((x) => `${x.name} ${x.fields['CP-PR-REF'] ?? ''}`),
      ['IND.P-EVENT res', 'IND.P-ENDED res'],
    );
    assert.equal(ind[1]!.fields['SP-RESULT'], 'Negative');
  });
});

describe('ESPA-X adapter: stopping and asking', () => {
  it('P-STOP by TAN cancels: 200, then P-ENDED with reason Client; unknown TAN → 404', async () => {
    const { alarms, sim } = await setup();
    const from = sim.received.length;
    const tan = (await sim.pStart(VECTOR_CALL)).fields['SP-PR-TAN']!;
    const stop = await sim.pStop({ tan, mask: 'Active' });
    assert.equal(stop.fields['RSP-CODE'], '200');
    assert.deepEqual(alarms.cancels.at(-1)?.alarmId, alarmIdOf(CLIENT, Number(tan)));
    const ended = await sim.waitFor(named('IND.P-ENDED'), from);
    assert.equal(ended.fields['SP-ENDREASON'], 'Client');
    assert.equal((await sim.pStop({ tan })).fields['RSP-CODE'], '404');
    assert.equal((await sim.pStop({ tan: '99' })).fields['RSP-CODE'], '404');
    assert.equal((await sim.pStop({ tan: 'abc' })).fields['RSP-CODE'], '404');
  });

  it('P-STOP by reference; a mask without Active → 404; neither reference nor TAN → 400', async () => {
    const { alarms, sim } = await setup();
    await sim.pStart(VECTOR_CALL);
    assert.equal((await sim.pStop({ ref: 'w3-r12-bed2-0001', mask: 'Queued' })).fields['RSP-CODE'], '404');
    assert.equal((await sim.pStop({})).fields['RSP-CODE'], '400');
    assert.equal((await sim.pStop({ ref: 'w3-r12-bed2-0001' })).fields['RSP-CODE'], '200');
    assert.equal(alarms.cancels.length, 1);
  });

  it('an operator cancelling the alarm ends it with reason Operator', async () => {
    const { alarms, sim } = await setup();
    const from = sim.received.length;
    const tan = Number((await sim.pStart(VECTOR_CALL)).fields['SP-PR-TAN']);
    await alarms.cancel(alarmIdOf(CLIENT, tan), 'board', 'operator');
    assert.equal((await sim.waitFor(named('IND.P-ENDED'), from)).fields['SP-ENDREASON'], 'Operator');
  });

  it('P-GETSTAT answers 200 and an IND.P-STATUS with SP-GETSTAT; unknown → 404', async () => {
    const { sim } = await setup();
    const tan = (await sim.pStart(VECTOR_CALL)).fields['SP-PR-TAN']!;
    const from = sim.received.length;
    assert.equal((await sim.getstat({ tan })).fields['RSP-CODE'], '200');
    const st = await sim.waitFor((x) => x.name === 'IND.P-STATUS' && x.fields['SP-GETSTAT'] === 'true', from);
    assert.equal(st.fields['SP-PR-TAN'], tan);
    assert.equal((await sim.getstat({ ref: 'nope' })).fields['RSP-CODE'], '404');
  });

  it('S-CONDITION says OK, and Problem detected when the health check fails', async () => {
    let healthy = true;
    const { sim } = await setup(new FakeAlarms(), { healthy: () => healthy });
    assert.equal((await sim.condition()).fields['S-HEALTH'], 'OK');
    healthy = false;
    assert.equal((await sim.condition()).fields['S-HEALTH'], 'Problem detected');
  });
});

describe('ESPA-X adapter: failures', () => {
  it('a store that is down: 503, no process, no indication; sent again later it starts', async () => {
    const { alarms, sim, logs } = await setup();
    alarms.down = true;
    const from = sim.received.length;
    const r = await sim.pStart({ ...VECTOR_CALL, 'CP-PR-REF': undefined });
    assert.equal(r.fields['RSP-CODE'], '503');
    assert.equal(r.fields['SP-PR-TAN'], undefined);
    assert.equal(alarms.alarms.size, 0);
    // With a reference, the lookup of a running process fails first: 503 too.
    assert.equal((await sim.pStart(VECTOR_CALL)).fields['RSP-CODE'], '503');
    assert.equal((await sim.pStop({ tan: 1111 })).fields['RSP-CODE'], '503');
    await barrier(sim);
    assert.deepEqual(
      sim.received.slice(from).filter((x) => x.name.startsWith('IND.')),
      [],
    );
    assert.ok(logs.some((l) => /store is unavailable|refused/.test(l.msg) && l.fields?.client === CLIENT));
    alarms.down = false;
    const again = await sim.pStart(VECTOR_CALL);
    assert.equal(again.fields['RSP-CODE'], '200');
    assert.equal(alarms.alarms.size, 1);
  });

  it('an alarm type that does not exist: 404', async () => {
    const { alarms, sim } = await setup();
    alarms.unknownTypes.add('ghost-type');
    assert.equal((await sim.pStart({ 'CP-GROUPID': '9' })).fields['RSP-CODE'], '404');
    assert.equal(alarms.alarms.size, 0);
  });

  it('a TAN whose alarm id is taken is replaced by another (raise said created: false)', async () => {
    const { alarms, sim } = await setup();
    await alarms.raise({ id: alarmIdOf(CLIENT, 2033246342), alarmType: 'old', source: { adapter: 'espax' } });
    alarms.update(alarmIdOf(CLIENT, 2033246342), { ended: true });
    const r = await sim.pStart(VECTOR_CALL);
    assert.equal(r.fields['SP-PR-TAN'], '1111');
  });
});

describe('ESPA-X adapter: reconnects and restarts', () => {
  it('sends what happened while the client was away when it logs in again', async () => {
    const { alarms, sim, connect, supervision } = await setup();
    const tan = Number((await sim.pStart(VECTOR_CALL)).fields['SP-PR-TAN']);
    await sim.waitFor(named('IND.P-STATUS'));
    // Wait until the server has seen the connection go (else it writes into the dying socket).
    const down = supervision.next((s) => s.startsWith('link-down'));
    sim.drop();
    await down;
    const id = alarmIdOf(CLIENT, tan);
    alarms.participant(id, 'anna', 'accepted', { number: '4711' });
    alarms.update(id, { ended: true, endReason: 'accepted' });
    const again = await connect();
    const ended = await again.waitFor(named('IND.P-ENDED'));
    assert.equal(ended.sessionId, again.sessionId);
    assert.equal(count(again, 'IND.P-EVENT', 'Accepted'), 1);
  });

  it('after a restart: a resent P-START finds its TAN, and P-STOP by TAN works', async () => {
    const alarms = new FakeAlarms();
    const first = await setup(alarms);
    const tan = (await first.sim.pStart(VECTOR_CALL)).fields['SP-PR-TAN']!;
    const other = (await first.sim.pStart({ 'CP-GROUPID': '1', 'CP-PR-REF': 'other' })).fields['SP-PR-TAN']!;
    await first.adapter.stop();
    const second = await setup(alarms);
    const again = await second.sim.pStart(VECTOR_CALL);
    assert.equal(again.fields['SP-PR-TAN'], tan);
    assert.equal(alarms.raised.length, 2);
    assert.equal((await second.sim.pStop({ tan: other })).fields['RSP-CODE'], '200');
    assert.ok(alarms.alarms.get(alarmIdOf(CLIENT, Number(other)))!.progress.ended);
  });

  it('another client cannot stop a process by its TAN', async () => {
    const alarms = new FakeAlarms();
    const { sim, adapter } = await setup(alarms, {
      credentials: [
        { client: CLIENT, user: 'nurse3', password: 'secret12' },
        { client: 'Fire-Panel', user: 'fire', password: 'fire1234' },
      ],
    });
    const tan = (await sim.pStart(VECTOR_CALL)).fields['SP-PR-TAN']!;
    const port = (adapter.server as unknown as { server: { address(): { port: number } } }).server.address().port;
    const fire = new EspaxSimulator({ port, client: 'Fire-Panel', user: 'fire', password: 'fire1234' });
    sims.push(fire);
    await fire.connect();
    assert.equal((await fire.login()).fields['RSP-CODE'], '200');
    assert.equal((await fire.pStop({ tan })).fields['RSP-CODE'], '404');
    assert.equal(alarms.alarms.get(alarmIdOf(CLIENT, Number(tan)))!.progress.ended, false);
  });
});

describe('ESPA-X adapter: what the server sent', () => {
  it('every document validates against test/fixtures/espax/espa-x.xsd', () => {
    const docs = sims.flatMap((s) => s.received.map((r) => r.xml));
    assert.ok(docs.length > 50, `only ${docs.length} documents`);
    const failures = schemaFailures(docs);
    assert.deepEqual(
      failures.map((f) => `${f.errors}\n${f.document}`),
      [],
    );
  });
});
