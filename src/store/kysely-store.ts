/**
 * The AlarmStore over Kysely: one set of SQL for PostgreSQL and PGlite. The drivers differ
 * (see pg-store.ts and pglite-store.ts); the statements, types and semantics do not.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson } from '../domain/canonical-json.ts';
import type { AlarmStatus, PlanRef } from '../domain/alarm.ts';
import type {
  AlarmQuery,
  AlarmRecord,
  AlarmStore,
  CommitResult,
  ErasePair,
  ErasureCounts,
  NotificationRecord,
  OutboxRecord,
  PlanInfo,
  PlanVersionInfo,
  ProtocolEntry,
  StepCommit,
  TimerRecord,
  TransactResult,
} from '../ports/alarm-store.ts';
import type { DB } from './db-schema.ts';
import { KyselyAccessLogStore } from './kysely-access-log-store.ts';
import { KyselyConfigStore } from './kysely-config-store.ts';
import { KyselyLinkLeaseStore } from './kysely-link-lease-store.ts';
import { KyselyDeviceMessageStore } from './kysely-device-message-store.ts';
import { KyselyIdentityStore } from './kysely-identity-store.ts';
import { insertPseudonyms, KyselyPseudonymStore } from './kysely-pseudonym-store.ts';
import { migrations } from './migrations/index.ts';
import { migrateToLatest } from './migrator.ts';
import { toAlarm, toNotification, toOutbox, toProtocol, toTimer } from './row-mappers.ts';

/** Two processes creating one schema at once: the loser's duplicate error means it exists. */
function ignoreDuplicate(err: { code?: string }): void {
  if (err.code !== '23505' && err.code !== '42P06') throw err;
}

function toVersionInfo(r: {
  version: number;
  created_at: Date;
  published_by: string;
  disabled_at: Date | null;
  environment: string;
}): PlanVersionInfo {
  return {
    version: Number(r.version),
    publishedAt: r.created_at.getTime(),
    publishedBy: r.published_by,
    disabledAt: r.disabled_at ? r.disabled_at.getTime() : null,
    environment: r.environment,
  };
}

/** Thrown inside a transaction to roll it back with a commit result. */
class Abort {
  constructor(readonly result: CommitResult) {}
}

/** Advisory lock class of plan publishing ("plan" in ASCII); the second key is hashtext(id). */
const PLAN_LOCK = 0x706c616e;

const json = (v: unknown): string => JSON.stringify(v);

/**
 * A plan's definition as published, member order kept (the `source` text); the jsonb
 * `definition` for versions published before `source` existed (migration 20261129T0000).
 */
const asPublished = (row: { definition: unknown; source: string | null }): unknown =>
  row.source === null ? row.definition : JSON.parse(row.source);
const date = (t: number): Date => new Date(t);
/** A LIKE pattern for `v` anywhere (its wildcards and the escape character taken literally). */
const likeAnywhere = (v: string): string => `%${v.replace(/[\\%_]/g, '\\$&')}%`;

/** A notification only moves forward: pending < sent < delivered < read < failed < an ending. */
const rank = (col: string) =>
  sql.raw(
    `(case ${col} when 'pending' then 0 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 when 'failed' then 4 else 5 end)`,
  );

/** LISTEN on `channel`: payloads to `onPayload`, `'*'` after a reconnect; resolves with the stop function. */
export type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;

export class KyselyAlarmStore implements AlarmStore {
  /** The configuration model, in the same database. */
  readonly config: KyselyConfigStore;
  /** Users, user groups, sessions, API tokens and the login throttle, in the same database. */
  readonly identity: KyselyIdentityStore;
  /** The access log (append-only, hash-chained), in the same database. */
  readonly accessLog: KyselyAccessLogStore;
  /** Pseudonyms of personal values in the protocol (kysely-pseudonym-store.ts). */
  private readonly pseudonyms: KyselyPseudonymStore;
  /** Device messages and their keys per channel (kysely-device-message-store.ts, issue 5). */
  readonly deviceMessages: KyselyDeviceMessageStore;
  /** Who holds which device link in cluster mode (kysely-link-lease-store.ts). */
  readonly leases: KyselyLinkLeaseStore;

