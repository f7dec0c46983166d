import type { Meilisearch } from 'meilisearch';
import { allIndexes } from '../../search/indexes.js';
import type { Database } from '../db/database.js';
import type { SearchIndexes } from './client.js';
import { publicIdPages, type SearchEntity, searchEntities } from './entities.js';
import { enqueueSearchSync } from './outbox.js';
import { applyDefinition } from './settings.js';
import { awaitTask, SearchTaskFailed } from './tasks.js';

const PAGE = 1000;

/**
 * Rebuilds every index from PostgreSQL into a fresh index and swaps it in atomically, so searches
 * never see a half-built index. Changes made while the rebuild runs still reach the live index through
 * the outbox; after the swap, everything changed since the snapshot began is queued again so the new
 * index misses nothing.
 *
 * @example
 *   await reindexAll({ db, admin, indexes }, { onProgress: (entity, done, total) => bar.update(done, { total }) });
 */
export async function reindexAll(
  deps: { db: Database; admin: Meilisearch; indexes: SearchIndexes },
  options: {
    onProgress?: (entity: string, done: number, total: number) => void | Promise<void>;
    batchSize?: number;
  } = {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [entity, definition] of Object.entries(searchEntities) as Array<
    [SearchEntity, (typeof searchEntities)[SearchEntity]]
  >) {
    const indexDefinition = allIndexes.find((d) => d.name === definition.index);
    if (!indexDefinition) throw new Error(`no index definition for ${definition.index}`);
    const liveUid = deps.indexes.uid(definition.index);
    const freshUid = `${liveUid}_rebuild_${Date.now()}`;
    const snapshotStartedAt = new Date();
    await applyDefinition(deps.admin, freshUid, indexDefinition);
    // The live index must exist for the swap (first run on an empty engine).
    await applyDefinition(deps.admin, liveUid, indexDefinition);

    const total = await countAll(deps.db, entity);
    let done = 0;
    // Pipelined: each batch is enqueued (one request at a time, so the engine is never flooded) without
    // waiting for the previous one to be indexed; all tasks are awaited and checked before the swap.
    const taskUids: number[] = [];
    for await (const ids of publicIdPages(deps.db, entity, options.batchSize ?? PAGE)) {
      const documents = await definition.loadDocuments(deps.db, ids);
      taskUids.push((await deps.admin.index(freshUid).addDocuments(documents)).taskUid);
      done += ids.length;
      await options.onProgress?.(entity, done, total);
    }
    for (const task of await deps.admin.tasks.waitForTasks(taskUids, { timeout: 600_000, interval: 20 })) {
      if (task.status !== 'succeeded') throw new SearchTaskFailed(`reindex ${entity}`, task);
    }
    await awaitTask(
      deps.admin.swapIndexes([{ indexes: [liveUid, freshUid], rename: false }]),
      `swap ${liveUid}`,
    );
    await awaitTask(deps.admin.deleteIndex(freshUid), `delete old ${liveUid}`);

    const changed = await definition.listChangedSince(deps.db, snapshotStartedAt);
    await enqueueSearchSync(deps.db, entity, changed);
    counts[entity] = done;
  }
  return counts;
}

async function countAll(db: Database, entity: SearchEntity): Promise<number> {
  let total = 0;
  for await (const ids of publicIdPages(db, entity, 10_000)) total += ids.length;
  return total;
}

/** Queues every entity of an index that is empty while the database has public rows (fresh engine). */
export async function enqueueMissingSearchDocuments(
  db: Database,
  admin: Meilisearch,
  indexes: SearchIndexes,
): Promise<number> {
  let queued = 0;
  for (const [entity, definition] of Object.entries(searchEntities) as Array<
    [SearchEntity, (typeof searchEntities)[SearchEntity]]
  >) {
    const stats = await admin.index(indexes.uid(definition.index)).getStats();
    if (stats.numberOfDocuments > 0) continue;
    for await (const ids of publicIdPages(db, entity, PAGE)) {
      await enqueueSearchSync(db, entity, ids);
      queued += ids.length;
    }
  }
  return queued;
}
