import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

/**
 * The search document of a capability (成果/服务能力). Only published ones produce a document; drafts
 * and taken-down ones are deleted from the index by the outbox. `key` and `name` let the matcher
 * rank capabilities with the same machinery as experts (相关成果).
 */
export interface CapabilitySearchDocument extends Record<string, unknown> {
  id: string;
  key: string;
  name: string;
  title: string;
  description: string;
  fields: string[];
  kind: string;
  trl: number | null;
  cooperation_modes: string[];
  price_negotiable: boolean;
  price_min_wan: number | null;
  price_max_wan: number | null;
  industry_code: string | null;
  industry_name: string | null;
  region_code: string | null;
  prefecture_code: string | null;
  owner_type: 'expert' | 'organisation';
  owner_id: string;
  owner_name: string;
  published_at_ts: number;
}

export async function loadCapabilitySearchDocuments(
  db: Database,
  ids: string[],
): Promise<CapabilitySearchDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('capabilities as c')
    .leftJoin('expert_profiles as e', 'e.id', 'c.owner_expert_id')
    .leftJoin('organisations as o', 'o.id', 'c.owner_organisation_id')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .leftJoin('regions as r', 'r.code', 'c.region_code')
    .where('c.id', 'in', ids)
    .where('c.status', '=', 'published')
    // An expert's capability follows its owner's visibility.
    .where((eb) => eb.or([eb('c.owner_expert_id', 'is', null), eb('e.visibility', '=', 'public')]))
    .select([
      'c.id',
      'c.title',
      'c.description',
      'c.fields',
      'c.kind',
      'c.trl',
      'c.cooperation_modes',
      'c.price_negotiable',
      'c.price_min_wan',
      'c.price_max_wan',
      'c.industry_code',
      'i.name as industry_name',
      'c.region_code',
      'r.level as region_level',
      'r.parent_code',
      'c.owner_expert_id',
      'c.owner_organisation_id',
      sql<string>`coalesce(e.name, o.name, '')`.as('owner_name'),
      'c.published_at',
    ])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    key: row.id,
    name: row.title,
    title: row.title,
    description: row.description,
    fields: row.fields,
    kind: row.kind,
    trl: row.trl,
    cooperation_modes: row.cooperation_modes,
    price_negotiable: row.price_negotiable,
    price_min_wan: row.price_min_wan,
    price_max_wan: row.price_max_wan,
    industry_code: row.industry_code,
    industry_name: row.industry_name,
    region_code: row.region_code,
    prefecture_code:
      row.region_level === 'county'
        ? row.parent_code
        : row.region_level === 'prefecture'
          ? row.region_code
          : null,
    owner_type: row.owner_expert_id ? 'expert' : 'organisation',
    owner_id: (row.owner_expert_id ?? row.owner_organisation_id)!,
    owner_name: row.owner_name,
    published_at_ts: row.published_at ? Math.floor(row.published_at.getTime() / 1000) : 0,
  }));
}
