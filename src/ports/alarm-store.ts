/**
 * The AlarmStore port: everything the runtime persists. One implementation over Kysely,
 * with two drivers (PostgreSQL via `pg`, PGlite embedded); both pass the conformance suite in
 * test/integration/store-conformance.ts.
 *
 * The one write the runtime makes per event is `commit()`: the protocol entry, the new
 * snapshot and seq, timer rows, notification rows and outbox rows in ONE transaction, guarded
 * by a compare-and-set on the alarm's seq. Nothing else writes alarm state.
 */
import type {
  Actor,
  AlarmFacts,
  AlarmStatus,
  NotificationStatus,
  PlanRef,
  ResponseKind,
  TimerStatus,
} from '../domain/alarm.ts';

export interface AlarmRecord {
  readonly facts: AlarmFacts;
  readonly plan: PlanRef;
  readonly status: AlarmStatus;
  /** The state value, JSON-encoded (e.g. `"levelA"`). */
  readonly state: string;
  /** XState persisted snapshot (JSON). */
  readonly snapshot: unknown;
  readonly seq: number;
  readonly lastHash: string;
  readonly updatedAt: number;
  readonly endedAt: number | undefined;
}

export type ProtocolKind = 'raised' | 'event' | 'timer';

export interface ProtocolEntry {
  readonly alarmId: string;
  readonly seq: number;
  readonly at: number;
  readonly kind: ProtocolKind;
  /** The machine event (or the alarm facts for `raised`). */
  readonly event: unknown;
  readonly fromState: string | null;
  readonly toState: string;
  /** Guards evaluated on the way, with their results, in order. */
  readonly guards: readonly { readonly guard: string; readonly result: boolean }[];
  /** Effects decided by this step (notify, withdraw, timer set/cancel, ...). */
  readonly effects: readonly unknown[];
  readonly actor: Actor;
  /** Human reason: "escalated: all 2 rejected", "timer fired 12 ms late". */
  readonly note: string;
  /** For fired timers: how late the step ran, in ms. */
  readonly lateMs: number | null;
  readonly prevHash: string;
  readonly hash: string;
}

export interface TimerRecord {
  readonly id: string;
  readonly alarmId: string;
  /** XState's send id (`xstate.after.<delay>.<state>`); cancels address this. */
  readonly sendId: string;
  /** The event to deliver when the timer fires. */
  readonly event: unknown;
  readonly dueAt: number;
  readonly status: TimerStatus;
  readonly createdSeq: number;
  readonly firedAt: number | null;
  readonly lateMs: number | null;
}

export interface NotificationRecord {
  readonly alarmId: string;
  /** Id inside the alarm (from the plan), e.g. `A.0.alice`. */
  readonly notificationId: string;
  readonly recipient: string;
  readonly channel: string;
  readonly group: string;
  readonly round: number;
  readonly status: NotificationStatus;
  readonly idempotencyKey: string;
  readonly createdAt: number;
  readonly sentAt: number | null;
  readonly deliveredAt: number | null;
  readonly readAt: number | null;
  readonly respondedAt: number | null;
  readonly response: ResponseKind | null;
  readonly error: string | null;
}

/** A status change of a notification decided by the plan (created, accepted, withdrawn ...). */
export interface NotificationUpsert {
  readonly notificationId: string;
  readonly recipient: string;
  readonly channel: string;
  readonly group: string;
  readonly round: number;
  readonly status: NotificationStatus;
  readonly idempotencyKey: string;
  readonly respondedAt?: number | null;
  readonly response?: ResponseKind | null;
}

export type OutboxKind = 'notify' | 'withdraw' | 'forward';
export type OutboxStatus = 'pending' | 'done' | 'failed';

export interface OutboxRecord {
  /** `o-<alarmId>-<seq>-<n>`; also the idempotency key of the effect. */
  readonly id: string;
  readonly alarmId: string;
  readonly seq: number;
  readonly kind: OutboxKind;
  readonly payload: unknown;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly createdAt: number;
}

/** One published version of a plan, without its definition. */
export interface PlanVersionInfo {
  readonly version: number;
  readonly publishedAt: number;
  readonly publishedBy: string;
  /** When the version was disabled; null while it is enabled. */
  readonly disabledAt: number | null;
  /** The plan's environment (every version of an id has the first one's); `*`: shared by all. */
  readonly environment: string;
}

/** A plan version with its definition (the export). */
export interface PlanInfo extends PlanVersionInfo {
  readonly id: string;
  readonly definition: unknown;
}

