// The protocol's hash chain (src/runtime/protocol-hash.ts): canonical JSON as a table (a
// comment per case), verifyChain against one tampering per table row, and properties: any
// single-field change of any entry of a random valid chain is detected, at that entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ProtocolEntry } from '../../src/ports/alarm-store.ts';
import { canonicalJson, GENESIS, hashEntry, verifyChain } from '../../src/runtime/protocol-hash.ts';

type Body = Omit<ProtocolEntry, 'seq' | 'prevHash' | 'hash'>;

/** Seals bodies into a valid chain: seq 1..n, each linked to the previous hash. */
function seal(bodies: readonly Body[]): ProtocolEntry[] {
  let prevHash = GENESIS;
  return bodies.map((b, i) => {
    const rest = { ...b, seq: i + 1, prevHash };
    const entry = { ...rest, hash: hashEntry(rest) };
    prevHash = entry.hash;
    return entry;
  });
}

/** Recomputes an entry's own hash after an edit (what a forger with write access would do). */
const rehash = (e: ProtocolEntry): ProtocolEntry => {
  const { hash: _old, ...rest } = e;
  return { ...rest, hash: hashEntry(rest) };
};

/** Edits entry `i`, recomputes its hash, and points entry `i + 1` at the new hash (without rehashing it). */
function relinkAfterForgery(entries: readonly ProtocolEntry[], i: number, field: keyof ProtocolEntry, value: unknown) {
  const out = [...entries];
  out[i] = rehash({ ...out[i]!, [field]: value });
  out[i + 1] = { ...out[i + 1]!, prevHash: out[i]!.hash };
  return out;
}

const bodies: readonly Body[] = [
  {
    alarmId: 'a1',
    at: 1_000,
    kind: 'raised',
    event: { type: 'RAISE', text: 'Fire in cabin 7' },
    fromState: null,
    toState: 'levelA',
    guards: [],
    effects: [{ type: 'notify', group: 'A', recipients: ['alice', 'bob'] }],
    actor: { kind: 'user', id: 'http' },
    note: 'raised by user http: → levelA; notified A: alice, bob',
    lateMs: null,
  },
  {
    alarmId: 'a1',
    at: 1_500,
    kind: 'event',
    event: { type: 'RESPONSE', response: 'reject', by: 'alice', at: 1_500 },
    fromState: 'levelA',
    toState: 'levelA',
    guards: [
      { guard: 'accepted', result: false },
      { guard: 'allRejected', result: false },
    ],
    effects: [],
    actor: { kind: 'user', id: 'alice' },
    note: 'alice rejected [accepted=false, allRejected=false]: stays levelA',
    lateMs: null,
  },
  {
    alarmId: 'a1',
    at: 2_000,
    kind: 'timer',
    event: { type: 'xstate.after.levelTimeout.escalate.levelA' },
    fromState: 'levelA',
    toState: 'levelB',
    guards: [],
    effects: [{ type: 'notify', group: 'B', recipients: ['carol'] }],
    actor: { kind: 'system', id: 'scheduler' },
    note: 'timer levelTimeout.escalate.levelA fired 0 ms late: levelA → levelB',
    lateMs: 0,
  },
  {
    alarmId: 'a1',
    at: 2_100,
    kind: 'event',
    event: { type: 'RESPONSE', response: 'accept', by: 'carol', at: 2_100 },
    fromState: 'levelB',
    toState: 'accepted',
    guards: [{ guard: 'accepted', result: true }],
    effects: [{ type: 'withdraw', recipients: ['bob'] }],
    actor: { kind: 'user', id: 'carol' },
    note: 'carol accepted [accepted=true]: levelB → accepted; withdrew 1 open notification(s)',
    lateMs: null,
  },
];
const valid = seal(bodies);

