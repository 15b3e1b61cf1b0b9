// `tocsin replay` as a real child process against a PGlite data directory holding golden
// histories (test/fixtures/golden), one of them forged: the verdict in text and JSON, exit codes
// 0 (reproduces), 1 (diverges, unknown alarm), 2 (usage); what-if by ids and by time range.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPgliteStore } from '../../src/store/pglite-store.ts';
import { forge, GOLDEN_KEY, importGolden, loadGolden } from '../fixtures/golden/import.ts';
import { T0 } from '../support/harness.ts';
import { runTocsinAsync } from '../support/cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tocsin-replay-cli-'));
const env = { TOCSIN_DATA_DIR: join(scratch, 'data') };
const tocsin = (...args: string[]) => runTocsinAsync(['replay', ...args], env);

before(async () => {
  mkdirSync(env.TOCSIN_DATA_DIR, { recursive: true });
  const store = await createPgliteStore({ dataDir: join(env.TOCSIN_DATA_DIR, 'pglite') });
  try {
    await store.migrate();
    await store.pseudonymKey(GOLDEN_KEY);
    await importGolden(store, loadGolden('escalate--accepted-level-1.json'));
    await importGolden(store, loadGolden('tpl-repeat-backoff--escalated.json'));
    await importGolden(store, loadGolden('escalate--cancelled.json'));
    const escalated = loadGolden('escalate--escalated.json');
    await importGolden(
      store,
      forge(escalated, 2, (e) => ({ ...e, toState: 'levelA' }), { rehash: true }),
    );
    const faster = structuredClone(escalated.plan.definition) as { states: { levelA: { after: unknown } } };
    faster.states.levelA.after = { 400: { target: 'levelB' } };
    await store.putPlan({ id: 'escalate-faster', version: 1 }, { ...faster, id: 'escalate-faster' }, T0);
  } finally {
    await store.close();
  }
});
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('tocsin replay ALARM_ID', () => {
  it('prints that a recorded alarm reproduces and exits 0; --json prints the API verdict', async () => {
    const r = await tocsin('golden-tpl-repeat-backoff-escalated');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'alarm golden-tpl-repeat-backoff-escalated reproduces under tpl-repeat-backoff@1: 5 steps\n',
    );
    const j = await tocsin('golden-escalate-accepted-level-1', '--json');
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), {
      alarmId: 'golden-escalate-accepted-level-1',
      plan: 'escalate@1',
      ok: true,
      steps: 2,
    });
  });

  it('names the first diverging entry, what was recorded and what was replayed, and exits 1', async () => {
    const r = await tocsin('golden-escalate-escalated');
    assert.equal(r.code, 1, r.stderr);
    const [head, recorded, replayed] = r.stdout.trimEnd().split('\n');
    assert.equal(
      head,
      'alarm golden-escalate-escalated does not reproduce under escalate@1: entry 2: state levelB ≠ recorded levelA',
    );
    assert.match(recorded!, /^ {2}recorded: state levelA, effects \[/);
    assert.match(replayed!, /^ {2}replayed: state levelB, effects \[.*"carol"/);
    const j = JSON.parse((await tocsin('golden-escalate-escalated', '--json')).stdout);
    assert.equal(j.seq, 2);
    assert.equal(j.actual.state, 'levelB');
  });

  it('an unknown alarm exits 1; usage errors exit 2 and say why', async () => {
    const unknown = await tocsin('nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /alarm nope does not exist/);
    for (const args of [[], ['a', 'b'], ['bad id'], ['a', '--from', '2026-01-01'], ['--bogus', 'a']]) {
      const r = await tocsin(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /Usage: tocsin replay/);
    }
    const help = await tocsin('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--what-if/);
  });
});

describe('tocsin replay --what-if', () => {
  it('by ids: who would have been notified when, against what happened', async () => {
    const r = await tocsin('--what-if', 'escalate-faster@1', 'golden-escalate-accepted-level-1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^what-if escalate-faster@1: 1 alarm\(s\), 0 changed, 1 unchanged, 0 failed/);
    assert.match(r.stdout, / {2}recorded: {4}alice \+0s, bob \+0s; ended in accepted at \+0\.25s/);
    assert.match(r.stdout, / {2}- no difference/);
  });

  // What-if bounds its virtual timeline by the present (the wall clock here): these alarms were
  // recorded at T0 + 1 h … 4 h (2026-11-25), in the past of any run of this test.
  it('by time range, as JSON: under escalate-faster carol is called at +0.4 s, before the recorded cancel at +0.5 s', async () => {
    const from = new Date(T0).toISOString();
    const to = new Date(T0 + 10 * 3_600_000).toISOString();
    const r = await tocsin('--what-if', 'escalate-faster@1', '--from', from, '--to', to, '--json');
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.alarms.map((a: { alarmId: string }) => a.alarmId),
      ['golden-escalate-accepted-level-1', 'golden-escalate-escalated', 'golden-escalate-cancelled'],
    );
    // The forged history is reported, not replayed: the run exits 1.
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual([report.summary.alarms, report.summary.failed, report.summary.changed], [3, 1, 1]);
    assert.match(
      report.alarms[1].error,
      /does not reproduce under escalate@1 at seq 2: state levelB ≠ recorded levelA/,
    );
    assert.deepEqual(report.alarms[2].differences, [{ kind: 'only-alternative', recipient: 'carol', at: 400 }]);
    const tooMany = await tocsin('--what-if', 'escalate@1', '--from', from, '--to', to, '--limit', '2');
    assert.equal(tooMany.code, 1);
    assert.match(tooMany.stderr, /holds more than the limit of 2 alarms/);
  });

  it('usage errors exit 2; an unknown plan exits 1', async () => {
    for (const args of [
      ['--what-if', 'escalate'],
      ['--what-if', 'escalate@1'],
      ['--what-if', 'escalate@1', '--from', '2026-01-02', '--to', '2026-01-01'],
      ['--what-if', 'escalate@1', '--from', 'yesterday', '--to', '2026-01-01'],
      ['--what-if', 'escalate@1', 'a', '--limit', '5'],
    ]) {
      const r = await tocsin(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    }
    const missing = await tocsin('--what-if', 'escalate@9', 'golden-escalate-accepted-level-1');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /plan escalate@9 does not exist/);
  });
});
