// The ESPA 4.4.4 link machine (adapters/espa444/espa444-link.ts), table-tested for both roles:
// each row is a sequence of inputs from the initial state, the phase it must end in, and the
// outputs of its last step (writes shown as hex, timers by name). L1, L2 and L3 of
// protocols.md §2.5 are rows of their own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBlock, type EspaBlock } from '../../adapters/espa444/espa444-codec.ts';
import { linkStep } from '../../adapters/espa444/espa444-link.ts';
import {
  INITIAL_LINK,
  linkConfig,
  type LinkInput,
  type LinkOutput,
  type LinkState,
  type Phase,
  type Role,
} from '../../adapters/espa444/espa444-link-types.ts';
import type { Token } from '../../adapters/espa444/espa444-scanner.ts';

const E2 = encodeBlock({
  header: '1',
  records: [
    { id: '1', value: '1234' },
    { id: '2', value: 'Fire alarm deck 5' },
    { id: '3', value: '1' },
    { id: '4', value: '3' },
    { id: '5', value: '1' },
    { id: '6', value: '1' },
  ],
});
const BLOCK: EspaBlock = { header: '1', kind: 'call', records: [{ type: 'address', id: '1', value: '1234' }] };

const tok = (token: Token): LinkInput => ({ type: 'token', token });
const eot = tok({ type: 'eot' });
const enq = (address: string) => tok({ type: 'enq', address });
const ack = tok({ type: 'ack' });
const nak = (prefix?: string) => tok(prefix ? { type: 'nak', prefix } : { type: 'nak' });
const block = tok({ type: 'block', block: BLOCK, raw: new Uint8Array(), warnings: [] });
const badBlock = tok({ type: 'bad-block', reason: 'bcc mismatch', raw: new Uint8Array() });
const invalidBlock = tok({ type: 'invalid-block', reason: 'no STX', raw: new Uint8Array() });
const connected: LinkInput = { type: 'connected' };
const timer = (t: 'poll' | 'reply' | 'traffic'): LinkInput => ({ type: 'timer', timer: t });
const enqueue = (id = 1): LinkInput => ({ type: 'enqueue', id, bytes: E2 });
const decide = (decision: 'accepted' | 'busy' | 'invalid', rx = 1): LinkInput => ({ type: 'decision', rx, decision });

/** Outputs in a compact, comparable form. */
function show(o: LinkOutput): string {
  switch (o.kind) {
    case 'write':
      return `write ${o.what === 'block' ? 'block' : Buffer.from(o.bytes).toString('hex')}`;
    case 'set-timer':
      return `set ${o.timer} ${o.ms}`;
    case 'clear-timer':
      return `clear ${o.timer}`;
    case 'received':
      return `received ${o.rx}`;
    case 'sent':
      return `sent ${o.id}`;
    case 'send-failed':
      return `failed ${o.id}`;
    case 'supervision':
      return `supervision ${o.event}`;
    case 'log':
      return 'log';
  }
}

function run(role: Role, inputs: readonly LinkInput[]) {
  const c = linkConfig(role);
  let state: LinkState = INITIAL_LINK;
  let last: readonly LinkOutput[] = [];
  for (const i of inputs) {
    const step = linkStep(state, i, c);
    state = step.state;
    last = step.outputs;
  }
  return { state, last: last.filter((o) => o.kind !== 'log').map(show) };
}

interface Row {
  readonly name: string;
  readonly role: Role;
  readonly inputs: readonly LinkInput[];
  readonly phase: Phase;
  readonly outputs: readonly string[];
}

// Control station up: connected, polled, the pager answered EOT.
const cUp = [connected, eot];
// Control station with a block out: selected, ACKed, block written.
const cSending = [...cUp, enqueue(), ack];
// Paging station receiving after a select.
const pReceiving = [connected, enq('2')];

