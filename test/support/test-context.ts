import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createApp } from '../../src/app.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { latestMigration } from '../../src/db/migration-manifest.js';
import { createLogger } from '../../src/http/logger.js';
import { createMatcher } from '../../src/modules/matching/match.js';
import { loadMatchingResources } from '../../src/modules/matching/resources.js';
import { createReferenceCache } from '../../src/modules/reference/reference.queries.js';
import { deriveSearchKeys } from '../../src/node/search-keys.js';
import { createSearchClient, searchIndexes } from '../../src/search/client.js';
import { drainOutboxOnce } from '../../src/search/outbox.js';
import { applyIndexSettings } from '../../src/search/settings.js';
import { awaitTask } from '../../src/search/tasks.js';

/**
 * An isolated world for one test file: its own database cloned from the migrated template, its own
 * index prefix on the shared Meilisearch, and the app built exactly as the server builds it.
 *
 * @example
 *   const ctx = await createTestContext();
 *   const res = await ctx.app.request('/api/v1/challenges');
 *   await ctx.close();
 */
export async function createTestContext(
  options: { meiliUrl?: string; meiliMasterKey?: string; databaseUrl?: string; matching?: boolean } = {},
) {
  const name = `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    const adminUrl = inject('postgresAdminUrl');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('templateDatabase')}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const logLines: string[] = [];
  const logger = createLogger('debug', (line) => logLines.push(line));
  const { db, pool } = createDatabase({
    url: databaseUrl,
    onPoolError: (error) => logger.warn('pool error', { error: error.message }),
  });

  const meiliUrl = options.meiliUrl ?? inject('meiliUrl');
  const master = createSearchClient(meiliUrl, options.meiliMasterKey ?? inject('meiliMasterKey'));
  const indexes = searchIndexes(`${name}_`);
  const keys = await deriveSearchKeys(master, indexes.prefix);
  const searchAdmin = createSearchClient(meiliUrl, keys.adminKey, 30_000);
  const search = createSearchClient(meiliUrl, keys.searchKey);
  await applyIndexSettings(searchAdmin, indexes);

  const deps = {
    environment: 'test' as const,
    db,
    search,
    indexes,
    reference: createReferenceCache(db),
    logger,
    clock: () => new Date(),
    expectedMigration: latestMigration,
    // Opt-in: loading the segmenter and lexicon costs ~1 s per test file.
    ...(options.matching ? { matcher: createMatcher(loadMatchingResources(process.cwd())) } : {}),
  };
  const app = createApp(deps);

  return {
    app,
    db,
    pool,
    deps,
    search,
    searchAdmin,
    indexes,
    databaseUrl,
    logLines,
    outboxDeps: { db, admin: searchAdmin, indexes, logger },
    /** Pushes everything due in the outbox to Meilisearch now (what the worker does every poll). */
    async drainOutbox(): Promise<number> {
      let total = 0;
      for (
        let n = await drainOutboxOnce({ db, admin: searchAdmin, indexes, logger });
        n > 0;
        n = await drainOutboxOnce({ db, admin: searchAdmin, indexes, logger })
      )
        total += n;
      // A push the engine refused stays in the outbox for a retry and the drain ends quietly; say so
      // here instead of letting the test fail later on a document that never arrived.
      const failed = await db
        .selectFrom('search_outbox')
        .select(['entity', 'entity_id', 'last_error'])
        .where('last_error', 'is not', null)
        .limit(5)
        .execute();
      if (failed.length > 0)
        throw new Error(
          `search outbox push failed: ${failed.map((f) => `${f.entity} ${f.entity_id}: ${f.last_error}`).join('; ')}`,
        );
      return total;
    },
    async close() {
      await db.destroy();
      for (const index of (await searchAdmin.getIndexes({ limit: 1000 })).results) {
        // The shared engine runs one task at a time: under load a delete may queue for longer than
        // the client's default 5 s wait, so wait as long as a reindex may.
        if (index.uid.startsWith(indexes.prefix))
          await awaitTask(searchAdmin.deleteIndex(index.uid), `delete ${index.uid}`, { timeoutMs: 120_000 });
      }
      if (!options.databaseUrl) {
        const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
        await admin.connect();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    },
  };
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>;
export type { Database };
