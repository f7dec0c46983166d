import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

/** Named queries behind authoring, review and the enterprise's workspace. Not for public display. */
type Executor = Kysely<DB> | Transaction<DB>;

const workColumns = [
  'c.id',
  'c.status',
  'c.version',
  'c.enterprise_id',
  'o.name as enterprise_name',
  'o.verification_status as enterprise_verification',
  'c.title',
  'c.background',
  'c.problem',
  'c.targets',
  'c.industry_code',
  'c.disciplines',
  'c.region_code',
  'r.level as region_level',
  'c.reward_wan',
  'c.reward_tranches',
  'c.bid_deadline',
  'c.delivery_deadline',
  'c.bidder_requirements',
  'c.cooperation_mode',
  'c.ip_terms',
  'c.confidentiality',
  'c.terms_note',
  'c.hide_enterprise_name',
  'c.award_mode',
  'c.max_awards',
  'c.published_at',
  'c.created_at',
  'c.updated_at',
] as const;

function selectWork(db: Executor) {
  return db
    .selectFrom('challenges as c')
    .innerJoin('organisations as o', 'o.id', 'c.enterprise_id')
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .select(workColumns);
}

export type ChallengeWorkRow = Awaited<ReturnType<typeof findChallengeForWork>> & {};

/** Every column of one challenge, whatever its status: callers check `canViewChallenge` first. */
export async function findChallengeForWork(db: Executor, id: string) {
  return selectWork(db).where('c.id', '=', id).executeTakeFirst();
}

/** The challenge row locked for a state change (award, acceptance): concurrent changers queue here. */
export async function lockChallenge(trx: Transaction<DB>, id: string) {
  return trx
    .selectFrom('challenges')
    .select([
      'id',
      'status',
      'version',
      'enterprise_id',
      'title',
      'max_awards',
      'reward_tranches',
      'bid_deadline',
    ])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function isOrganisationMember(db: Executor, organisationId: string, userId: string | null) {
  if (!userId) return false;
  const row = await db
    .selectFrom('organisation_members')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Enterprises the user belongs to (to post challenges as). */
export async function enterprisesOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('organisation_members as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id', 'o.name', 'o.verification_status'])
    .where('m.user_id', '=', userId)
    .where('o.kind', '=', 'enterprise')
    .orderBy('o.name')
    .execute();
}

/** Challenges of every enterprise the user belongs to, newest first. */
export async function listChallengesOfMember(db: Executor, userId: string) {
  return selectWork(db)
    .innerJoin('organisation_members as m', 'm.organisation_id', 'c.enterprise_id')
    .where('m.user_id', '=', userId)
    .orderBy('c.updated_at', 'desc')
    .limit(200)
    .execute();
}

/** The operator's review queue, oldest submission first. */
export async function listChallengesUnderReview(db: Executor) {
  return selectWork(db).where('c.status', '=', 'under_review').orderBy('c.updated_at').limit(200).execute();
}

export async function listStatusHistory(db: Executor, challengeId: string) {
  return db
    .selectFrom('challenge_status_events')
    .select(['from_status', 'to_status', 'actor_label', 'reason', 'created_at'])
    .where('challenge_id', '=', challengeId)
    .orderBy('id')
    .execute();
}

/** Everyone who is party to a live bid on the challenge (leads, confirmed or invited members, organisation members). */
export async function bidPartyIds(db: Executor, challengeId: string, statuses: readonly string[]) {
  const leads = await db
    .selectFrom('bids')
    .select(['lead_user_id', 'organisation_id', 'id'])
    .where('challenge_id', '=', challengeId)
    .where('status', 'in', statuses)
    .execute();
  if (leads.length === 0) return [];
  const bidIds = leads.map((b) => b.id);
  const orgIds = leads.map((b) => b.organisation_id).filter((id): id is string => id !== null);
  const [members, orgMembers] = await Promise.all([
    db
      .selectFrom('bid_team_members')
      .select('user_id')
      .where('bid_id', 'in', bidIds)
      .where('status', '<>', 'declined')
      .execute(),
    orgIds.length > 0
      ? db
          .selectFrom('organisation_members')
          .select('user_id')
          .where('organisation_id', 'in', orgIds)
          .execute()
      : Promise.resolve([]),
  ]);
  return [
    ...new Set([
      ...leads.map((b) => b.lead_user_id),
      ...members.map((m) => m.user_id),
      ...orgMembers.map((m) => m.user_id),
    ]),
  ];
}

/** Whether the user is party to any bid on the challenge (for the relation used by policy checks). */
export async function isBidderOn(db: Executor, challengeId: string, userId: string | null) {
  if (!userId) return false;
  const ids = await bidPartyIds(db, challengeId, ['submitted', 'awarded', 'not_awarded', 'withdrawn']);
  return ids.includes(userId);
}