const ROWS: readonly Row[] = [
  // Control: a connect polls the peer at once, under the reply timer and the traffic watch.
  {
    name: 'control: connected → poll EOT 2 ENQ',
    role: 'control',
    inputs: [connected],
    phase: 'polling',
    outputs: ['set traffic 10000', 'write 043205', 'set reply 3000'],
  },
  // L1: the peer has nothing: EOT; link-up, the next poll after the interval.
  {
    name: 'L1 control: poll answered EOT → idle, poll again in 2 s',
    role: 'control',
    inputs: cUp,
    phase: 'idle',
    outputs: ['set traffic 10000', 'supervision link-up', 'clear reply', 'set poll 2000'],
  },
  // The poll timer polls again.
  {
    name: 'control: poll timer → poll',
    role: 'control',
    inputs: [...cUp, timer('poll')],
    phase: 'polling',
    outputs: ['write 043205', 'set reply 3000'],
  },
  // No answer to a poll: back to idle, poll again later.
  {
    name: 'control: no answer to a poll',
    role: 'control',
    inputs: [...cUp, timer('poll'), timer('reply')],
    phase: 'idle',
    outputs: ['clear reply', 'set poll 2000'],
  },
  // L2: a block queued while idle: self-poll and select at once.
  {
    name: 'L2 control: block queued → EOT 1 ENQ 2 ENQ',
    role: 'control',
    inputs: [...cUp, enqueue()],
    phase: 'selecting',
    outputs: ['clear poll', 'write 0431053205', 'set reply 3000'],
  },
  {
    name: 'L2 control: select ACKed → the block',
    role: 'control',
    inputs: cSending,
    phase: 'sending',
    outputs: ['set traffic 10000', 'clear reply', 'write block', 'set reply 3000'],
  },
  {
    name: 'L2 control: block ACKed → sent, EOT, idle',
    role: 'control',
    inputs: [...cSending, ack],
    phase: 'idle',
    outputs: ['set traffic 10000', 'clear reply', 'sent 1', 'write 04', 'clear reply', 'set poll 2000'],
  },
  // Two blocks queued go in one transaction.
  {
    name: 'control: a second queued block follows in the same transfer',
    role: 'control',
    inputs: [...cUp, enqueue(1), enqueue(2), ack, ack],
    phase: 'sending',
    outputs: ['set traffic 10000', 'clear reply', 'sent 1', 'write block', 'set reply 3000'],
  },
  // L3 seen from the sender: '1'NAK → the block again.
  {
    name: 'control: 1NAK → resend',
    role: 'control',
    inputs: [...cSending, nak('1')],
    phase: 'sending',
    outputs: ['set traffic 10000', 'clear reply', 'write block', 'set reply 3000'],
  },
  // No ACK in time → resend.
  {
    name: 'control: ACK timeout → resend',
    role: 'control',
    inputs: [...cSending, timer('reply')],
    phase: 'sending',
    outputs: ['write block', 'set reply 3000'],
  },
  // Three NAKs in a row: repeated-naks supervision.
  {
    name: 'control: the third NAK in a row is a supervision event',
    role: 'control',
    inputs: [...cSending, nak('2'), nak('2'), nak('2')],
    phase: 'sending',
    outputs: ['set traffic 10000', 'supervision repeated-naks', 'clear reply', 'write block', 'set reply 3000'],
  },
  // The fourth failure (1 + 3 retries) gives the block up: failed, EOT.
  {
    name: 'control: retries exhausted → failed, EOT, idle',
    role: 'control',
    inputs: [...cSending, nak(), nak(), nak(), nak()],
    phase: 'idle',
    outputs: ['set traffic 10000', 'clear reply', 'failed 1', 'write 04', 'clear reply', 'set poll 2000'],
  },
  // A refused select counts as a try; the control station selects again at once.
  {
    name: 'control: select refused with NAK → EOT, select again',
    role: 'control',
    inputs: [...cUp, enqueue(), nak()],
    phase: 'selecting',
    outputs: ['set traffic 10000', 'write 04', 'clear reply', 'clear poll', 'write 0431053205', 'set reply 3000'],
  },
  // The peer answers our poll with a select: we ACK and receive.
  {
    name: 'control: polled peer selects us (1 ENQ) → ACK',
    role: 'control',
    inputs: [connected, enq('1')],
    phase: 'receiving',
    outputs: ['set traffic 10000', 'supervision link-up', 'clear reply', 'write 06'],
  },
  {
    name: 'control: a received block goes up, no ACK yet',
    role: 'control',
    inputs: [connected, enq('1'), block],
    phase: 'deciding',
    outputs: ['set traffic 10000', 'received 1'],
  },
  {
    name: 'control: accepted → ACK',
    role: 'control',
    inputs: [connected, enq('1'), block, decide('accepted')],
    phase: 'receiving',
    outputs: ['write 06'],
  },
  {
    name: 'control: peer EOT after its blocks → idle, poll later',
    role: 'control',
    inputs: [connected, enq('1'), block, decide('accepted'), eot],
    phase: 'idle',
    outputs: ['set traffic 10000', 'clear reply', 'set poll 2000'],
  },
  // The traffic timeout while receiving: EOT to regain control, link-down.
  {
    name: 'control: traffic timeout while receiving → EOT, idle, link-down',
    role: 'control',
    inputs: [connected, enq('1'), timer('traffic')],
    phase: 'idle',
    outputs: ['clear reply', 'write 04', 'set poll 2000', 'supervision link-down'],
  },
  // Paging: L1 from the paging side.
  {
    name: 'L1 paging: polled with nothing to send → EOT',
    role: 'paging',
    inputs: [connected, eot, enq('2')],
    phase: 'idle',
    outputs: ['set traffic 10000', 'write 04'],
  },
  // Paging: polled with a block queued → select the control station.
  {
    name: 'paging: polled with a block → 1 ENQ',
    role: 'paging',
    inputs: [connected, enqueue(), eot, enq('2')],
    phase: 'selecting',
    outputs: ['set traffic 10000', 'write 3105', 'set reply 3000'],
  },
  {
    name: 'paging: select ACKed → block, ACKed → sent, EOT',
    role: 'paging',
    inputs: [connected, enqueue(), eot, enq('2'), ack, ack],
    phase: 'idle',
    outputs: ['set traffic 10000', 'clear reply', 'sent 1', 'write 04', 'clear reply'],
  },
  // L2 from the paging side: the control station polls itself and selects us.
  {
    name: 'L2 paging: EOT 1 ENQ 2 ENQ → ACK',
    role: 'paging',
    inputs: [connected, eot, enq('1'), enq('2')],
    phase: 'receiving',
    outputs: ['set traffic 10000', 'write 06'],
  },
  {
    name: 'L2 paging: the block goes up; ACK only after accepted',
    role: 'paging',
    inputs: [...pReceiving, block],
    phase: 'deciding',
    outputs: ['set traffic 10000', 'received 1'],
  },
  {
    name: 'paging: accepted → ACK',
    role: 'paging',
    inputs: [...pReceiving, block, decide('accepted')],
    phase: 'receiving',
    outputs: ['write 06'],
  },
  // The store is down: busy → '2'NAK.
  {
    name: 'paging: busy → 2NAK',
    role: 'paging',
    inputs: [...pReceiving, block, decide('busy')],
    phase: 'receiving',
    outputs: ['write 3215'],
  },
  // Unknown header, unmapped call: invalid → '3'NAK.
  {
    name: 'paging: invalid → 3NAK',
    role: 'paging',
    inputs: [...pReceiving, block, decide('invalid')],
    phase: 'receiving',
    outputs: ['write 3315'],
  },
  // L3: a BCC error → '1'NAK.
  {
    name: 'L3 paging: bad BCC → 1NAK',
    role: 'paging',
    inputs: [...pReceiving, badBlock],
    phase: 'receiving',
    outputs: ['set traffic 10000', 'write 3115'],
  },
  // A block whose BCC is right but which cannot be read → '3'NAK.
  {
    name: 'paging: unreadable block → 3NAK',
    role: 'paging',
    inputs: [...pReceiving, invalidBlock],
    phase: 'receiving',
    outputs: ['set traffic 10000', 'write 3315'],
  },
  // A stale decision (for an earlier block) does nothing.
  {
    name: 'paging: a decision for another rx is ignored',
    role: 'paging',
    inputs: [...pReceiving, block, decide('accepted', 7)],
    phase: 'deciding',
    outputs: [],
  },
  // A block while the last one is still being recorded: no answer (the verdict answers).
  {
    name: 'paging: a resend while deciding is not answered',
    role: 'paging',
    inputs: [...pReceiving, block, block],
    phase: 'deciding',
    outputs: ['set traffic 10000'],
  },
  // EOT while deciding: the late verdict is not ACKed.
  {
    name: 'paging: EOT while deciding, then accepted → nothing written',
    role: 'paging',
    inputs: [...pReceiving, block, eot, decide('accepted')],
    phase: 'idle',
    outputs: [],
  },
  // A block without a select is still taken (an alarm must not be lost).
  {
    name: 'paging: a block without select → received',
    role: 'paging',
    inputs: [connected, block],
    phase: 'deciding',
    outputs: ['set traffic 10000', 'supervision link-up', 'received 1'],
  },
  // A poll of another station is no select of us.
  {
    name: 'paging: EOT 3 ENQ is for someone else',
    role: 'paging',
    inputs: [connected, eot, enq('3')],
    phase: 'idle',
    outputs: ['set traffic 10000'],
  },
  // Traffic timeout in the middle of a transfer: back to idle, link-down.
  {
    name: 'paging: traffic timeout → idle, link-down',
    role: 'paging',
    inputs: [...pReceiving, timer('traffic')],
    phase: 'idle',
    outputs: ['clear reply', 'supervision link-down'],
  },
  // A block queued after a silence fails at once.
  {
    name: 'paging: enqueue after link-down → failed',
    role: 'paging',
    inputs: [connected, timer('traffic'), enqueue(5)],
    phase: 'idle',
    outputs: ['failed 5'],
  },
  // Queued blocks fail when the connection is lost; link-down once.
  {
    name: 'paging: disconnected with a block queued → failed, link-down',
    role: 'paging',
    inputs: [connected, eot, enqueue(3), { type: 'disconnected', reason: 'reset' }],
    phase: 'offline',
    outputs: ['clear poll', 'clear reply', 'clear traffic', 'supervision link-down', 'failed 3'],
  },
  // A second disconnect (a failed reconnect) reports nothing new.
  {
    name: 'control: a failed reconnect reports link-down only once',
    role: 'control',
    inputs: [connected, { type: 'disconnected', reason: 'reset' }, { type: 'disconnected', reason: 'refused' }],
    phase: 'offline',
    outputs: [],
  },
  // Offline: a send fails at once.
  {
    name: 'control: enqueue while offline → failed',
    role: 'control',
    inputs: [enqueue(9)],
    phase: 'offline',
    outputs: ['failed 9'],
  },
];

