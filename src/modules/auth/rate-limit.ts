import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';

/**
 * Fixed-window rate limits counted in PostgreSQL, so every instance (Node or Workers) shares them.
 * One upsert per check: `insert ... on conflict do update set hits = hits + 1 returning hits` is
 * atomic, so concurrent requests cannot both slip under the limit.
 *
 * @example
 *   await enforceRateLimits(db, now, [loginLimits.perIp(ip), loginLimits.perAccount(email)]);
 */
export interface RateLimit {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

export const loginLimits = {
  perIp: (ip: string): RateLimit => ({ bucket: `login:ip:${ip}`, limit: 30, windowSeconds: 900 }),
  /** Keyed by the submitted email whether or not an account exists, so the limit reveals nothing. */
  perAccount: (email: string): RateLimit => ({
    bucket: `login:account:${email.toLowerCase()}`,
    limit: 10,
    windowSeconds: 900,
  }),
};

export const resetLimits = {
  perIp: (ip: string): RateLimit => ({ bucket: `reset:ip:${ip}`, limit: 10, windowSeconds: 3600 }),
  perAccount: (email: string): RateLimit => ({
    bucket: `reset:account:${email.toLowerCase()}`,
    limit: 3,
    windowSeconds: 3600,
  }),
};

export const signupLimits = {
  perIp: (ip: string): RateLimit => ({ bucket: `signup:ip:${ip}`, limit: 20, windowSeconds: 3600 }),
};

/** Counts one hit in every bucket; throws RATE_LIMITED (with Retry-After) when any is over its limit. */
export async function enforceRateLimits(db: Database, now: Date, limits: RateLimit[]): Promise<void> {
  let retryAfter = 0;
  for (const limit of limits) {
    const windowMs = limit.windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    const row = await db
      .insertInto('rate_limits')
      .values({ bucket: limit.bucket, window_start: windowStart, hits: 1 })
      .onConflict((oc) =>
        oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`rate_limits.hits + 1` }),
      )
      .returning('hits')
      .executeTakeFirstOrThrow();
    if (row.hits > limit.limit) {
      const remaining = Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000);
      retryAfter = Math.max(retryAfter, remaining);
    }
  }
  if (retryAfter > 0) throw new AppError('RATE_LIMITED', { retryAfterSeconds: retryAfter });
}

/** Deletes windows that ended more than a day ago (by the hourly account sweep; cheap with the index). */
export async function purgeOldRateLimits(db: Database, now: Date): Promise<number> {
  // Every window is at most an hour long, so a day-old window is over whatever its length.
  const result = await db
    .deleteFrom('rate_limits')
    .where('window_start', '<', new Date(now.getTime() - 86_400_000))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
