/**
 * Pseudonyms over Kysely (PostgreSQL and PGlite, one set of SQL): the installation key, the
 * mapping pseudonym → value the protocol's readers resolve through, and the erasure that
 * forgets values. The protocol table itself is never written here (it is append-only).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ErasePair, ErasureCounts, PseudonymRow } from '../ports/alarm-store.ts';
import { replaceInText, replaceValues } from '../runtime/pseudonyms.ts';
import { notificationKey } from '../runtime/step-builder.ts';
import type { DB } from './db-schema.ts';

const json = (v: unknown): string => JSON.stringify(v);
const date = (t: number): Date => new Date(Math.trunc(t));
/** A LIKE pattern for `v` anywhere in a column's text (its JSON form: the escapes JSON adds). */
const containing = (v: string): string =>
  `%${JSON.stringify(v)
    .slice(1, -1)
    .replace(/[\\%_]/g, '\\$&')}%`;

/** Writes the pseudonyms of one step inside its transaction; a known (or erased) one stays as it is. */
export async function insertPseudonyms(trx: Transaction<DB>, rows: readonly PseudonymRow[], at: number): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('pseudonyms')
    .values(rows.map((r) => ({ pseudonym: r.pseudonym, value: r.value, created_at: date(at) })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export class KyselyPseudonymStore {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly durable?: () => Promise<void>,
  ) {}

  /** See AlarmStore.pseudonymKey. */
  async key(candidate: string): Promise<string> {
    await this.db
      .insertInto('pseudonym_key')
      .values({ id: 1, key: candidate, created_at: sql<Date>`now()` })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    if (this.durable) await this.durable();
    const row = await this.db.selectFrom('pseudonym_key').select('key').where('id', '=', 1).executeTakeFirstOrThrow();
    return row.key;
  }

  /** See AlarmStore.resolvePseudonyms. */
  async resolve(pseudonyms: readonly string[]): Promise<Map<string, string>> {
    if (pseudonyms.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('pseudonyms')
      .select(['pseudonym', 'value'])
      .where('pseudonym', 'in', [...new Set(pseudonyms)])
      .where('value', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [r.pseudonym, r.value!]));
  }

  /** See AlarmStore.erasePersonalValues. */
  async erase(pairs: readonly ErasePair[], at: number): Promise<ErasureCounts> {
    if (pairs.length === 0) return { pseudonyms: 0, notifications: 0, alarms: 0, timers: 0, outbox: 0 };
    const counts = await this.db.transaction().execute(async (trx) => {
      // Spellings the protocol recorded for the same values (`Alice` for `alice`) go as well.
      const lowered = [...new Set(pairs.map((p) => p.value.toLowerCase()))];
      const known = await trx
        .selectFrom('pseudonyms')
        .select(['pseudonym', 'value'])
        .where(sql<string>`lower(value)`, 'in', lowered)
        .forUpdate()
        .execute();
      const all = new Map<string, string>(pairs.map((p) => [p.value, p.pseudonym]));
      for (const r of known) if (r.value !== null) all.set(r.value, r.pseudonym);
      const values = [...all.keys()];

      const nulled = await trx
        .updateTable('pseudonyms')
        .set({ value: null, erased_at: date(at) })
        .where('value', 'in', values)
        .executeTakeFirst();
      // Tombstones: a value never mapped yet cannot be mapped by a later step either.
      const tombstones = await trx
        .insertInto('pseudonyms')
        .values(
          [...new Set(all.values())].map((p) => ({
            pseudonym: p,
            value: null,
            created_at: date(at),
            erased_at: date(at),
          })),
        )
        .onConflict((oc) => oc.column('pseudonym').doNothing())
        .executeTakeFirst();

      const anyLike = (col: string) =>
        sql<boolean>`(${sql.join(
          values.map((v) => sql`(${sql.raw(col)})::text like ${containing(v)}`),
          sql` or `,
        )})`;

      let notifications = 0;
      const nrows = await trx
        .selectFrom('notifications')
        .select(['alarm_id', 'notification_id', 'recipient', 'error'])
        .where(anyLike("recipient || ' ' || notification_id || ' ' || coalesce(error, '')"))
        .forUpdate()
        .execute();
      for (const n of nrows) {
        const [recipient, notificationId] = replaceValues([n.recipient, n.notification_id], all);
        const error = n.error === null ? null : replaceInText(n.error, all);
        if (recipient === n.recipient && notificationId === n.notification_id && error === n.error) continue;
        await trx
          .updateTable('notifications')
          .set({
            recipient: recipient!,
            notification_id: notificationId!,
            idempotency_key: notificationKey(n.alarm_id, notificationId!),
            error,
          })
          .where('alarm_id', '=', n.alarm_id)
          .where('notification_id', '=', n.notification_id)
          .execute();
        notifications++;
      }

      let alarms = 0;
      for (const a of await trx
        .selectFrom('alarms')
        .select(['id', 'snapshot'])
        .where(anyLike('snapshot'))
        .forUpdate()
        .execute()) {
        const snapshot = replaceValues(a.snapshot, all);
        if (json(snapshot) === json(a.snapshot)) continue;
        await trx
          .updateTable('alarms')
          .set({ snapshot: json(snapshot) })
          .where('id', '=', a.id)
          .execute();
        alarms++;
      }
      let timers = 0;
      for (const t of await trx
        .selectFrom('timers')
        .select(['id', 'event'])
        .where(anyLike('event'))
        .forUpdate()
        .execute()) {
        const event = replaceValues(t.event, all);
        if (json(event) === json(t.event)) continue;
        await trx
          .updateTable('timers')
          .set({ event: json(event) })
          .where('id', '=', t.id)
          .execute();
        timers++;
      }
      let outbox = 0;
      const orows = await trx
        .selectFrom('outbox')
        .select(['id', 'payload', 'error'])
        .where(anyLike("payload::text || ' ' || coalesce(error, '')"))
        .forUpdate()
        .execute();
      for (const o of orows) {
        const payload = replaceValues(o.payload, all);
        // The notifier's error text may name the recipient ("alice: not reachable").
        const error = o.error === null ? null : replaceInText(o.error, all);
        if (json(payload) === json(o.payload) && error === o.error) continue;
        await trx
          .updateTable('outbox')
          .set({ payload: json(payload), error })
          .where('id', '=', o.id)
          .execute();
        outbox++;
      }
      return {
        pseudonyms: Number(nulled.numUpdatedRows) + Number(tombstones.numInsertedOrUpdatedRows ?? 0n),
        notifications,
        alarms,
        timers,
        outbox,
      };
    });
    if (this.durable) await this.durable();
    return counts;
  }
}
