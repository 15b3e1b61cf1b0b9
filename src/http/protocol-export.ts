/**
 * The operation protocol's rows (GET /api/v1/protocol) and their CSV and JSON export, streamed:
 * the export pages through AlarmStore.queryAlarms in batches, so a long history is never held
 * in memory. One row per alarm, newest raised first (the list's order).
 *
 * CSV (RFC 4180, via csv-stringify, as the access log's export): a header row, CRLF between
 * records, a field quoted when it holds a comma, a quote (doubled) or a line break; times ISO
 * 8601 UTC, null as an empty cell; `notified` lists `recipient (status)` and `responses`
 * `recipient: accept|reject at <time>`, each joined with `; `. Every cell is defused against
 * formula injection like the access log's (neutraliseCell: a leading `'` before = + - @, a tab,
 * a carriage return or a `'`).
 *
 * JSON: one array of the rows exactly as the list answers them.
 *
 * Recipients are shown as the notifications table holds them: a person whose personal data was
 * erased appears as their pseudonym.
 */
import { stringify } from 'csv-stringify/sync';
import type { AlarmQuery, AlarmRecord, AlarmStore, NotificationRecord } from '../ports/alarm-store.ts';
import { neutraliseCell } from '../runtime/access-log-export.ts';

export const PROTOCOL_CSV_COLUMNS = [
  'id',
  'type',
  'priority',
  'text',
  'location',
  'environment',
  'status',
  'state',
  'raised_at',
  'ended_at',
  'notified',
  'responses',
] as const;

/** Alarms per store query (and per csv-stringify call) in an export. */
const BATCH = 500;

const iso = (t: number | null | undefined): string | null => (t == null ? null : new Date(t).toISOString());

export interface ProtocolRow {
  readonly id: string;
  readonly type: string;
  readonly priority: number;
  readonly text: string;
  readonly location: string | null;
  readonly environment: string;
  readonly status: 'active' | 'ended';
  readonly state: string;
  readonly raisedAt: string;
  readonly endedAt: string | null;
  readonly notified: readonly {
    readonly recipient: string;
    readonly group: string;
    readonly round: number;
    readonly channel: string;
    readonly status: string;
  }[];
  readonly responses: readonly { readonly by: string; readonly response: string; readonly at: string | null }[];
}

/** One alarm as a protocol row, given its notifications. Pure. */
export function protocolRow(a: AlarmRecord, notifications: readonly NotificationRecord[]): ProtocolRow {
  return {
    id: a.facts.id,
    type: a.facts.type,
    priority: a.facts.priority,
    text: a.facts.text,
    location: a.facts.location ?? null,
    environment: a.facts.environment,
    status: a.status,
    state: a.state,
    raisedAt: iso(a.facts.raisedAt)!,
    endedAt: iso(a.endedAt),
    notified: notifications.map((n) => ({
      recipient: n.recipient,
      group: n.group,
      round: n.round,
      channel: n.channel,
      status: n.status,
    })),
    responses: notifications
      .filter((n) => n.response !== null)
      .sort((x, y) => (x.respondedAt ?? 0) - (y.respondedAt ?? 0))
      .map((n) => ({ by: n.recipient, response: n.response!, at: iso(n.respondedAt) })),
  };
}

/** The rows of `alarms`, with their notifications read in one query. */
export async function protocolRows(store: AlarmStore, alarms: readonly AlarmRecord[]): Promise<ProtocolRow[]> {
  const byAlarm = new Map<string, NotificationRecord[]>();
  for (const n of await store.listNotificationsOf(alarms.map((a) => a.facts.id))) {
    const list = byAlarm.get(n.alarmId);
    if (list) list.push(n);
    else byAlarm.set(n.alarmId, [n]);
  }
  return alarms.map((a) => protocolRow(a, byAlarm.get(a.facts.id) ?? []));
}

/** Every row matching `q` (its limit and cursor ignored), in batches, newest first. */
export async function* protocolBatches(
  store: AlarmStore,
  q: Omit<AlarmQuery, 'limit' | 'before'>,
): AsyncGenerator<ProtocolRow[]> {
  let before: AlarmQuery['before'];
  for (;;) {
    const alarms = await store.queryAlarms({ ...q, limit: BATCH, ...(before ? { before } : {}) });
    if (alarms.length > 0) yield await protocolRows(store, alarms);
    if (alarms.length < BATCH) return;
    const last = alarms[alarms.length - 1]!;
    before = { raisedAt: last.facts.raisedAt, id: last.facts.id };
  }
}

function csvCells(r: ProtocolRow): string[] {
  const cells = [
    r.id,
    r.type,
    String(r.priority),
    r.text,
    r.location ?? '',
    r.environment,
    r.status,
    r.state,
    r.raisedAt,
    r.endedAt ?? '',
    r.notified.map((n) => `${n.recipient} (${n.status})`).join('; '),
    r.responses.map((x) => `${x.by}: ${x.response}${x.at ? ` at ${x.at}` : ''}`).join('; '),
  ];
  return cells.map(neutraliseCell);
}

const csv = (rows: string[][], header: boolean): string =>
  stringify(rows, {
    header,
    columns: [...PROTOCOL_CSV_COLUMNS],
    record_delimiter: 'windows',
    // RFC 4180 wants every line break quoted, a lone CR or LF included.
    quoted_match: /[\r\n]/,
  });

/** The rows as CSV text chunks, the header row first (also when nothing matches). */
export async function* protocolCsv(batches: AsyncIterable<readonly ProtocolRow[]>): AsyncGenerator<string> {
  let header = true;
  for await (const b of batches) {
    yield csv(b.map(csvCells), header);
    header = false;
  }
  if (header) yield csv([], true);
}

/** The rows as one JSON array, in text chunks (one row per line). */
export async function* protocolJson(batches: AsyncIterable<readonly ProtocolRow[]>): AsyncGenerator<string> {
  let first = true;
  for await (const b of batches) {
    for (const r of b) {
      yield `${first ? '[\n' : ',\n'}${JSON.stringify(r)}`;
      first = false;
    }
  }
  yield first ? '[]\n' : '\n]\n';
}
