// The OMM simulator (adapters/dect/dect-simulator.ts) over real loopback sockets, driven by a
// raw client written here (hand-built XML strings, NUL splitting): none of the adapter's codec.
// Scripted delays run on a manual timer the test advances, so nothing sleeps. "Nothing more
// came" is shown with a Ping barrier: the link is ordered, so every frame the simulator wrote
// before PingResp arrives before it.
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { OmmSimulator, type OmmSimulatorOptions } from '../../adapters/dect/dect-simulator.ts';

/** Virtual wall clock the simulator reads (ms); 2024-05-14T08:35:59Z. */
const T0 = 1_715_675_759_000;

/** A manual timer: `schedule` collects callbacks, `advance` runs those now due, in order. */
function manualTimer() {
  let now = T0;
  let seq = 0;
  const due: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  return {
    now: () => now,
    schedule: (ms: number, fn: () => void) => {
      const t = { at: now + ms, seq: seq++, fn, cancelled: false };
      due.push(t);
      return () => {
        t.cancelled = true;
      };
    },
    pending: () => due.filter((t) => !t.cancelled).length,
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        due.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const i = due.findIndex((t) => !t.cancelled && t.at <= until);
        if (i === -1) break;
        const [t] = due.splice(i, 1);
        now = Math.max(now, t!.at);
        t!.fn();
      }
      now = until;
    },
  };
}

/** A raw OM AXI client: writes strings + NUL, splits what comes back on NUL. */
class RawClient {
  private buf = Buffer.alloc(0);
  private readonly frames: string[] = [];
  private readonly waiters: ((f: string | undefined) => void)[] = [];
  private ended = false;
  private pingSeq = 9000;
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (let at = this.buf.indexOf(0); at !== -1; at = this.buf.indexOf(0)) {
        this.deliver(this.buf.subarray(0, at).toString('utf8'));
        this.buf = this.buf.subarray(at + 1);
      }
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(undefined);
        resolve();
      }),
    );
    socket.on('error', () => {});
  }

  private deliver(f: string) {
    const w = this.waiters.shift();
    if (w) w(f);
    else this.frames.push(f);
  }

  send(xml: string) {
    this.socket.write(`${xml}\0`);
  }

  /** The next frame; rejects when the link closes first. */
  async next(): Promise<string> {
    const f = this.frames.shift();
    if (f !== undefined) return f;
    if (this.ended) throw new Error('link closed');
    const got = await new Promise<string | undefined>((resolve) => this.waiters.push(resolve));
    if (got === undefined) throw new Error('link closed');
    return got;
  }

  /** Sends a request and returns the next frame (the response, on a link with no events pending). */
  async request(xml: string): Promise<string> {
    this.send(xml);
    return this.next();
  }

  /** Every frame that arrives before the answer to a fresh Ping. */
  async drain(): Promise<string[]> {
    const seq = String(++this.pingSeq);
    this.send(`<Ping seq="${seq}" timeStamp="1"/>`);
    const out: string[] = [];
    for (;;) {
      const f = await this.next();
      if (name(f) === 'PingResp' && attr(f, 'seq') === seq) return out;
      out.push(f);
    }
  }

  async open(user = 'omm', password = 'omm') {
    const r = await this.request(`<Open seq="1" username="${user}" password="${password}"/>`);
    assert.equal(attr(r, 'errCode'), undefined, r);
  }
}

const name = (f: string) => /^<([A-Za-z]+)/.exec(f)?.[1];
const attr = (f: string, a: string) => new RegExp(`\\s${a}="([^"]*)"`).exec(f)?.[1];

const sims: OmmSimulator[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  for (const s of sims.splice(0)) await s.stop();
});

const HANDSETS = [
  { ppn: 1, number: '4711', name: 'Ward 1', user: 101, rfp: 10 },
  { ppn: 2, number: '4712', name: 'Ward 2', rfp: 11 },
];

async function setup(o: OmmSimulatorOptions = {}, tls = false) {
  const timer = manualTimer();
  const sim = new OmmSimulator({
    handsets: HANDSETS,
    rfps: [10, 11, 12, 14],
    schedule: timer.schedule,
    now: timer.now,
    ...o,
  });
  sims.push(sim);
  const { port, certificatePem } = await sim.start({ port: 0, tls });
  const client = async () => {
    const socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, ca: certificatePem, servername: 'localhost' })
      : netConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const c = new RawClient(socket);
    clients.push(c);
    return c;
  };
  return { sim, timer, client };
}

