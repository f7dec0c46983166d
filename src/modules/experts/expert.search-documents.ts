import { sql } from 'kysely';
import type { ExpertDocument } from '../../../search/matching-settings.js';
import type { Database } from '../../db/database.js';

/**
 * The search document of an expert: the matcher's contract (search/matching-settings.ts) plus the
 * listing's filters. Only public profiles produce a document (a hidden one is deleted from the
 * index by the outbox), and contact details never appear here.
 *
 * `key` is the external key when the expert came from an import (so results can be reported by the
 * source's key), else the id; society keys follow the same rule, so they join up in the matcher.
 */
export interface ExpertSearchDocument extends ExpertDocument, Record<string, unknown> {
  prefecture_code: string | null;
  availability: string;
  discipline: string | null;
}

export async function loadExpertSearchDocuments(
  db: Database,
  ids: string[],
): Promise<ExpertSearchDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('expert_profiles as e')
    .leftJoin('regions as r', 'r.code', 'e.region_code')
    .where('e.id', 'in', ids)
    .where('e.visibility', '=', 'public')
    .select([
      'e.id',
      'e.external_key',
      'e.name',
      'e.title',
      'e.affiliation',
      'e.region_code',
      'r.level as region_level',
      'r.parent_code',
      'e.fields',
      'e.bio',
      'e.availability',
      'e.discipline',
      // Societies in a stable order (name), as keys and names for search.
      sql<Array<{ key: string; name: string }>>`coalesce((
        select json_agg(json_build_object('key', coalesce(o.external_key, o.id::text), 'name', o.name) order by o.name)
        from expert_societies es join organisations o on o.id = es.society_id
        where es.expert_id = e.id and o.kind = 'society'), '[]'::json)`.as('societies'),
    ])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    key: row.external_key ?? row.id,
    name: row.name,
    title: row.title,
    affiliation: row.affiliation,
    region_code: row.region_code ?? '',
    prefecture_code:
      row.region_level === 'county'
        ? row.parent_code
        : row.region_level === 'prefecture'
          ? row.region_code
          : null,
    society_keys: row.societies.map((s) => s.key),
    society_names: row.societies.map((s) => s.name),
    fields: row.fields,
    bio: row.bio,
    availability: row.availability,
    discipline: row.discipline,
  }));
}
