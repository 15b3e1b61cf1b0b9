/**
 * The AlarmStore over Kysely: one set of SQL for PostgreSQL and PGlite. The drivers differ
 * (see pg-store.ts and pglite-store.ts); the statements, types and semantics do not. The class
 * holds the transactions of a step (commit, transact), the change feed and the lifecycle; the
 * SQL lives in sibling modules: plan-queries.ts (plans), step-writes.ts (a step's rows),
 * alarm-queries.ts (alarms and their protocol), delivery-queries.ts (timers, notifications,
 * outbox); the pseudonyms, configuration, identity and access log in their own stores.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
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
import * as alarms from './alarm-queries.ts';
import type { DB } from './db-schema.ts';
import * as delivery from './delivery-queries.ts';
import { KyselyAccessLogStore } from './kysely-access-log-store.ts';
import { KyselyConfigStore } from './kysely-config-store.ts';
import { KyselyLinkLeaseStore } from './kysely-link-lease-store.ts';
import { KyselyDeviceMessageStore } from './kysely-device-message-store.ts';
import { KyselyIdentityStore } from './kysely-identity-store.ts';
import { insertPseudonyms, KyselyPseudonymStore } from './kysely-pseudonym-store.ts';
import { migrations } from './migrations/index.ts';
import { migrateToLatest } from './migrator.ts';
import * as plans from './plan-queries.ts';
import { toAlarm, toTimer } from './row-mappers.ts';
import { Abort, writeStepEffects, writeStepRecord } from './step-writes.ts';

/** Two processes creating one schema at once: the loser's duplicate error means it exists. */
function ignoreDuplicate(err: { code?: string }): void {
  if (err.code !== '23505' && err.code !== '42P06') throw err;
}

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

  putPlan(ref: { id: string; version: number }, definition: unknown, at: number): Promise<void> {
    return plans.putPlan(this.db, ref, definition, at, this.durable);
  }

  getPlan(ref: { id: string; version: number }): Promise<unknown> {
    return plans.getPlan(this.db, ref);
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
    return plans.publishPlan(this.db, id, definition, at, by, opts, this.durable);
  }

  listPlans(): Promise<{ id: string; versions: PlanVersionInfo[] }[]> {
    return plans.listPlans(this.db);
  }

  setPlanDisabled(ref: PlanRef, disabled: boolean, at: number, by: string): Promise<boolean> {
    return plans.setPlanDisabled(this.db, ref, disabled, at, by, this.durable);
  }

  getPlanInfo(ref: PlanRef): Promise<PlanInfo | undefined> {
    return plans.getPlanInfo(this.db, ref);
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
    await writeStepRecord(trx, step);
    // Pseudonyms (issue 4, item 10): the mapping rows of the entry's pseudonyms, same transaction.
    if (step.pseudonyms) await insertPseudonyms(trx, step.pseudonyms, step.entry.at);
    const cancelledTimerIds = await writeStepEffects(trx, step);
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

  getAlarm(id: string): Promise<AlarmRecord | undefined> {
    return alarms.getAlarm(this.db, id);
  }

  listAlarms(opts: { status?: AlarmStatus; limit: number; environments?: readonly string[] }): Promise<AlarmRecord[]> {
    return alarms.listAlarms(this.db, opts);
  }

  queryAlarms(q: AlarmQuery): Promise<AlarmRecord[]> {
    return alarms.queryAlarms(this.db, q);
  }

  listNotificationsOf(alarmIds: readonly string[]): Promise<NotificationRecord[]> {
    return delivery.listNotificationsOf(this.db, alarmIds);
  }

  getTimer(id: string): Promise<TimerRecord | undefined> {
    return delivery.getTimer(this.db, id);
  }

  listTimers(alarmId: string): Promise<TimerRecord[]> {
    return delivery.listTimers(this.db, alarmId);
  }

  pendingTimers(opts: { limit: number; dueBefore?: number; afterId?: string }): Promise<TimerRecord[]> {
    return delivery.pendingTimers(this.db, opts);
  }

  listNotifications(alarmId: string): Promise<NotificationRecord[]> {
    return delivery.listNotifications(this.db, alarmId);
  }

  listProtocol(alarmId: string): Promise<ProtocolEntry[]> {
    return alarms.listProtocol(this.db, alarmId);
  }

  claimOutbox(opts: { now: number; leaseMs: number; limit: number; ids?: readonly string[] }): Promise<OutboxRecord[]> {
    return delivery.claimOutbox(this.db, opts);
  }

  completeOutbox(id: string, result: { status: 'done' | 'failed'; at: number; error?: string }): Promise<void> {
    return delivery.completeOutbox(this.db, id, result);
  }

  async markNotification(
    alarmId: string,
    notificationId: string,
    change: { status: 'sent' | 'delivered' | 'read' | 'failed'; at: number; error?: string },
  ): Promise<boolean> {
    if (!(await delivery.markNotificationRow(this.db, alarmId, notificationId, change))) return false;
    await sql`select pg_notify(${this.changeChannel}, ${alarmId})`.execute(this.db);
    return true;
  }

  countActiveByState(): Promise<Record<string, number>> {
    return alarms.countActiveByState(this.db);
  }
}
