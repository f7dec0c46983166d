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

import type { Kysely } from 'kysely';
import { createApp } from './app.js';
import { parseConfig } from './config/config.js';
import { createDatabase } from './db/database.js';
import { latestMigration } from './db/migration-manifest.js';
import type { DB } from './db/schema.js';
import { createLogger, type Logger } from './http/logger.js';
import { purgeDeletedAttachmentBytes } from './modules/attachments/attachment.sweep.js';
import { sweepAccounts } from './modules/auth/account.sweep.js';
import { closeExpiredChallenges } from './modules/challenges/challenge.deadlines.js';
import { failAbandonedImportRuns } from './modules/imports/import.usecases.js';
import { dispatchChallengeAlerts } from './modules/matching/alerts.js';
import { sendDailyDigests } from './modules/notifications/notification.digest.js';
import { createReferenceCache } from './modules/reference/reference.queries.js';
import { sweepStations } from './modules/stations/station.sweep.js';
import { createSearchClient, searchIndexes } from './search/client.js';
import { drainOutboxOnce } from './search/outbox.js';
import { s3StorageFromConfig } from './storage/s3-storage.js';

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
  /** Attachments in an S3-compatible bucket (R2's S3 API, or any other); without them uploads answer 503. */
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_REGION?: string;
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
    S3_ENDPOINT: env.S3_ENDPOINT,
    S3_BUCKET: env.S3_BUCKET,
    S3_ACCESS_KEY_ID: env.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: env.S3_SECRET_ACCESS_KEY,
    S3_REGION: env.S3_REGION,
  });
}

/** One short-lived connection for a scheduled job: Workers may not keep sockets between invocations. */
async function withDatabase(
  env: Env,
  job: (db: Kysely<DB>, logger: Logger) => Promise<unknown>,
): Promise<void> {
  const logger = createLogger(configFrom(env).LOG_LEVEL);
  const { db } = createDatabase({ url: env.DATABASE.connectionString, poolMax: 1, namedStatements: false });
  try {
    await job(db, logger);
  } finally {
    await db.destroy();
  }
}

const drainOutbox = (env: Env) =>
  withDatabase(env, async (db, logger) => {
    const deps = {
      db,
      admin: createSearchClient(env.MEILI_URL, env.MEILI_ADMIN_KEY),
      indexes: searchIndexes(configFrom(env).MEILI_INDEX_PREFIX),
      logger,
    };
    while ((await drainOutboxOnce(deps)) > 0) {
      // until nothing is due
    }
  });

/**
 * The Node server runs these itself (every minute or hourly); here the Cron Trigger runs each once.
 * Each is idempotent across instances and restarts, so overlapping ticks do no harm.
 */
const scheduledJobs: Record<string, (env: Env) => Promise<void>> = {
  // Station expiry and 30-day reminders.
  stations: (env) =>
    withDatabase(env, (db, logger) =>
      sweepStations(db, new Date(), { logger, ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}) }),
    ),
  // Daily notification digests (one per user and China calendar day).
  digests: (env) => withDatabase(env, (db, logger) => sendDailyDigests({ db, logger }, new Date())),
  // Expired sessions and reset links, ended rate-limit windows.
  accounts: (env) => withDatabase(env, (db, logger) => sweepAccounts(db, new Date(), { logger })),
  // Import jobs left running by an ended invocation.
  imports: (env) => withDatabase(env, (db) => failAbandonedImportRuns(db, new Date())),
  // Bytes of deleted attachments that the bucket failed to delete at the time.
  attachments: async (env) => {
    const storage = s3StorageFromConfig(configFrom(env));
    if (storage)
      await withDatabase(env, (db, logger) =>
        purgeDeletedAttachmentBytes({ db, storage }, new Date(), { logger }),
      );
  },
  // Saved-search alerts for newly published challenges. Profile-match alerts need the jieba matcher,
  // which is Node-only, so on Workers only saved searches fire.
  alerts: (env) =>
    withDatabase(env, async (db, logger) => {
      const deps = {
        db,
        logger,
        search: createSearchClient(env.MEILI_URL, env.MEILI_SEARCH_KEY),
        indexes: searchIndexes(configFrom(env).MEILI_INDEX_PREFIX),
      };
      while ((await dispatchChallengeAlerts(deps, new Date())) > 0) {
        // until nothing is pending
      }
    }),
};

/** Closes bidding on challenges whose deadline passed (the Node server does this every minute itself). */
const closeDueChallenges = (env: Env) =>
  withDatabase(env, (db, logger) => closeExpiredChallenges({ db, logger }, new Date()));

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const config = configFrom(env);
    const logger = createLogger(config.LOG_LEVEL);
    const storage = s3StorageFromConfig(config);
    const { db } = createDatabase({ url: env.DATABASE.connectionString, poolMax: 1, namedStatements: false });
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
      ...(storage ? { storage } : {}),
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
    for (const job of Object.values(scheduledJobs)) ctx.waitUntil(job(env));
  },
};
