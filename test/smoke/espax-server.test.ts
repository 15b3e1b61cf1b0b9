// The ESPA-X server's sessions over real loopback sockets (plain TCP, and TLS with a
// self-signed certificate), driven by the client simulator (adapters/espax/espax-simulator.ts)
// and a manual timer: login, 407 before login, wrong passwords (the third closes), a wrong
// sessionID (401), a reused invokeID (450), malformed XML (601, the connection stays), an
// unknown element (602), a broken header (600, closed), heartbeat supervision (kept alive by
// beats, dropped without them), a frame split into single bytes, logout, and the server
// shutting down (CMD.SHUTDOWN). Last: every document the server sent validates against the XSD.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { EspaxAdapter } from '../../adapters/espax/espax-adapter.ts';
import { EspaxSimulator, simulatorFrame, type EspaxSimulatorOptions } from '../../adapters/espax/espax-simulator.ts';
import { FakeAlarms } from '../support/fake-alarms.ts';
import { schemaFailures } from '../support/xmllint.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';

const T0 = Date.UTC(2024, 4, 14, 8, 35, 59);
const CLIENT = 'NurseCall-Ward3';
const HEARTBEAT_TIMEOUT = 30_000;
const sims: EspaxSimulator[] = [];
const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of sims) s.drop();
  for (const stop of stops) await stop();
});

