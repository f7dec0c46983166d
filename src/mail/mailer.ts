import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Logger } from '../http/logger.js';

/**
 * The mailer adapter. `send` takes the caller's executor so that the mail is recorded in the same
 * transaction as the action that caused it: a rolled-back signup or reset never mails anyone.
 *
 * Implementations:
 * - {@link createOutboxMailer} (development, tests, default): writes to `outbound_emails` and logs
 *   the subject (never the body: it carries one-time links).
 * - SMTP is not a Mailer: the request path always writes the outbox (runtime-neutral, and a mail
 *   server outage loses nothing); when SMTP_URL/SMTP_HOST is set the Node server drains
 *   `outbound_emails` through SMTP with retries (src/mail/mail-outbox.ts, src/node/smtp-transport.ts).
 *
 * @example
 *   await deps.mailer.send(trx, { to: 'a@b.cn', subject: '重置密码', text: '...', kind: 'password_reset' });
 */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** What the mail is for ('password_reset', 'invitation', ...): for logs and tests. */
  kind: string;
}

export interface Mailer {
  send(executor: Kysely<DB> | Transaction<DB>, mail: Mail): Promise<void>;
}

export function createOutboxMailer(logger: Logger): Mailer {
  return {
    async send(executor, mail) {
      await executor
        .insertInto('outbound_emails')
        .values({ to_address: mail.to, subject: mail.subject, body_text: mail.text, kind: mail.kind })
        .execute();
      logger.info('mail queued', { kind: mail.kind, subject: mail.subject });
    },
  };
}
