// OM AXI NUL framing (adapters/dect/dect-framing.ts): a table of chunkings (several frames in
// one read, a frame and a multi-byte character split across reads, stray NULs, invalid UTF-8,
// the size cap and its overflow), the `frame` encoder against the verified Ping bytes, and
// fast-check properties: random byte streams in random chunkings never throw and never buffer
// more than the cap; random frame lists come out exactly, whatever the chunking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_MAX_FRAME_BYTES, frame, NulFramer } from '../../adapters/dect/dect-framing.ts';

const te = new TextEncoder();
const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...te.encode(p)] : p)));

/** Pushes every chunk and gathers the outputs. */
function pushAll(framer: NulFramer, chunks: readonly Uint8Array[]) {
  const frames: string[] = [];
  const invalid: number[][] = [];
  let overflow = false;
  for (const c of chunks) {
    const out = framer.push(c);
    frames.push(...out.frames);
    invalid.push(...out.invalid.map((b) => [...b]));
    if (out.overflow) overflow = true;
  }
  return { frames, invalid, overflow };
}

/** Cuts `all` at the given offsets (taken modulo its length, sorted). */
function chunk(all: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => (all.length === 0 ? 0 : c % (all.length + 1))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, all.length]) {
    out.push(all.slice(from, c));
    from = c;
  }
  return out;
}

describe('NulFramer', () => {
  const cases: {
    name: string;
    chunks: Uint8Array[];
    max?: number;
    frames: string[];
    invalid?: number[][];
    overflow?: boolean;
    buffered?: number;
  }[] = [
    // the plain case: one element, one NUL
    { name: 'one frame', chunks: [bytes('<a/>', [0])], frames: ['<a/>'] },
    // one TCP read holding several messages
    { name: 'two frames in one push', chunks: [bytes('<a/>', [0], '<b/>', [0])], frames: ['<a/>', '<b/>'] },
    // a message split across reads, the NUL arriving alone
    { name: 'split frame, NUL alone', chunks: [bytes('<Pi'), bytes('ng/>'), bytes([0])], frames: ['<Ping/>'] },
    // the tail of one frame and the start of the next in the same read
    {
      name: 'tail and head in one push',
      chunks: [bytes('<a x="'), bytes('1"/>', [0], '<b'), bytes('/>', [0])],
      frames: ['<a x="1"/>', '<b/>'],
    },
    // a two-byte UTF-8 character cut between its bytes is put back together
    {
      name: 'multi-byte char split',
      chunks: [bytes('<a x="', [0xc3]), bytes([0xa4], '"/>', [0])],
      frames: ['<a x="ä"/>'],
    },
    // a partial frame stays buffered, nothing is emitted yet
    { name: 'no NUL yet', chunks: [bytes('<a/>')], frames: [], buffered: 4 },
    // stray NULs (empty frames) are skipped
    { name: 'empty frames skipped', chunks: [bytes([0, 0], '<a/>', [0, 0])], frames: ['<a/>'] },
    // an empty push changes nothing
    { name: 'empty chunk', chunks: [new Uint8Array(0), bytes('<a/>', [0])], frames: ['<a/>'] },
    // invalid UTF-8 is reported with its bytes; the next frame is still read
    {
      name: 'invalid UTF-8',
      chunks: [bytes('<a', [0xff], '/>', [0], '<b/>', [0])],
      frames: ['<b/>'],
      invalid: [[0x3c, 0x61, 0xff, 0x2f, 0x3e]],
    },
    // a BOM is kept (the codec strips it), so bytes and text stay one-to-one
    { name: 'BOM kept', chunks: [bytes([0xef, 0xbb, 0xbf], '<a/>', [0])], frames: ['\uFEFF<a/>'] },
    // exactly the cap is allowed
    { name: 'frame of exactly the cap', max: 4, chunks: [bytes('<a/>', [0])], frames: ['<a/>'] },
    // one byte past the cap without a NUL: overflow, buffer emptied
    { name: 'past the cap', max: 4, chunks: [bytes('<ab'), bytes('/>')], frames: [], overflow: true, buffered: 0 },
    // a complete frame larger than the cap in one push is an overflow too; earlier frames survive
    {
      name: 'big complete frame',
      max: 4,
      chunks: [bytes('<a/>', [0], '<abc/>', [0])],
      frames: ['<a/>'],
      overflow: true,
    },
    // after an overflow, everything is refused until reset
    { name: 'stays overflowed', max: 4, chunks: [bytes('<abcd'), bytes('<a/>', [0])], frames: [], overflow: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const framer = new NulFramer(c.max === undefined ? {} : { maxFrameBytes: c.max });
      const out = pushAll(framer, c.chunks);
      assert.deepEqual(out.frames, c.frames);
      assert.deepEqual(out.invalid, c.invalid ?? []);
      assert.equal(out.overflow, c.overflow ?? false);
      if (c.buffered !== undefined) assert.equal(framer.bufferedBytes, c.buffered);
    });
  }

  it('reset clears an overflow and the partial frame', () => {
    const framer = new NulFramer({ maxFrameBytes: 4 });
    assert.equal(framer.push(bytes('<abcdef')).overflow, true);
    framer.reset();
    assert.deepEqual(framer.push(bytes('<a/>', [0])), { frames: ['<a/>'], invalid: [] });
  });

  it('copies what it buffers (the caller may reuse its read buffer)', () => {
    const framer = new NulFramer();
    const buf = bytes('<a/>');
    framer.push(buf);
    buf.fill(0x21);
    assert.deepEqual(framer.push(bytes([0])).frames, ['<a/>']);
  });

  it('defaults to a 1 MiB cap and refuses a cap below 1', () => {
    assert.equal(new NulFramer().maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 1 << 20);
    assert.throws(() => new NulFramer({ maxFrameBytes: 0 }), RangeError);
  });
});

