// jsonDiff: table-driven cases (a comment on each) and a property: applying the diff of A and
// B to A gives B, and the diff of a value with itself is empty.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/domain/canonical-json.ts';
import { applyJsonChanges, jsonDiff, type JsonChange } from '../../src/domain/json-diff.ts';

const cases: readonly [string, unknown, unknown, JsonChange[]][] = [
  // Equal values, deep: nothing.
  ['equal', { a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }, []],
  // A scalar changed inside an object.
  ['replace a leaf', { a: 1, b: 2 }, { a: 1, b: 3 }, [{ op: 'replace', pointer: '/b', from: 2, to: 3 }]],
  // A key added and another removed: removes first, keys in name order.
  [
    'add and remove keys',
    { a: 1, b: 2 },
    { a: 1, c: 3 },
    [
      { op: 'remove', pointer: '/b', from: 2 },
      { op: 'add', pointer: '/c', to: 3 },
    ],
  ],
  // A longer array: the tail is added.
  [
    'append',
    [1],
    [1, 2, 3],
    [
      { op: 'add', pointer: '/1', to: 2 },
      { op: 'add', pointer: '/2', to: 3 },
    ],
  ],
  // A shorter array: the tail is removed from the end, so the changes apply in order.
  [
    'truncate',
    [1, 2, 3],
    [1],
    [
      { op: 'remove', pointer: '/2', from: 3 },
      { op: 'remove', pointer: '/1', from: 2 },
    ],
  ],
  // A type change is one replace of the whole value, not a structural diff.
  ['object to array', { a: { x: 1 } }, { a: [1] }, [{ op: 'replace', pointer: '/a', from: { x: 1 }, to: [1] }]],
  // null is a value like any other.
  ['null to object', null, { a: 1 }, [{ op: 'replace', pointer: '', from: null, to: { a: 1 } }]],
  // Keys with / and ~ are escaped per RFC 6901.
  [
    'escaped keys',
    { 'a/b': 1, 'c~d': 1 },
    { 'a/b': 2, 'c~d': 1 },
    [{ op: 'replace', pointer: '/a~1b', from: 1, to: 2 }],
  ],
  // A nested change in a plan-like shape.
  [
    'nested',
    { states: { levelA: { after: { 60000: 'levelB' } } } },
    { states: { levelA: { after: { 30000: 'levelB' } } } },
    [
      { op: 'remove', pointer: '/states/levelA/after/60000', from: 'levelB' },
      { op: 'add', pointer: '/states/levelA/after/30000', to: 'levelB' },
    ],
  ],
];

describe('jsonDiff', () => {
  for (const [name, a, b, expected] of cases) {
    it(name, () => {
      assert.deepEqual(jsonDiff(a, b), expected);
      assert.deepEqual(applyJsonChanges(a, expected), b);
    });
  }

  it('property: applying the diff of A and B to A gives B; A against itself is empty', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        // Compared as canonical JSON text: fast-check generates -0, which JSON (and jsonDiff) treat as 0.
        const text = canonicalJson;
        assert.equal(text(applyJsonChanges(a, jsonDiff(a, b))), text(b));
        assert.deepEqual(jsonDiff(a, structuredClone(a)), []);
        assert.deepEqual(applyJsonChanges(a, jsonDiff(a, a)), a);
      }),
      { numRuns: 1000 },
    );
  });
});
