/**
 * OM AXI stream framing (protocols.md §1.1), pure: bytes in, frames out; no IO.
 *
 *   stream = *( frame )
 *   frame  = UTF-8 text of one XML element   0x00
 *
 * One TCP read may hold several frames, part of one, or both; `NulFramer` buffers the bytes
 * after the last NUL until the next one arrives. A frame longer than the cap (counted without
 * its NUL) is an overflow: the peer is broken or hostile, the caller closes the link. The
 * buffer never holds more than the cap.
 */

/** Default cap on one frame's size: 1 MiB (an AXI frame is normally well under 4 KiB). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

export interface NulFramerOptions {
  /** The largest frame accepted, in bytes without the NUL. */
  readonly maxFrameBytes?: number;
}

export interface FramerOutput {
  /** Complete frames in arrival order, decoded from UTF-8 (a BOM is kept, not stripped). */
  readonly frames: string[];
  /** Complete frames that are not valid UTF-8, as their raw bytes (the offending bytes). */
  readonly invalid: Uint8Array[];
  /**
   * Set when a frame grew past the cap. Frames completed before that point in the same push
   * are still returned; everything after it is discarded, and every later push reports
   * overflow again until `reset()`.
   */
  readonly overflow?: true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Splits a byte stream on 0x00. Empty frames (two NULs in a row) are skipped: they carry
 * nothing and some peers send a stray NUL as a keep-alive.
 */
export class NulFramer {
  readonly maxFrameBytes: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(options: NulFramerOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxFrameBytes must be a positive integer`);
    this.maxFrameBytes = max;
  }

  /** Bytes held for the frame in progress; never more than `maxFrameBytes`. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feeds one chunk; never throws. See `FramerOutput` for what comes back. */
  push(chunk: Uint8Array): FramerOutput {
    const frames: string[] = [];
    const invalid: Uint8Array[] = [];
    if (this.overflowed) return { frames, invalid, overflow: true };
    let start = 0;
    for (;;) {
      const nul = chunk.indexOf(0, start);
      const end = nul === -1 ? chunk.length : nul;
      if (this.pendingBytes + (end - start) > this.maxFrameBytes) {
        this.overflowed = true;
        this.pending = [];
        this.pendingBytes = 0;
        return { frames, invalid, overflow: true };
      }
      if (nul === -1) {
        if (end > start) {
          // Copy: the caller may reuse its read buffer.
          this.pending.push(chunk.slice(start, end));
          this.pendingBytes += end - start;
        }
        return { frames, invalid };
      }
      const bytes = this.take(chunk.subarray(start, nul));
      start = nul + 1;
      if (bytes.length === 0) continue;
      try {
        frames.push(utf8.decode(bytes));
      } catch {
        invalid.push(bytes.slice());
      }
    }
  }

  /** Drops the frame in progress and clears an overflow, e.g. for a new connection. */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.overflowed = false;
  }

  /** The buffered bytes followed by `tail`, and the buffer emptied. */
  private take(tail: Uint8Array): Uint8Array {
    if (this.pendingBytes === 0) return tail;
    const out = new Uint8Array(this.pendingBytes + tail.length);
    let at = 0;
    for (const part of this.pending) {
      out.set(part, at);
      at += part.length;
    }
    out.set(tail, at);
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }
}

/**
 * One frame for the wire: the UTF-8 bytes of `xml` and one NUL. Throws RangeError if `xml`
 * contains a NUL (it would split the frame) or a lone surrogate (it has no UTF-8 form).
 */
export function frame(xml: string): Uint8Array {
  if (xml.includes('\0')) throw new RangeError('an AXI frame cannot contain NUL');
  if (LONE_SURROGATE.test(xml)) throw new RangeError('an AXI frame cannot contain a lone surrogate');
  const body = encoder.encode(xml);
  const out = new Uint8Array(body.length + 1);
  out.set(body, 0);
  return out;
}