export interface StepCommit {
  readonly alarmId: string;
  /** The seq the alarm must still have (0 when creating it). */
  readonly expectedSeq: number;
  /** Present only for the first step: inserts the alarm row. */
  readonly create?: { readonly facts: AlarmFacts; readonly plan: PlanRef };
  readonly status: AlarmStatus;
  readonly state: string;
  readonly snapshot: unknown;
  readonly entry: ProtocolEntry;
  /** A fired timer consumed by this step: it must still be pending, else the commit is stale. */
  readonly consumeTimer?: { readonly id: string; readonly firedAt: number; readonly lateMs: number };
  /** Send ids whose pending timers this step cancels. */
  readonly cancelSendIds: readonly string[];
  readonly addTimers: readonly TimerRecord[];
  readonly notifications: readonly NotificationUpsert[];
  readonly outbox: readonly Omit<OutboxRecord, 'status' | 'attempts'>[];
  /** Pseudonyms the protocol entry uses, with their values: inserted unless known (or erased). */
  readonly pseudonyms?: readonly PseudonymRow[];
}

/** A pseudonym of the protocol with its personal value (pseudonyms.ts). */
export interface PseudonymRow {
  readonly pseudonym: string;
  readonly value: string;
}

/** A personal value to erase, with the pseudonym that replaces it in the mutable tables. */
export type ErasePair = PseudonymRow;

/** Rows an erasure touched, per table. */
export interface ErasureCounts {
  /** Mapping rows whose value was nulled (or written as erased). */
  readonly pseudonyms: number;
  readonly notifications: number;
  readonly alarms: number;
  readonly timers: number;
  readonly outbox: number;
}

/**
 * A filtered page of alarms (the protocol view, GET /api/v1/protocol): newest raised first,
 * ties by id descending, so `before` (the last alarm of the previous page) is a stable cursor.
 */
export interface AlarmQuery {
  /** Only alarms of these environments (an empty list: none); all when absent. */
  readonly environments?: readonly string[];
  /** Raised at or after (epoch ms). */
  readonly from?: number;
  /** Raised before (epoch ms). */
  readonly to?: number;
  /** Exactly this alarm type. */
  readonly type?: string;
  /** Raised through exactly this adapter (`facts.source.adapter`: http, dect, supervision, …). */
  readonly adapter?: string;
  /** The location contains this text, case-insensitively. */
  readonly location?: string;
  /** Someone of this name (case-insensitive) was notified or responded. */
  readonly user?: string;
  readonly status?: AlarmStatus;
  /** The state is this plan state, or a compound state naming it at any level. */
  readonly state?: string;
  /** Only alarms after this one in the order (raised earlier, or at the same time with a lower id). */
  readonly before?: { readonly raisedAt: number; readonly id: string };
  readonly limit: number;
}

export type CommitResult =
  | { readonly ok: true; readonly cancelledTimerIds: readonly string[] }
  | { readonly ok: false; readonly reason: 'conflict' | 'stale-timer' | 'exists' };

export type TransactResult = CommitResult | { readonly ok: false; readonly reason: 'not-found' | 'skipped' };