describe('canonicalJson (table)', () => {
  const cases: readonly { name: string; value: unknown; json: string }[] = [
    // Object keys come out sorted whatever order they were written in.
    { name: 'key order', value: { b: 1, a: 2, c: 3 }, json: '{"a":2,"b":1,"c":3}' },
    // Sorting applies at every depth, including objects inside arrays.
    {
      name: 'nested',
      value: { z: { y: 1, x: [{ b: true, a: null }] }, a: {} },
      json: '{"a":{},"z":{"x":[{"a":null,"b":true}],"y":1}}',
    },
    // Arrays keep their order: order in an array is data.
    { name: 'arrays keep order', value: [3, 1, 2, [], ['b', 'a']], json: '[3,1,2,[],["b","a"]]' },
    // An undefined member is dropped from an object, as JSON.stringify does.
    { name: 'undefined member dropped', value: { a: undefined, b: 1 }, json: '{"b":1}' },
    // An undefined array element becomes null, as JSON.stringify does.
    { name: 'undefined element is null', value: [undefined, 1], json: '[null,1]' },
    // A bare undefined is written as null rather than vanishing.
    { name: 'undefined alone', value: undefined, json: 'null' },
    // Scalars are plain JSON; non-finite numbers become null as in JSON.
    { name: 'scalars', value: [0, -1.5, 'x', false, null, Number.NaN], json: '[0,-1.5,"x",false,null,null]' },
    // Non-ASCII text is kept as is (not escaped) and keys sort by UTF-16 code unit: A < z < é < 😀 < ﬀ.
    {
      name: 'unicode',
      value: { ﬀ: 5, '😀': 4, é: 'ü', z: 2, A: 1 },
      json: '{"A":1,"z":2,"é":"ü","😀":4,"ﬀ":5}',
    },
    // Quotes, backslashes and control characters are escaped exactly as JSON.stringify escapes them.
    { name: 'escapes', value: { 'a"b': 'line\nbreak\\' }, json: '{"a\\"b":"line\\nbreak\\\\"}' },
    // A lone surrogate is escaped (well-formed JSON.stringify), so the text stays valid UTF-8.
    { name: 'lone surrogate', value: '\ud800', json: '"\\ud800"' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(canonicalJson(c.value), c.json);
    });
  }
});

describe('canonicalJson (properties)', () => {
  it('parses back to what JSON.stringify gives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.deepEqual(JSON.parse(canonicalJson(v)), JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('does not depend on the order keys were inserted in', () => {
    const shuffle = (v: unknown, seed: number): unknown => {
      if (Array.isArray(v)) return v.map((x, i) => shuffle(x, seed + i));
      if (v === null || typeof v !== 'object') return v;
      const entries = Object.entries(v);
      const order = entries.map((_, i) => i).sort((a, b) => ((a * 7 + seed) % 11) - ((b * 7 + seed) % 11));
      return Object.fromEntries(order.map((i) => [entries[i]![0], shuffle(entries[i]![1], seed + 1)]));
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(100), (v, seed) => {
        assert.equal(canonicalJson(shuffle(v, seed)), canonicalJson(v));
      }),
    );
  });
});

/** A different value for each field, to alter one field of entry 2 (index 1). */
const alterations: readonly { field: keyof ProtocolEntry; to: (e: ProtocolEntry) => unknown; reason: RegExp }[] = [
  { field: 'alarmId', to: () => 'a2', reason: /hash mismatch/ },
  { field: 'seq', to: (e) => e.seq + 1, reason: /expected seq 2/ },
  { field: 'at', to: (e) => e.at + 1, reason: /hash mismatch/ },
  { field: 'kind', to: () => 'timer', reason: /hash mismatch/ },
  { field: 'event', to: (e) => ({ ...(e.event as object), response: 'accept' }), reason: /hash mismatch/ },
  { field: 'fromState', to: () => 'levelB', reason: /hash mismatch/ },
  { field: 'toState', to: () => 'levelB', reason: /hash mismatch/ },
  { field: 'guards', to: () => [{ guard: 'accepted', result: true }], reason: /hash mismatch/ },
  { field: 'effects', to: () => [{ type: 'notify', group: 'B', recipients: ['carol'] }], reason: /hash mismatch/ },
  { field: 'actor', to: () => ({ kind: 'user', id: 'bob' }), reason: /hash mismatch/ },
  { field: 'note', to: (e) => `${e.note} `, reason: /hash mismatch/ },
  { field: 'lateMs', to: () => 0, reason: /hash mismatch/ },
  { field: 'prevHash', to: () => 'f'.repeat(64), reason: /broken link/ },
  { field: 'hash', to: () => '0'.repeat(64), reason: /hash mismatch/ },
];