describe('frame', () => {
  it('ends the verified Ping with 22 20 2f 3e 00 (protocols.md §1.1)', () => {
    const out = frame('<Ping seq="2" timeStamp="1715675759" />');
    assert.deepEqual([...out.slice(-5)], [0x22, 0x20, 0x2f, 0x3e, 0x00]);
    assert.equal(out.length, 40);
  });

  it('writes UTF-8 and exactly one NUL', () => {
    assert.deepEqual([...frame('<a x="ä"/>')], [...bytes('<a x="', [0xc3, 0xa4], '"/>', [0])]);
  });

  it('refuses a NUL inside (it would split the frame) and a lone surrogate', () => {
    assert.throws(() => frame('<a>\0</a>'), RangeError);
    assert.throws(() => frame('<a>\uD800</a>'), RangeError);
  });
});

describe('NulFramer properties', () => {
  it('random bytes in random chunks: never throws, never buffers more than the cap', () => {
    fc.assert(
      fc.property(
        // NUL one byte in three, so frames end as well as overflow
        fc
          .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 })), {
            maxLength: 300,
          })
          .map((a) => Uint8Array.from(a)),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 1, max: 64 }),
        (stream, cuts, max) => {
          const framer = new NulFramer({ maxFrameBytes: max });
          for (const c of chunk(stream, cuts)) {
            const out = framer.push(c);
            assert.ok(framer.bufferedBytes <= max);
            for (const f of out.frames) assert.ok(f.length > 0 && !f.includes('\0'));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random frames in any chunking come out exactly, in order', () => {
    const frameText = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter((s) => !s.includes('\0') && !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')));
    fc.assert(
      fc.property(fc.array(frameText, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, cuts) => {
        const all = Uint8Array.from(frames.flatMap((f) => [...frame(f)]));
        const framer = new NulFramer({ maxFrameBytes: 200 });
        const out = pushAll(framer, chunk(all, cuts));
        assert.deepEqual(out.frames, frames);
        assert.deepEqual(out.invalid, []);
        assert.equal(out.overflow, false);
        assert.equal(framer.bufferedBytes, 0);
      }),
      { numRuns: 500 },
    );
  });
});
