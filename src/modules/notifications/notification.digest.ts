import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../http/logger.js';
import { createOutboxMailer, type Mailer } from '../../mail/mailer.js';
import { chinaDate, startOfChinaDay } from '../../web/china-time.js';
import { messages } from '../../web/messages.js';

/**
 * The daily e-mail digest: users who chose 'daily_digest' get one mail per China calendar day with
 * the notifications of that day (since their previous digest). Run it as often as you like (the
 * Node server runs it hourly, the Workers cron on every tick): the `notification_digests` row is
 * inserted in the same transaction as the mail and keyed by (user, day), so restarts and parallel
 * instances send each digest exactly once.
 */
const DAY_MS = 86_400_000;

export interface DigestDeps {
  db: Database;
  logger: Logger;
  mailer?: Mailer | undefined;
}

/**
 * Sends the digest for the China day before `now` to every user who wants one and has not had it.
 * Returns how many digest mails were sent (users with nothing new get a ledger row and no mail).
 */
export async function sendDailyDigests(deps: DigestDeps, now: Date): Promise<number> {
  const periodEnd = startOfChinaDay(now);
  const digestDate = chinaDate(new Date(periodEnd.getTime() - DAY_MS));
  const due = await deps.db
    .selectFrom('notification_preferences as np')
    .innerJoin('users as u', 'u.id', 'np.user_id')
    .leftJoin('notification_digests as d', (join) =>
      join.onRef('d.user_id', '=', 'np.user_id').on('d.digest_date', '=', sql<Date>`${digestDate}::date`),
    )
    .select(['np.user_id', 'np.updated_at', 'u.email'])
    .where('np.email_mode', '=', 'daily_digest')
    .where('d.user_id', 'is', null)
    .where('np.updated_at', '<', periodEnd)
    .execute();
  const mailer = deps.mailer ?? createOutboxMailer(deps.logger);
  let sent = 0;
  for (const user of due) {
    const mailed = await deps.db.transaction().execute(async (trx) => {
      const previous = await trx
        .selectFrom('notification_digests')
        .select((eb) => eb.fn.max('period_end').as('end'))
        .where('user_id', '=', user.user_id)
        .executeTakeFirst();
      // Since the previous digest, or since the user chose digests (earlier ones were mailed already).
      const from = new Date(Math.max(user.updated_at.getTime(), previous?.end?.getTime() ?? 0));
      const periodStart = from < periodEnd ? from : periodEnd;
      const rows = await trx
        .selectFrom('notifications')
        .select(['title', 'body', 'link', 'created_at'])
        .where('user_id', '=', user.user_id)
        .where('created_at', '>=', periodStart)
        .where('created_at', '<', periodEnd)
        .orderBy('id')
        .execute();
      const claimed = await trx
        .insertInto('notification_digests')
        .values({
          user_id: user.user_id,
          digest_date: digestDate,
          period_start: periodStart,
          period_end: periodEnd,
          notification_count: rows.length,
        })
        // Another instance (or an earlier run) already did this day: nothing to send.
        .onConflict((oc) => oc.columns(['user_id', 'digest_date']).doNothing())
        .returning('user_id')
        .executeTakeFirst();
      if (!claimed || rows.length === 0) return false;
      const m = messages.flow.mailPreference;
      await mailer.send(trx, {
        to: user.email,
        subject: m.digestSubject(rows.length),
        text: [
          m.digestIntro(rows.length),
          '',
          ...rows.map((n) => `· ${n.title}${n.body ? `\n  ${n.body}` : ''}${n.link ? `\n  ${n.link}` : ''}`),
          messages.flow.notify.mailFooter,
        ].join('\n'),
        kind: 'notification.digest',
      });
      return true;
    });
    if (mailed) sent++;
  }
  if (sent > 0) deps.logger.info('notification digests sent', { sent, day: digestDate });
  return sent;
}