const SUB_ALL =
  '<Subscribe seq="2"><e cmd="On" eventType="MessageProgress" ppn="-1"/>' +
  '<e cmd="On" eventType="MessageConfirmation" ppn="-1"/><e cmd="On" eventType="MessageQueueEmpty" ppn="-1"/>' +
  '<e cmd="On" eventType="AlarmTrigger" trigger="*"/><e cmd="On" eventType="PPTransaction" ppn="-1"/>' +
  '<e cmd="On" eventType="MessageSend" scheme="*"/></Subscribe>';

const sendMessage = (seq: number, toAddr: string, id = 4711, confirm = ['OrderOk', 'OrderNok']) =>
  `<SendMessage seq="${seq}"><msg sendTime="1715675759" id="${id}" fromAddr="tel:9999" fromName="Alarm Server" ` +
  `toAddr="${toAddr}" priority="Emergency" content="FIRE Deck 5">` +
  confirm.map((c) => `<confirm>${c}</confirm>`).join('') +
  `</msg></SendMessage>`;

async function openAndSubscribe(c: RawClient) {
  await c.open();
  const r = await c.request(SUB_ALL);
  assert.equal(r, '<SubscribeResp seq="2"/>');
}

describe('OM AXI simulator: session', () => {
  it('answers EAuth to a wrong Open, then opens the same link with the right credentials', async () => {
    const { client } = await setup({ credentials: { username: 'axi', password: 's3cret' } });
    const c = await client();
    const bad = await c.request('<Open seq="1" username="axi" password="wrong"/>');
    assert.equal(name(bad), 'OpenResp');
    assert.equal(attr(bad, 'seq'), '1');
    assert.equal(attr(bad, 'errCode'), 'EAuth');
    assert.equal(attr(bad, 'protocolVersion'), '45');
    // Still unopened: a request is refused.
    assert.equal(attr(await c.request('<Ping seq="2" timeStamp="1"/>'), 'errCode'), 'EPerm');
    const ok = await c.request('<Open seq="3" username="axi" password="s3cret"/>');
    assert.match(
      ok,
      /^<OpenResp seq="3" ommStbState="None" protocolVersion="45" [^>]*><publicKey [^>]*\/><\/OpenResp>$/,
    );
    assert.equal(attr(ok, 'errCode'), undefined);
    // A second Open on an open session is refused.
    assert.equal(attr(await c.request('<Open seq="4" username="axi" password="s3cret"/>'), 'errCode'), 'EPerm');
  });

  it('refuses every request before Open with <Name>Resp errCode="EPerm", keeping seq', async () => {
    const { client, sim } = await setup();
    const c = await client();
    assert.equal(await c.request(SUB_ALL), '<SubscribeResp seq="2" errCode="EPerm" info="Open first"/>');
    const r = await c.request(sendMessage(7, 'tel:4711'));
    assert.equal(r, '<SendMessageResp seq="7" errCode="EPerm" info="Open first"/>');
    assert.deepEqual(sim.inbox(1), []);
  });

  it('refuses every Open while logins are refused', async () => {
    const { client, sim } = await setup();
    sim.refuseLogins(true);
    const c = await client();
    assert.equal(attr(await c.request('<Open seq="1" username="omm" password="omm"/>'), 'errCode'), 'EAuth');
    sim.refuseLogins(false);
    await c.open();
  });

  it('answers Ping with its own timeStamp (unix seconds) and the seq', async () => {
    const { client } = await setup();
    const c = await client();
    await c.open();
    assert.equal(await c.request('<Ping seq="5" timeStamp="1"/>'), '<PingResp seq="5" timeStamp="1715675759"/>');
  });

  it('refuses a scripted event type with EPerm (atomically), and 0 or 21 entries with EInval', async () => {
    const { client, sim } = await setup({ refusedEventTypes: ['AlarmTrigger'] });
    const c = await client();
    await c.open();
    const r = await c.request(SUB_ALL);
    assert.equal(attr(r, 'errCode'), 'EPerm');
    assert.equal(attr(r, 'eventType'), 'AlarmTrigger');
    assert.deepEqual(sim.links[0]!.subscriptions, []);
    assert.equal(attr(await c.request('<Subscribe seq="3"></Subscribe>'), 'errCode'), 'EInval');
    const many = '<e cmd="On" eventType="PPState" ppn="-1"/>'.repeat(21);
    assert.equal(attr(await c.request(`<Subscribe seq="4">${many}</Subscribe>`), 'errCode'), 'EInval');
  });

  it('dropLinks closes the client; the server keeps listening', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await c.open();
    sim.dropLinks();
    await c.closed;
    await (await client()).open();
  });

  it('closes a link silent for idleCloseMs (the OMM closes after 5 minutes), counted from its last frame', async () => {
    const { client, sim, timer } = await setup({ idleCloseMs: 300_000 });
    const c = await client();
    await c.open();
    timer.advance(299_999);
    assert.deepEqual(await c.drain(), []); // still up, and the Ping restarts the count
    timer.advance(299_999);
    assert.deepEqual(sim.problems, []); // the close is recorded synchronously, before the socket ends
    timer.advance(1);
    assert.deepEqual(sim.problems, ['link silent too long; closing it']);
    await c.closed;
  });

  it('works over TLS with a self-signed certificate', async () => {
    const { client, sim } = await setup({}, true);
    const c = await client();
    await openAndSubscribe(c);
    assert.equal(sim.links[0]!.tls, true);
    assert.equal(sim.pressEmergency(1).links, 1);
    assert.equal(name(await c.next()), 'EventAlarmTrigger');
  });
});

