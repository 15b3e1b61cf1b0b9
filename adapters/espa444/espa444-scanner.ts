/**
 * The ESPA 4.4.4 byte-stream scanner: bytes as they come off the socket (in any chunking) →
 * tokens for the link machine. Pure apart from its small buffer; never throws.
 *
 *   EOT                      → { type: 'eot' }
 *   <digit> ENQ              → { type: 'enq', address }
 *   ACK                      → { type: 'ack' }
 *   [<digit>] NAK            → { type: 'nak', prefix? }
 *   SOH … ETX <BCC>          → { type: 'block' } | { type: 'bad-block' } (BCC mismatch: '1'NAK)
 *                              | { type: 'invalid-block' } (BCC right, unreadable: '3'NAK)
 *   anything else            → { type: 'garbage' } (skipped; resynchronises on SOH or EOT)
 *
 * Inside a block exactly one byte is read after ETX (the BCC may equal ETX or EOT). A new SOH
 * inside a block restarts it (the part before is skipped as garbage: the new block decides),
 * and an EOT inside a block aborts it (a bad block, then the EOT). A block that reaches
 * `maxBlockBytes` without ETX is discarded ({ type: 'overflow' }) and the rest skipped up to
 * the next SOH or EOT, so the buffer never holds more than `maxBlockBytes`. An ETX in
 * garbage that contained an STX is a block whose SOH was lost: its BCC byte is read and it
 * is reported as a bad block (so the sender hears '1'NAK and sends again).
 */
import { ACK, decodeBlock, ENQ, EOT, ETX, NAK, SOH, STX, type CodecOptions, type EspaBlock } from './espa444-codec.ts';

export type Token =
  | { readonly type: 'eot' }
  | { readonly type: 'enq'; readonly address: string }
  | { readonly type: 'ack' }
  | { readonly type: 'nak'; readonly prefix?: string }
  | {
      readonly type: 'block';
      readonly block: EspaBlock;
      readonly raw: Uint8Array;
      readonly warnings: readonly string[];
    }
  | { readonly type: 'bad-block'; readonly reason: string; readonly raw: Uint8Array }
  | { readonly type: 'invalid-block'; readonly reason: string; readonly raw: Uint8Array }
  | { readonly type: 'overflow'; readonly bytes: number }
  /** Skipped bytes: the first `GARBAGE_SAMPLE` of them and how many there were. */
  | { readonly type: 'garbage'; readonly sample: Uint8Array; readonly count: number };

export interface ScannerOptions extends CodecOptions {
  /** The longest block accepted, SOH to BCC (default 2048). */
  readonly maxBlockBytes?: number;
}

export const DEFAULT_MAX_BLOCK_BYTES = 2048;
const GARBAGE_SAMPLE = 32;

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

export class Espa444Scanner {
  readonly maxBlockBytes: number;
  /** 'text': between blocks; 'block': after SOH; 'bcc': after ETX; 'skip': after an overflow. */
  private mode: 'text' | 'block' | 'bcc' | 'skip' | 'orphan-bcc' = 'text';
  private block: number[] = [];
  private digit: number | undefined;
  private garbage: number[] = [];
  private garbageCount = 0;
  private garbageHadStx = false;

  constructor(private readonly o: ScannerOptions = {}) {
    this.maxBlockBytes = o.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  }

  /** Bytes held between calls (a partial block, a pending address digit, a garbage sample). */
  get buffered(): number {
    return this.block.length + (this.digit === undefined ? 0 : 1) + this.garbage.length;
  }

  /** Feeds a chunk; returns the tokens it completed, in order. */
  push(chunk: Uint8Array): Token[] {
    const out: Token[] = [];
    for (const b of chunk) this.byte(b, out);
    return out;
  }

  /** Forgets everything (the connection was lost): a partial block is reported as bad. */
  reset(): Token[] {
    const out: Token[] = [];
    this.flushGarbage(out);
    if (this.mode === 'block' || this.mode === 'bcc')
      out.push({ type: 'bad-block', reason: 'the connection ended inside a block', raw: Uint8Array.from(this.block) });
    this.mode = 'text';
    this.block = [];
    this.digit = undefined;
    return out;
  }

