/**
 * Node entry point: the only place that reads the environment for serving. Starts (or connects to)
 * PostgreSQL and Meilisearch, prepares them, runs the outbox worker in-process, serves the app, and
 * shuts down gracefully on SIGINT/SIGTERM: stop accepting, finish in-flight requests, drain the
 * outbox, close the pool, stop embedded services.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import { createApp } from './app.js';
import { ConfigError, parseConfig } from './config/config.js';
import { latestMigration } from './db/migration-manifest.js';
import { createLogger } from './http/logger.js';
import { startMailSender } from './mail/mail-outbox.js';
import { purgeDeletedAttachmentBytes } from './modules/attachments/attachment.sweep.js';
import { sweepAccounts } from './modules/auth/account.sweep.js';
import { closeExpiredChallenges } from './modules/challenges/challenge.deadlines.js';
import { failAbandonedImportRuns } from './modules/imports/import.usecases.js';
import { dispatchChallengeAlerts } from './modules/matching/alerts.js';
import { createMatcher } from './modules/matching/match.js';
import { loadMatchingResources } from './modules/matching/resources.js';
import { sendDailyDigests } from './modules/notifications/notification.digest.js';
import { createReferenceCache } from './modules/reference/reference.queries.js';
import { sweepStations } from './modules/stations/station.sweep.js';
import { storageFromConfig } from './node/local-storage.js';
import { listenForOutboxWrites } from './node/outbox-listener.js';
import { startPeriodicJob } from './node/periodic-jobs.js';
import { prepareServices } from './node/prepare.js';
import { openRuntime } from './node/runtime.js';
import { createSmtpTransport, smtpSettingsFrom } from './node/smtp-transport.js';
import { startOutboxWorker } from './search/outbox.js';

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger(config.LOG_LEVEL);
const startedAt = performance.now();
const runtime = await openRuntime(config, logger, { role: 'server' });
let shuttingDown = false;

try {
  await prepareServices(runtime, {
    seedDemo: config.SEED_DEMO ?? config.NODE_ENV === 'development',
    logger,
    now: new Date(),
  });
} catch (error) {
  logger.error('start failed', {
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  await runtime.close();
  process.exit(1);
}

const outbox = startOutboxWorker(
  { db: runtime.db, admin: runtime.searchAdmin, indexes: runtime.indexes, logger },
  config.OUTBOX_POLL_MS,
);
// Wakes the worker when any instance commits outbox rows (LISTEN/NOTIFY); polling is the fallback.
const outboxListener = listenForOutboxWrites(runtime.databaseUrl, () => outbox.notify(), logger);
const HOUR = 3_600_000;
// Attachments: S3-compatible bucket when S3_ENDPOINT is set, else the local STORAGE_DIR.
const storage = storageFromConfig(config);
const hourlySweeps = [
  // Station expiry at term end and 30-day reminders (guarded updates).
  startPeriodicJob('station sweep', logger, HOUR, () =>
    sweepStations(runtime.db, new Date(), {
      logger,
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
    }).then(() => outbox.notify()),
  ),
  // Expired sessions and reset links, ended rate-limit windows.
  startPeriodicJob('account sweep', logger, HOUR, () => sweepAccounts(runtime.db, new Date(), { logger })),
  // Daily notification digests (sent after midnight China time; one guard row per user and day).
  startPeriodicJob('digest sweep', logger, HOUR, () =>
    sendDailyDigests({ db: runtime.db, logger }, new Date()),
  ),
  // Import jobs left running by a crashed process are marked failed (their write rolled back).
  startPeriodicJob('import run sweep', logger, HOUR, () => failAbandonedImportRuns(runtime.db, new Date())),
  // Bytes of deleted attachments that storage failed to delete at the time.
  startPeriodicJob('attachment purge sweep', logger, HOUR, () =>
    purgeDeletedAttachmentBytes({ db: runtime.db, storage }, new Date(), { logger }),
  ),
];
// Mail outbox → SMTP when configured (Node only); otherwise mail stays in outbound_emails.
const smtpSettings = smtpSettingsFrom(config);
const smtpTransport = smtpSettings ? createSmtpTransport(smtpSettings) : null;
const mailSender = smtpTransport
  ? startMailSender({ db: runtime.db, transport: smtpTransport, logger })
  : null;
// Bid deadlines close from PostgreSQL state every minute (and once now, catching up after a restart).
const deadlines = startPeriodicJob('deadline sweep', logger, 60_000, async () => {
  if ((await closeExpiredChallenges({ db: runtime.db, logger }, new Date())) > 0) outbox.notify();
});
// The matcher's lexicon is read from disk here (Node), so the request path stays runtime-neutral.
const matcher = createMatcher(
  loadMatchingResources(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')),
);
const app = createApp({
  environment: config.NODE_ENV,
  db: runtime.db,
  search: runtime.search,
  indexes: runtime.indexes,
  reference: createReferenceCache(runtime.db),
  logger,
  clock: () => new Date(),
  expectedMigration: latestMigration,
  outbox,
  matcher,
  docsAssetsBaseUrl: '/vendor',
  storage,
  ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
  // Behind a reverse proxy (TRUST_PROXY=true) the client is the first X-Forwarded-For entry;
  // otherwise the socket address, which a client cannot forge.
  ...(config.TRUST_PROXY
    ? { clientIp: (c: Context) => c.req.header('x-forwarded-for')?.split(',')[0]?.trim() }
    : {}),
});

// 新榜单提醒: newly published challenges checked against saved searches, at start and every minute.
const alertDeps = {
  db: runtime.db,
  search: runtime.search,
  indexes: runtime.indexes,
  logger,
  matcher,
  reference: createReferenceCache(runtime.db),
};
const alerts = startPeriodicJob('challenge alert dispatch', logger, 60_000, async () => {
  while ((await dispatchChallengeAlerts(alertDeps, new Date())) > 0) {
    // until nothing is pending
  }
});

// swagger-ui's files from npm at /vendor, so the API docs work without internet access. Chosen by path
// prefix rather than by a second router in front of the app, which every request would pass through.
const SWAGGER_UI_PREFIX = '/vendor/swagger-ui-dist';
const vendor = new Hono().use(
  `${SWAGGER_UI_PREFIX}/*`,
  serveStatic({
    root: path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')),
    rewriteRequestPath: (p) => p.replace(SWAGGER_UI_PREFIX, ''),
  }),
);
const fetchRequest = (request: Request, env: unknown) =>
  request.url.startsWith(SWAGGER_UI_PREFIX, request.url.indexOf('/', 8))
    ? vendor.fetch(request, env)
    : app.fetch(request, env);

const server = serve({ fetch: fetchRequest, port: config.PORT, hostname: config.HOST }, (info) => {
  const host = config.HOST === '127.0.0.1' || config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  logger.info(`揭榜 · Jiebang ready at http://${host}:${info.port}`, {
    ms: Math.round(performance.now() - startedAt),
    environment: config.NODE_ENV,
    database: runtime.embedded.postgres ? 'embedded PostgreSQL 18 (./.data/pg)' : 'DATABASE_URL',
    search: runtime.embedded.meilisearch ? `embedded ${runtime.embedded.meilisearchVersion}` : 'MEILI_URL',
  });
});

async function shutdown(signal: string) {
  if (shuttingDown) {
    logger.warn('second signal: exiting now', { signal });
    process.exit(1);
  }
  shuttingDown = true;
  logger.info('shutting down', { signal });
  const force = setTimeout(() => {
    logger.error('shutdown took longer than 15 s; exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
  await outboxListener.stop();
  await Promise.all(hourlySweeps.map((sweep) => sweep.stop()));
  await deadlines.stop();
  await alerts.stop();
  await mailSender?.stop();
  smtpTransport?.close();
  await outbox.stop({ drainTimeoutMs: 5000 });
  await runtime.close();
  logger.info('stopped');
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
