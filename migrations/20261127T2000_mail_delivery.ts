import { type Kysely, sql } from 'kysely';

/**
 * Mail delivery state on the outbox: the SMTP sender (Node) leases due rows, sends them, and marks
 * them sent; a failure backs off and is retried, so a mail server outage delays mail and loses none.
 * Frozen history: never edit after it has shipped; add a new migration instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('outbound_emails')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  // Serves the sender's "unsent rows due now, oldest first" claim.
  await sql`create index outbound_emails_unsent_idx on outbound_emails (coalesce(next_attempt_at, created_at), id) where sent_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbound_emails_unsent_idx`.execute(db);
  await db.schema
    .alterTable('outbound_emails')
    .dropColumn('attempts')
    .dropColumn('next_attempt_at')
    .dropColumn('last_error')
    .execute();
}