  constructor(
    readonly kind: 'postgres' | 'pglite',
    /** The query builder, for tests and maintenance tools; the runtime uses the port methods only. */
    readonly db: Kysely<DB>,
    private readonly onClose: () => Promise<void>,
    /** Called after each successful commit, before it is acknowledged (PGlite's WAL fsync). */
    private readonly durable?: () => Promise<void>,
    /** The schema the tables live in (Kysely's bookkeeping tables too). */
    private readonly schema = 'public',
    /** LISTEN on a notification channel (pg-store.ts, pglite-store.ts); absent: no change feed. */
    private readonly listen?: Listen,
  ) {
    this.config = new KyselyConfigStore(db, durable);
    this.identity = new KyselyIdentityStore(db, durable);
    this.accessLog = new KyselyAccessLogStore(db, durable);
    this.pseudonyms = new KyselyPseudonymStore(db, durable);
    this.deviceMessages = new KyselyDeviceMessageStore(db, durable);
    this.leases = new KyselyLinkLeaseStore(db);
  }

  // ── pseudonyms (issue 4, item 10) ──────────────────────────────────────────────────────
  pseudonymKey(candidate: string): Promise<string> {
    return this.pseudonyms.key(candidate);
  }

  resolvePseudonyms(pseudonyms: readonly string[]): Promise<Map<string, string>> {
    return this.pseudonyms.resolve(pseudonyms);
  }

  erasePersonalValues(pairs: readonly ErasePair[], at: number): Promise<ErasureCounts> {
    return this.pseudonyms.erase(pairs, at);
  }
  // ── end pseudonyms ─────────────────────────────────────────────────────────────────────

  async migrate(): Promise<string[]> {
    if (this.schema !== 'public')
      await sql`create schema if not exists ${sql.id(this.schema)}`.execute(this.db).catch(ignoreDuplicate);
    return migrateToLatest(this.db, migrations);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }

  async putPlan(ref: { id: string; version: number }, definition: unknown, at: number): Promise<void> {
    const inserted = await this.db
      .insertInto('plans')
      .values({
        id: ref.id,
        version: ref.version,
        definition: json(definition),
        source: json(definition),
        created_at: date(at),
      })
      .onConflict((oc) => oc.columns(['id', 'version']).doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 1n) {
      if (this.durable) await this.durable();
      return;
    }
    const existing = await this.getPlan(ref);
    if (canonicalJson(existing) !== canonicalJson(definition)) {
      throw new Error(`plan ${ref.id}@${ref.version} exists with a different definition; publish a new version`);
    }
  }

  async getPlan(ref: { id: string; version: number }): Promise<unknown> {
    const row = await this.db
      .selectFrom('plans')
      .select(['definition', 'source'])
      .where('id', '=', ref.id)
      .where('version', '=', ref.version)
      .executeTakeFirst();
    return row && asPublished(row);
  }

  publishPlan(id: string, definition: unknown, at: number, by: string): Promise<number>;
  publishPlan(
    id: string,
    definition: unknown,
    at: number,
    by: string,
    opts: { expectVersion?: number; environment?: string },
  ): Promise<number | { conflict: number }>;
  async publishPlan(
    id: string,
    definition: unknown,
    at: number,
    by: string,
    opts: { expectVersion?: number; environment?: string } = {},
  ): Promise<number | { conflict: number }> {
    const { expectVersion } = opts;
    const version = await this.db.transaction().execute(async (trx): Promise<number | { conflict: number }> => {
      // Serialises publishers of this id: each reads the max after the previous one committed.
      await sql`select pg_advisory_xact_lock(${PLAN_LOCK}, hashtext(${id}))`.execute(trx);
      const row = await trx
        .selectFrom('plans')
        .select([
          sql<number>`coalesce(max(version), 0)::integer`.as('max'),
          sql<string | null>`min(environment)`.as('env'),
        ])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const next = Number(row.max) + 1;
      if (expectVersion !== undefined && expectVersion !== next) return { conflict: next };
      const environment = row.env ?? opts.environment ?? '*';
      if (opts.environment !== undefined && opts.environment !== environment) return { conflict: next };
      await trx
        .insertInto('plans')
        .values({
          id,
          version: next,
          definition: json(definition),
          source: json(definition),
          created_at: date(at),
          published_by: by,
          environment,
        })
        .execute();
      return next;
    });
    if (typeof version === 'number' && this.durable) await this.durable();
    return version;
  }

