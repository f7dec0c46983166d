import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { AchievementInput, ExpertProfileInput } from './expert.schemas.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** Named queries of the expert feature; the executor comes first, the use case owns the transaction. */
const profileColumns = [
  'e.id',
  'e.user_id',
  'e.name',
  'e.title',
  'e.affiliation',
  'e.discipline',
  'e.region_code',
  'r.name as region_name',
  'e.fields',
  'e.bio',
  'e.availability',
  'e.visibility',
  'e.contact_phone',
  'e.contact_email',
  'e.contact_consent',
  'e.updated_at',
] as const;

export async function findExpert(db: Executor, id: string) {
  return db
    .selectFrom('expert_profiles as e')
    .leftJoin('regions as r', 'r.code', 'e.region_code')
    .select(profileColumns)
    .where('e.id', '=', id)
    .executeTakeFirst();
}

export async function findExpertOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('expert_profiles as e')
    .leftJoin('regions as r', 'r.code', 'e.region_code')
    .select(profileColumns)
    .where('e.user_id', '=', userId)
    .executeTakeFirst();
}

export async function listSocietiesOfExpert(db: Database, expertId: string) {
  return db
    .selectFrom('expert_societies as es')
    .innerJoin('organisations as o', 'o.id', 'es.society_id')
    .select(['o.id', 'o.name', 'es.role'])
    .where('es.expert_id', '=', expertId)
    .where('o.kind', '=', 'society')
    .where('o.verification_status', '<>', 'rejected')
    .orderBy('o.name')
    .execute();
}

export async function listAchievementsOfExpert(db: Database, expertId: string) {
  return db
    .selectFrom('expert_achievements')
    .select(['kind', 'title', 'year', 'detail'])
    .where('expert_id', '=', expertId)
    .orderBy('year', (o) => o.desc().nullsLast())
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
}

export async function listPublishedCapabilitiesOfExpert(db: Database, expertId: string) {
  return db
    .selectFrom('capabilities')
    .select(['id', 'title', 'kind', 'trl'])
    .where('owner_expert_id', '=', expertId)
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .limit(50)
    .execute();
}

export async function listTeamsOfExpert(db: Database, expertId: string) {
  return db
    .selectFrom('service_team_members as m')
    .innerJoin('service_teams as t', 't.id', 'm.team_id')
    .innerJoin('organisations as o', 'o.id', 't.society_id')
    .select(['t.id', 't.name', 'o.name as society_name', 'm.role'])
    .where('m.expert_id', '=', expertId)
    .where('t.status', '=', 'active')
    .orderBy('t.name')
    .execute();
}

/** Whether the user is a member of at least one verified enterprise (who may see consented contacts). */
export async function isMemberOfVerifiedEnterprise(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('organisation_members as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select('o.id')
    .where('m.user_id', '=', userId)
    .where('o.kind', '=', 'enterprise')
    .where('o.verification_status', '=', 'verified')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Creates the user's profile or replaces its editable fields; returns the id. */
export async function upsertExpertProfileOfUser(
  trx: Transaction<DB>,
  userId: string,
  input: ExpertProfileInput,
): Promise<string> {
  const values = {
    name: input.name,
    title: input.title,
    affiliation: input.affiliation,
    discipline: input.discipline,
    region_code: input.region_code,
    fields: input.fields,
    bio: input.bio,
    availability: input.availability,
    visibility: input.visibility,
    contact_phone: input.contact_phone,
    contact_email: input.contact_email,
    contact_consent: input.contact_consent,
  };
  const updated = await trx
    .updateTable('expert_profiles')
    .set(values)
    .where('user_id', '=', userId)
    .returning('id')
    .executeTakeFirst();
  if (updated) return updated.id;
  const inserted = await trx
    .insertInto('expert_profiles')
    .values({ ...values, user_id: userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** Rows for an export, in the order of `ids` (the search's order). Contact details are never exported. */
export async function listExpertsForExport(db: Database, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('expert_profiles as e')
    .leftJoin('regions as r', 'r.code', 'e.region_code')
    .select([
      'e.id',
      'e.external_key',
      'e.name',
      'e.title',
      'e.affiliation',
      'e.discipline',
      'e.region_code',
      'r.name as region_name',
      'e.fields',
      'e.availability',
      'e.bio',
    ])
    .select((eb) =>
      eb
        .selectFrom('expert_societies as es')
        .innerJoin('organisations as o', 'o.id', 'es.society_id')
        .whereRef('es.expert_id', '=', 'e.id')
        .select((inner) => inner.fn.agg<string>('string_agg', ['o.name', inner.val('、')]).as('n'))
        .as('society_names'),
    )
    .where('e.id', 'in', ids)
    .where('e.visibility', '=', 'public')
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id)).filter((row) => row !== undefined);
}

/** Listing filters an export applies in SQL (the same meaning as the search filters in expert.search.ts). */
export interface ExpertExportFilter {
  discipline?: string | undefined;
  title?: string | undefined;
  region?: string | undefined;
  availability?: string | undefined;
}

/**
 * One keyset page of public expert ids in listing order (name, then id), after `after`. Exports
 * walk every match this way, however many, without OFFSET.
 */
export async function pageExpertIdsForExport(
  db: Database,
  filter: ExpertExportFilter,
  after: { name: string; id: string } | null,
  limit: number,
) {
  let query = db
    .selectFrom('expert_profiles as e')
    .leftJoin('regions as r', 'r.code', 'e.region_code')
    .select(['e.id', 'e.name'])
    .where('e.visibility', '=', 'public');
  if (filter.discipline) query = query.where('e.discipline', '=', filter.discipline);
  if (filter.title) query = query.where('e.title', '=', filter.title);
  if (filter.availability) query = query.where('e.availability', '=', filter.availability);
  if (filter.region) {
    const region = filter.region;
    query = query.where((eb) =>
      eb.or([
        eb('e.region_code', '=', region),
        eb.and([eb('r.level', '=', 'county'), eb('r.parent_code', '=', region)]),
      ]),
    );
  }
  if (after)
    query = query.where((eb) => eb(eb.refTuple('e.name', 'e.id'), '>', eb.tuple(after.name, after.id)));
  return query.orderBy('e.name').orderBy('e.id').limit(limit).execute();
}

/** Replaces an expert's achievements with the given list (the profile form's rows, in order). */
export async function replaceAchievementsOfExpert(
  trx: Transaction<DB>,
  expertId: string,
  achievements: readonly AchievementInput[],
): Promise<void> {
  await trx.deleteFrom('expert_achievements').where('expert_id', '=', expertId).execute();
  if (achievements.length === 0) return;
  await trx
    .insertInto('expert_achievements')
    .values(
      achievements.map((a) => ({
        expert_id: expertId,
        kind: a.kind,
        title: a.title,
        year: a.year,
        detail: a.detail,
      })),
    )
    .execute();
}
