import type { MiddlewareHandler } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';

/** The header counts up to this many unread notifications and shows more as "99+". */
export const UNREAD_BADGE_CAP = 99;

/**
 * Unread notifications of a user, counted no further than `cap + 1`: the header only needs to tell
 * "99" from "more", and a user who never reads would otherwise cost a full count on every page view.
 * Served by the partial index notifications_unread_idx (user_id where read_at is null).
 */
export async function countUnreadUpTo(db: Database, userId: string, cap = UNREAD_BADGE_CAP): Promise<number> {
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('notifications')
        .select('id')
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .limit(cap + 1)
        .as('unread'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** "3", or "99+" past the cap. */
export function unreadBadgeText(count: number): string {
  return count > UNREAD_BADGE_CAP ? `${UNREAD_BADGE_CAP}+` : String(count);
}

/**
 * Puts the unread count on the signed-in user of a page request, so the shared layout can show it in
 * the header without each of the 40-odd pages loading it. Form posts count too: one that fails
 * re-renders its page with the same header. Only browser sessions outside the API pay the one indexed
 * query: the API has its own `/me/notifications/unread-count`, and API-token callers skip it.
 * Registered after the static assets, which answer first.
 */
/** Paths that render a page with the site header: not the API, not file downloads and exports. */
const isPagePath = (path: string) =>
  !path.startsWith('/api/') && !path.startsWith('/attachments/') && !/\.(csv|xlsx)$/.test(path);

export function unreadBadge(deps: Pick<AppDeps, 'db' | 'logger'>): MiddlewareHandler {
  return async (c, next) => {
    const auth = c.get('auth');
    if (auth?.via === 'session' && isPagePath(c.req.path)) {
      try {
        const unread = await countUnreadUpTo(deps.db, auth.user.id);
        c.set('auth', { ...auth, user: { ...auth.user, unread_notifications: unread } });
      } catch (error) {
        // The count is a nicety: a page still renders, without it, if the query fails.
        deps.logger.warn('unread count unavailable', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    await next();
  };
}
