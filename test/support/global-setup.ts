import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyReferenceData } from '../../seeds/reference-data.js';
import type { Database } from '../../src/db/database.js';
import { startEmbeddedMeilisearch } from '../../src/node/embedded-meilisearch.js';
import { startEmbeddedPostgres } from '../../src/node/embedded-postgres.js';
import { freePort } from '../../src/node/free-port.js';
import { migrateToLatest } from '../../src/node/migrate.js';

export const TEMPLATE_DATABASE = 'jiebang_template';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    templateDatabase: string;
    meiliUrl: string;
    meiliMasterKey: string;
  }
}

/**
 * Starts real services for the whole run on free ports under a temp dir, and builds the template
 * database (migrated, reference data applied) that every test file clones. Everything is removed at
 * the end: no process or temp data is left behind.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-test-'));
  const started = await Promise.allSettled([
    startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg', 'data'),
      port: await freePort(),
      database: TEMPLATE_DATABASE,
    }),
    startEmbeddedMeilisearch({ dataDir: path.join(dir, 'meili'), port: await freePort() }),
  ]);
  const [pgResult, meiliResult] = started;
  if (pgResult.status === 'rejected' || meiliResult.status === 'rejected') {
    // Leave nothing running when only one of the two started.
    if (pgResult.status === 'fulfilled') await pgResult.value.stop();
    if (meiliResult.status === 'fulfilled') await meiliResult.value.stop();
    await rm(dir, { recursive: true, force: true });
    throw pgResult.status === 'rejected' ? pgResult.reason : (meiliResult as PromiseRejectedResult).reason;
  }
  const postgres = pgResult.value;
  const meili = meiliResult.value;
  const pool = new pg.Pool({ connectionString: postgres.url });
  pool.on('error', () => {});
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db);
  await applyReferenceData(db as unknown as Database);
  await db.destroy();

  const adminUrl = new URL(postgres.url);
  adminUrl.pathname = '/postgres';
  project.provide('postgresAdminUrl', adminUrl.toString());
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  project.provide('meiliUrl', meili.url);
  project.provide('meiliMasterKey', meili.masterKey);

  return async () => {
    await Promise.all([meili.stop(), postgres.stop()]);
    await rm(dir, { recursive: true, force: true });
  };
}
