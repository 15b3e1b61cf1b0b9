/**
 * `tocsin replay ALARM_ID`: does the alarm's recorded history reproduce under its pinned plan?
 * `tocsin replay --what-if PLAN@VERSION (--from T --to T | ALARM_ID…)`: what would another plan
 * version have done with these alarms? Both open the configured store like the other local
 * commands (every environment: a local operator holds the database), read only, and print text
 * or, with --json, the API's JSON. Exit codes: 0 reproduces (what-if: ran), 1 diverges, an
 * unknown alarm or plan (what-if: also an alarm it could not run), 2 usage.
 */
import { z } from 'zod';
import { TocsinError } from '../domain/errors.ts';
import type { AlarmRecord } from '../ports/alarm-store.ts';
import { PlanCatalog } from '../runtime/plan-catalog.ts';
import {
  parsePlanRef,
  ReplayService,
  WHAT_IF_DEFAULT_LIMIT,
  WHAT_IF_MAX,
  type ReplayVerdict,
  type WhatIfReport,
} from '../runtime/replay-service.ts';
import type { Difference, Outcome } from '../runtime/replay-what-if.ts';
import type { Config } from './config.ts';

export const REPLAY_HELP = `Usage: tocsin replay ALARM_ID [--json]
       tocsin replay --what-if PLAN@VERSION (--from TIME --to TIME [--limit N] | ALARM_ID...) [--json]

  ALARM_ID   re-run the alarm's recorded inputs through its pinned plan version and confirm that
             every recorded state, effect and guard result reproduces (the hash chain is checked
             first). Prints the verdict, or the first diverging entry: what the recording says
             and what the replay computed. Exit 0 when it reproduces, 1 when it does not.
  --what-if  replay alarms under another plan version: the alarms raised in [--from, --to)
             (ISO 8601 date or date-time with offset; at most --limit, default ${WHAT_IF_DEFAULT_LIMIT}, at most ${WHAT_IF_MAX})
             or the ALARM_IDs given. Recorded responses, cancels, signals and delivery results are
             fed in at their recorded times; timers come from the other plan's own delays on a
             virtual timeline. A response from someone the other plan did not notify is still
             fed in (and said so); a delivery result for someone it has no open notification to
             is dropped (and said so). Prints who would have been notified and when (after the
             raise) against what happened, per alarm and in sum. Exit 0 when every alarm ran.
  --json     print the JSON of GET /api/v1/alarms/{id}/replay or POST /api/v1/replay/what-if.

Reads the configured store (TOCSIN_DATA_DIR or TOCSIN_DATABASE_URL), migrated first like every
local command; writes no alarm, protocol or log entry.`;

const time = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((s) => Date.parse(s));

export interface ReplayOptions {
  readonly json?: boolean | undefined;
  readonly 'what-if'?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly limit?: string | undefined;
}

/** Runs `tocsin replay …`; resolves with the exit code. Reads the store, never writes it. */
export async function replayCommand(args: readonly string[], opts: ReplayOptions, config: Config): Promise<number> {
  const usage = (msg: string) => {
    process.stderr.write(`tocsin replay: ${msg}\n\n${REPLAY_HELP}\n`);
    return 2;
  };
  const bad = args.find((a) => !/^[A-Za-z0-9_-]{1,64}$/.test(a));
  if (bad !== undefined) return usage(`not an alarm id: ${bad}`);
  const whatIf = opts['what-if'];
  if (whatIf === undefined) {
    if (opts.from !== undefined || opts.to !== undefined || opts.limit !== undefined)
      return usage('--from, --to and --limit go with --what-if');
    if (args.length !== 1) return usage('give one ALARM_ID');
    return run(config, async (service) => {
      const v = await service.replayAlarm(args[0]!);
      process.stdout.write(opts.json ? `${JSON.stringify(v, null, 2)}\n` : verdictText(v));
      return v.ok ? 0 : 1;
    });
  }
  const ref = parsePlanRef(whatIf);
  if (!ref) return usage(`--what-if: not a plan version id@version: ${whatIf}`);
  const range = opts.from !== undefined || opts.to !== undefined;
  if (range === args.length > 0) return usage('give either --from/--to or ALARM_IDs');
  const from = opts.from === undefined ? undefined : time.safeParse(opts.from);
  const to = opts.to === undefined ? undefined : time.safeParse(opts.to);
  if (range && (!from?.success || !to?.success)) return usage('--from and --to: ISO 8601 dates or date-times');
  if (range && from!.data! >= to!.data!) return usage('--to must be after --from');
  const limit = opts.limit === undefined ? WHAT_IF_DEFAULT_LIMIT : Number(opts.limit);
  if (!range && opts.limit !== undefined) return usage('--limit goes with --from/--to');
  if (!Number.isInteger(limit) || limit < 1 || limit > WHAT_IF_MAX) return usage(`--limit: 1 to ${WHAT_IF_MAX}`);
  if (args.length > WHAT_IF_MAX) return usage(`at most ${WHAT_IF_MAX} alarms`);
  return run(config, async (service) => {
    await service.readablePlan(ref);
    let alarms: AlarmRecord[] = [];
    if (range) alarms = await service.alarmsIn(from!.data!, to!.data!, limit, ['*']);
    else for (const id of new Set(args)) alarms.push(await service.alarm(id));
    const report = await service.whatIf(ref, alarms, Date.now());
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
    return report.summary.failed > 0 ? 1 : 0;
  });
}

