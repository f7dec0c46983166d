import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';

/**
 * Fixed-window rate limits counted in PostgreSQL, so every instance (Node or Workers) shares them.
 * One upsert per check: `insert ... on conflict do update set hits = hits + 1 returning hits` is
 * atomic, so concurrent requests cannot both slip under the limit.
 *
 * A limit on failures reserves a hit before the attempt like any other and gives it back when the
 * attempt succeeds (`refundRateLimitHits`), so it stays exact however many attempts run at once.
 *
 * @example
 *   await enforceRateLimits(db, now, [signupLimits.perIp(ip)]);
 */
export interface RateLimit {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Logins: failed attempts are limited per address and per account, so a whole office or campus
 * behind one NAT address can sign in at a training session (a success refunds its hit); every
 * attempt, failed or not, counts toward a much higher per-address cap that bounds the
 * password-hashing work one address can cause.
 */
export const loginLimits = {
  perIp: (ip: string): RateLimit => ({ bucket: `login:ip:${ip}`, limit: 30, windowSeconds: 900 }),
  /** Keyed by the submitted email whether or not an account exists, so the limit reveals nothing. */
  perAccount: (email: string): RateLimit => ({
    bucket: `login:account:${email.toLowerCase()}`,
    limit: 10,
    windowSeconds: 900,
  }),
  attemptsPerIp: (ip: string): RateLimit => ({
    bucket: `login:attempts:${ip}`,
    limit: 300,
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

function windowOf(limit: RateLimit, now: Date) {
  const windowMs = limit.windowSeconds * 1000;
  const start = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  return { start, secondsLeft: Math.ceil((start.getTime() + windowMs - now.getTime()) / 1000) };
}

/** Adds one hit to each bucket's current window and returns the new counts. */
async function countHits(db: Database, now: Date, limits: RateLimit[]): Promise<number[]> {
  const counts: number[] = [];
  for (const limit of limits) {
    const row = await db
      .insertInto('rate_limits')
      .values({ bucket: limit.bucket, window_start: windowOf(limit, now).start, hits: 1 })
      .onConflict((oc) =>
        oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`rate_limits.hits + 1` }),
      )
      .returning('hits')
      .executeTakeFirstOrThrow();
    counts.push(row.hits);
  }
  return counts;
}

/** Counts one hit in every bucket; throws RATE_LIMITED (with Retry-After) when any is over its limit. */
export async function enforceRateLimits(db: Database, now: Date, limits: RateLimit[]): Promise<void> {
  const counts = await countHits(db, now, limits);
  const retryAfter = Math.max(
    0,
    ...limits.map((limit, i) => (counts[i]! > limit.limit ? windowOf(limit, now).secondsLeft : 0)),
  );
  if (retryAfter > 0) throw new AppError('RATE_LIMITED', { retryAfterSeconds: retryAfter });
}

/**
 * Takes back the hits an attempt reserved with `enforceRateLimits`, once it turned out not to count
 * (a successful login): same buckets, same window (pass the same `now`). Reserving first and
 * refunding after keeps a limit on failures exact under concurrency; counting only after a failure
 * let parallel guesses all pass a check made before any of them had failed.
 */
export async function refundRateLimitHits(db: Database, now: Date, limits: RateLimit[]): Promise<void> {
  for (const limit of limits)
    await db
      .updateTable('rate_limits')
      .set({ hits: sql`greatest(rate_limits.hits - 1, 0)` })
      .where('bucket', '=', limit.bucket)
      .where('window_start', '=', windowOf(limit, now).start)
      .execute();
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
