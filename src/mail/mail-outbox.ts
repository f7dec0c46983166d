import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../http/logger.js';

/**
 * Delivery of the mail outbox (`outbound_emails`). The request path only ever inserts rows (in the
 * transaction of the action that causes the mail); a sender drains them through a {@link MailTransport}
 * (SMTP on Node, see src/node/smtp-transport.ts). Delivery is at-least-once: a row is leased before
 * sending and marked sent after, so a crash between the two re-sends it rather than losing it.
 *
 * @example
 *   while ((await deliverDueMail({ db, transport, logger }, new Date())) > 0) {}
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  /** Resolves once the server accepted the message; rejects on any failure (the row is retried). */
  send(mail: OutgoingMail): Promise<void>;
}

export interface MailSenderDeps {
  db: Database;
  transport: MailTransport;
  logger: Logger;
}

/** While a row is being sent no other sender takes it; after this a crashed sender's rows are due again. */
export const MAIL_LEASE_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 6 * 3_600_000;

/** 30 s, 1 min, 2 min … capped at 6 h: a long outage retries a few times an hour, forever. */
export function mailRetryDelayMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

/**
 * Leases up to `batchSize` due rows (SKIP LOCKED, so several instances share the work without
 * sending a mail twice), sends each, and records the outcome. Returns how many rows it handled.
 */
export async function deliverDueMail(deps: MailSenderDeps, now: Date, batchSize = 20): Promise<number> {
  const leaseUntil = new Date(now.getTime() + MAIL_LEASE_MS);
  const rows = await deps.db
    .updateTable('outbound_emails')
    .set({ next_attempt_at: leaseUntil })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbound_emails')
        .select('id')
        .where('sent_at', 'is', null)
        .where(sql<Date>`coalesce(next_attempt_at, created_at)`, '<=', now)
        .orderBy(sql`coalesce(next_attempt_at, created_at)`)
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'to_address', 'subject', 'body_text', 'kind', 'attempts'])
    .execute();
  for (const row of rows) {
    try {
      await deps.transport.send({ to: row.to_address, subject: row.subject, text: row.body_text });
      await deps.db
        .updateTable('outbound_emails')
        .set({ sent_at: new Date(), attempts: row.attempts + 1, last_error: null })
        .where('id', '=', row.id)
        .execute();
      deps.logger.info('mail sent', { kind: row.kind, id: String(row.id) });
    } catch (error) {
      const attempts = row.attempts + 1;
      const message = error instanceof Error ? error.message : String(error);
      await deps.db
        .updateTable('outbound_emails')
        .set({
          attempts,
          last_error: message.slice(0, 500),
          next_attempt_at: new Date(now.getTime() + mailRetryDelayMs(attempts)),
        })
        .where('id', '=', row.id)
        .execute();
      deps.logger.warn('mail send failed; will retry', {
        kind: row.kind,
        id: String(row.id),
        attempts,
        error: message,
      });
    }
  }
  return rows.length;
}

/**
 * Drains due mail now and then every `pollMs`; `notify()` drains at once (after a local write).
 * `stop()` waits for the batch in flight.
 */
export function startMailSender(deps: MailSenderDeps, pollMs = 10_000) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        while (!stopped && (await deliverDueMail(deps, new Date())) > 0) {
          // until nothing is due
        }
      } catch (error) {
        deps.logger.warn('mail sender failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(run, pollMs);
  (timer as { unref?: () => void }).unref?.();
  run();
  return {
    notify: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
