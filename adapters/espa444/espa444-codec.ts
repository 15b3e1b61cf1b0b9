/**
 * ESPA 4.4.4 data blocks, pure bytes ↔ blocks (protocols.md §2.4). No IO, no state; the
 * incremental stream scanner that finds blocks and control characters is espa444-scanner.ts.
 *
 *   SOH <header> STX <id> US <data> [RS <id> US <data>]… ETX <BCC>
 *
 * - BCC = XOR of every byte after SOH up to and including ETX. It may have the value of any
 *   control character (even ETX or EOT): the scanner reads exactly one byte after ETX.
 * - Header: one character, '1' call to pager, '2' status information, '3' status request,
 *   '4' call to subscriber line, '5' other. Another header decodes (with `kind` undefined);
 *   the adapter answers it with '3'NAK.
 * - Tolerated on decode: spaces around a record id (the Zenitel example's space after STX,
 *   vector E6) and empty records (a stray RS before ETX, or RS RS).
 * - Charsets: 'latin1' (default), 'utf8', 'ia5' (7-bit ASCII). IA5 decoding replaces a byte
 *   above 0x7F by U+FFFD and reports it in `warnings`: a wrong character in an alarm text is
 *   better than refusing the alarm. Encoding replaces a character the charset cannot carry by
 *   '?', and any control character (they would break the framing) by a space.
 * - Encoding caps the display text (record 2) at `maxTextChars` code points (default 128)
 *   and refuses a call address (record 1) that is not 1–16 digits.
 */

export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ENQ = 0x05;
export const ACK = 0x06;
export const NAK = 0x15;
export const US = 0x1f;
export const RS = 0x1e;

export type Charset = 'ia5' | 'latin1' | 'utf8';

export type HeaderKind = 'call' | 'status' | 'status-request' | 'subscriber-call' | 'other';
export const HEADERS: Readonly<Record<string, HeaderKind>> = {
  '1': 'call',
  '2': 'status',
  '3': 'status-request',
  '4': 'subscriber-call',
  '5': 'other',
};

export type CallType = 'reset' | 'speech' | 'standard';
export const CALL_TYPES: Readonly<Record<string, CallType>> = { '1': 'reset', '2': 'speech', '3': 'standard' };

export type Priority = 'alarm' | 'high' | 'normal';
export const PRIORITIES: Readonly<Record<string, Priority>> = { '1': 'alarm', '2': 'high', '3': 'normal' };

export type CallStatus =
  | 'busy'
  | 'in-queue'
  | 'paged'
  | 'absent'
  | 'terminated'
  | 'acknowledged'
  | 'speech-open'
  | 'speech-paged'
  | 'speech-absent'
  | 'fault';
/** Record 7 values. '1' is not '01': values are compared as strings. */
export const CALL_STATUSES: Readonly<Record<string, CallStatus>> = {
  '1': 'busy',
  '2': 'in-queue',
  '3': 'paged',
  '4': 'absent',
  '5': 'terminated',
  '6': 'acknowledged',
  '7': 'speech-open',
  '71': 'speech-paged',
  '72': 'speech-absent',
  '8': 'fault',
};

export type SystemStatus = 'transmitter-failure';
export const SYSTEM_STATUSES: Readonly<Record<string, SystemStatus>> = { '1': 'transmitter-failure' };

/** A record as it goes on the wire: data identifier and value. */
export interface RawRecord {
  readonly id: string;
  readonly value: string;
}

/** A decoded record: the raw pair plus its meaning (undefined for a value outside the table). */
export type EspaRecord =
  | (RawRecord & { readonly type: 'address' })
  | (RawRecord & { readonly type: 'text' })
  | (RawRecord & { readonly type: 'beep' })
  | (RawRecord & { readonly type: 'call-type'; readonly callType: CallType | undefined })
  | (RawRecord & { readonly type: 'transmissions'; readonly count: number | undefined })
  | (RawRecord & { readonly type: 'priority'; readonly priority: Priority | undefined })
  | (RawRecord & { readonly type: 'call-status'; readonly status: CallStatus | undefined })
  | (RawRecord & { readonly type: 'system-status'; readonly status: SystemStatus | undefined })
  | (RawRecord & { readonly type: 'unknown' });