  async listPlans(): Promise<{ id: string; versions: PlanVersionInfo[] }[]> {
    const rows = await this.db
      .selectFrom('plans')
      .select(['id', 'version', 'created_at', 'published_by', 'disabled_at', 'environment'])
      .orderBy('id')
      .orderBy('version')
      .execute();
    const out: { id: string; versions: PlanVersionInfo[] }[] = [];
    for (const r of rows) {
      if (out.at(-1)?.id !== r.id) out.push({ id: r.id, versions: [] });
      out.at(-1)!.versions.push(toVersionInfo(r));
    }
    return out;
  }

  async setPlanDisabled(ref: PlanRef, disabled: boolean, at: number, by: string): Promise<boolean> {
    const r = await this.db
      .updateTable('plans')
      .set(disabled ? { disabled_at: date(at), disabled_by: by } : { disabled_at: null, disabled_by: null })
      .where('id', '=', ref.id)
      .where('version', '=', ref.version)
      .where('disabled_at', disabled ? 'is' : 'is not', null)
      .executeTakeFirst();
    if (r.numUpdatedRows === 1n) {
      if (this.durable) await this.durable();
      return true;
    }
    return (await this.getPlanInfo(ref)) !== undefined;
  }

  async getPlanInfo(ref: PlanRef): Promise<PlanInfo | undefined> {
    const row = await this.db
      .selectFrom('plans')
      .select(['id', 'version', 'definition', 'source', 'created_at', 'published_by', 'disabled_at', 'environment'])
      .where('id', '=', ref.id)
      .where('version', '=', ref.version)
      .executeTakeFirst();
    return row && { id: row.id, definition: asPublished(row), ...toVersionInfo(row) };
  }

  async commit(step: StepCommit): Promise<CommitResult> {
    return this.inTransaction((trx) => this.writeStep(trx, step));
  }

  async transact(
    alarmId: string,
    timerId: string | undefined,
    decide: (alarm: AlarmRecord, timer: TimerRecord | undefined) => StepCommit | undefined,
  ): Promise<TransactResult> {
    return this.inTransaction(async (trx): Promise<TransactResult> => {
      // The row lock serialises every step of this alarm across processes, first come first served.
      const row = await trx.selectFrom('alarms').selectAll().where('id', '=', alarmId).forUpdate().executeTakeFirst();
      if (!row) return { ok: false, reason: 'not-found' };
      const timer = timerId
        ? await trx.selectFrom('timers').selectAll().where('id', '=', timerId).forUpdate().executeTakeFirst()
        : undefined;
      const step = decide(toAlarm(row), timer && toTimer(timer));
      if (!step) return { ok: false, reason: 'skipped' };
      return this.writeStep(trx, step);
    });
  }

  /** Runs `fn` in a transaction; an Abort rolls back and becomes the result; `durable` runs after commit. */
  private async inTransaction<R extends { ok: boolean }>(
    fn: (trx: Transaction<DB>) => Promise<R>,
  ): Promise<R | CommitResult> {
    try {
      const result = await this.db.transaction().execute(fn);
      if (result.ok && this.durable) await this.durable();
      return result;
    } catch (err) {
      if (err instanceof Abort) return err.result;
      throw err;
    }
  }