describe('the ESPA 4.4.4 link machine: table', () => {
  for (const row of ROWS)
    it(row.name, () => {
      const r = run(row.role, row.inputs);
      assert.equal(r.state.phase, row.phase);
      assert.deepEqual(r.last, row.outputs);
    });

  it('L3 end to end on the paging side: the corrupted E2 is NAKed 1, the resend ACKed after accepted', () => {
    const c = linkConfig('paging');
    let s: LinkState = INITIAL_LINK;
    const writes: string[] = [];
    const feed = (i: LinkInput) => {
      const step = linkStep(s, i, c);
      s = step.state;
      for (const o of step.outputs) if (o.kind === 'write') writes.push(Buffer.from(o.bytes).toString('hex'));
      return step.outputs;
    };
    [connected, eot, enq('1'), enq('2'), badBlock].forEach(feed);
    const out = feed(block);
    const rx = out.find((o) => o.kind === 'received');
    assert.ok(rx && rx.kind === 'received');
    feed(decide('accepted', rx.rx));
    feed(eot);
    assert.deepEqual(writes, ['06', '3115', '06']);
  });

  it('addresses, timeouts and retries are configurable', () => {
    const c = linkConfig('control', { ownAddress: '5', peerAddress: '7', pollIntervalMs: 500, retries: 0 });
    let s = linkStep(INITIAL_LINK, connected, c).state;
    s = linkStep(s, eot, c).state;
    const sel = linkStep(s, enqueue(), c);
    assert.ok(sel.outputs.some((o) => show(o) === 'write 0435053705'));
    let t = linkStep(sel.state, ack, c).state;
    const failed = linkStep(t, nak(), c);
    assert.ok(
      failed.outputs.some((o) => show(o) === 'failed 1'),
      'no retries: the first NAK fails it',
    );
    t = failed.state;
    assert.equal(t.phase, 'idle');
  });
});
