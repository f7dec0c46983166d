import type { Database } from '../db/database.js';
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

export const searchEntities = {
  challenge: {
    index: 'challenges',
    loadDocuments: loadChallengeSearchDocuments,
    listAllIds: async (db, afterId, limit) => {
      let query = db
        .selectFrom('challenges')
        .select('id')
        .where('status', 'in', publicChallengeStatuses)
        .orderBy('id')
        .limit(limit);
      if (afterId) query = query.where('id', '>', afterId);
      return (await query.execute()).map((row) => row.id);
    },
    listChangedSince: async (db, since) =>
      (await db.selectFrom('challenges').select('id').where('updated_at', '>=', since).execute()).map(
        (row) => row.id,
      ),
  },
  expert: {
    index: 'experts',
    loadDocuments: loadExpertSearchDocuments,
    listAllIds: async (db, afterId, limit) => {
      let query = db
        .selectFrom('expert_profiles')
        .select('id')
        .where('visibility', '=', 'public')
        .orderBy('id')
        .limit(limit);
      if (afterId) query = query.where('id', '>', afterId);
      return (await query.execute()).map((row) => row.id);
    },
    listChangedSince: async (db, since) =>
      (await db.selectFrom('expert_profiles').select('id').where('updated_at', '>=', since).execute()).map(
        (row) => row.id,
      ),
  },
  society: {
    index: 'societies',
    loadDocuments: loadSocietySearchDocuments,
    listAllIds: async (db, afterId, limit) => {
      let query = db
        .selectFrom('organisations')
        .select('id')
        .where('kind', '=', 'society')
        .where('verification_status', '<>', 'rejected')
        .orderBy('id')
        .limit(limit);
      if (afterId) query = query.where('id', '>', afterId);
      return (await query.execute()).map((row) => row.id);
    },
    listChangedSince: async (db, since) =>
      (
        await db
          .selectFrom('organisations')
          .select('id')
          .where('kind', '=', 'society')
          .where('updated_at', '>=', since)
          .execute()
      ).map((row) => row.id),
  },
  capability: {
    index: 'capabilities',
    loadDocuments: loadCapabilitySearchDocuments,
    listAllIds: async (db, afterId, limit) => {
      let query = db
        .selectFrom('capabilities')
        .select('id')
        .where('status', '=', 'published')
        .orderBy('id')
        .limit(limit);
      if (afterId) query = query.where('id', '>', afterId);
      return (await query.execute()).map((row) => row.id);
    },
    listChangedSince: async (db, since) =>
      (await db.selectFrom('capabilities').select('id').where('updated_at', '>=', since).execute()).map(
        (row) => row.id,
      ),
  },
  station: {
    index: 'stations',
    loadDocuments: loadStationSearchDocuments,
    listAllIds: async (db, afterId, limit) => {
      let query = db
        .selectFrom('stations')
        .select('id')
        .where('status', 'in', publicStationStatuses)
        .orderBy('id')
        .limit(limit);
      if (afterId) query = query.where('id', '>', afterId);
      return (await query.execute()).map((row) => row.id);
    },
    listChangedSince: async (db, since) =>
      (await db.selectFrom('stations').select('id').where('updated_at', '>=', since).execute()).map(
        (row) => row.id,
      ),
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
