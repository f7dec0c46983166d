import { createHash } from 'node:crypto';
import type { Meilisearch } from 'meilisearch';

/**
 * Derives the two keys the platform uses from the master key, idempotently (fixed uids):
 * a search-only key (limited to our index prefix) for the request path, and an admin key for
 * indexing. The master key itself goes no further than this function. Key uids are derived from the
 * index prefix, so instances sharing an engine under different prefixes get keys of their own.
 */
function keyUid(indexPrefix: string, role: string): string {
  const hex = createHash('sha256').update(`jiebang:v2:${role}:${indexPrefix}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function deriveSearchKeys(
  master: Meilisearch,
  indexPrefix: string,
): Promise<{ searchKey: string; adminKey: string }> {
  const ensure = async (uid: string, name: string, actions: string[], indexes: string[]) => {
    try {
      return (await master.getKey(uid)).key;
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code !== 'api_key_not_found') throw error;
      return (
        await master.createKey({
          uid,
          name,
          description: `Jiebang (${indexPrefix || 'default'})`,
          actions,
          indexes,
          expiresAt: null,
        })
      ).key;
    }
  };
  const searchKey = await ensure(
    keyUid(indexPrefix, 'search'),
    'jiebang-search',
    ['search'],
    [`${indexPrefix}*`],
  );
  // All indexes for the admin key: Meilisearch shows an index swap's task (which has no index uid)
  // only to keys with '*', and the indexer must await its swaps.
  const adminKey = await ensure(
    keyUid(indexPrefix, 'admin'),
    'jiebang-admin',
    ['search', 'documents.*', 'indexes.*', 'settings.*', 'tasks.get', 'stats.get', 'version'],
    ['*'],
  );
  return { searchKey, adminKey };
}
