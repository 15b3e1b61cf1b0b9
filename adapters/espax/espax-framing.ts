/**
 * ESPA-X stream framing (protocols.md §3.1), pure: bytes in, documents out; no IO.
 *
 *   stream = *( frame )
 *   frame  = header(10) document
 *   header = 'E' 'X'                  45 58
 *            total length              uint32 big-endian, header included (≥ 10)
 *            4 bytes                   ignored on receive (peers disagree: the invokeID or a constant);
 *                                      on send the invokeID as uint32 BE, 0 when there is none
 *   document = UTF-8 XML text
 *
 * One TCP read may hold several frames, part of one, or both; `EspaxDeframer` keeps the bytes
 * of the frame in progress. A bad magic, a length below 10 or above the cap is fatal: the
 * stream cannot be resynchronised, so the caller answers 600 (Invalid header) if it can and
 * drops the connection. The buffer never holds more than the cap.
 */

export const HEADER_BYTES = 10;
/** Default cap on one frame (header included): 64 KiB. A P-START with a full CP-EVENT is ~17 KiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

export interface DeframerOptions {
  /** The largest frame accepted, header included. */
  readonly maxFrameBytes?: number;
}

/** Why the stream is broken; `bytes` are the offending header bytes (up to 10). */
export interface FramingError {
  readonly reason: string;
  readonly bytes: Uint8Array;
}

export interface DeframerOutput {
  /** Complete documents in arrival order, decoded from UTF-8. */
  readonly documents: string[];
  /** Complete documents that are not valid UTF-8, as their raw bytes (answered with 601). */
  readonly invalid: Uint8Array[];
  /**
   * Set once the stream is broken. Documents completed before that point in the same push are
   * still returned; every later push reports the error again until `reset()`.
   */
  readonly error?: FramingError;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

/** Splits an ESPA-X byte stream into documents. Never throws from `push`. */
export class EspaxDeframer {
  readonly maxFrameBytes: number;
  private buf: Uint8Array = new Uint8Array(0);
  private broken: FramingError | undefined;

  constructor(options: DeframerOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < HEADER_BYTES || max > 0xffffffff)
      throw new RangeError(`maxFrameBytes must be an integer from ${HEADER_BYTES} to 2^32-1`);
    this.maxFrameBytes = max;
  }

  /** Bytes held for the frame in progress; never more than `maxFrameBytes`. */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  /** Feeds one chunk (the caller may reuse it afterwards). See `DeframerOutput`. */
  push(chunk: Uint8Array): DeframerOutput {
    const documents: string[] = [];
    const invalid: Uint8Array[] = [];
    if (this.broken) return { documents, invalid, error: this.broken };
    let data = this.buf.length === 0 ? chunk : concat(this.buf, chunk);
    for (;;) {
      const problem = headerProblem(data, this.maxFrameBytes);
      if (problem) {
        this.broken = { reason: problem, bytes: data.slice(0, HEADER_BYTES) };
        this.buf = new Uint8Array(0);
        return { documents, invalid, error: this.broken };
      }
      if (data.length < HEADER_BYTES) break;
      const total = readUint32(data, 2);
      if (data.length < total) break;
      const body = data.subarray(HEADER_BYTES, total);
      try {
        documents.push(utf8.decode(body));
      } catch {
        invalid.push(body.slice());
      }
      data = data.subarray(total);
    }
    // Copy: `data` may be a view of the caller's read buffer. Bounded: a partial frame < total ≤ cap.
    this.buf = data.slice();
    return { documents, invalid };
  }

  /** Drops the frame in progress and clears an error. */
  reset(): void {
    this.buf = new Uint8Array(0);
    this.broken = undefined;
  }
}

/** What is wrong with the (possibly partial) header at the start of `data`, if anything. */
function headerProblem(data: Uint8Array, max: number): string | undefined {
  if (data.length >= 1 && data[0] !== 0x45) return `bad magic (0x${hex(data.subarray(0, 2))}, expected 0x4558 'EX')`;
  if (data.length >= 2 && data[1] !== 0x58) return `bad magic (0x${hex(data.subarray(0, 2))}, expected 0x4558 'EX')`;
  if (data.length < 6) return undefined;
  const total = readUint32(data, 2);
  if (total < HEADER_BYTES) return `length ${total} is shorter than the ${HEADER_BYTES}-byte header`;
  if (total > max) return `length ${total} exceeds the ${max}-byte cap`;
  return undefined;
}

/**
 * One frame for the wire: the header and the UTF-8 bytes of `xml`. `invokeId` (a decimal
 * string or number) goes into bytes 6–9, reduced modulo 2^32; absent: 0. Throws RangeError
 * when the frame would exceed 2^32-1 bytes.
 */
export function frame(xml: string, invokeId?: string | number): Uint8Array {
  const body = encoder.encode(xml);
  const total = HEADER_BYTES + body.length;
  if (total > 0xffffffff) throw new RangeError('an ESPA-X frame must be shorter than 4 GiB');
  const out = new Uint8Array(total);
  out[0] = 0x45;
  out[1] = 0x58;
  const view = new DataView(out.buffer);
  view.setUint32(2, total);
  view.setUint32(6, invokeWord(invokeId));
  out.set(body, HEADER_BYTES);
  return out;
}

function invokeWord(invokeId: string | number | undefined): number {
  if (invokeId === undefined) return 0;
  const s = String(invokeId);
  if (!/^[0-9]{1,20}$/.test(s)) return 0;
  return Number(BigInt(s) & 0xffffffffn);
}

function readUint32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
