import { type CompiledQuery, type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { prepared } from '../../db/prepared-statements.js';
import type { DB } from '../../db/schema.js';
import { messages } from '../../web/messages.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import { publicChallengeStatuses } from './challenge.lifecycle.js';

/**
 * Named queries for challenges. Everything here returns only what the public may see unless its
 * name says otherwise.
 */
export interface PublicChallengeFilter {
  industry?: string | undefined;
  region?: string | undefined;
  status?: (typeof publicChallengeStatuses)[number] | undefined;
  rewardMin?: number | undefined;
  rewardMax?: number | undefined;
}

/** The public columns of a challenge, with names resolved from reference data. */
function selectPublicChallenges(db: Database) {
  return db
    .selectFrom('challenges as c')
    .innerJoin('organisations as o', 'o.id', 'c.enterprise_id')
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .leftJoin('regions as p', 'p.code', 'r.parent_code')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .where('c.status', 'in', publicChallengeStatuses)
    .select([
      'c.id',
      'c.title',
      'c.status',
      'c.reward_wan',
      'c.bid_deadline',
      'c.delivery_deadline',
      'c.published_at',
      'c.cooperation_mode',
      'c.industry_code',
      'i.name as industry_name',
      'i.group_name as industry_group',
      'c.region_code',
      'r.name as region_name',
      'r.level as region_level',
      'p.name as parent_region_name',
      'p.code as parent_region_code',
      // Enterprises may hide their name publicly; the query, not the template, enforces it.
      sql<string | null>`case when c.hide_enterprise_name then null else o.name end`.as('enterprise_name'),
    ]);
}

/**
 * Public statuses as literals, not parameters: a prepared statement's generic plan can then still
 * prove the partial listing index's predicate (the statuses are the same on every call anyway).
 */
const publicStatus = sql<SqlBool>`c.status in (${sql.join(publicChallengeStatuses.map((s) => sql.lit(s)))})`;

/**
 * The filter as conditions on `challenges as c` alone: the region filter (a prefecture includes its
 * counties) is a subquery on the small regions table rather than a join, so the listing and its
 * count can read the challenges table (and its partial listing index) without joining first.
 */
function filterConditions(
  eb: ExpressionBuilder<DB & { c: DB['challenges'] }, 'c'>,
  filter: PublicChallengeFilter,
) {
  const conditions: Expression<SqlBool>[] = [publicStatus];
  if (filter.industry) conditions.push(eb('c.industry_code', '=', filter.industry));
  if (filter.region) {
    const region = filter.region;
    conditions.push(
      eb(
        'c.region_code',
        'in',
        eb
          .selectFrom('regions')
          .select('code')
          .where((r) => r.or([r('code', '=', region), r('parent_code', '=', region)])),
      ),
    );
  }
  if (filter.status) conditions.push(eb('c.status', '=', filter.status));
  if (filter.rewardMin !== undefined) conditions.push(eb('c.reward_wan', '>=', filter.rewardMin));
  if (filter.rewardMax !== undefined) conditions.push(eb('c.reward_wan', '<=', filter.rewardMax));
  return eb.and(conditions);
}

/** Where a listing page ended: the last row's publication time and id. */
export interface ListingCursor {
  published_at: Date;
  id: string;
}

/** Where a listing page starts: an offset (pages), or after a cursor (exports walk every row). */
type ListingWindow = { offset: number; limit: number } | { after: ListingCursor | null; limit: number };

/**
 * One page of the public listing, newest first, with only the columns a summary shows. The page is
 * cut from `challenges` first (served by `challenges_public_listing_idx`, migration 1800) and only
 * its rows are joined to names, so a page costs the same at 100 rows or 100,000.
 */
function publicPageQuery(db: Database, filter: PublicChallengeFilter, page: ListingWindow) {
  let pageOfIds = db
    .selectFrom('challenges as c')
    .where((eb) => filterConditions(eb, filter))
    .select(['c.id', 'c.published_at'])
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id')
    // A literal page size and offset, so a prepared statement's generic plan knows the page is small
    // and near the start: with parameters it assumes a tenth of the table and costs itself out of use.
    .limit(sql.lit(Math.trunc(page.limit)));
  if ('offset' in page) pageOfIds = pageOfIds.offset(sql.lit(Math.trunc(page.offset)));
  else if (page.after) {
    // Keyset continuation in listing order (exports walk every row without deep offsets).
    const { published_at, id } = page.after;
    pageOfIds = pageOfIds.where((eb) =>
      eb.or([
        eb('c.published_at', '<', published_at),
        eb.and([eb('c.published_at', '=', published_at), eb('c.id', '>', id)]),
      ]),
    );
  }
  return db
    .selectFrom(pageOfIds.as('pg'))
    .innerJoin('challenges as c', 'c.id', 'pg.id')
    .innerJoin('organisations as o', 'o.id', 'c.enterprise_id')
    .select([
      'c.id',
      'c.title',
      'c.status',
      'c.reward_wan',
      'c.bid_deadline',
      'c.published_at',
      'c.cooperation_mode',
      'c.industry_code',
      'c.region_code',
      // Enterprises may hide their name publicly; the query, not the template, enforces it.
      sql<string | null>`case when c.hide_enterprise_name then null else o.name end`.as('enterprise_name'),
    ])
    .orderBy('pg.published_at', 'desc')
    .orderBy('pg.id');
}

/** A page with its region and industry names joined in SQL (pages and exports). */
export async function listPublicChallenges(db: Database, filter: PublicChallengeFilter, page: ListingWindow) {
  const rows = await publicPageQuery(db, filter, page)
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .leftJoin('regions as p', 'p.code', 'r.parent_code')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .select([
      'i.name as industry_name',
      'r.name as region_name',
      'r.level as region_level',
      'p.name as parent_region_name',
    ])
    .execute();
  return { rows };
}

/**
 * Region and industry names from the cached reference data instead of three more joins: for the
 * API's listing at 50 connections those joins were a fifth of its throughput (`npm run bench`).
 */
function withReferenceNames(rows: CompiledListingRow[], reference: ReferenceData) {
  // Built field by field, not by spreading: the spread copies were a visible share of this path.
  return rows.map((row) => {
    const region = reference.regionByCode.get(row.region_code);
    const parent = region?.parent_code ? reference.regionByCode.get(region.parent_code) : undefined;
    return {
      id: row.id,
      title: row.title,
      status: row.status,
      reward_wan: row.reward_wan,
      bid_deadline: row.bid_deadline,
      published_at: row.published_at,
      cooperation_mode: row.cooperation_mode,
      industry_code: row.industry_code,
      region_code: row.region_code,
      enterprise_name: row.enterprise_name,
      industry_name: row.industry_code
        ? (reference.industryByCode.get(row.industry_code)?.name ?? null)
        : null,
      region_name: region?.name ?? row.region_code,
      region_level: region?.level ?? '',
      parent_region_name: parent?.name ?? null,
    };
  });
}

/**
 * The matching public challenges from `offset`, at most `cap + 1` of them: enough to tell "more than
 * cap". No order (a count does not need one) and literal bounds, so a prepared statement's generic
 * plan knows the window is small.
 */
function matchingUpTo(db: Database, filter: PublicChallengeFilter, cap: number, offset = 0) {
  return db
    .selectFrom('challenges as c')
    .where((eb) => filterConditions(eb, filter))
    .select(sql<number>`1`.as('one'))
    .offset(sql.lit(Math.trunc(offset)))
    .limit(sql.lit(Math.trunc(cap) + 1));
}

const cappedTotal = (counted: number, cap: number) =>
  counted > cap ? { total: cap, exact: false } : { total: counted, exact: true };

/**
 * How many public challenges match, counted only up to `cap` rows: an exact count over 100,000
 * challenges cost more than the page itself (~12 req/s at 50 connections in `npm run bench`), while a
 * listing only needs to know the next few pages exist. `exact` is false when there are more than `cap`.
 */
export async function countPublicChallenges(
  db: Database,
  filter: PublicChallengeFilter,
  cap: number,
): Promise<{ total: number; exact: boolean }> {
  const { n } = await db
    .selectFrom(matchingUpTo(db, filter, cap).as('m'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return cappedTotal(Number(n), cap);
}

/** Listing pages sent as named prepared statements (see listPublicChallengesCounted). */
const PREPARED_PAGES = 3;

/**
 * A page and how many rows follow it, in one statement: the API's listing answers with one round
 * trip to the database instead of two, and as a named prepared statement, since planning this join
 * cost more than running it (src/db/prepared-statements.ts). The count looks at most `countAhead`
 * rows past the page's start (an uncorrelated subquery, evaluated once), so `total` is exact only when
 * the end is within reach. Sizes and offsets are literals, so PostgreSQL's generic plan is as cheap as
 * its custom ones and is kept. A page past the end has no row to carry the count; it is counted alone.
 */
export async function listPublicChallengesCounted(
  db: Database,
  filter: PublicChallengeFilter,
  page: { offset: number; limit: number },
  countAhead: number,
  reference: ReferenceData,
) {
  const { rows } = await db.executeQuery(compiledListing(db, filter, page, countAhead));
  const cap = page.offset + countAhead;
  const first = rows[0];
  const count = first
    ? cappedTotal(page.offset + Number(first.ahead), cap)
    : page.offset === 0
      ? { total: 0, exact: true }
      : await countPublicChallenges(db, filter, cap);
  return { rows: withReferenceNames(rows, reference), ...count };
}

function countedListingQuery(
  db: Database,
  filter: PublicChallengeFilter,
  page: { offset: number; limit: number },
  countAhead: number,
) {
  const query = publicPageQuery(db, filter, page).select((eb) =>
    eb
      .selectFrom(matchingUpTo(db, filter, countAhead, page.offset).as('m'))
      .select(eb.fn.countAll<number>().as('n'))
      .as('ahead'),
  );
  // Offsets are part of the text, so only the first pages, the ones visitors read, get a name.
  return page.offset < PREPARED_PAGES * page.limit ? prepared(query) : query;
}

type CompiledListing = ReturnType<ReturnType<typeof countedListingQuery>['compile']>;
type CompiledListingRow = CompiledListing extends CompiledQuery<infer Row> ? Row : never;
const compiledListings = new WeakMap<Database, Map<string, CompiledListing>>();
const MAX_COMPILED_LISTINGS = 200;

/**
 * The listing's SQL and parameters, compiled once per distinct request and database handle: building
 * and compiling the Kysely tree cost more Node time per request than reading the rows (allocation and
 * GC at 50 connections). Only the statement is kept, never its results.
 */
function compiledListing(
  db: Database,
  filter: PublicChallengeFilter,
  page: { offset: number; limit: number },
  countAhead: number,
): CompiledListing {
  let byRequest = compiledListings.get(db);
  if (!byRequest) {
    byRequest = new Map();
    compiledListings.set(db, byRequest);
  }
  const key = JSON.stringify([
    filter.industry,
    filter.region,
    filter.status,
    filter.rewardMin,
    filter.rewardMax,
    page.offset,
    page.limit,
    countAhead,
  ]);
  let compiled = byRequest.get(key);
  if (!compiled) {
    compiled = countedListingQuery(db, filter, page, countAhead).compile();
    if (byRequest.size >= MAX_COMPILED_LISTINGS) byRequest.delete(byRequest.keys().next().value!);
    byRequest.set(key, compiled);
  }
  return compiled;
}

export async function findPublicChallenge(db: Database, id: string) {
  return selectPublicChallenges(db)
    .where('c.id', '=', id)
    .select([
      'c.background',
      'c.problem',
      'c.targets',
      'c.created_at',
      'c.disciplines',
      'c.reward_tranches',
      'c.bidder_requirements',
      'c.ip_terms',
      'c.confidentiality',
      'c.terms_note',
      'c.award_mode',
      'c.max_awards',
      // Discipline names in the order the enterprise listed them; unknown codes keep their code.
      sql<Array<{ code: string; name: string }>>`coalesce((
        select json_agg(json_build_object('code', d.code, 'name', coalesce(ref.name, d.code)) order by d.ord)
        from unnest(c.disciplines) with ordinality as d(code, ord)
        left join disciplines ref on ref.code = d.code
      ), '[]'::json)`.as('discipline_names'),
    ])
    .executeTakeFirst();
}

/**
 * A challenge's public history. When the enterprise hides its name, its people's names are hidden
 * too (their display names often carry the company's name): they show as `enterpriseLabel`.
 */
export async function listChallengeStatusEvents(
  db: Database,
  challengeId: string,
  enterpriseLabel = messages.flow.publicFields.enterpriseActor,
) {
  return db
    .selectFrom('challenge_status_events as e')
    .innerJoin('challenges as c', 'c.id', 'e.challenge_id')
    .where('e.challenge_id', '=', challengeId)
    .select((eb) => [
      'e.from_status',
      'e.to_status',
      eb
        .case()
        .when(
          eb.and([
            eb('c.hide_enterprise_name', '=', true),
            eb.exists(
              eb
                .selectFrom('organisation_members as m')
                .select('m.user_id')
                .whereRef('m.organisation_id', '=', 'c.enterprise_id')
                .whereRef('m.user_id', '=', 'e.actor_user_id'),
            ),
          ]),
        )
        .then(enterpriseLabel)
        .else(eb.ref('e.actor_label'))
        .end()
        .as('actor_label'),
      'e.reason',
      'e.created_at',
    ])
    .orderBy('e.id')
    .execute();
}
