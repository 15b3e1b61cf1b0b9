/** How the plan pages write times and values: durations after the raise, JSON values in a diff. */

/**
 * `ms` as a short duration in the locale's words (`90 s`, `2 min`, `1.5 h`): seconds below two
 * minutes, minutes below two hours, else hours; at most one decimal. `null`: an em dash. Total.
 */
export function formatDuration(ms: number | null, locale: string): string {
  if (ms === null) return '—';
  const [value, unit] =
    Math.abs(ms) < 120_000
      ? [ms / 1000, 'second']
      : Math.abs(ms) < 7_200_000
        ? [ms / 60_000, 'minute']
        : [ms / 3_600_000, 'hour'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(
    value,
  );
}

/** A JSON value on one line, cut to `max` characters (`undefined` as an em dash). */
export function formatValue(v: unknown, max = 120): string {
  if (v === undefined) return '—';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A state value as dotted paths: `{"levelA":"ringing"}` → `levelA.ringing`, parallel regions joined by ` + `. */
function paths(value: unknown, prefix: string): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

/**
 * A state as the engine writes it (`stateKey`: a name, or the JSON of a nested state value) in
 * the editor's dotted form. Anything that is not such JSON is returned as it is. Total.
 */
export function stateLabel(key: string): string {
  if (!key.startsWith('{')) return key;
  try {
    return paths(JSON.parse(key) as unknown, '').join(' + ');
  } catch {
    return key;
  }
}