async function setup(tls?: { key: string; cert: string }) {
  const timers = new ManualTimers();
  const supervision = new Recorder<string>();
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const alarms = new FakeAlarms();
  const adapter = new EspaxAdapter({
    server: {
      port: 0,
      host: '127.0.0.1',
      session: { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT, loginTimeoutMs: 20_000 },
      ...(tls ? { tls: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' as const } } : {}),
    },
    credentials: [{ user: 'nurse3', password: 'secret12' }],
    rules: [{ alarmType: 'nurse-call' }],
    intake: alarms,
    watch: alarms,
    now: () => T0 + timers.now,
    timers,
    sink: { supervision: (e, d) => supervision.push(`${e}: ${d}`) },
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
  });
  const port = await adapter.start();
  stops.push(() => adapter.stop());
  const client = async (o: Partial<EspaxSimulatorOptions> = {}) => {
    const sim = new EspaxSimulator({
      port,
      client: CLIENT,
      user: 'nurse3',
      password: 'secret12',
      timers,
      heartbeatEveryMs: 10_000,
      now: () => T0 + timers.now,
      ...o,
    });
    sims.push(sim);
    await sim.connect();
    return sim;
  };
  return { adapter, timers, supervision, logs, alarms, client, port };
}

const code = (r: { fields: Record<string, string> }) => r.fields['RSP-CODE'];

describe('ESPA-X server: login', () => {
  it('logs in: RSP.LOGIN 200 with a sessionID of 1–32 characters and the server name', async () => {
    const { client, supervision } = await setup();
    const up = supervision.next((s) => s.startsWith('link-up'));
    const sim = await client();
    const r = await sim.login();
    assert.equal(code(r), '200');
    assert.match(r.sessionId ?? '', /^.{1,32}$/);
    assert.equal(r.fields['LI-SERVER'], 'Tocsin');
    // The header's last word carries the invokeID the answer echoes.
    assert.equal(r.headerWord, Number(r.invokeId));
    assert.match(await up, /^link-up: NurseCall-Ward3/);
  });

  it('answers a request before login with 407, then lets the client log in', async () => {
    const { client } = await setup();
    const sim = await client();
    const r = await sim.heartbeat({ sessionId: null });
    assert.equal(code(r), '407');
    assert.equal(r.fields['RSP-REASON'], 'Authentication Required');
    assert.equal(r.sessionId, undefined);
    assert.equal(code(await sim.pStart({ 'CP-TEXTMSG': 'x' }, { sessionId: null })), '407');
    assert.equal(code(await sim.login()), '200');
  });

  it('refuses a wrong password with 401 and closes after the third', async () => {
    const { client, supervision } = await setup();
    const sim = await client();
    for (let i = 1; i <= 3; i++) {
      const refused = supervision.next((s) => s.startsWith('login-refused'));
      assert.equal(code(await sim.login({ password: 'wrong123' })), '401');
      assert.match(await refused, new RegExp(`\\(${i}\\)`));
    }
    await sim.closed;
    assert.equal(sim.sessionId, undefined);
  });
});

describe('ESPA-X server: a session', () => {
  it('answers a wrong sessionID with 401 and a reused invokeID with 450', async () => {
    const { client } = await setup();
    const sim = await client();
    await sim.login();
    assert.equal(code(await sim.heartbeat({ sessionId: 'forged' })), '401');
    assert.equal(code(await sim.heartbeat({ invokeId: 77 })), '200');
    const dup = await sim.condition().then(() => sim.heartbeat({ invokeId: 77 }));
    assert.equal(code(dup), '450');
    assert.equal(dup.fields['RSP-REASON'], 'Duplicate');
  });

  it('answers malformed XML with IND.ERROR 601 and keeps the connection; an unknown element gets 602', async () => {
    const { client, logs } = await setup();
    const sim = await client();
    await sim.login();
    const from = sim.received.length;
    sim.sendXml('<ESPA-X><REQ.HEARTBEAT invokeID="5"');
    const e601 = await sim.waitFor((r) => r.name === 'IND.ERROR', from);
    assert.equal(code(e601), '601');
    assert.equal(e601.fields['RSP-REASON'], 'Not wellformed');
    sim.sendXml(sim.document('REQ.FANCY', { invokeID: 6, sessionID: sim.sessionId }));
    const e602 = await sim.waitFor((r) => r.name === 'IND.ERROR' && r !== e601, from);
    assert.equal(code(e602), '602');
    assert.equal(code(await sim.heartbeat()), '200');
    const line = logs.find((l) => /refused a document \(601\)/.test(l.msg));
    assert.equal(typeof line?.fields?.conn, 'number', 'the log line names the connection');
  });

  it('answers a broken header with IND.ERROR 600 and closes the connection', async () => {
    const { client, supervision } = await setup();
    const sim = await client();
    await sim.login();
    const down = supervision.next((s) => s.startsWith('link-down'));
    sim.sendRaw(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await sim.closed;
    const err = sim.received.find((r) => r.name === 'IND.ERROR');
    assert.equal(err && code(err), '600');
    assert.match(await down, /invalid header/);
  });

  it('reads a frame sent one byte at a time', async () => {
    const { client } = await setup();
    const sim = await client();
    await sim.login();
    const bytes = simulatorFrame(sim.document('REQ.HEARTBEAT', { invokeID: 500, sessionID: sim.sessionId }), 500);
    const rsp = sim.waitFor((r) => r.name === 'RSP.HEARTBEAT' && r.invokeId === '500');
    for (const b of bytes) sim.sendRaw(Uint8Array.of(b));
    assert.equal(code(await rsp), '200');
  });

  it('is kept alive by heartbeats, and dropped with heartbeat-missed when they stop', async () => {
    const { client, timers, supervision } = await setup();
    const sim = await client();
    await sim.login();
    sim.startHeartbeats();
    // Ten beats: each is answered before the clock moves on, so the server saw it in time.
    for (let i = 0; i < 10; i++) {
      const from = sim.received.length;
      timers.advance(10_000);
      await sim.waitFor((r) => r.name === 'RSP.HEARTBEAT', from);
    }
    assert.equal(sim.isClosed, false);
    sim.stopHeartbeats();
    const missed = supervision.next((s) => s.startsWith('heartbeat-missed'));
    timers.advance(HEARTBEAT_TIMEOUT - 1);
    // Still up one ms before: a request with a foreign sessionID is answered (401), and it is
    // no sign of life, so it does not re-arm the supervision.
    assert.equal(code(await sim.heartbeat({ sessionId: 'not-mine' })), '401');
    timers.advance(1);
    assert.match(await missed, /NurseCall-Ward3: no request for 30000 ms/);
    await sim.closed;
  });

  it('closes a connection that never logs in', async () => {
    const { client, timers } = await setup();
    const sim = await client();
    timers.advance(20_000);
    await sim.closed;
  });

  it('logs out: RSP.LOGOUT 200, then the connection closes', async () => {
    const { client, supervision } = await setup();
    const sim = await client();
    await sim.login();
    const down = supervision.next((s) => s.startsWith('link-down'));
    assert.equal(code(await sim.logout()), '200');
    await sim.closed;
    assert.match(await down, /logout \(Normal\)/);
  });

  it('sends CMD.SHUTDOWN to logged-in clients when it stops', async () => {
    const { client, adapter } = await setup();
    const sim = await client();
    await sim.login();
    await adapter.stop();
    await sim.closed;
    const cmd = sim.received.find((r) => r.name === 'CMD.SHUTDOWN');
    assert.equal(cmd?.sessionId, sim.sessionId);
    assert.equal(cmd?.fields['SD-REASON'], 'Normal');
  });
});

describe('ESPA-X server over TLS', () => {
  it('logs in and starts a process over TLS with a self-signed certificate', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
    const { client, alarms } = await setup({ key: pems.private, cert: pems.cert });
    const sim = await client({ tls: { ca: pems.cert, servername: 'localhost', rejectUnauthorized: true } });
    assert.equal(code(await sim.login()), '200');
    const r = await sim.pStart({ 'CP-PR-REF': 'tls-1', 'CP-TEXTMSG': 'over TLS' });
    assert.equal(code(r), '200');
    assert.equal(alarms.raised[0]?.text, 'over TLS');
  });

  it('refuses a plain TCP client on the TLS port (the handshake fails, nothing is read)', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
    const { port, logs } = await setup({ key: pems.private, cert: pems.cert });
    const plain = new EspaxSimulator({ port, client: CLIENT, user: 'nurse3', password: 'secret12' });
    await plain.connect();
    plain.sendXml(plain.document('REQ.HEARTBEAT', { invokeID: 1 }));
    await plain.closed;
    assert.deepEqual(plain.received, []);
    assert.ok(logs.some((l) => /TLS handshake failed/.test(l.msg)));
  });
});

describe('ESPA-X server: what it sent', () => {
  it('every document validates against test/fixtures/espax/espa-x.xsd', () => {
    const docs = sims.flatMap((s) => s.received.map((r) => r.xml));
    assert.ok(docs.length > 30, `only ${docs.length} documents`);
    assert.deepEqual(
      schemaFailures(docs).map((f) => `${f.errors}\n${f.document}`),
      [],
    );
  });
});
