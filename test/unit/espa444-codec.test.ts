// The ESPA 4.4.4 codec and stream scanner (adapters/espa444/espa444-codec.ts,
// espa444-scanner.ts): every vector of protocols.md §2.5 (E1–E6') decoded byte-exact and,
// where it has a canonical form, encoded back byte-exact; then the charsets, the typed
// records, the encoder's refusals and caps, and the scanner's tokens over awkward chunking,
// garbage, BCC errors, overflow and a BCC that looks like a control character.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBlock,
  encodeBlock,
  Espa444EncodeError,
  type EspaBlock,
  type OutBlock,
} from '../../adapters/espa444/espa444-codec.ts';
import { Espa444Scanner, type Token } from '../../adapters/espa444/espa444-scanner.ts';

const hex = (s: string) => Uint8Array.from(s.split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));
const raw = (b: EspaBlock) => ({ header: b.header, records: b.records.map((r) => ({ id: r.id, value: r.value })) });

const E2_HEAD =
  '01 31 02 31 1F 31 32 33 34 1E 32 1F 46 69 72 65 20 61 6C 61 72 6D 20 64 65 63 6B 20 35 1E 33 1F 31 1E 34 1F 33 1E 35 1F 31 1E 36 1F 31 03';
const E6_TAIL =
  '1F 35 35 30 1E 32 1F 43 41 4C 4C 20 4D 45 20 31 30 31 1E 33 1F 33 1E 34 1F 33 1E 35 1F 33 1E 36 1F 33 03';

interface Vector {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly block: OutBlock;
  /** Whether encoding `block` gives exactly `bytes` (E6 has a stray space the encoder never writes). */
  readonly canonical: boolean;
}

const r = (id: string, value: string) => ({ id, value });
const VECTORS: readonly Vector[] = [
  // E1: the minimal call (a public Go test's hand-computed BCC).
  {
    name: 'E1',
    bytes: hex('01 31 02 31 1F 41 03 5F'),
    block: { header: '1', records: [r('1', 'A')] },
    canonical: true,
  },
  // E2: a full call with every record of a call.
  {
    name: 'E2',
    bytes: hex(`${E2_HEAD} 78`),
    block: {
      header: '1',
      records: [r('1', '1234'), r('2', 'Fire alarm deck 5'), r('3', '1'), r('4', '3'), r('5', '1'), r('6', '1')],
    },
    canonical: true,
  },
  // E3: status information, 1234 paged.
  {
    name: 'E3',
    bytes: hex('01 32 02 31 1F 31 32 33 34 1E 37 1F 33 03 1C'),
    block: { header: '2', records: [r('1', '1234'), r('7', '3')] },
    canonical: true,
  },
  // E4: reset (call type 1) for 1234.
  {
    name: 'E4',
    bytes: hex('01 31 02 31 1F 31 32 33 34 1E 34 1F 31 03 1E'),
    block: { header: '1', records: [r('1', '1234'), r('4', '1')] },
    canonical: true,
  },
  // E5: Latin-1 text (ä = E4).
  {
    name: 'E5',
    bytes: hex('01 31 02 31 1F 32 30 31 1E 32 1F 42 E4 72 20 5A 69 6D 6D 65 72 20 33 03 DD'),
    block: { header: '1', records: [r('1', '201'), r('2', 'Bär Zimmer 3')] },
    canonical: true,
  },
  // E6: the Zenitel example, stray space after STX, and a BCC of 03 that looks like ETX.
  {
    name: 'E6',
    bytes: hex(`01 31 02 20 31 ${E6_TAIL} 03`),
    block: {
      header: '1',
      records: [r('1', '550'), r('2', 'CALL ME 101'), r('3', '3'), r('4', '3'), r('5', '3'), r('6', '3')],
    },
    canonical: false,
  },
  // E6': the same without the space.
  {
    name: "E6'",
    bytes: hex(`01 31 02 31 ${E6_TAIL} 23`),
    block: {
      header: '1',
      records: [r('1', '550'), r('2', 'CALL ME 101'), r('3', '3'), r('4', '3'), r('5', '3'), r('6', '3')],
    },
    canonical: true,
  },
];

