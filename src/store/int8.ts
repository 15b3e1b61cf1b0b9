/** Parses PostgreSQL int8 text to a JS number; throws rather than silently losing precision. */
export function safeInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JS number`);
  return n;
}
