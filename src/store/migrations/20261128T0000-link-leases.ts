/**
 * Link leases (src/ports/link-lease.ts): in cluster mode one node holds a device link (the
 * OM AXI connection, an ESPA 4.4.4 line) under a lease and renews it; when it stops renewing,
 * another node takes it over. `token` grows with every change of holder (a fencing token).
 * Expand only: a new table.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('link_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('token', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acquired_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
