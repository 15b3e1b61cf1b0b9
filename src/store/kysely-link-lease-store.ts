/**
 * LinkLeases (src/ports/link-lease.ts) in the `link_leases` table: one upsert decides, so two
 * nodes racing for a free lease get one grant between them (the row's primary key).
 */
import { sql, type Kysely } from 'kysely';
import type { LeaseGrant, LeaseState, LinkLeases } from '../ports/link-lease.ts';
import type { DB } from './db-schema.ts';

export class KyselyLinkLeaseStore implements LinkLeases {
  constructor(private readonly db: Kysely<DB>) {}

  async acquire(name: string, holder: string, at: number, ttlMs: number): Promise<LeaseGrant | undefined> {
    const now = new Date(at);
    const until = new Date(at + ttlMs);
    // Still ours and not expired: a renewal keeps the token; anything else is a new tenure.
    const renewal = sql<boolean>`link_leases.holder = excluded.holder and link_leases.expires_at >= ${now}`;
    const row = await this.db
      .insertInto('link_leases')
      .values({ name, holder, token: 1, expires_at: until, acquired_at: now })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({
            token: sql`case when ${renewal} then link_leases.token else link_leases.token + 1 end`,
            acquired_at: sql`case when ${renewal} then link_leases.acquired_at else excluded.acquired_at end`,
            holder: sql`excluded.holder`,
            expires_at: sql`excluded.expires_at`,
          })
          .where((eb) => eb.or([eb('link_leases.holder', '=', holder), eb('link_leases.expires_at', '<', now)])),
      )
      .returning(['token', 'expires_at'])
      .executeTakeFirst();
    return row && { token: Number(row.token), expiresAt: row.expires_at.getTime() };
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db
      .updateTable('link_leases')
      .set({ expires_at: new Date(0) })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .execute();
  }

  async get(name: string): Promise<LeaseState | undefined> {
    const row = await this.db.selectFrom('link_leases').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { holder: row.holder, token: Number(row.token), expiresAt: row.expires_at.getTime() };
  }
}
