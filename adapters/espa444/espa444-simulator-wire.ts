/**
 * The simulators' own ESPA 4.4.4 wire code, written apart from espa444-codec.ts and
 * espa444-scanner.ts on purpose: a misreading of protocols.md §2.4 in the adapter's codec
 * cannot hide in both. Deliberately plain: build a block, split a stream into units.
 *
 *   SOH header STX id US value (RS id US value)* ETX BCC     BCC = XOR of header … ETX
 */

export interface SimRecord {
  readonly id: string;
  readonly value: string;
}

export interface SimBlock {
  readonly header: string;
  readonly records: readonly SimRecord[];
}

export type SimCharset = 'latin1' | 'utf8' | 'ia5';

/** One unit of the stream as the simulator sees it. */
export type SimUnit =
  | { readonly kind: 'eot' }
  | { readonly kind: 'enq'; readonly address: string }
  | { readonly kind: 'ack' }
  | { readonly kind: 'nak'; readonly prefix: string }
  | { readonly kind: 'block'; readonly block: SimBlock; readonly bytes: Buffer }
  | { readonly kind: 'bad-block'; readonly bytes: Buffer }
  | { readonly kind: 'other'; readonly byte: number };

/** The bytes of a block (header, records, ETX, BCC). */
export function simBlockBytes(b: SimBlock, charset: SimCharset = 'latin1'): Buffer {
  const body = b.records.map((r) => `${r.id}\x1f${r.value}`).join('\x1e');
  const enc = charset === 'utf8' ? 'utf8' : 'latin1';
  const inner = Buffer.concat([
    Buffer.from(b.header, 'latin1'),
    Buffer.from([0x02]),
    Buffer.from(body, enc),
    Buffer.from([0x03]),
  ]);
  let x = 0;
  for (const byte of inner) x ^= byte;
  return Buffer.concat([Buffer.from([0x01]), inner, Buffer.from([x])]);
}

/** Splits a byte stream into units; keeps a partial block (or an address digit) for the next chunk. */
export class SimSplitter {
  private buf: number[] = [];
  private inBlock = false;
  private bccNext = false;

  constructor(private readonly charset: SimCharset = 'latin1') {}

  push(chunk: Uint8Array): SimUnit[] {
    const out: SimUnit[] = [];
    for (const b of chunk) {
      if (this.inBlock) {
        this.buf.push(b);
        if (this.bccNext) {
          out.push(this.finish(Buffer.from(this.buf)));
          this.buf = [];
          this.inBlock = false;
          this.bccNext = false;
        } else if (b === 0x03) this.bccNext = true;
        continue;
      }
      const prev = this.buf.pop();
      if (prev !== undefined && b !== 0x05 && b !== 0x15) out.push({ kind: 'other', byte: prev });
      if (b === 0x01) {
        this.inBlock = true;
        this.buf = [b];
      } else if (b === 0x04) out.push({ kind: 'eot' });
      else if (b === 0x06) out.push({ kind: 'ack' });
      else if (b === 0x05 && prev !== undefined) out.push({ kind: 'enq', address: String.fromCharCode(prev) });
      else if (b === 0x15) out.push({ kind: 'nak', prefix: prev === undefined ? '' : String.fromCharCode(prev) });
      else if (b >= 0x30 && b <= 0x39) this.buf = [b];
      else out.push({ kind: 'other', byte: b });
    }
    return out;
  }

  private finish(bytes: Buffer): SimUnit {
    let x = 0;
    for (let i = 1; i < bytes.length - 1; i++) x ^= bytes[i]!;
    if (x !== bytes[bytes.length - 1]) return { kind: 'bad-block', bytes };
    const text = bytes.subarray(1, bytes.length - 2);
    const stx = text.indexOf(0x02);
    if (stx < 0) return { kind: 'bad-block', bytes };
    const header = text.subarray(0, stx).toString('latin1');
    const enc = this.charset === 'utf8' ? 'utf8' : 'latin1';
    const records = text
      .subarray(stx + 1)
      .toString(enc)
      .split('\x1e')
      .filter((s) => s.trim() !== '')
      .map((s) => {
        const at = s.indexOf('\x1f');
        return { id: s.slice(0, at).trim(), value: s.slice(at + 1) };
      });
    return { kind: 'block', block: { header, records }, bytes };
  }
}

/** The value of record `id`. */
export const simValue = (b: SimBlock, id: string): string | undefined => b.records.find((r) => r.id === id)?.value;
