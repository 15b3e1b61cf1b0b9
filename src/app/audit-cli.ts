/**
 * `tocsin audit verify`: the access log's hash chain, checked from the first entry to the
 * head. `tocsin audit export --format csv|json [--from T] [--to T]`: the log on stdout.
 * Nothing here (nor anywhere else) edits or deletes the log. Exit codes: 0 ok, 1 broken
 * chain, 2 usage.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { verifyAccessLog } from '../runtime/access-log-chain.ts';
import { accessLogCsv, accessLogJson } from '../runtime/access-log-export.ts';
import type { Config } from './config.ts';

export const AUDIT_HELP = `Usage: tocsin audit verify | export --format csv|json [--from TIME] [--to TIME]
  verify   check the access log's hash chain from the first entry to the newest; prints
           {entries, ok, head} (keep the head's hash elsewhere: a later verify must reach it),
           or the first broken entry's seq and why, and exits 1.
  export   print the access log on stdout, oldest first: --format csv (a header row, RFC 4180,
           cells that a spreadsheet would run as a formula prefixed with ') or json (an array
           of the entries as stored, verifiable). --from (inclusive) and --to (exclusive) take
           an ISO 8601 date or date-time with offset, e.g. 2026-11-26 or 2026-11-26T08:00:00Z.

The access log records logins and logouts, changes of users, groups, plans and configuration,
maintenance operations and permission denials. It is append-only: there is no command that
deletes or edits it, and the database refuses UPDATE, DELETE and TRUNCATE on it.`;

const time = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((s) => Date.parse(s));

export interface AuditOptions {
  readonly format?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** Runs `tocsin audit …`; resolves with the exit code. Reads the log, never writes it. */
export async function auditCommand(args: readonly string[], opts: AuditOptions, config: Config): Promise<number> {
  const [sub] = args;
  const exportOptions = opts.format !== undefined || opts.from !== undefined || opts.to !== undefined;
  if (sub === 'verify' && args.length === 1 && !exportOptions) {
    const { withStore } = await import('./migrate.ts');
    return withStore(config, async (store) => {
      const head = await store.accessLog.head();
      // Up to the head read first: entries appended meanwhile by a running server are not judged.
      const result = await verifyAccessLog(store.accessLog.entries({ through: head?.seq ?? 0 }), head);
      process.stdout.write(`${JSON.stringify(result.ok && head ? { ...result, head } : result, null, 2)}\n`);
      return result.ok ? 0 : 1;
    });
  }
  if (sub === 'export' && args.length === 1) {
    const usage = (msg: string) => {
      process.stderr.write(`tocsin audit: ${msg}\n\n${AUDIT_HELP}\n`);
      return 2;
    };
    if (opts.format !== 'csv' && opts.format !== 'json') return usage('--format must be csv or json');
    const from = opts.from === undefined ? undefined : time.safeParse(opts.from);
    const to = opts.to === undefined ? undefined : time.safeParse(opts.to);
    if (from && !from.success) return usage(`--from: not an ISO 8601 date or date-time: ${opts.from}`);
    if (to && !to.success) return usage(`--to: not an ISO 8601 date or date-time: ${opts.to}`);
    const format = opts.format === 'csv' ? accessLogCsv : accessLogJson;
    const { withStore } = await import('./migrate.ts');
    return withStore(config, async (store) => {
      const entries = store.accessLog.entries({ from: from?.data, to: to?.data });
      await pipeline(Readable.from(format(entries)), stdout());
      return 0;
    });
  }
  process.stderr.write(`${AUDIT_HELP}\n`);
  return 2;
}

/** process.stdout with back-pressure, left open after the pipeline ends. */
function stdout(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (process.stdout.write(chunk)) done();
      else process.stdout.once('drain', () => done());
    },
  });
}
