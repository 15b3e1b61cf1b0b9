// The what-if page's model (src/web/plans/what-if-model.ts) and the simulator form's scenario
// (src/web/plans/scenario.ts): batching a run, merging the batches' reports, each difference in
// words, and the form's rows as the scenario the API takes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_MESSAGES as MESSAGES } from '../../src/web/i18n/all-messages.ts';
import { formatDuration, stateLabel } from '../../src/web/plans/plan-format.ts';
import { scenarioOf } from '../../src/web/plans/scenario.ts';
import { batches, differenceText, mergeReports, type WhatIfReport } from '../../src/web/plans/what-if-model.ts';

const summary = (n: number, changed: number): WhatIfReport['summary'] => ({
  alarms: n,
  changed,
  unchanged: n - changed,
  failed: 0,
  recordedNotifications: 2 * n,
  alternativeNotifications: n,
  endStateChanged: changed,
});
const alarm = (id: string, raisedAt: string) => ({ alarmId: id, raisedAt, plan: 'escalate@1', error: 'x' });

describe('what-if model', () => {
  it('splits a run into batches of at most the batch size', () => {
    assert.deepEqual(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(batches([], 2), []); // nothing to replay: no request
  });

  it('merges reports: summaries added, alarms oldest first', () => {
    const a: WhatIfReport = { plan: 'p@2', alarms: [alarm('late', '2026-01-02T00:00:00Z')], summary: summary(1, 1) };
    const b: WhatIfReport = { plan: 'p@2', alarms: [alarm('early', '2026-01-01T00:00:00Z')], summary: summary(2, 0) };
    const m = mergeReports('p@2', [a, b]);
    assert.deepEqual(
      m.alarms.map((x) => x.alarmId),
      ['early', 'late'],
    );
    assert.deepEqual(m.summary, summary(3, 1));
    assert.deepEqual(mergeReports('p@2', []).summary.alarms, 0); // a run stopped before any batch
  });

  it('words every kind of difference with a message that has its placeholders', () => {
    const d = (ms: number) => `${ms}ms`;
    const cases = [
      { kind: 'only-recorded', recipient: 'alice', at: 0 },
      { kind: 'only-alternative', recipient: 'carol', at: 60_000 },
      { kind: 'notified-at-another-time', recipient: 'bob', recordedAt: 0, alternativeAt: 5 },
      { kind: 'end-state', recorded: 'accepted', alternative: 'unanswered' },
      { kind: 'end-time', recorded: 1, alternative: 2 },
      { kind: 'response-from-not-notified', seq: 3, by: 'alice', at: 7 },
      { kind: 'delivery-skipped', seq: 4, recipient: 'bob', at: 9 },
    ] as const;
    for (const c of cases) {
      const { key, params } = differenceText(c, d);
      const message = MESSAGES.EN[key];
      for (const name of Object.keys(params)) assert.ok(message.includes(`{${name}}`), `${key} lacks {${name}}`);
    }
    assert.deepEqual(differenceText(cases[2], d).params, { who: 'bob', recorded: '0ms', alternative: '5ms' });
  });
});

describe('simulation scenario and durations', () => {
  it('turns the form rows (seconds) into scenario steps (ms)', () => {
    const row = { at: '90', event: 'accept', who: ' bob ', group: '', present: true } as const;
    assert.deepEqual(
      scenarioOf([
        row,
        { ...row, at: '1.5', event: 'deliveryFailed' },
        { ...row, at: '0', event: 'presence', group: 'A', present: false },
      ]),
      {
        steps: [
          { at: 90_000, event: 'accept', by: 'bob' },
          { at: 1500, event: 'deliveryFailed', user: 'bob' },
          { at: 0, presence: { group: 'A', user: 'bob', present: false } },
        ],
      },
    );
  });

  it('writes durations in seconds, minutes or hours', () => {
    // The unit words are ICU's (`sec`/`secs` differ between versions): only their start is fixed.
    assert.match(formatDuration(90_000, 'en-GB'), /^90 sec/); // below two minutes: seconds
    assert.match(formatDuration(300_000, 'en-GB'), /^5 min/);
    assert.match(formatDuration(5_400_000, 'en-GB'), /^90 min/); // below two hours: minutes
    assert.match(formatDuration(3 * 3_600_000, 'en-GB'), /^3 h/);
    assert.match(formatDuration(1500, 'de'), /^1,5 Sek/); // the locale's decimal comma
    assert.equal(formatDuration(null, 'en-GB'), '—');
  });
});

describe('state labels', () => {
  it('writes nested state values as dotted paths', () => {
    assert.equal(stateLabel('levelA'), 'levelA'); // a top-level state as it is
    assert.equal(stateLabel('{"levelA":"ringing"}'), 'levelA.ringing');
    assert.equal(stateLabel('{"both":{"x":"on","y":"off"}}'), 'both.x.on + both.y.off'); // parallel regions
    assert.equal(stateLabel('{not json'), '{not json');
  });
});
