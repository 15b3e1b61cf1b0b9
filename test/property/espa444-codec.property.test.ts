// Properties of the ESPA 4.4.4 codec and scanner (adapters/espa444/espa444-codec.ts,
// espa444-scanner.ts): random byte streams in random chunks never make the scanner throw and
// never let its buffer grow past maxBlockBytes (plus a digit and a garbage sample); every block encoded from random records in
// each charset scans back to the same records, whatever the chunking and whatever garbage
// precedes it; and a valid block with any single byte changed, fed to a paging station that
// was selected (espa444-link.ts), is answered '1'NAK and never ACKed or handed up — except a
// change that makes a different framing: the ETX byte itself, a new ETX or EOT, or a change
// that happens to leave a block with a right BCC (found by a reference check written here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeBlock, type Charset, type OutBlock } from '../../adapters/espa444/espa444-codec.ts';
import { linkStep } from '../../adapters/espa444/espa444-link.ts';
import { INITIAL_LINK, linkConfig, type LinkInput } from '../../adapters/espa444/espa444-link-types.ts';
import { Espa444Scanner } from '../../adapters/espa444/espa444-scanner.ts';

/** Splits `bytes` at the given cut points. */
function chunks(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

const charOf = (charset: Charset): fc.Arbitrary<string> => {
  switch (charset) {
    case 'ia5':
      return fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
    case 'latin1':
      return fc
        .integer({ min: 0x20, max: 0xff })
        .filter((c) => c !== 0x7f)
        .map((c) => String.fromCharCode(c));
    case 'utf8':
      return fc
        .oneof(fc.integer({ min: 0x20, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
        .filter((c) => c !== 0x7f)
        .map((c) => String.fromCodePoint(c));
  }
};

const blockOf = (charset: Charset): fc.Arbitrary<OutBlock> =>
  fc.record({
    header: fc.constantFrom('1', '2', '3', '4', '5'),
    records: fc.array(
      fc.oneof(
        fc.record({ id: fc.constant('1'), value: fc.stringMatching(/^[0-9]{1,16}$/) }),
        fc.record({
          id: fc.constant('2'),
          value: fc.array(charOf(charset), { maxLength: 128 }).map((a) => a.join('')),
        }),
        fc.record({
          id: fc.stringMatching(/^[0-9]{1,2}$/).filter((id) => id !== '1' && id !== '2'),
          value: fc.array(charOf(charset), { maxLength: 20 }).map((a) => a.join('')),
        }),
      ),
      { minLength: 1, maxLength: 8 },
    ),
  });

/** Whether some SOH … ETX BCC in `bytes` has a right BCC (an independent reference check). */
function hasValidFrame(bytes: Uint8Array): boolean {
  for (let s = 0; s < bytes.length; s++) {
    if (bytes[s] !== 0x01) continue;
    let x = 0;
    for (let e = s + 1; e < bytes.length - 1; e++) {
      x ^= bytes[e]!;
      if (bytes[e] === 0x03 && x === bytes[e + 1]) return true;
    }
  }
  return false;
}

describe('ESPA 4.4.4 codec properties', () => {
  it('random bytes in random chunks: no throw, the buffer stays bounded', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 8, max: 64 }),
        (bytes, cuts, maxBlockBytes) => {
          const s = new Espa444Scanner({ maxBlockBytes });
          for (const c of chunks(bytes, cuts)) {
            s.push(c);
            // A partial block, a pending digit and a 32-byte sample of skipped garbage at most.
            assert.ok(s.buffered <= maxBlockBytes + 1 + 32, `buffered ${s.buffered}`);
          }
          s.reset();
          assert.equal(s.buffered, 0);
        },
      ),
      { numRuns: 500 },
    );
  });

  for (const charset of ['ia5', 'latin1', 'utf8'] as const)
    it(`${charset}: encode → scan round-trips random records, after garbage, in any chunking`, () => {
      fc.assert(
        fc.property(
          blockOf(charset),
          fc.uint8Array({ maxLength: 30 }).map((g) => g.map((b) => (b === 0x01 || b === 0x03 ? 0x41 : b))),
          fc.array(fc.nat(), { maxLength: 6 }),
          (block, garbage, cuts) => {
            const bytes = encodeBlock(block, { charset });
            // Garbage then EOT: resynchronised on the EOT, whatever the garbage held.
            const stream = Uint8Array.from([...garbage, 0x04, ...bytes]);
            const s = new Espa444Scanner({ charset });
            const tokens = chunks(stream, cuts).flatMap((c) => s.push(c));
            const blocks = tokens.filter((t) => t.type === 'block');
            assert.equal(blocks.length, 1, JSON.stringify(tokens.map((t) => t.type)));
            const b = blocks[0]!;
            if (b.type !== 'block') return;
            assert.equal(b.block.header, block.header);
            assert.deepEqual(
              b.block.records.map((r) => ({ id: r.id, value: r.value })),
              block.records.map((r) => ({ id: r.id, value: r.value })),
            );
          },
        ),
        { numRuns: 300 },
      );
    });

  it('one byte changed in a valid block: a selected paging station answers 1NAK, never ACKs it', () => {
    const c = linkConfig('paging');
    fc.assert(
      fc.property(blockOf('latin1'), fc.nat(), fc.integer({ min: 1, max: 255 }), (block, pos, delta) => {
        const good = encodeBlock(block);
        const i = pos % good.length;
        const bad = Uint8Array.from(good);
        bad[i] = (bad[i]! + delta) % 256;
        fc.pre(i !== good.length - 2 && bad[i] !== 0x03 && bad[i] !== 0x04 && !hasValidFrame(bad));
        let state = INITIAL_LINK;
        const writes: string[] = [];
        let received = 0;
        const feed = (input: LinkInput) => {
          const step = linkStep(state, input, c);
          state = step.state;
          for (const o of step.outputs) {
            if (o.kind === 'write') writes.push(Buffer.from(o.bytes).toString('hex'));
            if (o.kind === 'received') received++;
          }
        };
        const s = new Espa444Scanner();
        feed({ type: 'connected' });
        for (const token of s.push(Uint8Array.from([0x04, 0x31, 0x05, 0x32, 0x05, ...bad])))
          feed({ type: 'token', token });
        assert.equal(received, 0);
        assert.equal(writes[0], '06', 'the select is ACKed');
        assert.ok(writes.slice(1).includes('3115'), `writes ${writes.join(' ')}`);
        assert.ok(!writes.slice(1).includes('06'), `writes ${writes.join(' ')}`);
      }),
      { numRuns: 1000 },
    );
  });
});
