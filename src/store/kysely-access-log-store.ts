/**
 * The AccessLog over Kysely (PostgreSQL and PGlite, one set of SQL). Appends take one
 * transaction-scoped advisory lock of their own, so the chain has exactly one head however
 * many processes write; the entry is normalised first (whole milliseconds, storable strings)
 * so its hash covers exactly what the database keeps.
 */
import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type {
  AccessEntry,
  AccessEntryInput,
  AccessLog,
  AccessLogFilter,
  AccessLogPage,
  AccessOutcome,
} from '../ports/access-log.ts';
import { GENESIS, hashAccessEntry, normaliseAccessEntry } from '../runtime/access-log-chain.ts';
import type { AccessLogTable, DB } from './db-schema.ts';

/** Advisory lock class of access log appends ("acce" in ASCII). */
const ACCESS_LOG_LOCK = 0x61636365;
/** Rows per read when iterating the whole log. */
const PAGE = 1000;

type Row = Selectable<AccessLogTable>;

const toEntry = (r: Row): AccessEntry => ({
  seq: Number(r.seq),
  at: r.at.getTime(),
  actor: r.actor,
  source: r.source,
  action: r.action,
  outcome: r.outcome as AccessOutcome,
  target: r.target,
  environment: r.environment,
  details: r.details ?? null,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export class KyselyAccessLogStore implements AccessLog {
  constructor(
    private readonly db: Kysely<DB>,
    /** Called after each successful commit, before it is acknowledged (PGlite's WAL fsync). */
    private readonly durable?: () => Promise<void>,
  ) {}

  async append(input: AccessEntryInput): Promise<AccessEntry> {
    const body = normaliseAccessEntry(input);
    const entry = await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${ACCESS_LOG_LOCK})`.execute(trx);
      const head = await trx
        .selectFrom('access_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const linked = { ...body, seq: head ? Number(head.seq) + 1 : 1, prevHash: head?.hash ?? GENESIS };
      const e: AccessEntry = { ...linked, hash: hashAccessEntry(linked) };
      await trx
        .insertInto('access_log')
        .values({
          seq: e.seq,
          at: new Date(e.at),
          actor: e.actor,
          source: e.source,
          action: e.action,
          outcome: e.outcome,
          target: e.target,
          environment: e.environment,
          details: e.details === null ? null : JSON.stringify(e.details),
          prev_hash: e.prevHash,
          hash: e.hash,
        })
        .execute();
      return e;
    });
    if (this.durable) await this.durable();
    return entry;
  }

  async list(opts: AccessLogFilter & AccessLogPage): Promise<AccessEntry[]> {
    let q = this.filtered(opts).where('seq', '>', opts.after ?? 0);
    if (opts.before !== undefined) q = q.where('seq', '<', opts.before);
    const rows = await q
      .orderBy('seq', opts.order ?? 'asc')
      .limit(opts.limit)
      .execute();
    return rows.map(toEntry);
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const r = await this.db
      .selectFrom('access_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? { seq: Number(r.seq), hash: r.hash } : undefined;
  }

  async *entries(filter: AccessLogFilter & { readonly through?: number | undefined } = {}): AsyncIterable<AccessEntry> {
    for (let after = 0; ;) {
      let q = this.filtered(filter).where('seq', '>', after);
      if (filter.through !== undefined) q = q.where('seq', '<=', filter.through);
      const rows = await q.orderBy('seq').limit(PAGE).execute();
      for (const r of rows) yield toEntry(r);
      if (rows.length < PAGE) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  private filtered(f: AccessLogFilter): SelectQueryBuilder<DB, 'access_log', Row> {
    let q: SelectQueryBuilder<DB, 'access_log', Row> = this.db.selectFrom('access_log').selectAll();
    if (f.from !== undefined) q = q.where('at', '>=', new Date(f.from));
    if (f.to !== undefined) q = q.where('at', '<', new Date(f.to));
    if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
    if (f.environment !== undefined) q = q.where('environment', '=', f.environment);
    if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
    if (f.environments !== undefined) {
      // `in ()` is not SQL: an empty scope matches nothing. Null environments never match `in`.
      q = f.environments.length === 0 ? q.where(sql<boolean>`false`) : q.where('environment', 'in', f.environments);
    }
    if (f.action !== undefined) {
      if (f.action.endsWith('.*')) {
        // A family: compare the prefix as text, so LIKE's wildcards in it mean nothing.
        const prefix = f.action.slice(0, -1);
        q = q.where(sql<string>`left(action, ${prefix.length})`, '=', prefix);
      } else {
        q = q.where('action', '=', f.action);
      }
    }
    return q;
  }
}
