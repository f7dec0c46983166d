import type { Database } from '../../db/database.js';
import type { Logger } from '../../http/logger.js';
import { purgeOldRateLimits } from './rate-limit.js';
import { deleteExpiredSessions } from './session.js';

/**
 * Housekeeping for the account tables: rate-limit windows that ended a day ago, sessions past their
 * sliding or absolute expiry, and reset links past their expiry (used or not). All of them are
 * already refused when presented; purging only keeps the tables (and what a leaked backup holds)
 * small. Idempotent, so every instance may run it: the Node server hourly, the Workers cron.
 *
 * @example
 *   await sweepAccounts(db, new Date(), { logger });
 */
export async function sweepAccounts(db: Database, now: Date, options: { logger?: Logger } = {}) {
  const rateLimits = await purgeOldRateLimits(db, now);
  const sessions = await deleteExpiredSessions(db, now);
  const reset = await db
    .deleteFrom('password_reset_tokens')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  const counts = { rateLimits, sessions, resetTokens: Number(reset.numDeletedRows) };
  if (counts.rateLimits + counts.sessions + counts.resetTokens > 0)
    options.logger?.info('account sweep', counts);
  return counts;
}