describe('verifyChain (table)', () => {
  // An untouched chain, and the empty chain, verify.
  it('accepts a valid chain', () => {
    assert.deepEqual(verifyChain(valid), { ok: true });
    assert.deepEqual(verifyChain([]), { ok: true });
  });

  // A chain cut short at the end verifies on its own; against the alarm row's head it does not.
  it('detects a chain cut short at the end, given the head', () => {
    const last = valid.at(-1)!;
    const head = { seq: last.seq, lastHash: last.hash };
    assert.deepEqual(verifyChain(valid, head), { ok: true });
    const cut = verifyChain(valid.slice(0, -1), head);
    assert.equal(cut.ok, false);
    if (!cut.ok) assert.equal(cut.seq, valid.length);
    // A forged last entry with its hash recomputed no longer matches the head's hash.
    const forged = { ...last, note: 'forged' };
    const { hash: _h, ...body } = forged;
    assert.equal(verifyChain([...valid.slice(0, -1), { ...forged, hash: hashEntry(body) }], head).ok, false);
  });

  // Every field is covered by the hash (or by the seq and link checks): one case per field.
  for (const a of alterations) {
    it(`detects an altered ${a.field}`, () => {
      const entries = valid.map((e, i) => (i === 1 ? { ...e, [a.field]: a.to(e) } : e));
      const r = verifyChain(entries);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.seq, a.field === 'seq' ? 3 : 2);
      assert.match(r.reason, a.reason);
    });
  }

  const tamperings: readonly { name: string; entries: ProtocolEntry[]; seq: number; reason: RegExp }[] = [
    // Deleting an entry from the middle leaves a gap in seq.
    { name: 'a removed middle entry', entries: [valid[0]!, valid[2]!, valid[3]!], seq: 3, reason: /expected seq 2/ },
    // Deleting the first entry: the chain no longer starts at seq 1.
    { name: 'a removed first entry', entries: valid.slice(1), seq: 2, reason: /expected seq 1/ },
    // Two entries swapped as rows.
    {
      name: 'swapped entries',
      entries: [valid[0]!, valid[2]!, valid[1]!, valid[3]!],
      seq: 3,
      reason: /expected seq 2/,
    },
    // Swapped and renumbered to hide the gap, hashes recomputed: the links give it away.
    {
      name: 'swapped entries, renumbered and rehashed',
      entries: [valid[0]!, rehash({ ...valid[2]!, seq: 2 }), rehash({ ...valid[1]!, seq: 3 }), valid[3]!],
      seq: 2,
      reason: /broken link/,
    },
    // A duplicated entry (a replayed insert).
    {
      name: 'a duplicated entry',
      entries: [valid[0]!, valid[1]!, valid[1]!, valid[2]!],
      seq: 2,
      reason: /expected seq 3/,
    },
    // Entry 3 (rehashed, so it checks out by itself) points at entry 1 instead of entry 2.
    {
      name: 'a broken prevHash link',
      entries: valid.map((e, i) => (i === 2 ? rehash({ ...e, prevHash: valid[0]!.hash }) : e)),
      seq: 3,
      reason: /broken link/,
    },
    // The first entry must chain from GENESIS.
    {
      name: 'a first entry not chained from GENESIS',
      entries: [rehash({ ...valid[0]!, prevHash: 'a'.repeat(64) }), ...valid.slice(1)],
      seq: 1,
      reason: /broken link/,
    },
    // A forger edits entry 2 and recomputes its hash: entry 2 checks out, the link from entry 3 does not.
    {
      name: 'a forged entry with a recomputed hash',
      entries: valid.map((e, i) => (i === 1 ? rehash({ ...e, note: 'alice accepted' }) : e)),
      seq: 3,
      reason: /broken link/,
    },
    // ... and relinks entry 3 to the forged hash: entry 3's own hash covers its prevHash, so it breaks.
    {
      name: 'a forged entry with a recomputed hash and a relinked successor',
      entries: relinkAfterForgery(valid, 1, 'note', 'alice accepted'),
      seq: 3,
      reason: /hash mismatch/,
    },
  ];
  for (const t of tamperings) {
    it(`detects ${t.name}`, () => {
      const r = verifyChain(t.entries);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.seq, t.seq);
      assert.match(r.reason, t.reason);
    });
  }
});