describe('ESPA 4.4.4 vectors (protocols.md §2.5)', () => {
  for (const v of VECTORS) {
    it(`${v.name}: decodes`, () => {
      const d = decodeBlock(v.bytes);
      assert.ok(d.ok, d.ok ? '' : d.reason);
      assert.deepEqual(raw(d.block), v.block);
    });
    it(`${v.name}: scanned from the stream byte by byte`, () => {
      const s = new Espa444Scanner();
      const tokens = [...v.bytes].flatMap((b) => s.push(Uint8Array.of(b)));
      assert.equal(tokens.length, 1);
      const t = tokens[0]!;
      assert.equal(t.type, 'block');
      if (t.type === 'block') assert.deepEqual(raw(t.block), v.block);
      assert.equal(s.buffered, 0);
    });
    if (v.canonical)
      it(`${v.name}: encodes byte-exact`, () => {
        assert.deepEqual(encodeBlock(v.block), v.bytes);
      });
  }

  it('E2 typed: address, text, beep, call type, transmissions, priority', () => {
    const d = decodeBlock(VECTORS[1]!.bytes);
    assert.ok(d.ok);
    assert.equal(d.block.kind, 'call');
    assert.deepEqual(
      d.block.records.map((x) => x.type),
      ['address', 'text', 'beep', 'call-type', 'transmissions', 'priority'],
    );
    const [, , , type, tx, prio] = d.block.records;
    assert.equal(type?.type === 'call-type' && type.callType, 'standard');
    assert.equal(tx?.type === 'transmissions' && tx.count, 1);
    assert.equal(prio?.type === 'priority' && prio.priority, 'alarm');
  });

  it('E3 typed: status information, paged', () => {
    const d = decodeBlock(VECTORS[2]!.bytes);
    assert.ok(d.ok);
    assert.equal(d.block.kind, 'status');
    const st = d.block.records[1];
    assert.equal(st?.type === 'call-status' && st.status, 'paged');
  });

  it('L3: E2 with its last byte flipped is a BCC error', () => {
    const bad = hex(`${E2_HEAD} 87`);
    const d = decodeBlock(bad);
    assert.equal(d.ok, false);
    if (!d.ok) assert.match(d.reason, /^bcc mismatch/);
    assert.deepEqual(
      new Espa444Scanner().push(bad).map((t) => t.type),
      ['bad-block'],
    );
  });
});

