/**
 * The access log as CSV and JSON, streamed: both take AccessLog.entries() and yield text
 * chunks, so a large log is never held in memory.
 *
 * CSV (RFC 4180, via csv-stringify): a header row, CRLF between records, a field quoted when
 * it holds a comma, a quote (doubled) or a line break. One row per entry, columns CSV_COLUMNS;
 * `at` as ISO 8601 UTC with milliseconds, `details` as canonical JSON, null as an empty cell.
 * Against formula injection (a spreadsheet running `=HYPERLINK(…)` from a login name), a cell
 * that begins with = + - @, a tab or a carriage return gets a leading `'`; so that this stays
 * reversible, a cell that already begins with `'` gets one too (restoreCell undoes both, and a
 * spreadsheet shows the original text).
 *
 * JSON: one array of the entries exactly as stored (`at` in epoch milliseconds), so a full
 * export can be verified with verifyAccessChain.
 */
import { stringify } from 'csv-stringify/sync';
import { canonicalJson } from '../domain/canonical-json.ts';
import type { AccessEntry } from '../ports/access-log.ts';

export const CSV_COLUMNS = [
  'seq',
  'at',
  'actor',
  'source',
  'action',
  'outcome',
  'target',
  'environment',
  'details',
  'prev_hash',
  'hash',
] as const;

/** Rows per csv-stringify call. */
const BATCH = 500;

const RISKY = /^[=+\-@\t\r']/;

/** A cell made inert for spreadsheets (see the file comment). Pure. */
export const neutraliseCell = (s: string): string => (RISKY.test(s) ? `'${s}` : s);

/** The original text of a neutralised cell. Pure; restoreCell(neutraliseCell(s)) === s. */
export const restoreCell = (s: string): string => (s.startsWith("'") ? s.slice(1) : s);

function row(e: AccessEntry): string[] {
  const cells = [
    String(e.seq),
    new Date(e.at).toISOString(),
    e.actor,
    e.source ?? '',
    e.action,
    e.outcome,
    e.target ?? '',
    e.environment ?? '',
    e.details === null ? '' : canonicalJson(e.details),
    e.prevHash,
    e.hash,
  ];
  return cells.map(neutraliseCell);
}

const csv = (rows: string[][], header: boolean): string =>
  stringify(rows, {
    header,
    columns: [...CSV_COLUMNS],
    record_delimiter: 'windows',
    // csv-stringify quotes only fields holding the whole record delimiter; RFC 4180 wants
    // every line break quoted, a lone CR or LF included.
    quoted_match: /[\r\n]/,
  });

/** The entries as CSV text chunks, the header row first (also for an empty log). */
export async function* accessLogCsv(entries: AsyncIterable<AccessEntry>): AsyncGenerator<string> {
  let batch: string[][] = [];
  let header = true;
  for await (const e of entries) {
    batch.push(row(e));
    if (batch.length === BATCH) {
      yield csv(batch, header);
      header = false;
      batch = [];
    }
  }
  if (batch.length > 0 || header) yield csv(batch, header);
}

/** The entries as one JSON array, in text chunks (one entry per line). */
export async function* accessLogJson(entries: AsyncIterable<AccessEntry>): AsyncGenerator<string> {
  let first = true;
  for await (const e of entries) {
    yield `${first ? '[\n' : ',\n'}${JSON.stringify(e)}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}
