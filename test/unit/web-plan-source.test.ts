// The plan editor's text model (src/web/plans/plan-source.ts): a validator's JSON pointer placed
// at its line, strict parsing with the syntax error's offset, and the editor's formatting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  lineAt,
  locateProblems,
  parsePlanText,
  pointerSegments,
  rangeOfPointer,
} from '../../src/web/plans/plan-source.ts';

const TEXT = `{
  "id": "p",
  "initial": "a",
  "states": {
    "a": {
      "entry": ["notify", "log"],
      "after": { "5000": { "target": "b" } }
    },
    "b/c": { "type": "final" },
    "b": {}
  }
}
`;
/** The line of `needle` in TEXT (1-based). */
const line = (needle: string) => TEXT.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('plan source: pointers to lines', () => {
  it('splits RFC 6901 pointers, unescaping ~1 and ~0', () => {
    assert.deepEqual(pointerSegments(''), []); // the root
    assert.deepEqual(pointerSegments('/states/a'), ['states', 'a']);
    assert.deepEqual(pointerSegments('/states/b~1c/x~0y'), ['states', 'b/c', 'x~y']);
  });

  it('places a member at the line of its key', () => {
    const r = rangeOfPointer(TEXT, '/states/a/after/5000/target');
    assert.equal(r.line, line('"target": "b"'));
    assert.equal(TEXT.slice(r.from, r.to), '"target": "b"');
  });

  it('places an array item by its index', () => {
    const r = rangeOfPointer(TEXT, '/states/a/entry/1');
    assert.equal(r.line, line('"entry"'));
    assert.equal(TEXT.slice(r.from, r.to), '"log"');
  });

  it('finds escaped keys', () => {
    assert.equal(rangeOfPointer(TEXT, '/states/b~1c/type').line, line('"b/c"'));
  });

  it('cuts an object member to its first line', () => {
    const r = rangeOfPointer(TEXT, '/states/a');
    assert.equal(r.line, line('"a": {'));
    assert.equal(TEXT.slice(r.from, r.to), '"a": {');
  });

  it('lands a missing member on its deepest existing ancestor', () => {
    // `/states/b/on` does not exist: the problem is about state b.
    assert.equal(rangeOfPointer(TEXT, '/states/b/on/X').line, line('"b": {}'));
  });

  it('puts the root, and unparseable text, on the first line', () => {
    assert.equal(rangeOfPointer(TEXT, '').line, 1);
    assert.equal(rangeOfPointer('', '/x').line, 1);
  });

  it('orders located problems by their place in the text', () => {
    const located = locateProblems(TEXT, [
      { pointer: '/states/b', reason: 'late' },
      { pointer: '/initial', reason: 'early' },
    ]);
    assert.deepEqual(
      located.map((p) => [p.reason, p.line]),
      [
        ['early', 3],
        ['late', line('"b": {}')],
      ],
    );
  });
});

describe('plan source: parsing', () => {
  it('parses valid JSON', () => {
    assert.deepEqual(parsePlanText('{"a": [1]}'), { ok: true, value: { a: [1] } });
  });

  it('gives the offset of the first syntax error, as a line', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    const r = parsePlanText(text);
    assert.equal(r.ok, false);
    assert.equal(lineAt(text, (r as { offset: number }).offset), 3); // the missing comma shows at "b"
  });

  it('refuses comments and trailing commas (the API takes plain JSON)', () => {
    assert.equal(parsePlanText('{"a": 1, }').ok, false);
    assert.equal(parsePlanText('{"a": 1 // note\n}').ok, false);
  });
});