  private byte(b: number, out: Token[]): void {
    switch (this.mode) {
      case 'bcc':
        this.block.push(b);
        this.finishBlock(out);
        return;
      case 'orphan-bcc':
        this.skip(b);
        this.mode = 'text';
        out.push({
          type: 'bad-block',
          reason: 'a block without SOH',
          raw: Uint8Array.from(this.garbage.slice(0, GARBAGE_SAMPLE)),
        });
        this.garbage = [];
        this.garbageCount = 0;
        this.garbageHadStx = false;
        return;
      case 'block':
        if (b === SOH) {
          // The sender started again: the part before is skipped (the new block decides).
          out.push({
            type: 'garbage',
            sample: Uint8Array.from(this.block.slice(0, GARBAGE_SAMPLE)),
            count: this.block.length,
          });
          this.block = [SOH];
          return;
        }
        if (b === EOT) {
          out.push({ type: 'bad-block', reason: 'EOT inside a block', raw: Uint8Array.from(this.block) });
          this.block = [];
          this.mode = 'text';
          out.push({ type: 'eot' });
          return;
        }
        this.block.push(b);
        if (b === ETX) {
          this.mode = 'bcc';
          return;
        }
        if (this.block.length >= this.maxBlockBytes - 1) {
          out.push({ type: 'overflow', bytes: this.block.length });
          this.block = [];
          this.mode = 'skip';
        }
        return;
      case 'skip':
        if (b === SOH || b === EOT) {
          this.mode = 'text';
          this.byte(b, out);
        }
        return;
      case 'text':
        this.text(b, out);
        return;
    }
  }

  private text(b: number, out: Token[]): void {
    const digit = this.digit;
    this.digit = undefined;
    if (b === ENQ && digit !== undefined) {
      this.flushGarbage(out);
      out.push({ type: 'enq', address: String.fromCharCode(digit) });
      return;
    }
    if (b === NAK) {
      this.flushGarbage(out);
      out.push(digit === undefined ? { type: 'nak' } : { type: 'nak', prefix: String.fromCharCode(digit) });
      return;
    }
    if (digit !== undefined) this.skip(digit);
    if (isDigit(b)) {
      this.digit = b;
      return;
    }
    switch (b) {
      case SOH:
        this.flushGarbage(out);
        this.block = [SOH];
        this.mode = 'block';
        return;
      case EOT:
        this.flushGarbage(out);
        out.push({ type: 'eot' });
        return;
      case ACK:
        this.flushGarbage(out);
        out.push({ type: 'ack' });
        return;
      case ETX:
        if (this.garbageHadStx) {
          this.skip(b);
          this.mode = 'orphan-bcc';
          return;
        }
        this.skip(b);
        return;
      default:
        if (b === STX) this.garbageHadStx = true;
        this.skip(b);
    }
  }

  private skip(b: number): void {
    if (this.garbage.length < GARBAGE_SAMPLE) this.garbage.push(b);
    this.garbageCount++;
  }

  private flushGarbage(out: Token[]): void {
    if (this.digit !== undefined) {
      this.skip(this.digit);
      this.digit = undefined;
    }
    if (this.garbageCount > 0)
      out.push({ type: 'garbage', sample: Uint8Array.from(this.garbage), count: this.garbageCount });
    this.garbage = [];
    this.garbageCount = 0;
    this.garbageHadStx = false;
  }

  private finishBlock(out: Token[]): void {
    const raw = Uint8Array.from(this.block);
    this.block = [];
    this.mode = 'text';
    const d = decodeBlock(raw, this.o);
    if (d.ok) out.push({ type: 'block', block: d.block, raw, warnings: d.warnings });
    else if (d.reason.startsWith('bcc')) out.push({ type: 'bad-block', reason: d.reason, raw });
    else out.push({ type: 'invalid-block', reason: d.reason, raw });
  }
}
