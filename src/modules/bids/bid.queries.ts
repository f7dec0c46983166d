import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

/** Named queries for bids. None of them is public: callers check `canViewBid` first. */
type Executor = Kysely<DB> | Transaction<DB>;

function selectBids(db: Executor) {
  return db
    .selectFrom('bids as b')
    .innerJoin('challenges as c', 'c.id', 'b.challenge_id')
    .innerJoin('users as u', 'u.id', 'b.lead_user_id')
    .leftJoin('organisations as o', 'o.id', 'b.organisation_id')
    .leftJoin('bid_evaluations as e', 'e.bid_id', 'b.id')
    .select([
      'b.id',
      'b.challenge_id',
      'c.title as challenge_title',
      'c.status as challenge_status',
      'c.enterprise_id',
      'c.bid_deadline',
      'b.kind',
      'b.status',
      'b.version',
      'b.lead_user_id',
      'u.display_name as lead_name',
      'b.organisation_id',
      'o.name as organisation_name',
      'b.approach',
      'b.promised_indicators',
      'b.price_wan',
      'b.duration_days',
      'b.created_at',
      'b.updated_at',
      'b.awarded_at',
      'e.shortlisted',
      'e.score',
      'e.note',
    ]);
}

export type BidRow = NonNullable<Awaited<ReturnType<typeof findBid>>>;

export async function findBid(db: Executor, id: string) {
  return selectBids(db).where('b.id', '=', id).executeTakeFirst();
}

export async function listBidsOfChallenge(db: Executor, challengeId: string) {
  return selectBids(db)
    .where('b.challenge_id', '=', challengeId)
    .orderBy('e.shortlisted', (ob) => ob.desc().nullsLast())
    .orderBy('b.created_at')
    .execute();
}

/**
 * The bids (`bids as b`) a user is party to: as lead, as team member, or as a member of the bidding
 * organisation: `isBidParty` below as a condition, for every list and export of "my bids".
 */
export function bidsWithParty(eb: ExpressionBuilder<DB & { b: DB['bids'] }, 'b'>, userId: string) {
  return eb.or([
    eb('b.lead_user_id', '=', userId),
    eb('b.id', 'in', eb.selectFrom('bid_team_members').select('bid_id').where('user_id', '=', userId)),
    eb(
      'b.organisation_id',
      'in',
      eb.selectFrom('organisation_members').select('organisation_id').where('user_id', '=', userId),
    ),
  ]);
}

/** Bids the user is party to: leads, team members, or members of the bidding organisation. */
export async function listBidsOfUser(db: Executor, userId: string) {
  return selectBids(db)
    .where((eb) => bidsWithParty(eb, userId))
    .orderBy('b.updated_at', 'desc')
    .limit(200)
    .execute();
}

export async function listTeamMembers(db: Executor, bidIds: readonly string[]) {
  if (bidIds.length === 0) return [];
  return db
    .selectFrom('bid_team_members as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.bid_id', 't.user_id', 'u.display_name', 't.role', 't.status'])
    .where('t.bid_id', 'in', bidIds)
    .orderBy('u.display_name')
    .execute();
}

/** Whether the user is party to the bid (lead, named member, member of the bidding organisation). */
export async function isBidParty(
  db: Executor,
  bid: { id: string; lead_user_id: string; organisation_id: string | null },
  userId: string | null,
): Promise<boolean> {
  if (!userId) return false;
  if (bid.lead_user_id === userId) return true;
  const member = await db
    .selectFrom('bid_team_members')
    .select('user_id')
    .where('bid_id', '=', bid.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (member) return true;
  if (!bid.organisation_id) return false;
  const orgMember = await db
    .selectFrom('organisation_members')
    .select('user_id')
    .where('organisation_id', '=', bid.organisation_id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return orgMember !== undefined;
}

/** All people acting for a bid (lead, members who did not decline, organisation members). */
export async function partiesOfBid(
  db: Executor,
  bid: { id: string; lead_user_id: string; organisation_id: string | null },
): Promise<string[]> {
  const members = await db
    .selectFrom('bid_team_members')
    .select('user_id')
    .where('bid_id', '=', bid.id)
    .where('status', '<>', 'declined')
    .execute();
  const orgMembers = bid.organisation_id
    ? await db
        .selectFrom('organisation_members')
        .select('user_id')
        .where('organisation_id', '=', bid.organisation_id)
        .execute()
    : [];
  return [
    ...new Set([bid.lead_user_id, ...members.map((m) => m.user_id), ...orgMembers.map((m) => m.user_id)]),
  ];
}

/**
 * Who already bids on a challenge (bids not withdrawn): expert profiles by their user's bids, and
 * organisations by theirs. The enterprise's invite lists show 已揭榜 for them instead of 邀请.
 */
export async function liveBiddersOf(db: Executor, challengeId: string) {
  const rows = await db
    .selectFrom('bids as b')
    .leftJoin('expert_profiles as ep', 'ep.user_id', 'b.lead_user_id')
    .select(['ep.id as expert_profile_id', 'b.organisation_id', 'b.kind'])
    .where('b.challenge_id', '=', challengeId)
    .where('b.status', '<>', 'withdrawn')
    .execute();
  return {
    expertProfileIds: new Set(
      rows.flatMap((r) => (r.kind === 'expert' && r.expert_profile_id ? [r.expert_profile_id] : [])),
    ),
    organisationIds: new Set(rows.flatMap((r) => (r.organisation_id ? [r.organisation_id] : []))),
  };
}
