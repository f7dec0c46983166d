import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';

/**
 * Fixed-window rate limits counted in PostgreSQL, so every instance (Node or Workers) shares them.
 * One upsert per check: `insert ... on conflict do update set hits = hits + 1 returning hits` is
 * atomic, so concurrent requests cannot both slip under the limit.
 *
 * Limits on failures are checked before the attempt (`checkRateLimits`) and counted after it failed
 * (`countRateLimitHits`); concurrent failures may overshoot such a limit by the few in flight, which
 * the atomic per-attempt cap bounds.
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
 * behind one NAT address can sign in at a training session (successes never count); every attempt,
 * failed or not, counts toward a much higher per-address cap that bounds the password-hashing work
 * one address can cause.
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

function refuseOver(
  now: Date,
  limits: RateLimit[],
  counts: number[],
  isOver: (hits: number, limit: number) => boolean,
) {
  const retryAfter = Math.max(
    0,
    ...limits.map((limit, i) => (isOver(counts[i]!, limit.limit) ? windowOf(limit, now).secondsLeft : 0)),
  );
  if (retryAfter > 0) throw new AppError('RATE_LIMITED', { retryAfterSeconds: retryAfter });
}

/** Counts one hit in every bucket; throws RATE_LIMITED (with Retry-After) when any is over its limit. */
export async function enforceRateLimits(db: Database, now: Date, limits: RateLimit[]): Promise<void> {
  refuseOver(now, limits, await countHits(db, now, limits), (hits, limit) => hits > limit);
}

/**
 * Throws RATE_LIMITED when any bucket has already reached its limit, without counting anything: for
 * limits on failures, which are counted only once an attempt has failed (`countRateLimitHits`).
 */
export async function checkRateLimits(db: Database, now: Date, limits: RateLimit[]): Promise<void> {
  const rows = await db
    .selectFrom('rate_limits')
    .select(['bucket', 'window_start', 'hits'])
    .where((eb) =>
      eb.or(
        limits.map((limit) =>
          eb.and([eb('bucket', '=', limit.bucket), eb('window_start', '=', windowOf(limit, now).start)]),
        ),
      ),
    )
    .execute();
  const counts = limits.map((limit) => rows.find((r) => r.bucket === limit.bucket)?.hits ?? 0);
  refuseOver(now, limits, counts, (hits, limit) => hits >= limit);
}

/** Counts one hit in every bucket (a failed attempt), never throwing. */
export async function countRateLimitHits(db: Database, now: Date, limits: RateLimit[]): Promise<void> {
  await countHits(db, now, limits);
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
