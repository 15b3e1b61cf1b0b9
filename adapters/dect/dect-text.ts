/**
 * Text for the handset (Latin-1, the handset's length) and message keys (ids below 2^20,
 * (sendTime, id) never repeated). Pure.
 */
import { MESSAGE_ID_LIMIT } from './dect-codec-encode.ts';

/** A few characters outside Latin-1 that have a better stand-in than NFKD gives. */
const TRANSLITERATE: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u2022': '*',
  '\u20AC': 'EUR',
  '\u2192': '->',
  '\u2190': '<-',
  '\u00A0': ' ',
  '\u0152': 'OE',
  '\u0153': 'oe',
  '\u0141': 'L',
  '\u0142': 'l',
  '\u0110': 'D',
  '\u0111': 'd',
};

const ELLIPSIS = '...';

function isLatin1Printable(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xff);
}

function toLatin1(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (isLatin1Printable(c)) return ch;
  if (c < 0x20) return ' ';
  const t = TRANSLITERATE[ch];
  if (t !== undefined) return t;
  const folded = ch.normalize('NFKD').replace(/\p{M}/gu, '');
  if (folded !== '' && [...folded].every((f) => isLatin1Printable(f.codePointAt(0)!))) return folded;
  return '?';
}

function utf8Length(latin1: string): number {
  let n = 0;
  for (let i = 0; i < latin1.length; i++) n += latin1.charCodeAt(i) < 0x80 ? 1 : 2;
  return n;
}

/**
 * Text a Mitel handset can show: every character representable in Latin-1 (accents outside it
 * dropped, typographic quotes and dashes replaced, control characters become spaces, the rest
 * `?`), then cut on a character boundary to at most `maxBytes` of UTF-8, ending in `...` when
 * cut. Pure; throws RangeError if `maxBytes` is not a non-negative integer.
 */
export function fitText(text: string, maxBytes: number): string {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be ≥ 0, got ${maxBytes}`);
  let out = '';
  for (const ch of text.normalize('NFC')) out += toLatin1(ch);
  if (utf8Length(out) <= maxBytes) return out;
  const tail = maxBytes >= ELLIPSIS.length ? ELLIPSIS : '';
  const budget = maxBytes - tail.length;
  let used = 0;
  let i = 0;
  for (; i < out.length; i++) {
    const w = out.charCodeAt(i) < 0x80 ? 1 : 2;
    if (used + w > budget) break;
    used += w;
  }
  return out.slice(0, i) + tail;
}

/** The name of a sent message: (sendTime, id) must be unique on the OMM. */
export interface MessageKey {
  readonly sendTime: number;
  readonly id: number;
}

/**
 * The key for the next message, after `prev` (undefined for the first). Ids count up modulo
 * 2^20; sendTime is `now` but never goes backwards, and moves on by one second whenever the id
 * wraps to 0, so no key repeats as long as `prev` is carried over (persist it across restarts).
 * Pure.
 */
export function nextMessageKey(prev: MessageKey | undefined, now: number): MessageKey {
  if (prev === undefined) return { sendTime: now, id: 0 };
  const id = (prev.id + 1) % MESSAGE_ID_LIMIT;
  const sendTime = Math.max(now, id === 0 ? prev.sendTime + 1 : prev.sendTime);
  return { sendTime, id };
}
