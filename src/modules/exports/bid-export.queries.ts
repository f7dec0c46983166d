import type { Database } from '../../db/database.js';
import { bidsWithParty } from '../bids/bid.queries.js';

/**
 * Read-only queries for bid exports (the bid feature's writes stay in src/modules/bids). Bids are
 * confidential: `pageBidsOfChallengeForOwner` serves the posting enterprise and operators (the
 * route checks `canManageChallenge` first), `pageBidsOfParty` a bidder's own bids (lead, team
 * member, or member of the bidding organisation: the same parties as `listBidsOfUser`, through `bidsWithParty`).
 */
export type BidCursor = { created_at: Date; id: string } | null;

function selectBidRows(db: Database) {
  return db
    .selectFrom('bids as b')
    .innerJoin('challenges as c', 'c.id', 'b.challenge_id')
    .innerJoin('users as u', 'u.id', 'b.lead_user_id')
    .leftJoin('organisations as o', 'o.id', 'b.organisation_id')
    .leftJoin('bid_evaluations as e', 'e.bid_id', 'b.id')
    .leftJoin('service_teams as st', 'st.id', 'b.service_team_id')
    .select((eb) => [
      'b.id',
      'c.title as challenge_title',
      'b.kind',
      'b.status',
      'u.display_name as lead_name',
      'o.name as organisation_name',
      'st.name as service_team_name',
      'b.price_wan',
      'b.duration_days',
      'b.approach',
      'b.promised_indicators',
      'b.created_at',
      'e.shortlisted',
      'e.score',
      'e.note',
      eb
        .selectFrom('bid_team_members as m')
        .innerJoin('users as mu', 'mu.id', 'm.user_id')
        .whereRef('m.bid_id', '=', 'b.id')
        .select((inner) => inner.fn.agg<string>('string_agg', ['mu.display_name', inner.val('、')]).as('n'))
        .as('team_names'),
    ]);
}

/** Who may export a challenge's bids: a member of its enterprise or an operator; else not found. */
export async function challengeForBidExport(db: Database, challengeId: string, userId: string, role: string) {
  return db
    .selectFrom('challenges as c')
    .select(['c.id', 'c.title'])
    .where('c.id', '=', challengeId)
    .$if(role !== 'operator', (q) =>
      q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('organisation_members as om')
            .select('om.user_id')
            .whereRef('om.organisation_id', '=', 'c.enterprise_id')
            .where('om.user_id', '=', userId),
        ),
      ),
    )
    .executeTakeFirst();
}

export async function pageBidsOfChallengeForOwner(
  db: Database,
  challengeId: string,
  after: BidCursor,
  limit: number,
) {
  return pageAfter(selectBidRows(db).where('b.challenge_id', '=', challengeId), after, limit).execute();
}

export async function pageBidsOfParty(db: Database, userId: string, after: BidCursor, limit: number) {
  return pageAfter(
    selectBidRows(db).where((eb) => bidsWithParty(eb, userId)),
    after,
    limit,
  ).execute();
}

/** The next page in export order (created_at, id), after the last row of the previous one. */
function pageAfter(query: ReturnType<typeof selectBidRows>, after: BidCursor, limit: number) {
  return query
    .$if(after !== null, (q) =>
      q.where((eb) => eb(eb.refTuple('b.created_at', 'b.id'), '>', eb.tuple(after!.created_at, after!.id))),
    )
    .orderBy('b.created_at')
    .orderBy('b.id')
    .limit(limit);
}
