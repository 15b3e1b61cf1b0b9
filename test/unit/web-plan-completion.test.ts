// Schema-aware completion of the plan editor (src/web/plans/plan-completion.ts) against the
// published plan schema (machines/plan-schema.ts, as GET /api/v1/schemas/plan.json serves it):
// members at a key, enum values at a value, state names at a target, nothing where nothing fits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planJsonSchema } from '../../machines/plan-schema.ts';
import { completePlan, schemasAt, type Schema } from '../../src/web/plans/plan-completion.ts';

const SCHEMA = JSON.parse(JSON.stringify(planJsonSchema)) as Schema;

/** Completion at the `|` in `text`. */
function at(text: string) {
  const offset = text.indexOf('|');
  return completePlan(SCHEMA, text.replace('|', ''), offset);
}
const labels = (text: string) => at(text)?.suggestions.map((s) => s.label) ?? [];

describe('plan completion', () => {
  it('follows $ref and anyOf to the schema of a state', () => {
    const props = schemasAt(SCHEMA, ['states', 'a']).flatMap((s) =>
      typeof s.properties === 'object' ? Object.keys(s.properties as object) : [],
    );
    assert.ok(props.includes('entry') && props.includes('type'));
  });

  it('offers the top-level members the text lacks, in quotes', () => {
    const found = labels('{ "id": "p", "|" }');
    assert.ok(found.includes('initial') && found.includes('states'));
    assert.ok(!found.includes('id')); // already there
    assert.equal(at('{ "id": "p", "|" }')?.quoted, true);
  });

  it('filters by the typed prefix and replaces from the word start', () => {
    const c = at('{ "sta|" }');
    assert.deepEqual(
      c?.suggestions.map((s) => s.label),
      ['states'],
    );
    assert.equal(c?.from, 3);
  });

  it('offers the members of a state inside states', () => {
    const found = labels('{ "states": { "a": { "|" } } }');
    for (const k of ['entry', 'exit', 'on', 'after', 'always', 'type', 'states']) assert.ok(found.includes(k), k);
  });

  it('offers registered action names in entry', () => {
    const found = labels('{ "states": { "a": { "entry": ["|"] } } }');
    assert.ok(found.includes('notify') && found.includes('withdraw'), found.join());
  });

  it('offers final and parallel for a state type', () => {
    assert.deepEqual(labels('{ "states": { "a": { "type": "|" } } }'), ['final', 'parallel']);
  });

  it('offers registered delay names as keys of after', () => {
    assert.ok(labels('{ "states": { "a": { "after": { "|" } } } }').includes('levelTimeout'));
  });

  it('offers sibling and child state names at a target', () => {
    const text = '{ "states": { "a": { "on": { "X": { "target": "|" } }, "states": { "c": {} } }, "b": {} } }';
    assert.deepEqual(labels(text).sort(), ['.c', 'a', 'b']);
  });

  it('offers the children of a state for its initial', () => {
    assert.deepEqual(labels('{ "initial": "|", "states": { "a": {}, "b": {} } }'), ['a', 'b']);
  });

  it('offers nothing where the schema has nothing (a description)', () => {
    assert.equal(at('{ "description": "|" }'), undefined);
  });
});
