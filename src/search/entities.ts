import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { loadCapabilitySearchDocuments } from '../modules/capabilities/capability.search-documents.js';
import { publicChallengeStatuses } from '../modules/challenges/challenge.lifecycle.js';
import { loadChallengeSearchDocuments } from '../modules/challenges/challenge.search-documents.js';
import { loadExpertSearchDocuments } from '../modules/experts/expert.search-documents.js';
import { loadSocietySearchDocuments } from '../modules/societies/society.search-documents.js';
import { publicStationStatuses } from '../modules/stations/station.lifecycle.js';
import { loadStationSearchDocuments } from '../modules/stations/station.search.js';

/**
 * What the outbox knows how to index: for each entity, its index and a loader that returns the
 * current public documents for some ids (ids it does not return are deleted from the index).
 */
export interface SearchEntityDefinition {
  index: string;
  loadDocuments(db: Database, ids: string[]): Promise<Array<{ id: string } & Record<string, unknown>>>;
  /** Every id that should be in the index, in pages, for a full rebuild. */
  listAllIds(db: Database, afterId: string | null, limit: number): Promise<string[]>;
  /** Every id changed since a moment (public or not: a change may be a removal), for reindex catch-up. */
  listChangedSince(db: Database, since: Date): Promise<string[]>;
}

/** The tables whose rows become search documents (each entity's ids are its table's `id`). */
type IndexedTable = 'challenges' | 'expert_profiles' | 'organisations' | 'capabilities' | 'stations';

/**
 * `rowsOf` names `id` and `updated_at` in raw SQL (Kysely cannot type them on a generic table); this
 * keeps that checked at compile time: a table without either column makes this object fail to type.
 */
const indexedTablesHaveIdAndUpdatedAt: {
  [K in IndexedTable]: DB[K] extends { id: unknown; updated_at: unknown } ? true : never;
} = { challenges: true, expert_profiles: true, organisations: true, capabilities: true, stations: true };
void indexedTablesHaveIdAndUpdatedAt;

/**
 * The id listings of an entity stored one row per document in `table`: every public id in keyset pages
 * (`isPublic` narrows the table to what the index holds), and every id of the entity's kind changed
 * since a moment (`ofKind` narrows a shared table, public or not: a change may be a removal).
 */
function rowsOf<T extends IndexedTable>(
  table: T,
  isPublic: (query: SelectQueryBuilder<DB, T, { id: string }>) => SelectQueryBuilder<DB, T, { id: string }>,
  ofKind: (query: SelectQueryBuilder<DB, T, { id: string }>) => SelectQueryBuilder<DB, T, { id: string }> = (
    query,
  ) => query,
): Pick<SearchEntityDefinition, 'listAllIds' | 'listChangedSince'> {
  // Kysely cannot resolve `id` and `updated_at` on a generic table, though every IndexedTable has both.
  const ids = (db: Database) =>
    (db.selectFrom(table as IndexedTable) as unknown as SelectQueryBuilder<DB, T, object>).select(
      sql<string>`id`.as('id'),
    );
  return {
    listAllIds: async (db, afterId, limit) => {
      let query = isPublic(ofKind(ids(db)))
        .orderBy(sql`id`)
        .limit(limit);
      if (afterId) query = query.where(sql<boolean>`id > ${afterId}`);
      return (await query.execute()).map((row) => row.id);
    },
    listChangedSince: async (db, since) =>
      (await ofKind(ids(db)).where(sql<boolean>`updated_at >= ${since}`).execute()).map((row) => row.id),
  };
}

export const searchEntities = {
  challenge: {
    index: 'challenges',
    loadDocuments: loadChallengeSearchDocuments,
    ...rowsOf('challenges', (q) => q.where('status', 'in', publicChallengeStatuses)),
  },
  expert: {
    index: 'experts',
    loadDocuments: loadExpertSearchDocuments,
    ...rowsOf('expert_profiles', (q) => q.where('visibility', '=', 'public')),
  },
  society: {
    index: 'societies',
    loadDocuments: loadSocietySearchDocuments,
    ...rowsOf(
      'organisations',
      (q) => q.where('verification_status', '<>', 'rejected'),
      (q) => q.where('kind', '=', 'society'),
    ),
  },
  capability: {
    index: 'capabilities',
    loadDocuments: loadCapabilitySearchDocuments,
    ...rowsOf('capabilities', (q) => q.where('status', '=', 'published')),
  },
  station: {
    index: 'stations',
    loadDocuments: loadStationSearchDocuments,
    ...rowsOf('stations', (q) => q.where('status', 'in', publicStationStatuses)),
  },
} satisfies Record<string, SearchEntityDefinition>;

export type SearchEntity = keyof typeof searchEntities;

/**
 * Every id an entity should have in its index, in pages of `pageSize` (keyset paging on id).
 *
 * @example
 *   for await (const ids of publicIdPages(db, 'challenge', 1000)) await enqueueSearchSync(db, 'challenge', ids);
 */
export async function* publicIdPages(
  db: Database,
  entity: SearchEntity,
  pageSize: number,
): AsyncGenerator<string[]> {
  let afterId: string | null = null;
  for (;;) {
    const ids: string[] = await searchEntities[entity].listAllIds(db, afterId, pageSize);
    if (ids.length === 0) return;
    yield ids;
    afterId = ids[ids.length - 1]!;
  }
}
