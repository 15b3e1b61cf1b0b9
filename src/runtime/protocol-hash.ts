/**
 * The protocol's hash chain. Each entry's hash is SHA-256 over the previous entry's hash and
 * the entry's canonical JSON (keys sorted), so any edit, insertion or deletion breaks every
 * later link. The first entry of an alarm chains from GENESIS.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.ts';
import type { ProtocolEntry } from '../ports/alarm-store.ts';
import type { ConfigChangeEntry } from '../ports/config-store.ts';

export { canonicalJson };

export const GENESIS = '0'.repeat(64);

/** The hash of an entry, from everything in it except `hash` itself. */
export function hashEntry(entry: Omit<ProtocolEntry, 'hash'>): string {
  const { prevHash, ...body } = entry;
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(body)).digest('hex');
}

export type ChainCheck = { readonly ok: true } | { readonly ok: false; readonly seq: number; readonly reason: string };

/**
 * Verifies one alarm's chain: seq 1..n without gaps, links intact, every hash recomputes.
 * With `head` (the alarm row's seq and last hash) it also detects a chain cut short at the end.
 */
export function verifyChain(entries: readonly ProtocolEntry[], head?: { seq: number; lastHash: string }): ChainCheck {
  let prev = GENESIS;
  for (const [i, e] of entries.entries()) {
    if (e.seq !== i + 1) return { ok: false, seq: e.seq, reason: `expected seq ${i + 1}` };
    if (e.prevHash !== prev) return { ok: false, seq: e.seq, reason: 'broken link to the previous entry' };
    const { hash, ...rest } = e;
    if (hashEntry(rest) !== hash) return { ok: false, seq: e.seq, reason: 'entry altered (hash mismatch)' };
    prev = hash;
  }
  if (head && (entries.length !== head.seq || prev !== head.lastHash)) {
    return {
      ok: false,
      seq: entries.length + 1,
      reason: `the alarm is at seq ${head.seq}: entries after ${entries.length} are missing or replaced`,
    };
  }
  return { ok: true };
}

/** The hash of a configuration change record entry (same scheme: previous hash, then canonical JSON). */
export function hashConfigChange(entry: Omit<ConfigChangeEntry, 'hash'>): string {
  const { prevHash, ...body } = entry;
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(body)).digest('hex');
}

/** Verifies the configuration change record: seq 1..n, links, hashes, and the head when given. */
export function verifyConfigChain(
  entries: readonly ConfigChangeEntry[],
  head?: { seq: number; hash: string },
): ChainCheck {
  let prev = GENESIS;
  for (const [i, e] of entries.entries()) {
    if (e.seq !== i + 1) return { ok: false, seq: e.seq, reason: `expected seq ${i + 1}` };
    if (e.prevHash !== prev) return { ok: false, seq: e.seq, reason: 'broken link to the previous entry' };
    const { hash, ...rest } = e;
    if (hashConfigChange(rest) !== hash) return { ok: false, seq: e.seq, reason: 'entry altered (hash mismatch)' };
    prev = hash;
  }
  if (head && (entries.length !== head.seq || prev !== head.hash)) {
    return {
      ok: false,
      seq: entries.length + 1,
      reason: `the record ends at seq ${head.seq}: later entries are missing`,
    };
  }
  return { ok: true };
}
