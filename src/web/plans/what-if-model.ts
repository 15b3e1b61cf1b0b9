/**
 * The what-if page's model, purely: the report of POST /api/v1/replay/what-if
 * (src/runtime/replay-service.ts), a run split into batches so the page can show progress, the
 * batches' reports merged into one, and each difference as a message key with its values.
 */
// The pure what-if's own types (no Node in their import chain); the report's wire shape is here.
import type { Difference, Notified, Outcome } from '../../runtime/replay-what-if.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { stateLabel } from './plan-format.ts';

export type { Difference, Notified, Outcome };

export type WhatIfAlarm =
  | {
      readonly alarmId: string;
      readonly raisedAt: string;
      readonly plan: string;
      readonly changed: boolean;
      readonly recorded: Outcome;
      readonly alternative: Outcome & { readonly reason: string };
      readonly differences: readonly Difference[];
    }
  | { readonly alarmId: string; readonly raisedAt: string; readonly plan: string; readonly error: string };

export const SUMMARY_KEYS = [
  'alarms',
  'changed',
  'unchanged',
  'failed',
  'recordedNotifications',
  'alternativeNotifications',
  'endStateChanged',
] as const;

export interface WhatIfReport {
  readonly plan: string;
  readonly alarms: readonly WhatIfAlarm[];
  readonly summary: Readonly<Record<(typeof SUMMARY_KEYS)[number], number>>;
}

/** Alarms per what-if request: small enough that progress moves, large enough to stay cheap. */
export const WHAT_IF_BATCH = 10;

/** `ids` in consecutive batches of at most `size`. */
export function batches<T>(ids: readonly T[], size = WHAT_IF_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/** The batches' reports as one: alarms oldest first, summaries added up. */
export function mergeReports(plan: string, reports: readonly WhatIfReport[]): WhatIfReport {
  const summary = Object.fromEntries(
    SUMMARY_KEYS.map((k) => [k, reports.reduce((n, r) => n + r.summary[k], 0)]),
  ) as WhatIfReport['summary'];
  const alarms = reports.flatMap((r) => r.alarms).sort((a, b) => Date.parse(a.raisedAt) - Date.parse(b.raisedAt));
  return { plan, alarms, summary };
}

/** A difference in words: its message key and the values for it (times still in ms; `d` formats them). */
export function differenceText(
  d: Difference,
  duration: (ms: number) => string,
): { key: MessageKey; params: Record<string, string | number> } {
  switch (d.kind) {
    case 'only-recorded':
      return { key: 'plans.whatIf.diff.onlyRecorded', params: { who: d.recipient, at: duration(d.at) } };
    case 'only-alternative':
      return { key: 'plans.whatIf.diff.onlyAlternative', params: { who: d.recipient, at: duration(d.at) } };
    case 'notified-at-another-time':
      return {
        key: 'plans.whatIf.diff.otherTime',
        params: { who: d.recipient, recorded: duration(d.recordedAt), alternative: duration(d.alternativeAt) },
      };
    case 'end-state':
      return {
        key: 'plans.whatIf.diff.endState',
        params: { recorded: stateLabel(d.recorded), alternative: stateLabel(d.alternative) },
      };
    case 'end-time':
      return {
        key: 'plans.whatIf.diff.endTime',
        params: { recorded: duration(d.recorded), alternative: duration(d.alternative) },
      };
    case 'response-from-not-notified':
      return { key: 'plans.whatIf.diff.responseFromOther', params: { who: d.by, at: duration(d.at) } };
    case 'delivery-skipped':
      return { key: 'plans.whatIf.diff.deliverySkipped', params: { who: d.recipient, at: duration(d.at) } };
  }
}