/** A block to encode. */
export interface OutBlock {
  readonly header: string;
  readonly records: readonly RawRecord[];
}

export interface EspaBlock {
  readonly header: string;
  /** undefined: a header outside 1–5. */
  readonly kind: HeaderKind | undefined;
  readonly records: readonly EspaRecord[];
}

export interface CodecOptions {
  readonly charset?: Charset;
  /** Display text cap in code points (record 2) when encoding; default 128. */
  readonly maxTextChars?: number;
}

export const MAX_ADDRESS_DIGITS = 16;
export const DEFAULT_MAX_TEXT_CHARS = 128;

/** An encoding refusal (a bad address or record id): the caller's input, not the wire. */
export class Espa444EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Espa444EncodeError';
  }
}

/** Types a raw record by its data identifier (protocols.md §2.4 table). Pure, total. */
export function typeRecord(r: RawRecord): EspaRecord {
  const { id, value } = r;
  switch (id) {
    case '1':
      return { type: 'address', id, value };
    case '2':
      return { type: 'text', id, value };
    case '3':
      return { type: 'beep', id, value };
    case '4':
      return { type: 'call-type', id, value, callType: CALL_TYPES[value] };
    case '5':
      return { type: 'transmissions', id, value, count: /^[1-9][0-9]{0,3}$/.test(value) ? Number(value) : undefined };
    case '6':
      return { type: 'priority', id, value, priority: PRIORITIES[value] };
    case '7':
      return { type: 'call-status', id, value, status: CALL_STATUSES[value] };
    case '8':
      return { type: 'system-status', id, value, status: SYSTEM_STATUSES[value] };
    default:
      return { type: 'unknown', id, value };
  }
}

/** XOR of `bytes[from..to)`. */
export function bcc(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i]!;
  return x;
}

/** Text → bytes in `charset`; unencodable characters become '?', control characters a space. */
export function encodeText(text: string, charset: Charset): Uint8Array {
  let clean = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp === 0x7f) clean += ' ';
    else if (charset === 'ia5' && cp > 0x7f) clean += '?';
    else if (charset === 'latin1' && cp > 0xff) clean += '?';
    else clean += ch;
  }
  if (charset === 'utf8') return new Uint8Array(Buffer.from(clean, 'utf8'));
  return Uint8Array.from(clean, (c) => c.charCodeAt(0));
}

/** Bytes → text in `charset`. Never throws; IA5 bytes above 0x7F and bad UTF-8 become U+FFFD. */
export function decodeText(bytes: Uint8Array, charset: Charset): { text: string; replaced: number } {
  if (charset === 'utf8') {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return { text, replaced: (text.match(/\uFFFD/g) ?? []).length };
  }
  let text = '';
  let replaced = 0;
  for (const b of bytes) {
    if (charset === 'ia5' && b > 0x7f) {
      text += '\uFFFD';
      replaced++;
    } else text += String.fromCharCode(b);
  }
  return { text, replaced };
}

/** Caps a display text at `max` code points (never splitting one). */
export function capText(text: string, max: number): string {
  const cps = [...text];
  return cps.length <= max ? text : cps.slice(0, max).join('');
}

/**
 * Encodes a block: header and records (in the given order), ETX and BCC. Caps record 2 and
 * cleans text values per the charset. Throws Espa444EncodeError for a header that is not one
 * digit, a record id that is not 1–2 digits, or a record 1 that is empty or over 16 characters.
 */