  private async writeStep(trx: Transaction<DB>, step: StepCommit): Promise<CommitResult> {
    if (step.consumeTimer) {
      const t = step.consumeTimer;
      const r = await trx
        .updateTable('timers')
        .set({ status: 'fired', fired_at: date(t.firedAt), late_ms: t.lateMs })
        .where('id', '=', t.id)
        .where('alarm_id', '=', step.alarmId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (r.numUpdatedRows !== 1n) throw new Abort({ ok: false, reason: 'stale-timer' });
    }
    const ended = step.status === 'ended' ? date(step.entry.at) : null;
    if (step.create) {
      const f = step.create.facts;
      const r = await trx
        .insertInto('alarms')
        .values({
          id: f.id,
          type: f.type,
          priority: f.priority,
          text: f.text,
          location: f.location ?? null,
          source: json(f.source),
          environment: f.environment,
          plan_id: step.create.plan.id,
          plan_version: step.create.plan.version,
          status: step.status,
          state: step.state,
          snapshot: json(step.snapshot),
          seq: step.entry.seq,
          last_hash: step.entry.hash,
          raised_at: date(f.raisedAt),
          updated_at: date(step.entry.at),
          ended_at: ended,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (r.numInsertedOrUpdatedRows !== 1n) throw new Abort({ ok: false, reason: 'exists' });
    } else {
      const r = await trx
        .updateTable('alarms')
        .set({
          status: step.status,
          state: step.state,
          snapshot: json(step.snapshot),
          seq: step.entry.seq,
          last_hash: step.entry.hash,
          updated_at: date(step.entry.at),
          ended_at: ended,
        })
        .where('id', '=', step.alarmId)
        .where('seq', '=', step.expectedSeq)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (r.numUpdatedRows !== 1n) throw new Abort({ ok: false, reason: 'conflict' });
    }
    const e = step.entry;
    await trx
      .insertInto('protocol')
      .values({
        alarm_id: e.alarmId,
        seq: e.seq,
        at: date(e.at),
        kind: e.kind,
        event: json(e.event),
        from_state: e.fromState,
        to_state: e.toState,
        guards: json(e.guards),
        effects: json(e.effects),
        actor: json(e.actor),
        note: e.note,
        late_ms: e.lateMs,
        prev_hash: e.prevHash,
        hash: e.hash,
      })
      .execute();
    // Pseudonyms (issue 4, item 10): the mapping rows of the entry's pseudonyms, same transaction.
    if (step.pseudonyms) await insertPseudonyms(trx, step.pseudonyms, e.at);
    let cancelledTimerIds: string[] = [];
    if (step.cancelSendIds.length > 0) {
      const rows = await trx
        .updateTable('timers')
        .set({ status: 'cancelled' })
        .where('alarm_id', '=', step.alarmId)
        .where('send_id', 'in', step.cancelSendIds)
        .where('status', '=', 'pending')
        .returning('id')
        .execute();
      cancelledTimerIds = rows.map((r) => r.id);
    }
    if (step.addTimers.length > 0) {
      await trx
        .insertInto('timers')
        .values(
          step.addTimers.map((t) => ({
            id: t.id,
            alarm_id: t.alarmId,
            send_id: t.sendId,
            event: json(t.event),
            due_at: date(t.dueAt),
            status: t.status,
            created_seq: t.createdSeq,
            fired_at: null,
            late_ms: null,
          })),
        )
        .execute();
    }
    for (const n of step.notifications) {
      await trx
        .insertInto('notifications')
        .values({
          alarm_id: step.alarmId,
          notification_id: n.notificationId,
          recipient: n.recipient,
          channel: n.channel,
          grp: n.group,
          round: n.round,
          status: n.status,
          idempotency_key: n.idempotencyKey,
          created_at: date(e.at),
          responded_at: n.respondedAt == null ? null : date(n.respondedAt),
          response: n.response ?? null,
        })
        .onConflict((oc) =>
          oc
            .columns(['alarm_id', 'notification_id'])
            .doUpdateSet((eb) => ({
              status: eb.ref('excluded.status'),
              responded_at: eb.fn.coalesce('excluded.responded_at', 'notifications.responded_at'),
              response: eb.fn.coalesce('excluded.response', 'notifications.response'),
            }))
            .where(sql<boolean>`${rank('excluded.status')} > ${rank('notifications.status')}`),
        )
        .execute();
    }
    if (step.outbox.length > 0) {
      await trx
        .insertInto('outbox')
        .values(
          step.outbox.map((o) => ({
            id: o.id,
            alarm_id: o.alarmId,
            seq: o.seq,
            kind: o.kind,
            payload: json(o.payload),
            status: 'pending',
            created_at: date(o.createdAt),
          })),
        )
        .execute();
    }
    // Delivered by PostgreSQL at commit, and only if it commits (alarm-feed listeners).
    await sql`select pg_notify(${this.changeChannel}, ${step.alarmId})`.execute(trx);
    return { ok: true, cancelledTimerIds } as const;
  }

  private readonly feedListeners = new Set<(alarmId: string) => void>();
  private feed: Promise<() => Promise<void>> | undefined;

  /** The channel every alarm change is announced on (one per schema, so test schemas stay apart). */
  get changeChannel(): string {
    return this.schema === 'public' ? 'tocsin_alarms' : `tocsin_alarms_${this.schema}`;
  }

  /**
   * Calls `onChange(alarmId)` after every committed step and every recorded delivery status of
   * an alarm, from any process using this database (PostgreSQL NOTIFY, transactional). After
   * the listening connection was lost and is back, `onChange('*')`: anything may have changed.
   * Resolves with the function that stops listening.
   */
  async listenChanges(onChange: (alarmId: string) => void): Promise<() => Promise<void>> {
    if (!this.listen) throw new Error('this store has no change feed');
    // One LISTEN (one connection on PostgreSQL) for all of this store's listeners.
    this.feedListeners.add(onChange);
    try {
      this.feed ??= this.listen(this.changeChannel, (id) => {
        for (const l of [...this.feedListeners]) l(id);
      });
      await this.feed;
    } catch (err) {
      this.feedListeners.delete(onChange);
      this.feed = undefined;
      throw err;
    }
    return async () => {
      if (!this.feedListeners.delete(onChange) || this.feedListeners.size > 0) return;
      const feed = this.feed;
      this.feed = undefined;
      await (
        await feed
      )?.();
    };
  }

  async getAlarm(id: string): Promise<AlarmRecord | undefined> {
    const row = await this.db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAlarm(row);
  }

  async listAlarms(opts: {
    status?: AlarmStatus;
    limit: number;
    environments?: readonly string[];
  }): Promise<AlarmRecord[]> {
    if (opts.environments?.length === 0) return [];
    let q = this.db.selectFrom('alarms').selectAll().orderBy('raised_at', 'desc').orderBy('id').limit(opts.limit);
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.environments) q = q.where('environment', 'in', opts.environments);
    return (await q.execute()).map(toAlarm);
  }

  async queryAlarms(q: AlarmQuery): Promise<AlarmRecord[]> {
    if (q.environments?.length === 0) return [];
    let s = this.db.selectFrom('alarms').selectAll().orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(q.limit);
    if (q.environments) s = s.where('environment', 'in', q.environments);
    if (q.from !== undefined) s = s.where('raised_at', '>=', date(q.from));
    if (q.to !== undefined) s = s.where('raised_at', '<', date(q.to));
    if (q.type !== undefined) s = s.where('type', '=', q.type);
    if (q.adapter !== undefined) s = s.where(sql<boolean>`source->>'adapter' = ${q.adapter}`);
    if (q.status !== undefined) s = s.where('status', '=', q.status);
    if (q.location !== undefined) s = s.where(sql<boolean>`location ilike ${likeAnywhere(q.location)}`);
    // An atomic state is stored as its name, a compound one as JSON naming it in quotes (stateKey).
    if (q.state !== undefined)
      s = s.where(sql<boolean>`(state = ${q.state} or state like ${likeAnywhere(JSON.stringify(q.state))})`);
    if (q.user !== undefined) {
      const user = q.user.toLowerCase();
      s = s.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('notifications as n')
            .select('n.alarm_id')
            .whereRef('n.alarm_id', '=', 'alarms.id')
            .where(sql<boolean>`lower(n.recipient) = ${user}`),
        ),
      );
    }
    const before = q.before;
    if (before) {
      const at = date(before.raisedAt);
      s = s.where((eb) =>
        eb.or([eb('raised_at', '<', at), eb.and([eb('raised_at', '=', at), eb('id', '<', before.id)])]),
      );
    }
    return (await s.execute()).map(toAlarm);
  }

