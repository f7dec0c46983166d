import type { Meilisearch } from 'meilisearch';
import { allIndexes, type IndexDefinition } from '../../search/indexes.js';
import type { Database } from '../db/database.js';
import type { SearchIndexes } from './client.js';
import { publicIdPages, type SearchEntity, searchEntities } from './entities.js';
import { enqueueSearchSync } from './outbox.js';
import { applyDefinition } from './settings.js';
import { awaitTask, finishedTasks, SearchTaskFailed } from './tasks.js';

/**
 * Documents per request. Large enough that the engine gets few, big batches (it indexes a big batch
 * much faster per document than many small ones); small enough that a batch of challenge documents
 * (~2 KiB each) stays a few MiB in memory.
 */
const BATCH = 5000;

/**
 * Rebuilds every index from PostgreSQL into fresh indexes and swaps them all in at once, so searches
 * never see a half-built index. Changes made while the rebuild runs still reach the live indexes
 * through the outbox; after the swap, everything changed since the snapshot began is queued again so
 * the new indexes miss nothing.
 *
 * Pipelined end to end: the next page is read from PostgreSQL while the current one is being sent,
 * batches go as NDJSON without waiting for the previous one to be indexed, and every task is awaited
 * and its status checked (all of them, at the end) before anything is swapped.
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
  const batchSize = options.batchSize ?? BATCH;
  const snapshotStartedAt = new Date();
  const entities = Object.entries(searchEntities) as Array<
    [SearchEntity, (typeof searchEntities)[SearchEntity]]
  >;
  const rebuilds = entities.map(([entity, definition]) => {
    const indexDefinition = allIndexes.find((d) => d.name === definition.index);
    if (!indexDefinition) throw new Error(`no index definition for ${definition.index}`);
    const liveUid = deps.indexes.uid(definition.index);
    return { entity, definition, indexDefinition, liveUid, freshUid: `${liveUid}_rebuild_${Date.now()}` };
  });

  try {
    return await rebuildAndSwap(deps, rebuilds, batchSize, snapshotStartedAt, options.onProgress);
  } catch (error) {
    // A failed rebuild leaves the live indexes as they were; its half-built indexes go.
    // (A fresh index that was never created makes its delete task fail: nothing to remove.)
    for (const { freshUid } of rebuilds)
      await awaitTask(deps.admin.deleteIndex(freshUid), `delete ${freshUid}`).catch(() => {});
    throw error;
  }
}

async function rebuildAndSwap(
  deps: { db: Database; admin: Meilisearch },
  rebuilds: Array<{
    entity: SearchEntity;
    definition: (typeof searchEntities)[SearchEntity];
    indexDefinition: IndexDefinition;
    liveUid: string;
    freshUid: string;
  }>,
  batchSize: number,
  snapshotStartedAt: Date,
  onProgress: ((entity: string, done: number, total: number) => void | Promise<void>) | undefined,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const tasks: Array<{ entity: SearchEntity; taskUid: number }> = [];
  // Every index and its settings before any document: settings first means each document is indexed
  // once, with the final settings; and a settings task enqueued later would wait behind all the
  // documents already queued (the engine runs tasks in order).
  for (const { indexDefinition, liveUid, freshUid } of rebuilds) {
    await applyDefinition(deps.admin, freshUid, indexDefinition);
    // The live index must exist for the swap (first run on an empty engine).
    await applyDefinition(deps.admin, liveUid, indexDefinition);
  }
  for (const { entity, definition, freshUid } of rebuilds) {
    const total = onProgress ? await countAll(deps.db, entity) : 0;
    let done = 0;
    const pages = publicIdPages(deps.db, entity, batchSize);
    const nextBatch = async () => {
      const page = await pages.next();
      return page.done ? null : definition.loadDocuments(deps.db, page.value);
    };
    let pending = nextBatch();
    for (let documents = await pending; documents; documents = await pending) {
      // Read the next page while this one is being sent.
      pending = nextBatch();
      // Handled here too, so a failed read is not reported as unhandled while this batch is sent.
      pending.catch(() => {});
      if (documents.length > 0) {
        const ndjson = documents.map((document) => JSON.stringify(document)).join('\n');
        const enqueued = await deps.admin
          .index(freshUid)
          .addDocumentsFromString(ndjson, 'application/x-ndjson');
        tasks.push({ entity, taskUid: enqueued.taskUid });
      }
      done += documents.length;
      await onProgress?.(entity, done, total);
    }
    counts[entity] = done;
  }

  const taskEntity = new Map(tasks.map((t) => [t.taskUid, t.entity]));
  const finished = await finishedTasks(
    deps.admin,
    tasks.map((t) => t.taskUid),
    { timeoutMs: 1_800_000 },
  );
  for (const task of finished)
    if (task.status !== 'succeeded') throw new SearchTaskFailed(`reindex ${taskEntity.get(task.uid)}`, task);

  // One swap for every index: searches move to the rebuilt indexes together.
  await awaitTask(
    deps.admin.swapIndexes(rebuilds.map((r) => ({ indexes: [r.liveUid, r.freshUid], rename: false }))),
    'swap rebuilt indexes',
  );
  for (const { liveUid, freshUid } of rebuilds)
    await awaitTask(deps.admin.deleteIndex(freshUid), `delete old ${liveUid}`);

  for (const { entity, definition } of rebuilds)
    await enqueueSearchSync(deps.db, entity, await definition.listChangedSince(deps.db, snapshotStartedAt));
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
    for await (const ids of publicIdPages(db, entity, 1000)) {
      await enqueueSearchSync(db, entity, ids);
      queued += ids.length;
    }
  }
  return queued;
}
