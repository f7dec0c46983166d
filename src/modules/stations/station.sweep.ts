import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { createLogger, type Logger } from '../../http/logger.js';
import { createOutboxMailer, type Mailer } from '../../mail/mailer.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import { chinaDay, transitionStation } from './station.lifecycle.js';
import { listAdminEmails } from './station.queries.js';

const m = messages.station;
const asDate = (day: string) => sql<Date>`${day}::date`;
/** How long before the term end the society and host are reminded. */
export const EXPIRY_REMINDER_DAYS = 30;

export interface SweepOptions {
  mailer?: Mailer;
  logger?: Logger;
  /** Origin for links in the mails (PUBLIC_URL); without it the mails name the path only. */
  publicUrl?: string;
}

/**
 * The periodic station sweep, run by the Node server next to the outbox worker and by the Workers
 * cron. Plain and idempotent, so several instances may run it at once:
 * - stations whose term ended (the term end is the last day, in China time) become `expired`
 *   through the life cycle (guarded update + event row), and their society and host are told;
 * - stations ending within {@link EXPIRY_REMINDER_DAYS} days are reminded once per term end: the
 *   guarded `expiry_reminder_for` update decides which instance sends it.
 *
 * @example
 *   const { expired, reminded } = await sweepStations(db, new Date());
 */
export async function sweepStations(
  db: Database,
  now: Date,
  options: SweepOptions = {},
): Promise<{ expired: number; reminded: number }> {
  const logger = options.logger;
  const mailer = options.mailer ?? createOutboxMailer(logger ?? createLogger('silent'));
  const today = chinaDay(now);
  const link = (id: string) => `${options.publicUrl?.replace(/\/+$/, '') ?? ''}/stations/${id}`;
  const system = { userId: null, role: 'system', ip: null };

  const due = await db
    .selectFrom('stations')
    .select([
      'id',
      'name',
      'status',
      'society_id',
      'host_organisation_id',
      (eb) => eb.cast<string>('term_end', 'text').as('term_end'),
    ])
    .where('status', 'in', ['active', 'suspended'])
    .where('term_end', '<', asDate(today))
    .orderBy('term_end')
    .limit(500)
    .execute();
  let expired = 0;
  for (const station of due) {
    try {
      await db.transaction().execute(async (trx) => {
        await transitionStation(trx, {
          stationId: station.id,
          from: station.status as 'active' | 'suspended',
          action: 'expire',
          actor: { userId: null, label: m.systemActor },
          reason: null,
          at: now,
        });
        for (const to of await listAdminEmails(trx, [station.society_id, station.host_organisation_id]))
          await mailer.send(trx, {
            to,
            subject: m.expiredSubject(station.name),
            text: m.expiredBody(station.name, station.term_end),
            kind: 'station_expired',
          });
        await recordAudit(trx, system, {
          action: 'station.expire',
          targetType: 'station',
          targetId: station.id,
          before: { status: station.status },
          after: { status: 'expired' },
        });
      });
      expired += 1;
    } catch (error) {
      // Another instance moved it first (or an operator did): nothing to do for this one.
      logger?.debug('station expiry skipped', { station: station.id, error: String(error) });
    }
  }

  const horizon = chinaDay(now, EXPIRY_REMINDER_DAYS);
  const ending = await db
    .selectFrom('stations')
    .select([
      'id',
      'name',
      'society_id',
      'host_organisation_id',
      (eb) => eb.cast<string>('term_end', 'text').as('term_end'),
    ])
    .where('status', '=', 'active')
    .where('term_end', '>=', asDate(today))
    .where('term_end', '<=', asDate(horizon))
    .where((eb) =>
      eb.or([eb('expiry_reminder_for', 'is', null), eb('expiry_reminder_for', '<>', eb.ref('term_end'))]),
    )
    .limit(500)
    .execute();
  let reminded = 0;
  for (const station of ending) {
    await db.transaction().execute(async (trx) => {
      // Guarded claim: of two instances sweeping at once, only one sends the reminder.
      const claimed = await trx
        .updateTable('stations')
        .set({ expiry_reminder_for: station.term_end })
        .where('id', '=', station.id)
        .where('term_end', '=', asDate(station.term_end))
        .where((eb) =>
          eb.or([eb('expiry_reminder_for', 'is', null), eb('expiry_reminder_for', '<>', eb.ref('term_end'))]),
        )
        .executeTakeFirst();
      if (claimed.numUpdatedRows === 0n) return;
      for (const to of await listAdminEmails(trx, [station.society_id, station.host_organisation_id]))
        await mailer.send(trx, {
          to,
          subject: m.reminderSubject(station.name),
          text: m.reminderBody(station.name, station.term_end, link(station.id)),
          kind: 'station_expiry_reminder',
        });
      reminded += 1;
    });
  }
  if (expired + reminded > 0) logger?.info('station sweep', { expired, reminded });
  return { expired, reminded };
}