const json = fc.jsonValue({ maxDepth: 2 });
const body: fc.Arbitrary<Body> = fc.record({
  alarmId: fc.string({ minLength: 1, maxLength: 12 }),
  at: fc.nat(),
  kind: fc.constantFrom('raised' as const, 'event' as const, 'timer' as const),
  event: json,
  fromState: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  toState: fc.string({ maxLength: 10 }),
  guards: fc.array(fc.record({ guard: fc.string({ maxLength: 8 }), result: fc.boolean() }), { maxLength: 3 }),
  effects: fc.array(json, { maxLength: 3 }),
  actor: fc.record({ kind: fc.constantFrom('user' as const, 'device' as const, 'system' as const), id: fc.string() }),
  note: fc.string({ maxLength: 40 }),
  lateMs: fc.option(fc.nat(), { nil: null }),
});
const FIELDS: readonly (keyof ProtocolEntry)[] = [
  'alarmId',
  'seq',
  'at',
  'kind',
  'event',
  'fromState',
  'toState',
  'guards',
  'effects',
  'actor',
  'note',
  'lateMs',
  'prevHash',
  'hash',
];

describe('verifyChain (properties)', () => {
  it('accepts every sealed chain', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 8 }), (bs) => {
        assert.deepEqual(verifyChain(seal(bs)), { ok: true });
      }),
    );
  });

  it('detects any single-field change of any entry, at that entry', () => {
    fc.assert(
      fc.property(
        fc.array(body, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom(...FIELDS),
        fc.jsonValue(),
        (bs, pick, field, value) => {
          const entries = seal(bs);
          const i = pick % entries.length;
          const before = entries[i]!;
          // Only real changes: a value with the same canonical JSON is the same value.
          fc.pre(canonicalJson(value) !== canonicalJson(before[field]));
          entries[i] = { ...before, [field]: value };
          const r = verifyChain(entries);
          assert.equal(r.ok, false);
          if (!r.ok && field !== 'seq') assert.equal(r.seq, i + 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('detects a forged entry with a recomputed hash at the next entry', () => {
    fc.assert(
      fc.property(
        fc.array(body, { minLength: 2, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom(...FIELDS.filter((f) => f !== 'seq' && f !== 'prevHash' && f !== 'hash')),
        fc.jsonValue(),
        (bs, pick, field, value) => {
          const entries = seal(bs);
          const i = pick % (entries.length - 1); // not the last: nothing after it could notice
          fc.pre(canonicalJson(value) !== canonicalJson(entries[i]![field]));
          entries[i] = rehash({ ...entries[i]!, [field]: value });
          const r = verifyChain(entries);
          assert.deepEqual(r, { ok: false, seq: i + 2, reason: 'broken link to the previous entry' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('detects a forged entry even when the next entry is relinked to it', () => {
    fc.assert(
      fc.property(
        fc.array(body, { minLength: 2, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom(...FIELDS.filter((f) => f !== 'seq' && f !== 'prevHash' && f !== 'hash')),
        fc.jsonValue(),
        (bs, pick, field, value) => {
          const entries = seal(bs);
          const i = pick % (entries.length - 1);
          fc.pre(canonicalJson(value) !== canonicalJson(entries[i]![field]));
          const r = verifyChain(relinkAfterForgery(entries, i, field, value));
          assert.deepEqual(r, { ok: false, seq: i + 2, reason: 'entry altered (hash mismatch)' });
        },
      ),
      { numRuns: 300 },
    );
  });
});
