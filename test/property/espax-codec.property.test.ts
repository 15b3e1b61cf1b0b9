// Properties of the ESPA-X framing and codec (adapters/espax): random bytes in random
// chunkings never make the deframer throw or buffer more than its cap; random frame lists
// come out exactly, whatever the chunking; random text and random XML-ish documents never make
// the decoder throw, and a refusal is always 601 or 602; and the encoder, fed random strings
// (markup, control characters, astral characters, any length) in every text field, produces
// documents that xmllint validates against test/fixtures/espax/espa-x.xsd (checked in one
// batch) and that decode back to the same message name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeEspax } from '../../adapters/espax/espax-codec.ts';
import { encodeEspax, type ServerMessage } from '../../adapters/espax/espax-encode.ts';
import { EspaxDeframer, frame } from '../../adapters/espax/espax-framing.ts';
import { schemaFailures } from '../support/xmllint.ts';

/** Cuts `all` at the given offsets. */
function chunk(all: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, all.length]) {
    out.push(all.slice(from, c));
    from = c;
  }
  return out;
}

describe('EspaxDeframer properties', () => {
  it('random bytes never throw, and the buffer stays within the cap', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 10, max: 200 }),
        (bytes, cuts, cap) => {
          const d = new EspaxDeframer({ maxFrameBytes: cap });
          for (const c of chunk(bytes, cuts)) {
            d.push(c);
            assert.ok(d.bufferedBytes <= cap);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random valid headers with random bodies (mostly near "EX") never throw', () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.uint8Array({ minLength: 4, maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(header, fc.uint8Array({ maxLength: 50 })), { maxLength: 8 }), (parts) => {
        const bytes = parts.flatMap(([[len, tail], body]) => [
          0x45,
          0x58,
          0,
          0,
          len >> 8,
          len & 0xff,
          ...tail,
          ...body,
        ]);
        const d = new EspaxDeframer({ maxFrameBytes: 256 });
        d.push(Uint8Array.from(bytes));
        assert.ok(d.bufferedBytes <= 256);
      }),
      { numRuns: 300 },
    );
  });

  it('frames come out exactly as sent, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 6 }),
        fc.array(fc.nat()),
        (docs, cuts) => {
          const all = Uint8Array.from(docs.flatMap((x) => [...frame(x, 1)]));
          const d = new EspaxDeframer();
          const out: string[] = [];
          for (const c of chunk(all, cuts)) {
            const r = d.push(c);
            assert.equal(r.error, undefined);
            out.push(...r.documents);
          }
          assert.deepEqual(out, docs);
          assert.equal(d.bufferedBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const xmlish = fc
  .array(
    fc.constantFrom(
      '<ESPA-X>',
      '</ESPA-X>',
      '<REQ.HEARTBEAT invokeID="1"/>',
      '<REQ.P-START invokeID="2" sessionID="s">',
      '</REQ.P-START>',
      '<CP-TEXTMSG>',
      '</CP-TEXTMSG>',
      '<PROPRIETARY>',
      '</PROPRIETARY>',
      '&amp;',
      '&bogus;',
      '<![CDATA[x]]>',
      '<!-- c -->',
      '<?pi x?>',
      '"',
      'invokeID="-1"',
      'text',
      '<',
      '>',
      '/',
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

describe('decodeEspax properties', () => {
  it('random strings and XML-ish documents never throw; refusals are 601 or 602', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), xmlish), (text) => {
        const r = decodeEspax(text);
        if (!r.ok) assert.ok(r.code === 601 || r.code === 602);
        else assert.ok(typeof r.doc.name === 'string');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('encodeEspax properties', () => {
  it('any text in any field gives a document the schema accepts', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom('', ' ', '<&>"\'', '\u0000\u001f\uFFFF', '\uD800x', '+49 (171) 234-5678', 'tel:4711'),
    );
    const message: fc.Arbitrary<ServerMessage> = fc
      .record({ a: text, b: text, c: text, d: text, e: text, tan: fc.integer({ min: -5, max: 2 ** 31 }) })
      .chain(({ a, b, c, d, e, tan }) => {
        const process = { tan, ref: a, groupId: b, phoneNo: c, name: d, created: 0 };
        return fc.constantFrom<ServerMessage>(
          { type: 'RSP.LOGIN', invokeId: '1', sessionId: a, server: b, serverSw: c, code: 200, info: d },
          { type: 'RSP.P-START', invokeId: '3', sessionId: a, code: 200, info: e, ref: b, tan },
          { type: 'IND.ERROR', server: a, code: 601, info: b },
          { type: 'IND.P-STARTED', sessionId: e || 'S', process, status: 'Active' },
          { type: 'IND.P-STATUS', sessionId: 'S', process, status: 'Active', result: 'None' },
          { type: 'IND.P-EVENT', sessionId: 'S', process, number: a, name: b, key: c, result: 'Accepted' },
          { type: 'IND.P-ENDED', sessionId: 'S', process, endReason: 'Finished', endInfo: e },
        );
      });
    const docs: string[] = [];
    fc.assert(
      fc.property(message, (m) => {
        const xml = encodeEspax(m, 0);
        const d = decodeEspax(xml);
        assert.ok(d.ok, xml);
        assert.equal(d.doc.name, m.type);
        docs.push(xml);
      }),
      { numRuns: 300 },
    );
    assert.deepEqual(
      schemaFailures(docs).map((f) => `${f.errors}\n${f.document}`),
      [],
    );
  });
});
