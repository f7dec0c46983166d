import type { Database } from '../db/database.js';
import { publicChallengeStatuses } from '../modules/challenges/challenge.lifecycle.js';
import { loadChallengeSearchDocuments } from '../modules/challenges/challenge.search-documents.js';

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
} satisfies Record<string, SearchEntityDefinition>;

export type SearchEntity = keyof typeof searchEntities;