describe('ESPA 4.4.4 records and charsets', () => {
  const rows: { name: string; value: string; want: string | undefined; type: string }[] = [
    // '71' and '72' are values of their own, not '7' followed by a digit.
    { name: "record 7 '71' speech call paged", value: '71', want: 'speech-paged', type: 'call-status' },
    { name: "record 7 '72' speech call absent", value: '72', want: 'speech-absent', type: 'call-status' },
    { name: "record 7 '6' acknowledged", value: '6', want: 'acknowledged', type: 'call-status' },
    { name: "record 7 '8' fault", value: '8', want: 'fault', type: 'call-status' },
    // '01' is not '1'.
    { name: "record 7 '01' is outside the table", value: '01', want: undefined, type: 'call-status' },
  ];
  for (const row of rows)
    it(row.name, () => {
      const d = decodeBlock(encodeBlock({ header: '2', records: [r('1', '5'), r('7', row.value)] }));
      assert.ok(d.ok);
      const st = d.block.records[1]!;
      assert.equal(st.type, row.type);
      assert.equal(st.type === 'call-status' ? st.status : 'x', row.want);
    });

  it('an unknown record id is kept raw; an unknown header decodes with kind undefined', () => {
    const d = decodeBlock(encodeBlock({ header: '9', records: [r('42', 'x'), r('8', '1')] }));
    assert.ok(d.ok);
    assert.equal(d.block.kind, undefined);
    assert.deepEqual(d.block.records[0], { type: 'unknown', id: '42', value: 'x' });
    assert.deepEqual(d.block.records[1], { type: 'system-status', id: '8', value: '1', status: 'transmitter-failure' });
  });

  it('a stray RS before ETX is tolerated', () => {
    const b = encodeBlock({ header: '1', records: [r('1', '12')] });
    const withRs = Uint8Array.from([...b.subarray(0, b.length - 2), 0x1e, 0x03]);
    const fixed = Uint8Array.from([...withRs, 0]);
    fixed[fixed.length - 1] = withRs.subarray(1).reduce((x, y) => x ^ y, 0);
    const d = decodeBlock(fixed);
    assert.ok(d.ok);
    assert.deepEqual(raw(d.block), { header: '1', records: [r('1', '12')] });
  });

  it('a record without US is unreadable (not a BCC error)', () => {
    const bytes = [0x01, 0x31, 0x02, 0x31, 0x32, 0x03];
    const d = decodeBlock(Uint8Array.from([...bytes, bytes.slice(1).reduce((x, y) => x ^ y, 0)]));
    assert.equal(d.ok, false);
    if (!d.ok) assert.match(d.reason, /without US/);
  });

  it('an empty frame SOH ETX BCC: a BCC error when the BCC is wrong (found by the property test), else unreadable', () => {
    // `…'0' '0' '2' ETX BCC` with the '2' garbled into SOH: the scanner restarts at it and
    // delimits SOH ETX BCC, whose sender must resend ('1'NAK), not drop the call ('3'NAK).
    const garbled = decodeBlock(Uint8Array.from([0x01, 0x03, 0x2c]));
    assert.equal(garbled.ok, false);
    if (!garbled.ok) assert.match(garbled.reason, /^bcc mismatch/);
    const empty = decodeBlock(Uint8Array.from([0x01, 0x03, 0x03]));
    assert.equal(empty.ok, false);
    if (!empty.ok) assert.match(empty.reason, /^an empty block/);
    const short = decodeBlock(Uint8Array.from([0x01, 0x03]));
    assert.equal(short.ok, false);
    if (!short.ok) assert.match(short.reason, /^not a block/);
  });

  it('UTF-8: "Bär" is C3 A4; Latin-1 reading of it differs; IA5 replaces bytes above 7F and says so', () => {
    const b = { header: '1', records: [r('1', '201'), r('2', 'Bär')] };
    const u = encodeBlock(b, { charset: 'utf8' });
    assert.ok(Buffer.from(u).includes(Buffer.from([0xc3, 0xa4])));
    const du = decodeBlock(u, { charset: 'utf8' });
    assert.ok(du.ok);
    assert.equal(du.block.records[1]!.value, 'Bär');
    const dl = decodeBlock(u, { charset: 'latin1' });
    assert.ok(dl.ok);
    assert.equal(dl.block.records[1]!.value, 'BÃ¤r');
    const di = decodeBlock(encodeBlock(b, { charset: 'latin1' }), { charset: 'ia5' });
    assert.ok(di.ok);
    assert.equal(di.block.records[1]!.value, 'B\uFFFDr');
    assert.equal(di.warnings.length, 1);
  });

  it('encoding: unencodable characters become ?, control characters a space, text capped, address checked', () => {
    const d = (charset: 'ia5' | 'latin1', text: string, maxTextChars?: number) => {
      const x = decodeBlock(
        encodeBlock({ header: '1', records: [r('1', '1'), r('2', text)] }, { charset, maxTextChars }),
        {
          charset,
        },
      );
      assert.ok(x.ok);
      return x.block.records[1]!.value;
    };
    assert.equal(d('ia5', 'Bär'), 'B?r');
    assert.equal(d('latin1', 'Bär €'), 'Bär ?');
    assert.equal(d('latin1', 'a\x03b\x1ec'), 'a b c');
    assert.equal(d('latin1', 'x'.repeat(200)).length, 128);
    assert.equal(d('latin1', 'abcdef', 4), 'abcd');
    assert.throws(() => encodeBlock({ header: '1', records: [r('1', '1'.repeat(17))] }), Espa444EncodeError);
    assert.throws(() => encodeBlock({ header: '1', records: [r('1', '')] }), Espa444EncodeError);
    assert.throws(() => encodeBlock({ header: '12', records: [] }), Espa444EncodeError);
    assert.doesNotThrow(() => encodeBlock({ header: '1', records: [r('1', '1'.repeat(16))] }));
  });
});

