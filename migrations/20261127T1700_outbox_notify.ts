import { type Kysely, sql } from 'kysely';

/**
 * Wakes outbox workers in every instance the moment a transaction that wrote outbox rows commits
 * (NOTIFY is delivered on commit), instead of waiting for the next poll. Polling stays as the
 * fallback, so a missed notification only delays.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function notify_search_outbox() returns trigger language plpgsql as $$
    begin
      perform pg_notify('search_outbox', '');
      return null;
    end $$`.execute(db);
  await sql`
    create trigger search_outbox_notify after insert on search_outbox
    for each statement execute function notify_search_outbox()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists search_outbox_notify on search_outbox`.execute(db);
  await sql`drop function if exists notify_search_outbox()`.execute(db);
}
