/**
 * Cloudflare Workers entry (wrangler.toml `main`). Serves the same `createApp` as the Node server.
 *
 * Differences from Node, each for a Workers reason:
 * - PostgreSQL through a Hyperdrive binding (`DATABASE`): Workers may not share a socket between
 *   requests, so each request opens one connection and Hyperdrive does the pooling.
 * - No in-process outbox worker: a Cron Trigger (`scheduled`) drains the outbox every minute, and a
 *   request that wrote something drains it right after responding (`waitUntil`).
 * - Migrations, embedded services, reindex and imports are Node CLIs run against the same database.
 */
import { createApp } from './app.js';
import { parseConfig } from './config/config.js';
import { createDatabase } from './db/database.js';
import { latestMigration } from './db/migration-manifest.js';
import { createLogger } from './http/logger.js';
import { closeExpiredChallenges } from './modules/challenges/challenge.deadlines.js';
import { createReferenceCache } from './modules/reference/reference.queries.js';
import { sweepStations } from './modules/stations/station.sweep.js';
import { createSearchClient, searchIndexes } from './search/client.js';
import { drainOutboxOnce } from './search/outbox.js';

interface Env {
  /** Hyperdrive binding in front of PostgreSQL. */
  DATABASE: { connectionString: string };
  MEILI_URL: string;
  /** Search-only key (secret): the only Meilisearch key the request path holds. */
  MEILI_SEARCH_KEY: string;
  /** Admin key (secret), used by the scheduled outbox drain only. */
  MEILI_ADMIN_KEY: string;
  MEILI_INDEX_PREFIX?: string;
  PUBLIC_URL?: string;
  LOG_LEVEL?: string;
  NODE_ENV?: string;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

function configFrom(env: Env) {
  return parseConfig({
    NODE_ENV: env.NODE_ENV ?? 'production',
    DATABASE_URL: env.DATABASE.connectionString,
    MEILI_URL: env.MEILI_URL,
    MEILI_MASTER_KEY: env.MEILI_ADMIN_KEY,
    MEILI_INDEX_PREFIX: env.MEILI_INDEX_PREFIX,
    PUBLIC_URL: env.PUBLIC_URL,
    LOG_LEVEL: env.LOG_LEVEL,
  });
}

async function drainOutbox(env: Env) {
  const config = configFrom(env);
  const logger = createLogger(config.LOG_LEVEL);
  const { db } = createDatabase({ url: env.DATABASE.connectionString, poolMax: 1 });
  try {
    const deps = {
      db,
      admin: createSearchClient(env.MEILI_URL, env.MEILI_ADMIN_KEY),
      indexes: searchIndexes(config.MEILI_INDEX_PREFIX),
      logger,
    };
    while ((await drainOutboxOnce(deps)) > 0) {
      // until nothing is due
    }
  } finally {
    await db.destroy();
  }
}

/** Station expiry and 30-day reminders (same function the Node server runs hourly). */
async function sweepStationsOnce(env: Env) {
  const config = configFrom(env);
  const { db } = createDatabase({ url: env.DATABASE.connectionString, poolMax: 1 });
  try {
    await sweepStations(db, new Date(), {
      logger: createLogger(config.LOG_LEVEL),
      ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
    });
  } finally {
    await db.destroy();
  }
}

/** Closes bidding on challenges whose deadline passed (the Node server does this every minute itself). */
async function closeDueChallenges(env: Env) {
  const config = configFrom(env);
  const logger = createLogger(config.LOG_LEVEL);
  const { db } = createDatabase({ url: env.DATABASE.connectionString, poolMax: 1 });
  try {
    await closeExpiredChallenges({ db, logger }, new Date());
  } finally {
    await db.destroy();
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const config = configFrom(env);
    const logger = createLogger(config.LOG_LEVEL);
    const { db } = createDatabase({ url: env.DATABASE.connectionString, poolMax: 1 });
    let wrote = false;
    const app = createApp({
      environment: config.NODE_ENV,
      db,
      search: createSearchClient(env.MEILI_URL, env.MEILI_SEARCH_KEY),
      indexes: searchIndexes(config.MEILI_INDEX_PREFIX),
      reference: createReferenceCache(db),
      logger,
      clock: () => new Date(),
      expectedMigration: latestMigration,
      // Cloudflare sets this header itself; a client cannot forge it.
      clientIp: (c) => c.req.header('cf-connecting-ip'),
      ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
      outbox: {
        notify: () => {
          wrote = true;
        },
      },
    });
    const response = await app.fetch(request);
    ctx.waitUntil((wrote ? drainOutbox(env) : Promise.resolve()).finally(() => db.destroy()));
    return response;
  },

  async scheduled(_event: unknown, env: Env, ctx: ExecutionContext): Promise<void> {
    // Bids whose deadline passed are closed first, so the drain pushes the new status to search.
    ctx.waitUntil(closeDueChallenges(env).finally(() => drainOutbox(env)));
    ctx.waitUntil(sweepStationsOnce(env));
  },
};
