/**
 * The access log's hash chain, on the protocol's scheme (protocol-hash.ts): each hash is
 * SHA-256 over the previous hash, a newline, and the entry's canonical JSON without `hash`;
 * the first entry chains from GENESIS. Any edit, insertion or removal inside the chain breaks
 * every later link. The chain has no secret: whoever can rewrite the whole table can also
 * recompute it, which is why `tocsin audit verify` prints the head to be kept elsewhere.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.ts';
import type { AccessEntry, AccessEntryInput } from '../ports/access-log.ts';
import { GENESIS, type ChainCheck } from './protocol-hash.ts';

export { GENESIS, type ChainCheck };

/** The hash of an entry, from everything in it except `hash` itself. */
export function hashAccessEntry(entry: Omit<AccessEntry, 'hash'>): string {
  const { prevHash, ...body } = entry;
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(body)).digest('hex');
}

/** Lone UTF-16 surrogates (not storable as UTF-8) and NUL (refused by text and jsonb). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be matched
const UNSTORABLE = /\p{Cs}|\u0000/gu;
const storable = (s: string): string => s.replace(UNSTORABLE, '\uFFFD');
const optional = (s: string | null | undefined): string | null => (s ? storable(s) : null);

function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]));
  }
  return value;
}

/**
 * The entry exactly as the database will hand it back, so the hash covers what is stored:
 * whole milliseconds; empty or missing optional strings → null; details as their JSON value
 * (undefined → null); lone surrogates and NUL → U+FFFD (PostgreSQL stores neither). Pure.
 */
export function normaliseAccessEntry(input: AccessEntryInput): Omit<AccessEntry, 'seq' | 'prevHash' | 'hash'> {
  const json = input.details === undefined ? undefined : JSON.stringify(storableJson(input.details));
  return {
    at: Math.trunc(input.at),
    actor: storable(input.actor),
    source: optional(input.source),
    action: storable(input.action),
    outcome: input.outcome,
    target: optional(input.target),
    environment: optional(input.environment),
    details: json === undefined ? null : (JSON.parse(json) as unknown),
  };
}

/** Incremental verification: feed entries in seq order; the first failure sticks. */
export class AccessChainVerifier {
  private prev = GENESIS;
  private count = 0;
  private failure: ChainCheck | undefined;

  /** Checks the next entry: seq without gaps, link to the previous hash, hash recomputes. */
  push(e: AccessEntry): ChainCheck {
    if (this.failure) return this.failure;
    const expected = this.count + 1;
    if (e.seq !== expected) return (this.failure = { ok: false, seq: e.seq, reason: `expected seq ${expected}` });
    if (e.prevHash !== this.prev) {
      return (this.failure = { ok: false, seq: e.seq, reason: 'broken link to the previous entry' });
    }
    const { hash, ...rest } = e;
    if (hashAccessEntry(rest) !== hash) {
      return (this.failure = { ok: false, seq: e.seq, reason: 'entry altered (hash mismatch)' });
    }
    this.prev = hash;
    this.count = expected;
    return { ok: true };
  }

  /** The verdict so far; with `head` also whether the chain reaches it (nothing cut off at the end). */
  result(head?: { readonly seq: number; readonly hash: string }): ChainCheck & { readonly entries: number } {
    if (this.failure) return { entries: this.count, ...this.failure };
    if (head && (this.count !== head.seq || this.prev !== head.hash)) {
      return {
        entries: this.count,
        ok: false,
        seq: this.count + 1,
        reason: `the log ends at seq ${head.seq}: later entries are missing or replaced`,
      };
    }
    return { entries: this.count, ok: true };
  }
}

/** Verifies a whole log (seq 1..n): the first broken entry's seq and why, or ok. */
export function verifyAccessChain(
  entries: Iterable<AccessEntry>,
  head?: { readonly seq: number; readonly hash: string },
): ChainCheck {
  const v = new AccessChainVerifier();
  for (const e of entries) if (!v.push(e).ok) break;
  const { entries: _n, ...check } = v.result(head);
  return check;
}

/** verifyAccessChain over an async source (AccessLog.entries()); stops reading at the first failure. */
export async function verifyAccessLog(
  entries: AsyncIterable<AccessEntry>,
  head?: { readonly seq: number; readonly hash: string },
): Promise<ChainCheck & { readonly entries: number }> {
  const v = new AccessChainVerifier();
  for await (const e of entries) if (!v.push(e).ok) break;
  return v.result(head);
}