describe('OM AXI simulator: messages', () => {
  it('accept: SendMessageResp, Delivered, then OrderOk exactly after the scripted delay', async () => {
    const { client, sim, timer } = await setup();
    sim.handset(1).behaviour = { kind: 'accept', afterMs: 20_000 };
    const c = await client();
    await openAndSubscribe(c);
    c.send(sendMessage(10, 'tel:4711'));
    assert.equal(await c.next(), '<SendMessageResp seq="10"/>');
    assert.equal(
      await c.next(),
      '<EventMessageProgress sendTime="1715675759" id="4711" toAddr="tel:4711" event="Delivered"/>',
    );
    timer.advance(19_999);
    assert.deepEqual(await c.drain(), []);
    timer.advance(1);
    assert.equal(
      await c.next(),
      '<EventMessageConfirmation sendTime="1715675759" id="4711" fromAddr="tel:9999" toAddr="tel:4711" ' +
        'confTime="1715675779" confirmation="OrderOk"/>',
    );
    const [m] = sim.inbox(1);
    assert.equal(m?.msg.content, 'FIRE Deck 5');
    assert.deepEqual(m?.choices, ['OrderOk', 'OrderNok']);
    assert.equal(m?.confirmation, 'OrderOk');
  });

  it('reject: Delivered, then OrderNok', async () => {
    const { client, sim, timer } = await setup();
    sim.handset(2).behaviour = { kind: 'reject', afterMs: 5_000 };
    const c = await client();
    await openAndSubscribe(c);
    c.send(sendMessage(11, 'ppn:2'));
    assert.equal(await c.next(), '<SendMessageResp seq="11"/>');
    assert.equal(attr(await c.next(), 'event'), 'Delivered');
    timer.advance(5_000);
    const conf = await c.next();
    assert.equal(attr(conf, 'confirmation'), 'OrderNok');
    assert.equal(attr(conf, 'toAddr'), 'ppn:2');
  });

  it('no confirmation when the message does not offer the choice', async () => {
    const { client, sim, timer } = await setup();
    sim.handset(1).behaviour = { kind: 'accept', afterMs: 0 };
    const c = await client();
    await openAndSubscribe(c);
    c.send(sendMessage(12, 'tel:4711', 1, ['ReadYes']));
    assert.equal(await c.next(), '<SendMessageResp seq="12"/>');
    assert.equal(attr(await c.next(), 'event'), 'Delivered');
    timer.advance(60_000);
    assert.deepEqual(await c.drain(), []);
    assert.equal(timer.pending(), 0);
  });

  // One row per failure behaviour: the progress event that follows SendMessageResp.
  const failures = [
    { kind: 'off', event: 'TemporaryUnavailable' },
    { kind: 'busy', event: 'Busy' },
    { kind: 'out-of-range', event: 'PagingTimeout' },
    { kind: 'silent', event: 'Delivered' },
  ] as const;
  for (const { kind, event } of failures) {
    it(`${kind} → ${event}, and nothing more`, async () => {
      const { client, sim, timer } = await setup();
      sim.handset(1).behaviour = { kind };
      const c = await client();
      await openAndSubscribe(c);
      c.send(sendMessage(13, 'tel:4711'));
      assert.equal(await c.next(), '<SendMessageResp seq="13"/>');
      assert.equal(attr(await c.next(), 'event'), event);
      timer.advance(3_600_000);
      assert.deepEqual(await c.drain(), []);
    });
  }

  it('an address no handset has → WrongURI', async () => {
    const { client } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    c.send(sendMessage(14, 'tel:0000'));
    assert.equal(await c.next(), '<SendMessageResp seq="14"/>');
    assert.equal(
      await c.next(),
      '<EventMessageProgress sendTime="1715675759" id="4711" toAddr="tel:0000" event="WrongURI"/>',
    );
  });

  it('refuses a bad message: no <msg>, an id ≥ 1048576', async () => {
    const { client } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    assert.equal(
      await c.request('<SendMessage seq="15"/>'),
      '<SendMessageResp seq="15" errCode="EMissing" bad="msg"/>',
    );
    const r = await c.request(sendMessage(16, 'tel:4711', 1_048_576));
    assert.equal(r, '<SendMessageResp seq="16" errCode="EInval" bad="id"/>');
    assert.deepEqual(await c.drain(), []);
  });

  it('switchOff: Detach, then messages get TemporaryUnavailable until the handset logs on again', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    sim.switchOff(1);
    assert.equal(await c.next(), '<EventPPTransaction trType="Detach" ppn="1" rfpId="10"/>');
    c.send(sendMessage(17, 'tel:4711'));
    assert.equal(await c.next(), '<SendMessageResp seq="17"/>');
    assert.equal(attr(await c.next(), 'event'), 'TemporaryUnavailable');
    sim.moveTo(1, 12);
    assert.equal(await c.next(), '<EventPPTransaction trType="LocReg" ppn="1" rfpId="12"/>');
  });

  it('overridden: Overridden, then EventMessageQueueEmpty after the delay', async () => {
    const { client, sim, timer } = await setup();
    sim.handset(1).behaviour = { kind: 'overridden', queueEmptyAfterMs: 1_000 };
    const c = await client();
    await openAndSubscribe(c);
    c.send(sendMessage(18, 'tel:4711'));
    assert.equal(await c.next(), '<SendMessageResp seq="18"/>');
    assert.equal(attr(await c.next(), 'event'), 'Overridden');
    timer.advance(1_000);
    assert.equal(await c.next(), '<EventMessageQueueEmpty ppn="1"/>');
  });

  it('DeleteMessage: DeleteMessageResp, DeleteDelivered, and the pending confirmation never comes', async () => {
    const { client, sim, timer } = await setup();
    sim.handset(1).behaviour = { kind: 'accept', afterMs: 10_000 };
    const c = await client();
    await openAndSubscribe(c);
    c.send(sendMessage(19, 'tel:4711'));
    assert.equal(await c.next(), '<SendMessageResp seq="19"/>');
    assert.equal(attr(await c.next(), 'event'), 'Delivered');
    // The scheme must match the original's.
    const wrongScheme = await c.request('<DeleteMessage seq="20" sendTime="1715675759" id="4711" toAddr="ppn:1"/>');
    assert.equal(attr(wrongScheme, 'errCode'), 'ENoEnt');
    c.send('<DeleteMessage seq="21" sendTime="1715675759" id="4711" toAddr="tel:4711"/>');
    assert.equal(await c.next(), '<DeleteMessageResp seq="21"/>');
    assert.equal(attr(await c.next(), 'event'), 'DeleteDelivered');
    timer.advance(10_000);
    assert.deepEqual(await c.drain(), []);
    assert.equal(sim.inbox(1)[0]?.deleted, true);
  });
});

