import type { SocietyDocument } from '../../../search/matching-settings.js';
import type { Database } from '../../db/database.js';

/**
 * The search document of a society (学会): the matcher's contract plus `verified`. Societies whose
 * verification was rejected leave the index; imported societies (pending verification) stay, since
 * the provincial association's own lists are where they come from.
 */
export interface SocietySearchDocument extends SocietyDocument, Record<string, unknown> {
  verified: boolean;
}

export async function loadSocietySearchDocuments(
  db: Database,
  ids: string[],
): Promise<SocietySearchDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('organisations')
    .where('id', 'in', ids)
    .where('kind', '=', 'society')
    .where('verification_status', '<>', 'rejected')
    .select(['id', 'external_key', 'name', 'discipline', 'description', 'region_code', 'verification_status'])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    key: row.external_key ?? row.id,
    name: row.name,
    discipline: row.discipline ?? '',
    description: row.description,
    region_code: row.region_code ?? '520000',
    verified: row.verification_status === 'verified',
  }));
}
