// The plan editor's statechart graph (src/web/plans/plan-chart.ts): states nested as in the plan,
// transitions resolved as XState resolves targets and merged per pair of states, and the ELK
// graph built from it; plus one real layout with elkjs to show compound states hold their children.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import escalate from '../../machines/plans/escalate.json' with { type: 'json' };
import { elkGraph, flatStates, INITIAL, planChart } from '../../src/web/plans/plan-chart.ts';
import { layoutChart } from '../../src/web/plans/plan-layout.ts';

const NESTED = {
  id: 'nested',
  initial: 'level',
  states: {
    level: {
      initial: 'ring',
      on: { CANCEL: 'done' },
      states: {
        ring: { after: { '5000': 'again', levelTimeout: '#nested.done' } },
        again: { on: { RESPONSE: [{ guard: 'accepted', target: '#nested.done' }, { target: 'ring' }] } },
      },
    },
    done: { type: 'final' },
    both: { type: 'parallel', states: { x: {}, y: {} } },
  },
};

describe('plan chart', () => {
  it('nests states and tells their kinds', () => {
    const chart = planChart(NESTED);
    assert.deepEqual(
      flatStates(chart.states).map((s) => [s.id, s.kind, s.initial]),
      [
        ['level', 'compound', true],
        ['level.ring', 'atomic', true],
        ['level.again', 'atomic', false],
        ['done', 'final', false],
        ['both', 'parallel', false],
        ['both.x', 'atomic', false],
        ['both.y', 'atomic', false],
      ],
    );
  });

  it('resolves sibling, absolute and guarded targets, one edge per pair', () => {
    const edges = planChart(NESTED).edges.map((e) => `${e.from}>${e.to}: ${e.labels.join(' | ')}`);
    assert.deepEqual(edges.sort(), [
      'level.again>done: RESPONSE [accepted]',
      'level.again>level.ring: RESPONSE',
      'level.ring>done: after levelTimeout',
      'level.ring>level.again: after 5000',
      'level>done: CANCEL',
    ]);
  });

  it('merges the events of one pair of states into one edge', () => {
    const levelB = planChart(escalate).edges.find((e) => e.from === 'levelB' && e.to === 'endOfRound');
    assert.deepEqual(levelB?.labels, ['RESPONSE [allRejected]', 'after levelTimeout']);
  });

  it('draws no edge for a target that does not resolve, and survives non-plans', () => {
    assert.deepEqual(planChart({ id: 'p', states: { a: { on: { X: 'nowhere' } } } }).edges, []);
    assert.deepEqual(planChart(null), { planId: '', states: [], edges: [] });
    assert.deepEqual(
      planChart({ states: { a: 7 } }).states.map((s) => s.kind),
      ['atomic'],
    );
  });

  it('builds an ELK graph with children inside compound nodes and an initial marker per level', () => {
    const g = elkGraph(planChart(NESTED));
    assert.deepEqual(
      g.children?.map((c) => c.id),
      [`${INITIAL}:`, 'level', 'done', 'both'],
    );
    const level = g.children?.find((c) => c.id === 'level');
    assert.deepEqual(
      level?.children?.map((c) => c.id),
      [`${INITIAL}:level`, 'level.ring', 'level.again'],
    );
    // A parallel state has no initial child: no marker inside it.
    assert.deepEqual(
      g.children?.find((c) => c.id === 'both')?.children?.map((c) => c.id),
      ['both.x', 'both.y'],
    );
    const initialEdges = g.edges?.filter((e) => e.id.startsWith('i:')).map((e) => `${e.sources[0]}>${e.targets[0]}`);
    assert.deepEqual(initialEdges, [`${INITIAL}:>level`, `${INITIAL}:level>level.ring`]);
    assert.equal(g.layoutOptions?.['elk.hierarchyHandling'], 'INCLUDE_CHILDREN');
  });

  it('lays out with elkjs: a compound state encloses its children, every edge has points', async () => {
    const layout = await layoutChart(planChart(NESTED));
    const at = (id: string) => layout.states.find((s) => s.id === id)!;
    const level = at('level');
    for (const child of [at('level.ring'), at('level.again')]) {
      assert.ok(child.x > level.x && child.x + child.width < level.x + level.width, child.id);
      assert.ok(child.y > level.y && child.y + child.height < level.y + level.height, child.id);
    }
    assert.equal(at(`${INITIAL}:`).kind, 'initial');
    assert.ok(layout.edges.every((e) => e.points.length >= 2));
    assert.ok(layout.width > 0 && layout.height > 0);
  });
});