describe('OM AXI simulator: events and state', () => {
  it('sends events only to links whose subscription covers them; no scope means nothing', async () => {
    const { client, sim } = await setup();
    const all = await client();
    await openAndSubscribe(all);
    const noScope = await client();
    await noScope.open();
    assert.equal(
      await noScope.request('<Subscribe seq="2"><e cmd="On" eventType="AlarmTrigger"/></Subscribe>'),
      '<SubscribeResp seq="2"/>',
    );
    const onlyPpn2 = await client();
    await onlyPpn2.open();
    await onlyPpn2.request('<Subscribe seq="2"><e cmd="On" eventType="AlarmTrigger" ppn="2"/></Subscribe>');
    const locTriggers = await client();
    await locTriggers.open();
    await locTriggers.request('<Subscribe seq="2"><e cmd="On" eventType="AlarmTrigger" trigger="loc-*"/></Subscribe>');
    const unopened = await client();

    const sos = sim.pressEmergency(1);
    assert.equal(sos.links, 1);
    assert.equal(
      await all.next(),
      '<EventAlarmTrigger sendTime="1715675759" id="1" trigger="SOS" ppn="1" uid="101" fromAddr="tel:4711"/>',
    );
    assert.equal(sim.alarmTrigger(2, 'LOC-WARD').links, 3);
    assert.equal(attr(await onlyPpn2.next(), 'trigger'), 'LOC-WARD');
    assert.equal(attr(await locTriggers.next(), 'ppn'), '2');
    assert.equal(attr(await all.next(), 'trigger'), 'LOC-WARD');
    for (const c of [noScope, onlyPpn2, locTriggers]) assert.deepEqual(await c.drain(), []);
    assert.equal(attr(await unopened.request('<Ping seq="3"/>'), 'errCode'), 'EPerm');
    // cmd="Off" removes the entry.
    await all.request('<Subscribe seq="3"><e cmd="Off" eventType="AlarmTrigger" trigger="*"/></Subscribe>');
    assert.equal(sim.manDown(1).links, 0);
  });

  it('raises SOS, man-down and no-movement with the configured trigger ids', async () => {
    const { client, sim } = await setup({ triggers: { manDown: 'MD', noMovement: 'NM' } });
    const c = await client();
    await openAndSubscribe(c);
    sim.pressEmergency(2);
    sim.manDown(2);
    sim.noMovement(2);
    const got = [await c.next(), await c.next(), await c.next()];
    assert.deepEqual(
      got.map((f) => [name(f), attr(f, 'trigger'), attr(f, 'fromAddr'), attr(f, 'uid')]),
      [
        ['EventAlarmTrigger', 'SOS', 'tel:4712', undefined],
        ['EventAlarmTrigger', 'MD', 'tel:4712', undefined],
        ['EventAlarmTrigger', 'NM', 'tel:4712', undefined],
      ],
    );
    assert.deepEqual(
      got.map((f) => attr(f, 'id')),
      ['1', '2', '3'],
    );
  });

  it('moveTo → EventPPTransaction LocReg with the new rfpId; GetPPState and RequestPositionInfo answer', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    assert.equal(sim.moveTo(2, 14).links, 1);
    assert.equal(await c.next(), '<EventPPTransaction trType="LocReg" ppn="2" rfpId="14"/>');
    const st = await c.request('<GetPPState seq="30" ppn="2"/>');
    assert.equal(name(st), 'GetPPStateResp');
    assert.equal(attr(st, 'seq'), '30');
    assert.equal(attr(st, 'registered'), '1');
    assert.equal(attr(await c.request('<GetPPState seq="31" ppn="99"/>'), 'errCode'), 'ENoEnt');
    assert.equal(
      await c.request('<RequestPositionInfo seq="32" ppn="2"/>'),
      '<RequestPositionInfoResp seq="32" ppn="2"/>',
    );
    assert.equal(await c.next(), '<EventPositionInfo ppn="2"><vis id="14" rssiAvg="-55"/></EventPositionInfo>');
    assert.throws(() => sim.moveTo(2, 99), /no simulated RFP 99/);
  });

  it('escapes attribute values: & < > " \' and CR, LF, TAB as references', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    sim.sendText(1, `A&B <x> "q" 'a'\r\n\tend`, 'Tel:8378');
    const f = await c.next();
    assert.equal(attr(f, 'content'), 'A&amp;B &lt;x&gt; &quot;q&quot; &apos;a&apos;&#13;&#10;&#9;end');
    assert.match(
      f,
      /^<EventMessageSend><msg [^>]*ppn="1" fromAddr="tel:4711" toAddr="Tel:8378" [^>]*\/><\/EventMessageSend>$/,
    );
  });
});