/** Opens the store, runs `fn`; an unknown alarm or plan, or a range too large, prints why and exits 1. */
async function run(config: Config, fn: (service: ReplayService) => Promise<number>): Promise<number> {
  const { withStore } = await import('./migrate.ts');
  return withStore(config, async (store) => {
    try {
      return await fn(new ReplayService(store, new PlanCatalog(store)));
    } catch (err) {
      if (!(err instanceof TocsinError) || err.status >= 500) throw err;
      const why = (err.details ?? []).map((d) => d.reason).join('; ');
      process.stderr.write(`tocsin replay: ${err.message}${why ? `: ${why}` : ''}\n`);
      return 1;
    }
  });
}

const json = (v: unknown) => JSON.stringify(v);
const step = (label: string, s: { state: string; effects: unknown; guards: unknown } | null) =>
  s ? `  ${label} state ${s.state}, effects ${json(s.effects)}, guards ${json(s.guards)}\n` : '';

/** The verdict as text. */
export function verdictText(v: ReplayVerdict): string {
  if (v.ok) return `alarm ${v.alarmId} reproduces under ${v.plan}: ${v.steps} steps\n`;
  return (
    `alarm ${v.alarmId} does not reproduce under ${v.plan}: entry ${v.seq}: ${v.reason}\n` +
    step('recorded:', v.expected) +
    step('replayed:', v.actual)
  );
}

const secs = (ms: number) => `+${Number((ms / 1000).toFixed(3))}s`;
const outcome = (o: Outcome) =>
  `${o.notifications.map((n) => `${n.recipient} ${secs(n.at)}`).join(', ') || 'nobody notified'}; ` +
  `${o.end.status === 'ended' ? 'ended' : 'still open'} in ${o.end.state} at ${secs(o.end.at)}`;

function differenceText(d: Difference): string {
  switch (d.kind) {
    case 'only-recorded':
      return `${d.recipient} was notified at ${secs(d.at)}, would not have been`;
    case 'only-alternative':
      return `${d.recipient} would have been notified at ${secs(d.at)}, was not`;
    case 'notified-at-another-time':
      return `${d.recipient} would have been notified at ${secs(d.alternativeAt)} instead of ${secs(d.recordedAt)}`;
    case 'end-state':
      return `would have ended in ${d.alternative} instead of ${d.recorded}`;
    case 'end-time':
      return `last step at ${secs(d.alternative)} instead of ${secs(d.recorded)}`;
    case 'response-from-not-notified':
      return `entry ${d.seq}: the response of ${d.by} at ${secs(d.at)} comes from someone not notified (fed in anyway)`;
    case 'delivery-skipped':
      return `entry ${d.seq}: the delivery result for ${d.recipient} at ${secs(d.at)} was dropped (no open notification)`;
    default: {
      const never: never = d;
      return String(never);
    }
  }
}

/** The what-if report as text. */
export function reportText(r: WhatIfReport): string {
  const s = r.summary;
  const lines = [
    `what-if ${r.plan}: ${s.alarms} alarm(s), ${s.changed} changed, ${s.unchanged} unchanged, ${s.failed} failed; ` +
      `notifications ${s.recordedNotifications} recorded, ${s.alternativeNotifications} under ${r.plan}; ` +
      `end state changed for ${s.endStateChanged}`,
  ];
  for (const a of r.alarms) {
    lines.push(`alarm ${a.alarmId} (raised ${a.raisedAt}, ran ${a.plan}):`);
    if ('error' in a) {
      lines.push(`  not replayed: ${a.error}`);
      continue;
    }
    lines.push(`  recorded:    ${outcome(a.recorded)}`, `  alternative: ${outcome(a.alternative)}`);
    for (const d of a.differences) lines.push(`  - ${differenceText(d)}`);
    if (a.differences.length === 0) lines.push('  - no difference');
  }
  return `${lines.join('\n')}\n`;
}
