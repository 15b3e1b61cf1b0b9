// ESPA-X framing (adapters/espax/espax-framing.ts): the header bytes of protocols.md §3.1's
// example, documents split across reads and several in one read, a multi-byte character split,
// invalid UTF-8, and every fatal header (bad magic, length < 10, length > cap) — including when
// the bad part arrives one byte at a time. Random streams are in test/property.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_FRAME_BYTES, EspaxDeframer, frame, HEADER_BYTES } from '../../adapters/espax/espax-framing.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function pushAll(d: EspaxDeframer, chunks: readonly Uint8Array[]) {
  const documents: string[] = [];
  let invalid = 0;
  let error: string | undefined;
  for (const c of chunks) {
    const out = d.push(c);
    documents.push(...out.documents);
    invalid += out.invalid.length;
    error ??= out.error?.reason;
  }
  return { documents, invalid, error };
}

const bytesOf = (b: Uint8Array) => Array.from(b, (x) => Uint8Array.of(x));

describe('frame', () => {
  it('writes protocols.md §3.1 example header: 183 bytes of XML, invokeID 7', () => {
    const xml = 'x'.repeat(183);
    const f = frame(xml, '7');
    assert.equal(hex(f.subarray(0, 10)), '45580000' + '00c1' + '00000007');
    assert.equal(f.length, 193);
  });

  it('puts 0 in bytes 6–9 without an invokeID, and reduces a large one modulo 2^32', () => {
    assert.equal(hex(frame('<a/>').subarray(6, 10)), '00000000');
    assert.equal(hex(frame('<a/>', '4294967298').subarray(6, 10)), '00000002');
    // Not a number: 0, never a throw.
    assert.equal(hex(frame('<a/>', 'x').subarray(6, 10)), '00000000');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const f = frame('ä€😀');
    assert.equal(new DataView(f.buffer).getUint32(2), HEADER_BYTES + 2 + 3 + 4);
  });
});

describe('EspaxDeframer', () => {
  const a = frame('<ESPA-X>a</ESPA-X>', 1);
  const b = frame('<ESPA-X>b ä</ESPA-X>', 2);
  const both = Uint8Array.from([...a, ...b]);

  it('returns two documents from one read', () => {
    assert.deepEqual(pushAll(new EspaxDeframer(), [both]).documents, ['<ESPA-X>a</ESPA-X>', '<ESPA-X>b ä</ESPA-X>']);
  });

  it('reassembles documents fed one byte at a time (the header and a 2-byte character split)', () => {
    const d = new EspaxDeframer();
    const out = pushAll(d, bytesOf(both));
    assert.deepEqual(out.documents, ['<ESPA-X>a</ESPA-X>', '<ESPA-X>b ä</ESPA-X>']);
    assert.equal(out.error, undefined);
    assert.equal(d.bufferedBytes, 0);
  });

  it('ignores bytes 6–9 (the ESP32 client sends 00 00 02 2A)', () => {
    const f = frame('<x/>');
    f.set([0, 0, 2, 0x2a], 6);
    assert.deepEqual(pushAll(new EspaxDeframer(), [f]).documents, ['<x/>']);
  });

  it('passes an empty body as an empty document (the decoder answers it with 601)', () => {
    assert.deepEqual(pushAll(new EspaxDeframer(), [frame('')]).documents, ['']);
  });

  it('reports invalid UTF-8 as invalid, and goes on with the next frame', () => {
    const bad = Uint8Array.from([0x45, 0x58, 0, 0, 0, 12, 0, 0, 0, 0, 0xc3, 0x28]);
    const out = pushAll(new EspaxDeframer(), [Uint8Array.from([...bad, ...a])]);
    assert.equal(out.invalid, 1);
    assert.deepEqual(out.documents, ['<ESPA-X>a</ESPA-X>']);
  });

  const fatal: [string, Uint8Array, RegExp][] = [
    // Not ESPA-X at all: an HTTP request on the port.
    ['bad magic', new TextEncoder().encode('GET / HTTP/1.1\r\n'), /bad magic/],
    // Right first byte, wrong second.
    ['bad second magic byte', Uint8Array.from([0x45, 0x59, 0, 0, 0, 20]), /bad magic/],
    // Length below the header's own 10 bytes.
    ['length 9', Uint8Array.from([0x45, 0x58, 0, 0, 0, 9, 0, 0, 0, 0]), /shorter than the 10-byte header/],
    // Length 0.
    ['length 0', Uint8Array.from([0x45, 0x58, 0, 0, 0, 0]), /shorter/],
    // Length past the cap: refused at once, before the body arrives.
    ['length over the cap', Uint8Array.from([0x45, 0x58, 0, 1, 0, 1]), /exceeds the 65536-byte cap/],
    // 4 GiB - 1.
    ['length 2^32-1', Uint8Array.from([0x45, 0x58, 0xff, 0xff, 0xff, 0xff]), /exceeds/],
  ];
  for (const [what, bytes, says] of fatal) {
    it(`fails the stream on ${what}, in one read or byte by byte`, () => {
      for (const chunks of [[bytes], bytesOf(bytes)]) {
        const d = new EspaxDeframer();
        const out = pushAll(d, chunks);
        assert.match(out.error ?? '', says);
        assert.equal(d.bufferedBytes, 0);
        // Stays broken: more input is not read.
        assert.ok(d.push(a).error);
        assert.deepEqual(d.push(a).documents, []);
        d.reset();
        assert.deepEqual(d.push(a).documents, ['<ESPA-X>a</ESPA-X>']);
      }
    });
  }

  it('keeps the documents completed before the bad header in the same read', () => {
    const out = new EspaxDeframer().push(Uint8Array.from([...a, 0x00, 0x01]));
    assert.deepEqual(out.documents, ['<ESPA-X>a</ESPA-X>']);
    assert.match(out.error?.reason ?? '', /bad magic/);
  });

  it('accepts a frame of exactly the cap and refuses one byte more', () => {
    const cap = 100;
    const ok = frame('y'.repeat(cap - HEADER_BYTES));
    const tooLong = frame('y'.repeat(cap - HEADER_BYTES + 1));
    assert.equal(pushAll(new EspaxDeframer({ maxFrameBytes: cap }), [ok]).documents.length, 1);
    assert.match(pushAll(new EspaxDeframer({ maxFrameBytes: cap }), [tooLong]).error ?? '', /exceeds the 100-byte cap/);
  });

  it('defaults the cap to 64 KiB and refuses caps below the header', () => {
    assert.equal(new EspaxDeframer().maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 65536);
    assert.throws(() => new EspaxDeframer({ maxFrameBytes: 9 }), RangeError);
  });
});