describe('OM AXI simulator: framing', () => {
  it('reads a frame split across writes (inside a UTF-8 character) and two frames in one write', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await c.open();
    const bytes = Buffer.from('<Ping seq="7" timeStamp="1" note="Grüße"/>\0', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of "ü"
    c.socket.write(bytes.subarray(0, cut));
    // A round trip on another link, begun after the first part was written, lets the simulator
    // read that part alone (the second part is not written yet).
    const other = await client();
    await other.open();
    assert.deepEqual(
      sim.links[0]!.received.map((e) => e.name),
      ['Open'],
    );
    c.socket.write(bytes.subarray(cut));
    assert.equal(await c.next(), '<PingResp seq="7" timeStamp="1715675759"/>');
    assert.equal(sim.links[0]!.received[1]?.attrs.note, 'Grüße');

    c.socket.write('<Ping seq="8"/>\0<Ping seq="9"/>\0');
    assert.deepEqual([attr(await c.next(), 'seq'), attr(await c.next(), 'seq')], ['8', '9']);
  });

  it('decodes entities and character references in what it reads', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    c.send(
      '<SendMessage seq="3"><msg id="1" sendTime="1" toAddr="tel:4711" content="a&amp;b&lt;&#10;&#x41;&apos;"><confirm>OrderOk</confirm></msg></SendMessage>',
    );
    assert.equal(await c.next(), '<SendMessageResp seq="3"/>');
    assert.equal(sim.inbox(1)[0]?.msg.content, "a&b<\nA'");
  });

  it('answers nothing to frames it cannot read and goes on with the next', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await c.open();
    const bad = [
      '<Ping seq="2">', // not closed
      '<Ping seq="3"/><Ping seq="4"/>', // two elements in one frame
      '<?xml version="1.0"?><Ping seq="5"/>', // a declaration
      '<!DOCTYPE x [<!ENTITY e "boom">]><Ping seq="6" a="&e;"/>',
      '<Ping seq="7" a="&e;"/>', // an undefined entity
      '<Ping seq="8"><!-- a comment --></Ping>',
      '<Ping seq="9"><![CDATA[x]]></Ping>',
      'hello',
    ];
    for (const b of bad) c.send(b);
    c.socket.write(Buffer.from([0x3c, 0x50, 0xff, 0x2f, 0x3e, 0x00])); // not UTF-8
    assert.deepEqual(await c.drain(), []);
    assert.equal(sim.links[0]!.badFrames.length, bad.length + 1);
  });

  it('closes a link that sends more than maxFrameBytes without a NUL', async () => {
    const { client, sim } = await setup({ maxFrameBytes: 64 });
    const c = await client();
    await c.open();
    c.socket.write(`<Ping seq="2" pad="${'x'.repeat(100)}"`);
    await c.closed;
    assert.equal(sim.links[0]!.closed, true);
  });
});

