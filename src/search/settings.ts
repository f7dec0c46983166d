import type { Meilisearch } from 'meilisearch';
import { allIndexes, type IndexDefinition } from '../../search/indexes.js';
import type { SearchIndexes } from './client.js';
import { awaitTask } from './tasks.js';

/** Creates each index if missing and applies its settings; idempotent (Meilisearch skips no-op changes). */
export async function applyIndexSettings(admin: Meilisearch, indexes: SearchIndexes): Promise<void> {
  for (const definition of allIndexes) await applyDefinition(admin, indexes.uid(definition.name), definition);
}

export async function applyDefinition(
  admin: Meilisearch,
  uid: string,
  definition: IndexDefinition,
): Promise<void> {
  const existing = await admin.getRawIndex(uid).catch((error: { cause?: { code?: string } }) => {
    if (error?.cause?.code === 'index_not_found') return null;
    throw error;
  });
  if (!existing)
    await awaitTask(admin.createIndex(uid, { primaryKey: definition.primaryKey }), `create index ${uid}`);
  await awaitTask(admin.index(uid).updateSettings(definition.settings), `settings of ${uid}`);
}