export function encodeBlock(b: OutBlock, o: CodecOptions = {}): Uint8Array {
  const charset = o.charset ?? 'latin1';
  const max = o.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  if (!/^[0-9]$/.test(b.header)) throw new Espa444EncodeError(`header ${JSON.stringify(b.header)} is not one digit`);
  const out: number[] = [SOH, b.header.charCodeAt(0), STX];
  b.records.forEach((r, i) => {
    if (!/^[0-9]{1,2}$/.test(r.id)) throw new Espa444EncodeError(`record id ${JSON.stringify(r.id)} is not 1–2 digits`);
    if (r.id === '1' && (r.value.length === 0 || r.value.length > MAX_ADDRESS_DIGITS))
      throw new Espa444EncodeError(`call address ${JSON.stringify(r.value)} is not 1–${MAX_ADDRESS_DIGITS} characters`);
    if (i > 0) out.push(RS);
    for (const c of r.id) out.push(c.charCodeAt(0));
    out.push(US);
    out.push(...encodeText(r.id === '2' ? capText(r.value, max) : r.value, charset));
  });
  out.push(ETX);
  const bytes = Uint8Array.from(out);
  return Uint8Array.from([...bytes, bcc(bytes, 1)]);
}

/** A call address: 1–16 digits. */
export const isAddress = (s: string): boolean => new RegExp(`^[0-9]{1,${MAX_ADDRESS_DIGITS}}$`).test(s);

export type DecodeResult =
  | { readonly ok: true; readonly block: EspaBlock; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly bytes: Uint8Array };

/**
 * Decodes one whole block `SOH … ETX BCC` (as the scanner delimits it). Checks the BCC first
 * ("bcc" in the reason: answer '1'NAK), then the structure (answer '3'NAK) — also for a frame
 * with nothing between SOH and ETX: a byte garbled into SOH near a block's end leaves such a
 * fragment, and its sender must hear a transmission error and send again, not "invalid" and
 * drop the call. Never throws; a failure carries the offending bytes.
 */
export function decodeBlock(bytes: Uint8Array, o: CodecOptions = {}): DecodeResult {
  const charset = o.charset ?? 'latin1';
  const fail = (reason: string): DecodeResult => ({ ok: false, reason, bytes });
  const n = bytes.length;
  if (n < 3 || bytes[0] !== SOH || bytes[n - 2] !== ETX) return fail('not a block (SOH … ETX BCC)');
  const want = bcc(bytes, 1, n - 1);
  if (want !== bytes[n - 1]) return fail(`bcc mismatch: got 0x${hex(bytes[n - 1]!)}, computed 0x${hex(want)}`);
  if (n < 4) return fail('an empty block (SOH ETX BCC)');
  const stx = bytes.indexOf(STX, 1);
  if (stx < 0 || stx > n - 2) return fail('no STX');
  if (stx !== 2) return fail(`header of ${stx - 1} bytes (one digit expected)`);
  const header = String.fromCharCode(bytes[1]!);
  const records: EspaRecord[] = [];
  const warnings: string[] = [];
  let start = stx + 1;
  const end = n - 2;
  while (start <= end) {
    let stop = bytes.indexOf(RS, start);
    if (stop < 0 || stop > end) stop = end;
    const seg = bytes.subarray(start, stop);
    start = stop + 1;
    if (seg.every((b) => b === 0x20)) continue; // an empty record (stray RS)
    const us = seg.indexOf(US);
    if (us < 0) return fail(`a record without US: ${JSON.stringify(decodeText(seg, 'latin1').text)}`);
    const id = decodeText(seg.subarray(0, us), 'latin1').text.trim();
    if (!/^[0-9]{1,2}$/.test(id)) return fail(`record id ${JSON.stringify(id)} is not 1–2 digits`);
    const value = decodeText(seg.subarray(us + 1), charset);
    if (value.replaced > 0) warnings.push(`record ${id}: ${value.replaced} byte(s) not valid ${charset}, replaced`);
    records.push(typeRecord({ id, value: value.text }));
  }
  return { ok: true, block: { header, kind: HEADERS[header], records }, warnings };
}

const hex = (b: number) => b.toString(16).padStart(2, '0');

/** The value of the first record `id` in a block, if any. */
export function valueOf(b: { readonly records: readonly RawRecord[] }, id: string): string | undefined {
  return b.records.find((r) => r.id === id)?.value;
}