export interface AlarmStore {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs pending migrations; idempotent and safe to call from several processes at once.
   * Answers the names of the migrations this call applied (empty when none were pending).
   */
  migrate(): Promise<string[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Stores an immutable plan version; storing the same definition again is a no-op, a different one throws. */
  putPlan(ref: PlanRef, definition: unknown, at: number): Promise<void>;
  getPlan(ref: PlanRef): Promise<unknown>;
  /**
   * Publishes `definition` as the next version of plan `id` (highest + 1, from 1) and returns
   * that version. Concurrent publishes of one id queue on a lock, so each gets its own version.
   * Not idempotent: publishing the same definition twice makes two versions. With
   * `expectVersion` (an import that keeps version numbers) the version must be exactly the next
   * one: otherwise nothing is written and the result is `{ conflict: next }`. A new id gets
   * `environment` (default `*`, shared); a later version keeps the id's environment, and one
   * published for another environment is refused the same way (`{ conflict: next }`).
   */
  publishPlan(id: string, definition: unknown, at: number, by: string): Promise<number>;
  publishPlan(
    id: string,
    definition: unknown,
    at: number,
    by: string,
    opts: { expectVersion?: number; environment?: string },
  ): Promise<number | { conflict: number }>;
  /** Every plan id with its versions (ascending), ids in name order. */
  listPlans(): Promise<{ readonly id: string; readonly versions: readonly PlanVersionInfo[] }[]>;
  /**
   * Disables or re-enables one version (idempotent: disabling a disabled version keeps its
   * first disabledAt). Returns false when there is no such version.
   */
  setPlanDisabled(ref: PlanRef, disabled: boolean, at: number, by: string): Promise<boolean>;
  /** A version's definition and metadata; undefined when there is no such version. */
  getPlanInfo(ref: PlanRef): Promise<PlanInfo | undefined>;

  /**
   * Writes one step atomically. Returns `conflict` when the alarm's seq is no longer
   * `expectedSeq` (another process won; reload and retry), `stale-timer` when the consumed
   * timer is not pending any more, `exists` when creating an id that exists. Nothing is
   * written unless ok. Throws only on database errors (then nothing is written either).
   */
  commit(step: StepCommit): Promise<CommitResult>;

  /**
   * One step of an existing alarm under its row lock: reads the alarm (and the timer `timerId`,
   * when given) with SELECT … FOR UPDATE, calls `decide` — synchronous and pure — and writes
   * the StepCommit it returns, all in one transaction. Steps of one alarm from any number of
   * processes thus queue on the lock instead of racing. `decide` returning undefined writes
   * nothing (`skipped`); `decide` throwing rolls back and rethrows.
   */
  transact(
    alarmId: string,
    timerId: string | undefined,
    decide: (alarm: AlarmRecord, timer: TimerRecord | undefined) => StepCommit | undefined,
  ): Promise<TransactResult>;

  getAlarm(id: string): Promise<AlarmRecord | undefined>;
  /** Newest first; only alarms of `environments` when given (an empty list: none). */
  listAlarms(opts: { status?: AlarmStatus; limit: number; environments?: readonly string[] }): Promise<AlarmRecord[]>;
  /** The alarms matching `q`, in its order (see AlarmQuery). */
  queryAlarms(q: AlarmQuery): Promise<AlarmRecord[]>;
  getTimer(id: string): Promise<TimerRecord | undefined>;
  listTimers(alarmId: string): Promise<TimerRecord[]>;
  /**
   * Pending timers with `dueAt <= dueBefore` (when given). Without `afterId`: earliest due
   * first. With `afterId`: ordered by id, after that id (`''` for the first page) — a stable
   * cursor for paging through all of them.
   */
  pendingTimers(opts: { limit: number; dueBefore?: number; afterId?: string }): Promise<TimerRecord[]>;
  listNotifications(alarmId: string): Promise<NotificationRecord[]>;
  /** The notifications of several alarms at once, each alarm's in the order of listNotifications. */
  listNotificationsOf(alarmIds: readonly string[]): Promise<NotificationRecord[]>;
  listProtocol(alarmId: string): Promise<ProtocolEntry[]>;

  /**
   * Claims up to `limit` pending outbox rows whose lease has expired (or the given ids),
   * leasing them until `now + leaseMs` and counting an attempt. Two callers never hold the
   * same row's lease at once.
   */
  claimOutbox(opts: { now: number; leaseMs: number; limit: number; ids?: readonly string[] }): Promise<OutboxRecord[]>;
  /** Ends an outbox row (done or failed for good). Idempotent. */
  completeOutbox(id: string, result: { status: 'done' | 'failed'; at: number; error?: string }): Promise<void>;

  /**
   * Records an effect outcome on a notification (sent, delivered, read, failed). Never moves
   * a notification backwards: a `sent` after `accepted` or `withdrawn` changes nothing.
   * Returns true when the row changed.
   */
  markNotification(
    alarmId: string,
    notificationId: string,
    change: { status: 'sent' | 'delivered' | 'read' | 'failed'; at: number; error?: string },
  ): Promise<boolean>;

  /**
   * The installation's pseudonym key: `candidate` is stored when there is none yet, else the
   * stored key is returned, so concurrent first starts agree. Idempotent.
   */
  pseudonymKey(candidate: string): Promise<string>;
  /** The values of `pseudonyms` still known (erased or unknown ones are absent from the map). */
  resolvePseudonyms(pseudonyms: readonly string[]): Promise<Map<string, string>>;
  /**
   * Erases personal values in one transaction: their mapping rows lose the value (written as
   * erased when missing, so a later step cannot map them again), and notification rows, alarm
   * snapshots, timer events and outbox payloads holding a value (as a whole JSON string, a
   * notification id `<group>.<round>.<value>` or a recipient) get the pseudonym instead. The
   * protocol itself is never touched: it holds pseudonyms only. Idempotent.
   */
  erasePersonalValues(pairs: readonly ErasePair[], at: number): Promise<ErasureCounts>;

  /** Counts active alarms by state value, for metrics. */
  countActiveByState(): Promise<Record<string, number>>;
}