  async listNotificationsOf(alarmIds: readonly string[]): Promise<NotificationRecord[]> {
    if (alarmIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('notifications')
      .selectAll()
      .where('alarm_id', 'in', alarmIds)
      .orderBy('alarm_id')
      .orderBy('created_at')
      .orderBy('notification_id')
      .execute();
    return rows.map(toNotification);
  }

  async getTimer(id: string): Promise<TimerRecord | undefined> {
    const row = await this.db.selectFrom('timers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTimer(row);
  }

  async listTimers(alarmId: string): Promise<TimerRecord[]> {
    const rows = await this.db
      .selectFrom('timers')
      .selectAll()
      .where('alarm_id', '=', alarmId)
      .orderBy('created_seq')
      .orderBy('id')
      .execute();
    return rows.map(toTimer);
  }

  async pendingTimers(opts: { limit: number; dueBefore?: number; afterId?: string }): Promise<TimerRecord[]> {
    let q = this.db.selectFrom('timers').selectAll().where('status', '=', 'pending');
    if (opts.dueBefore !== undefined) q = q.where('due_at', '<=', date(opts.dueBefore));
    if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
    const rows = await q
      .orderBy(opts.afterId === undefined ? 'due_at' : 'id')
      .orderBy('id')
      .limit(opts.limit)
      .execute();
    return rows.map(toTimer);
  }

  async listNotifications(alarmId: string): Promise<NotificationRecord[]> {
    const rows = await this.db
      .selectFrom('notifications')
      .selectAll()
      .where('alarm_id', '=', alarmId)
      .orderBy('created_at')
      .orderBy('notification_id')
      .execute();
    return rows.map(toNotification);
  }

  async listProtocol(alarmId: string): Promise<ProtocolEntry[]> {
    const rows = await this.db
      .selectFrom('protocol')
      .selectAll()
      .where('alarm_id', '=', alarmId)
      .orderBy('seq')
      .execute();
    return rows.map(toProtocol);
  }

  async claimOutbox(opts: {
    now: number;
    leaseMs: number;
    limit: number;
    ids?: readonly string[];
  }): Promise<OutboxRecord[]> {
    if (opts.ids?.length === 0) return [];
    const rows = await this.db
      .updateTable('outbox')
      .set((eb) => ({ lease_until: date(opts.now + opts.leaseMs), attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', (eb) => {
        let sub = eb
          .selectFrom('outbox')
          .select('id')
          .where('status', '=', 'pending')
          .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', date(opts.now))]));
        if (opts.ids) sub = sub.where('id', 'in', [...opts.ids]);
        return sub.orderBy('created_at').orderBy('id').limit(opts.limit).forUpdate().skipLocked();
      })
      .returningAll()
      .execute();
    return rows.map(toOutbox).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async completeOutbox(id: string, result: { status: 'done' | 'failed'; at: number; error?: string }): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ status: result.status, done_at: date(result.at), error: result.error ?? null, lease_until: null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async markNotification(
    alarmId: string,
    notificationId: string,
    change: { status: 'sent' | 'delivered' | 'read' | 'failed'; at: number; error?: string },
  ): Promise<boolean> {
    const at = date(change.at);
    const stamp =
      change.status === 'sent'
        ? { sent_at: at }
        : change.status === 'delivered'
          ? { delivered_at: at }
          : change.status === 'read'
            ? { read_at: at }
            : { error: change.error ?? 'failed' };
    const r = await this.db
      .updateTable('notifications')
      .set({ status: change.status, ...stamp })
      .where('alarm_id', '=', alarmId)
      .where('notification_id', '=', notificationId)
      .where(sql<boolean>`${rank(`'${change.status}'`)} > ${rank('status')}`)
      .executeTakeFirst();
    if (r.numUpdatedRows !== 1n) return false;
    await sql`select pg_notify(${this.changeChannel}, ${alarmId})`.execute(this.db);
    return true;
  }

  async countActiveByState(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('alarms')
      .select(['state', sql<number>`count(*)::integer`.as('n')])
      .where('status', '=', 'active')
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