after(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

describe('OM AXI simulator: provisioning, handset state and position', () => {
  const SUB_CNF =
    '<Subscribe seq="3"><e cmd="On" eventType="PPDevCnf" ppn="-1"/><e cmd="On" eventType="PPUserCnf" uid="-1"/>' +
    '<e cmd="On" eventType="PPState" ppn="-1"/></Subscribe>';

  it('subscribing PPDevCnf/PPUserCnf sends every handset’s device and user; assignUser sends the change', async () => {
    const { client, sim } = await setup({
      handsets: [{ ...HANDSETS[0]!, language: 'German', type: '632d' }, HANDSETS[1]!],
    });
    const c = await client();
    await openAndSubscribe(c);
    assert.equal(await c.request(SUB_CNF), '<SubscribeResp seq="3"/>');
    assert.deepEqual(await c.drain(), [
      '<EventPPDevCnf><pp ppn="1" uid="101" relType="Dynamic" hwType="632d"/></EventPPDevCnf>',
      '<EventPPUserCnf><user uid="101" ppn="1" relType="Dynamic" name="Ward 1" num="4711" lang="German"/></EventPPUserCnf>',
      // ppn 2 has no user: its device only
      '<EventPPDevCnf><pp ppn="2"/></EventPPDevCnf>',
    ]);
    // Another subscription (not of these types) does not send them again.
    assert.equal(await c.request(SUB_ALL.replace('seq="2"', 'seq="4"')), '<SubscribeResp seq="4"/>');
    assert.deepEqual(await c.drain(), []);

    const sent = sim.assignUser(1, { uid: 102, number: '4799', name: 'Relief', language: 'English' });
    assert.deepEqual(
      sent.map((s) => s.links),
      [1, 1, 1],
    );
    assert.deepEqual(await c.drain(), [
      '<EventPPUserCnf><user uid="101" ppn="0" relType="Unbound"/></EventPPUserCnf>',
      '<EventPPUserCnf><user uid="102" ppn="1" relType="Dynamic" name="Relief" num="4799" lang="English"/></EventPPUserCnf>',
      '<EventPPDevCnf><pp ppn="1" uid="102" relType="Dynamic" hwType="632d"/></EventPPDevCnf>',
    ]);
    // The new user's number reaches the handset.
    c.send(sendMessage(20, 'tel:4799', 1, []));
    assert.equal(await c.next(), '<SendMessageResp seq="20"/>');
    assert.equal(attr(await c.next(), 'event'), 'Delivered');
  });

  it('setCharger and setBattery send EventPPState, only to PPState subscribers', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    assert.equal(sim.setCharger(1, true).links, 0, 'SUB_ALL has no PPState');
    assert.equal(await c.request(SUB_CNF), '<SubscribeResp seq="3"/>');
    await c.drain();
    assert.equal(sim.setCharger(1, true).links, 1);
    sim.setBattery(1, 40);
    sim.setCharger(1, false);
    assert.deepEqual(await c.drain(), [
      '<EventPPState ppn="1" isInCharger="1"/>',
      '<EventPPState ppn="1" batteryLevel="40"/>',
      '<EventPPState ppn="1" isInCharger="0"/>',
    ]);
  });

  it('outOfRange: PPNotFound, then messages get PagingTimeout and no base station is visible, until moveTo', async () => {
    const { client, sim } = await setup();
    const c = await client();
    await openAndSubscribe(c);
    sim.setVisible(2, [
      { rfp: 11, rssiAvg: -70 },
      { rfp: 12, rssiAvg: -48 },
    ]);
    assert.equal(
      await c.request('<RequestPositionInfo seq="40" ppn="2"/>'),
      '<RequestPositionInfoResp seq="40" ppn="2"/>',
    );
    assert.equal(
      await c.next(),
      '<EventPositionInfo ppn="2"><vis id="11" rssiAvg="-70"/><vis id="12" rssiAvg="-48"/></EventPositionInfo>',
    );
    assert.equal(sim.outOfRange(2).links, 1);
    assert.equal(await c.next(), '<EventPPTransaction trType="PPNotFound" ppn="2" rfpId="11"/>');
    c.send(sendMessage(41, 'tel:4712'));
    assert.equal(await c.next(), '<SendMessageResp seq="41"/>');
    assert.equal(attr(await c.next(), 'event'), 'PagingTimeout');
    assert.equal(
      await c.request('<RequestPositionInfo seq="42" ppn="2"/>'),
      '<RequestPositionInfoResp seq="42" ppn="2"/>',
    );
    assert.equal(await c.next(), '<EventPositionInfo ppn="2"/>');
    sim.moveTo(2, 12);
    assert.equal(await c.next(), '<EventPPTransaction trType="LocReg" ppn="2" rfpId="12"/>');
    c.send(sendMessage(43, 'tel:4712', 4712, []));
    assert.equal(await c.next(), '<SendMessageResp seq="43"/>');
    assert.equal(attr(await c.next(), 'event'), 'Delivered');
  });
});
