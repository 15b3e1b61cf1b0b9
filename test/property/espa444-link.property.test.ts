// Properties of the ESPA 4.4.4 link machine (adapters/espa444/espa444-link.ts) under random
// input sequences, for both roles: connects and disconnects, every kind of token, timer
// expiries, blocks queued, and verdicts with right and wrong rx. Checked after every step:
// linkStep never throws; an ACK is written only to answer a select (an ENQ with our address)
// or an 'accepted' verdict for a block that was handed up and not yet answered — never for a
// block that was not accepted; each handed-up block is answered at most once; each queued
// block ends at most once (sent or failed, never both) and only if it was queued; nothing is
// written while offline; the outbox holds only queued, unfinished blocks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { EspaBlock } from '../../adapters/espa444/espa444-codec.ts';
import { linkStep } from '../../adapters/espa444/espa444-link.ts';
import {
  INITIAL_LINK,
  linkConfig,
  type LinkInput,
  type LinkState,
  type Role,
} from '../../adapters/espa444/espa444-link-types.ts';
import type { Token } from '../../adapters/espa444/espa444-scanner.ts';

const BLOCK: EspaBlock = { header: '1', kind: 'call', records: [] };
const raw = new Uint8Array([1, 2, 3]);

const token: fc.Arbitrary<Token> = fc.oneof(
  fc.constant({ type: 'eot' } as const),
  fc.constantFrom('1', '2', '3').map((address) => ({ type: 'enq', address }) as const),
  fc.constant({ type: 'ack' } as const),
  fc
    .constantFrom(undefined, '1', '2', '3')
    .map((prefix) => (prefix ? { type: 'nak', prefix } : { type: 'nak' }) as Token),
  fc.constant({ type: 'block', block: BLOCK, raw, warnings: [] } as const),
  fc.constant({ type: 'bad-block', reason: 'bcc', raw } as const),
  fc.constant({ type: 'invalid-block', reason: 'no STX', raw } as const),
  fc.constant({ type: 'overflow', bytes: 99 } as const),
  fc.constant({ type: 'garbage', sample: raw, count: 3 } as const),
);

const input: fc.Arbitrary<LinkInput> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ type: 'connected' } as const) },
  { weight: 1, arbitrary: fc.constant({ type: 'disconnected', reason: 'reset' } as const) },
  { weight: 8, arbitrary: token.map((t) => ({ type: 'token', token: t }) as const) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('poll', 'reply', 'traffic').map((timer) => ({ type: 'timer', timer }) as const),
  },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 50 }).map((id) => ({ type: 'enqueue', id, bytes: raw }) as const) },
  {
    weight: 3,
    arbitrary: fc
      .record({ rx: fc.integer({ min: 0, max: 12 }), decision: fc.constantFrom('accepted', 'busy', 'invalid') })
      .map((d) => ({ type: 'decision', ...d }) as const),
  },
);

function check(role: Role, inputs: readonly LinkInput[]): void {
  const c = linkConfig(role, { repeatedNaks: 2, retries: 2 });
  let s: LinkState = INITIAL_LINK;
  const queued = new Set<number>();
  const ended = new Set<number>();
  /** rx handed up and not yet answered. */
  const open = new Set<number>();
  for (const i of inputs) {
    const before = s;
    const step = linkStep(s, i, c);
    s = step.state;
    for (const o of step.outputs) {
      if (o.kind === 'write') {
        assert.notEqual(before.phase === 'offline' && i.type !== 'connected', true, 'a write while offline');
        const hex = Buffer.from(o.bytes).toString('hex');
        if (hex === '06') {
          const select = i.type === 'token' && i.token.type === 'enq' && i.token.address === c.ownAddress;
          const accepted = i.type === 'decision' && i.decision === 'accepted' && open.has(i.rx);
          assert.ok(select || accepted, `an ACK on ${JSON.stringify(i)} in ${before.phase}`);
        }
        if (i.type === 'decision' && (hex === '06' || hex.endsWith('15'))) {
          assert.ok(open.has(i.rx), `a verdict answered for rx ${i.rx} that is not open`);
          open.delete(i.rx);
        }
      }
      if (o.kind === 'received') open.add(o.rx);
      if (o.kind === 'sent' || o.kind === 'send-failed') {
        assert.ok(queued.has(o.id) || (i.type === 'enqueue' && i.id === o.id), `block ${o.id} ended but never queued`);
        assert.ok(!ended.has(o.id), `block ${o.id} ended twice`);
        ended.add(o.id);
      }
    }
    // A verdict that came too late (the phase moved on) closes nothing, but is never answered later.
    if (s.phase !== 'deciding') open.clear();
    if (i.type === 'enqueue' && !ended.has(i.id)) queued.add(i.id);
    for (const b of s.outbox) assert.ok(queued.has(b.id) && !ended.has(b.id), `outbox holds ${b.id}`);
    if (s.phase === 'offline') assert.equal(s.outbox.length, 0);
  }
}

describe('ESPA 4.4.4 link machine properties', () => {
  for (const role of ['control', 'paging'] as const)
    it(`${role}: random inputs never crash, never ACK an unaccepted block, end each block once`, () => {
      fc.assert(
        fc.property(
          // Unique enqueue ids: the transport never reuses one.
          fc.array(input, { maxLength: 80 }).map((xs) => {
            let n = 0;
            return xs.map((x) => (x.type === 'enqueue' ? { ...x, id: ++n } : x));
          }),
          (inputs) => check(role, inputs),
        ),
        { numRuns: 1500 },
      );
    });
});
