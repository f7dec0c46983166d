import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { CapabilityInput } from './capability.schemas.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** Named queries of capabilities (成果/服务能力); the executor comes first. */
export async function findCapability(db: Executor, id: string) {
  return db
    .selectFrom('capabilities as c')
    .leftJoin('expert_profiles as e', 'e.id', 'c.owner_expert_id')
    .leftJoin('organisations as o', 'o.id', 'c.owner_organisation_id')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .leftJoin('regions as r', 'r.code', 'c.region_code')
    .select([
      'c.id',
      'c.kind',
      'c.title',
      'c.description',
      'c.fields',
      'c.trl',
      'c.cooperation_modes',
      'c.price_negotiable',
      'c.price_min_wan',
      'c.price_max_wan',
      'c.industry_code',
      'i.name as industry_name',
      'c.region_code',
      'r.name as region_name',
      'c.status',
      'c.takedown_reason',
      'c.published_at',
      'c.owner_expert_id',
      'e.user_id as owner_expert_user_id',
      'e.name as owner_expert_name',
      'c.owner_organisation_id',
      'o.name as owner_organisation_name',
      'o.verification_status as owner_organisation_verification',
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
}
export type CapabilityRow = NonNullable<Awaited<ReturnType<typeof findCapability>>>;

const contentOf = (input: CapabilityInput) => ({
  kind: input.kind,
  title: input.title,
  description: input.description,
  fields: input.fields,
  industry_code: input.industry_code,
  trl: input.trl,
  cooperation_modes: input.cooperation_modes,
  price_negotiable: input.price_negotiable,
  price_min_wan: input.price_negotiable ? null : input.price_min_wan,
  price_max_wan: input.price_negotiable ? null : input.price_max_wan,
  region_code: input.region_code,
});

export async function insertCapability(
  trx: Transaction<DB>,
  owner: { expertId: string } | { organisationId: string },
  input: CapabilityInput,
): Promise<string> {
  const row = await trx
    .insertInto('capabilities')
    .values({
      ...contentOf(input),
      owner_expert_id: 'expertId' in owner ? owner.expertId : null,
      owner_organisation_id: 'organisationId' in owner ? owner.organisationId : null,
      status: 'draft',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Content edit, guarded by status so a concurrent takedown wins (0 rows → conflict). */
export async function updateCapabilityContent(trx: Transaction<DB>, id: string, input: CapabilityInput) {
  const result = await trx
    .updateTable('capabilities')
    .set(contentOf(input))
    .where('id', '=', id)
    .where('status', 'in', ['draft', 'published'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markCapabilityPublished(trx: Transaction<DB>, id: string, at: Date) {
  const result = await trx
    .updateTable('capabilities')
    .set({ status: 'published', published_at: at })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markCapabilityTakenDown(trx: Transaction<DB>, id: string, reason: string, by: string) {
  const result = await trx
    .updateTable('capabilities')
    .set({ status: 'taken_down', takedown_reason: reason, taken_down_by: by })
    .where('id', '=', id)
    .where('status', '<>', 'taken_down')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The capabilities a user may edit: their expert profile's and their organisations'. */
export async function listCapabilitiesOfUser(db: Database, userId: string) {
  return db
    .selectFrom('capabilities as c')
    .leftJoin('expert_profiles as e', 'e.id', 'c.owner_expert_id')
    .select(['c.id', 'c.title', 'c.kind', 'c.status', 'c.takedown_reason'])
    .where((eb) =>
      eb.or([
        eb('e.user_id', '=', userId),
        eb(
          'c.owner_organisation_id',
          'in',
          eb.selectFrom('organisation_members').select('organisation_id').where('user_id', '=', userId),
        ),
      ]),
    )
    .orderBy('c.updated_at', 'desc')
    .limit(200)
    .execute();
}

/** Organisations a user may publish for (for the form's owner choice). */
export async function listOrganisationsOfUser(db: Database, userId: string) {
  return db
    .selectFrom('organisation_members as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id', 'o.name', 'o.verification_status'])
    .where('m.user_id', '=', userId)
    .orderBy('o.name')
    .execute();
}

/** Rows for an export, in the order of `ids` (the search's order); published ones only. */
export async function listCapabilitiesForExport(db: Database, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('capabilities as c')
    .leftJoin('expert_profiles as e', 'e.id', 'c.owner_expert_id')
    .leftJoin('organisations as o', 'o.id', 'c.owner_organisation_id')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .leftJoin('regions as r', 'r.code', 'c.region_code')
    .select([
      'c.id',
      'c.title',
      'c.kind',
      'c.fields',
      'c.trl',
      'c.cooperation_modes',
      'c.price_negotiable',
      'c.price_min_wan',
      'c.price_max_wan',
      'i.name as industry_name',
      'r.name as region_name',
      'e.name as expert_name',
      'o.name as organisation_name',
      'c.published_at',
      'c.description',
    ])
    .where('c.id', 'in', ids)
    .where('c.status', '=', 'published')
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id)).filter((row) => row !== undefined);
}

/** Listing filters an export applies in SQL (the same meaning as the search filters in capability.search.ts). */
export interface CapabilityExportFilter {
  kind?: string | undefined;
  trl?: number | undefined;
  cooperation?: string | undefined;
  industry?: string | undefined;
  region?: string | undefined;
}

/** One keyset page of published capability ids, newest first (published_at, then id), after `after`. */
export async function pageCapabilityIdsForExport(
  db: Database,
  filter: CapabilityExportFilter,
  after: { published_at: Date; id: string } | null,
  limit: number,
) {
  let query = db
    .selectFrom('capabilities as c')
    .leftJoin('regions as r', 'r.code', 'c.region_code')
    .select(['c.id', 'c.published_at'])
    .where('c.status', '=', 'published')
    .where('c.published_at', 'is not', null);
  if (filter.kind) query = query.where('c.kind', '=', filter.kind);
  if (filter.trl !== undefined) query = query.where('c.trl', '=', filter.trl);
  if (filter.cooperation) query = query.where('c.cooperation_modes', '@>', [filter.cooperation]);
  if (filter.industry) query = query.where('c.industry_code', '=', filter.industry);
  if (filter.region) {
    const region = filter.region;
    query = query.where((eb) =>
      eb.or([
        eb('c.region_code', '=', region),
        eb.and([eb('r.level', '=', 'county'), eb('r.parent_code', '=', region)]),
      ]),
    );
  }
  if (after)
    query = query.where((eb) =>
      eb(eb.refTuple('c.published_at', 'c.id'), '<', eb.tuple(after.published_at, after.id)),
    );
  return query.orderBy('c.published_at', 'desc').orderBy('c.id', 'desc').limit(limit).execute();
}