describe('the ESPA 4.4.4 scanner', () => {
  const E1 = hex('01 31 02 31 1F 41 03 5F');
  const types = (ts: Token[]) =>
    ts.map((t) => (t.type === 'enq' ? `enq${t.address}` : t.type === 'nak' ? `nak${t.prefix ?? ''}` : t.type));
  const rows: { name: string; input: string; want: string[] }[] = [
    // L1: a poll and its answer.
    { name: 'EOT 2 ENQ: EOT then a poll of 2', input: '04 32 05', want: ['eot', 'enq2'] },
    // L2's select: the control station polls itself, then selects 2.
    { name: 'EOT 1 ENQ 2 ENQ', input: '04 31 05 32 05', want: ['eot', 'enq1', 'enq2'] },
    // NAK with and without prefix; ACK.
    { name: "'1'NAK, NAK, ACK", input: '31 15 15 06', want: ['nak1', 'nak', 'ack'] },
    // Garbage is skipped and reported once, up to the next control character.
    { name: 'garbage then EOT', input: '41 42 43 04', want: ['garbage', 'eot'] },
    // A digit that is followed by neither ENQ nor NAK is garbage.
    { name: 'a stray digit before ACK', input: '37 41 06', want: ['garbage', 'ack'] },
    // A block whose SOH was lost: its ETX and BCC still end it, as a bad block.
    { name: 'a block without SOH', input: '31 02 31 1F 41 03 5F', want: ['bad-block'] },
    // An EOT inside a block aborts it.
    { name: 'EOT inside a block', input: '01 31 02 31 04', want: ['bad-block', 'eot'] },
    // A second SOH restarts the block; the first part is garbage.
    { name: 'SOH inside a block', input: '01 31 02 01 31 02 31 1F 41 03 5F', want: ['garbage', 'block'] },
  ];
  for (const row of rows)
    it(row.name, () => {
      assert.deepEqual(types(new Espa444Scanner().push(hex(row.input))), row.want);
    });

  it('a BCC equal to EOT is read as the BCC, not as EOT (E6 shows one equal to ETX)', () => {
    // Find a one-letter text whose block has BCC 04.
    const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
    const b = letters
      .flatMap((x) => letters.map((y) => encodeBlock({ header: '1', records: [r('1', '1'), r('2', x + y)] })))
      .find((x) => x[x.length - 1] === 0x04);
    assert.ok(b, 'a block with BCC 04 exists');
    assert.deepEqual(types(new Espa444Scanner().push(Uint8Array.from([...b, 0x04]))), ['block', 'eot']);
  });

  it('a block split at every position decodes the same', () => {
    for (let i = 1; i < E1.length; i++) {
      const s = new Espa444Scanner();
      const ts = [...s.push(E1.subarray(0, i)), ...s.push(E1.subarray(i))];
      assert.deepEqual(types(ts), ['block'], `split at ${i}`);
    }
  });

  it('a block past maxBlockBytes is discarded and reported; the next block is read', () => {
    const s = new Espa444Scanner({ maxBlockBytes: 16 });
    const long = Uint8Array.from([0x01, 0x31, 0x02, ...new Array<number>(40).fill(0x41), 0x03, 0x00]);
    const ts = s.push(long);
    assert.deepEqual(types(ts), ['overflow']);
    assert.ok(s.buffered <= 16);
    assert.deepEqual(types(s.push(E1)), ['block']);
  });

  it('reset after a partial block reports it as bad', () => {
    const s = new Espa444Scanner();
    s.push(E1.subarray(0, 4));
    assert.deepEqual(types(s.reset()), ['bad-block']);
    assert.equal(s.buffered, 0);
  });
});
