import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type EmbeddedMeilisearch, startEmbeddedMeilisearch } from './embedded-meilisearch.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { freePort } from './free-port.js';

/**
 * A throw-away database and index prefix for benchmarks: on DATABASE_URL / MEILI_URL when set (a
 * fresh database is created there and dropped at the end), otherwise on embedded PostgreSQL and
 * Meilisearch started in a temp directory. `close()` undoes everything, in reverse order.
 *
 * @example
 *   const services = await openIsolatedServices('bench');
 *   // services.databaseUrl, services.meiliUrl, services.masterKey, services.indexPrefix
 *   await services.close();
 */
export interface IsolatedServices {
  databaseUrl: string;
  meiliUrl: string;
  masterKey: string | undefined;
  indexPrefix: string;
  embeddedMeili: EmbeddedMeilisearch | undefined;
  embeddedPostgres: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

export async function openIsolatedServices(
  label: string,
  env: {
    DATABASE_URL?: string | undefined;
    MEILI_URL?: string | undefined;
    MEILI_MASTER_KEY?: string | undefined;
  },
  options: { maxIndexingMemory?: string; maxIndexingThreads?: number } = {},
): Promise<IsolatedServices> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => {});
  };
  try {
    const suffix = randomBytes(5).toString('hex');
    let adminUrl = env.DATABASE_URL;
    let embeddedPostgres: EmbeddedPostgres | undefined;
    if (!adminUrl) {
      const dir = await mkdtemp(path.join(tmpdir(), `jiebang-${label}-pg-`));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      embeddedPostgres = await startEmbeddedPostgres({
        dataDir: path.join(dir, 'data'),
        port: await freePort(),
        ephemeral: true,
      });
      cleanups.push(() => embeddedPostgres!.stop());
      adminUrl = embeddedPostgres.url;
    }
    const database = `${label}_${suffix}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${database} with (force)`);
      await client.end();
    });
    const databaseUrl = new URL(adminUrl);
    databaseUrl.pathname = `/${database}`;

    let meiliUrl = env.MEILI_URL;
    let masterKey = env.MEILI_MASTER_KEY;
    let embeddedMeili: EmbeddedMeilisearch | undefined;
    if (!meiliUrl) {
      const dir = await mkdtemp(path.join(tmpdir(), `jiebang-${label}-meili-`));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      embeddedMeili = await startEmbeddedMeilisearch({
        dataDir: dir,
        port: await freePort(),
        ephemeral: true,
        ...(options.maxIndexingMemory ? { maxIndexingMemory: options.maxIndexingMemory } : {}),
        ...(options.maxIndexingThreads ? { maxIndexingThreads: options.maxIndexingThreads } : {}),
      });
      cleanups.push(() => embeddedMeili!.stop());
      meiliUrl = embeddedMeili.url;
      masterKey = embeddedMeili.masterKey;
    }
    return {
      databaseUrl: databaseUrl.toString(),
      meiliUrl,
      masterKey,
      indexPrefix: `${label}_${suffix}_`,
      embeddedMeili,
      embeddedPostgres,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
