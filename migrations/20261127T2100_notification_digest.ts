import { type Kysely, sql } from 'kysely';

/**
 * Per-user e-mail preference for notifications (immediate | daily digest | none) and the daily
 * digest ledger. A digest row is the guard that makes the sweep idempotent: it is inserted in the
 * same transaction as the digest mail, keyed by (user, day), so a restart or a second instance
 * running the same sweep sends nothing twice.
 * Frozen history: never edit after it has shipped; add a new migration instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('email_mode', 'text', (c) =>
      c.notNull().defaultTo('immediate').check(sql`email_mode in ('immediate', 'daily_digest', 'none')`),
    )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Serves the sweep's "who wants a digest" scan.
  await sql`create index notification_preferences_digest_idx on notification_preferences (user_id) where email_mode = 'daily_digest'`.execute(
    db,
  );

  await db.schema
    .createTable('notification_digests')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // The China calendar day the digest covers (notifications created up to the end of that day).
    .addColumn('digest_date', 'date', (c) => c.notNull())
    .addColumn('period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('period_end', 'timestamptz', (c) => c.notNull())
    .addColumn('notification_count', 'integer', (c) => c.notNull().check(sql`notification_count >= 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notification_digests_pkey', ['user_id', 'digest_date'])
    .addCheckConstraint('notification_digests_period', sql`period_start <= period_end`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_digests').ifExists().execute();
  await db.schema.dropTable('notification_preferences').ifExists().execute();
}
