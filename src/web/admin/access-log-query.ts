/**
 * The access log page's filters as the query of GET /api/v1/access-log: empty fields left out,
 * the datetime-local times (local wall-clock) sent as ISO 8601 UTC. Pure apart from the time
 * zone `new Date()` reads a local time in.
 */

export interface LogFilters {
  readonly from: string;
  readonly to: string;
  readonly actor: string;
  readonly action: string;
  readonly outcome: '' | 'success' | 'failure' | 'denied';
  readonly environment: string;
}

export const NO_LOG_FILTER: LogFilters = { from: '', to: '', actor: '', action: '', outcome: '', environment: '' };

/** The query string of `f`; a time that does not parse is sent as typed, so the server names it. */
export function accessLogQuery(f: LogFilters): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f) as [keyof LogFilters, string][]) {
    const s = v.trim();
    if (s === '') continue;
    if (k === 'from' || k === 'to') {
      const d = new Date(s);
      q.set(k, Number.isNaN(d.getTime()) ? s : d.toISOString());
    } else q.set(k, s);
  }
  return q;
}
