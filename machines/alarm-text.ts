/**
 * Text templates for `notify` and `forward`: `{alarm.<field>}` placeholders filled from the
 * alarm's facts (context.alarm). A placeholder is `{` + a dotted name + `}`; every one must be
 * known (the validator rejects the rest), other text, including braces around anything else,
 * is kept as written. Pure: `raisedAt` is rendered as epoch milliseconds (no clock, no zone).
 */
import type { AlarmFacts } from '../src/domain/alarm.ts';

const FIELDS: Readonly<Record<string, (a: AlarmFacts) => string | number | undefined>> = {
  'alarm.id': (a) => a.id,
  'alarm.type': (a) => a.type,
  'alarm.priority': (a) => a.priority,
  'alarm.text': (a) => a.text,
  'alarm.location': (a) => a.location,
  'alarm.environment': (a) => a.environment,
  'alarm.raisedAt': (a) => a.raisedAt,
  'alarm.source.adapter': (a) => a.source.adapter,
  'alarm.source.device': (a) => a.source.device,
};

/** Every known placeholder, as written in a template (`{alarm.text}`, …). */
export const ALARM_PLACEHOLDERS: readonly string[] = Object.keys(FIELDS).map((k) => `{${k}}`);

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}/g;

/** The placeholders of `template` that are not known, as written, in order, without repeats. */
export function unknownPlaceholders(template: string): string[] {
  const out = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) if (!Object.hasOwn(FIELDS, m[1]!)) out.add(m[0]);
  return [...out];
}

/** `template` with every known placeholder replaced (missing facts become ''); unknown ones are kept. Never throws. */
export function renderAlarmText(template: string, alarm: AlarmFacts): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.hasOwn(FIELDS, name)) return whole;
    const v = FIELDS[name]!(alarm);
    return v === undefined ? '' : String(v);
  });
}
