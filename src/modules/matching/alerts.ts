/**
 * Saved-search alerts (新榜单提醒): a user keeps challenge searches (query + filters, as on the search
 * page) and/or a "profile match" alert; when a challenge is published, the dispatcher checks it
 * against every alert once and notifies the matching users in the app.
 *
 * The dispatcher runs in the background (the Node server every minute, the Workers cron each tick). Its
 * queue is PostgreSQL state, not an in-memory event: challenges published recently, indexed already
 * (no search-outbox row pending, so Meilisearch sees the published text) and not run yet. A crash
 * loses nothing; `saved_search_hits` (primary key per alert and challenge) makes a retry harmless.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { MultiSearchQuery } from 'meilisearch';
import type { AppDeps } from '../../app-deps.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Logger } from '../../http/logger.js';
import { normaliseQuery } from '../../search/query-text.js';
import { messages } from '../../web/messages.js';
import { notifyUsers } from '../notifications/notification.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import type { CreateAlertInput, SavedSearchView } from './alerts.schemas.js';
import { MAX_SAVED_SEARCHES } from './alerts.schemas.js';
import { loadChallengeMatchInput } from './recommendation.usecases.js';

const m = messages.matching.alerts;
type Executor = Kysely<DB> | Transaction<DB>;

interface SavedSearchRow {
  id: string;
  user_id: string;
  kind: string;
  query: string;
  industry_code: string | null;
  region_code: string | null;
  reward_min: string | number | null;
  reward_max: string | number | null;
  created_at: Date;
}

const numberOrNull = (v: string | number | null) => (v === null ? null : Number(v));

/** The alert's criteria in Chinese, for the list and the notification. */
export function describeSavedSearch(row: SavedSearchRow, reference: ReferenceData | null): string {
  if (row.kind === 'profile') return m.summaryProfile;
  const parts: string[] = [];
  if (row.query) parts.push(m.summaryQuery(row.query));
  if (row.industry_code)
    parts.push(m.summaryIndustry(reference?.industryName.get(row.industry_code) ?? row.industry_code));
  if (row.region_code)
    parts.push(m.summaryRegion(reference?.regionName.get(row.region_code) ?? row.region_code));
  const min = numberOrNull(row.reward_min);
  const max = numberOrNull(row.reward_max);
  if (min !== null || max !== null) parts.push(m.summaryReward(min, max));
  return parts.join('，');
}

function toView(row: SavedSearchRow, reference: ReferenceData | null): SavedSearchView {
  return {
    id: row.id,
    kind: row.kind as SavedSearchView['kind'],
    q: row.query,
    industry: row.industry_code,
    region: row.region_code,
    reward_min: numberOrNull(row.reward_min),
    reward_max: numberOrNull(row.reward_max),
    summary: describeSavedSearch(row, reference),
    created_at: row.created_at.toISOString(),
  };
}

/** The search page URL that shows what an alert watches (for "查看当前结果"). */
export function searchPageLink(view: SavedSearchView): string {
  const params = new URLSearchParams();
  if (view.q) params.set('q', view.q);
  if (view.industry) params.set('industry', view.industry);
  if (view.region) params.set('region', view.region);
  if (view.reward_min !== null) params.set('reward_min', String(view.reward_min));
  if (view.reward_max !== null) params.set('reward_max', String(view.reward_max));
  return `/challenges?${params}`;
}

const savedSearchColumns = [
  'id',
  'user_id',
  'kind',
  'query',
  'industry_code',
  'region_code',
  'reward_min',
  'reward_max',
  'created_at',
] as const;

/** The user's alerts, the profile alert first, then newest first. */
export async function listSavedSearches(
  db: Executor,
  userId: string,
  reference: ReferenceData | null,
): Promise<SavedSearchView[]> {
  const rows = await db
    .selectFrom('saved_searches')
    .select(savedSearchColumns)
    .where('user_id', '=', userId)
    .orderBy('kind', 'asc')
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => toView(row, reference));
}

/**
 * Saves an alert for the user. A profile alert is one per user: asking again returns the existing
 * one (`created: false`). Unknown industry or region codes are field errors, not silent no-matches.
 */
export async function createSavedSearch(
  deps: Pick<AppDeps, 'db'>,
  userId: string,
  input: CreateAlertInput,
  reference: ReferenceData,
): Promise<{ view: SavedSearchView; created: boolean }> {
  if (input.kind === 'search') {
    const fields = [];
    if (input.industry && !reference.industryName.has(input.industry))
      fields.push({ field: 'industry', reason: m.unknownIndustry });
    if (input.region && !reference.regionName.has(input.region))
      fields.push({ field: 'region', reason: m.unknownRegion });
    if (fields.length > 0) throw new AppError('VALIDATION_FAILED', { fields });
  }
  return deps.db.transaction().execute(async (trx) => {
    // Serialises this user's inserts so the count limit holds under concurrent requests.
    await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
    if (input.kind === 'profile') {
      const existing = await trx
        .selectFrom('saved_searches')
        .select(savedSearchColumns)
        .where('user_id', '=', userId)
        .where('kind', '=', 'profile')
        .executeTakeFirst();
      if (existing) return { view: toView(existing, reference), created: false };
    }
    const count = await trx
      .selectFrom('saved_searches')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_SAVED_SEARCHES) throw new AppError('SAVED_SEARCH_LIMIT_REACHED');
    const row = await trx
      .insertInto('saved_searches')
      .values(
        input.kind === 'profile'
          ? { user_id: userId, kind: 'profile' }
          : {
              user_id: userId,
              kind: 'search',
              query: input.q,
              industry_code: input.industry ?? null,
              region_code: input.region ?? null,
              reward_min: input.reward_min ?? null,
              reward_max: input.reward_max ?? null,
            },
      )
      .returning(savedSearchColumns)
      .executeTakeFirstOrThrow();
    return { view: toView(row, reference), created: true };
  });
}

/** Deletes one of the user's alerts; someone else's (or no) alert is 404. */
export async function deleteSavedSearch(db: Executor, userId: string, id: string): Promise<void> {
  const deleted = await db
    .deleteFrom('saved_searches')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (deleted.numDeletedRows === 0n) throw new AppError('SAVED_SEARCH_NOT_FOUND');
}

const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** Meilisearch filters of a search alert, the same as the search page's for these criteria. */
function alertFilters(row: SavedSearchRow): string[] {
  const filters: string[] = [];
  if (row.industry_code) filters.push(`industry_code = ${quote(row.industry_code)}`);
  if (row.region_code)
    filters.push(`(region_code = ${quote(row.region_code)} OR prefecture_code = ${quote(row.region_code)})`);
  if (row.reward_min !== null) filters.push(`reward_wan >= ${Number(row.reward_min)}`);
  if (row.reward_max !== null) filters.push(`reward_wan <= ${Number(row.reward_max)}`);
  return filters;
}

export type AlertDeps = Pick<AppDeps, 'db' | 'search' | 'indexes' | 'matcher' | 'mailer'> & {
  logger: Logger;
  reference?: AppDeps['reference'];
};

/** How far back a published challenge is still news (a dispatcher down longer skips older ones). */
const ALERT_WINDOW_DAYS = 7;
/** Challenges per dispatch round, and saved searches per multi-search request. */
const CHALLENGE_BATCH = 20;
const SEARCH_BATCH = 100;
/** "Profile match": the user (or their society) is among this many recommendations. */
const PROFILE_MATCH_TOP = 10;

interface PendingChallenge {
  id: string;
  title: string;
  published_at: Date;
}

/** Recently published challenges, already indexed (no outbox row pending), not yet checked. */
async function pendingChallenges(deps: AlertDeps, now: Date): Promise<PendingChallenge[]> {
  const rows = await deps.db
    .selectFrom('challenges as c')
    .select(['c.id', 'c.title', 'c.published_at'])
    .where('c.status', '=', 'published')
    .where('c.published_at', '>=', new Date(now.getTime() - ALERT_WINDOW_DAYS * 86_400_000))
    // Only challenges published after the oldest alert can match one (an alert never reaches back),
    // so with no alerts nothing is pending: a bulk publish of 100,000 challenges costs nothing here.
    // Compared in whole milliseconds, as the hit checks below compare (both as JS Dates): published_at
    // comes from the app clock (milliseconds), created_at from now() (microseconds), so a challenge
    // published in the millisecond its alert was saved would otherwise never be pending.
    .where(
      sql<boolean>`c.published_at >= date_trunc('milliseconds', (select min(created_at) from saved_searches))`,
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('challenge_alert_runs as r')
            .select('r.challenge_id')
            .whereRef('r.challenge_id', '=', 'c.id'),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('search_outbox as o')
            .select('o.id')
            .where('o.entity', '=', 'challenge')
            // entity_id is text (the outbox serves several id types).
            .where(sql<boolean>`o.entity_id = c.id::text`),
        ),
      ),
    )
    .orderBy('c.published_at')
    .limit(CHALLENGE_BATCH)
    .execute();
  return rows.flatMap((r) =>
    r.published_at ? [{ id: r.id, title: r.title, published_at: r.published_at }] : [],
  );
}

interface AlertHit {
  search: SavedSearchRow;
  challengeId: string;
}

/** Search alerts: one query per alert over all pending challenges, the page's text matching. */
async function searchAlertHits(deps: AlertDeps, challenges: PendingChallenge[]): Promise<AlertHit[]> {
  const hits: AlertHit[] = [];
  const publishedAt = new Map(challenges.map((c) => [c.id, c.published_at]));
  const idFilter = `id IN [${challenges.map((c) => quote(c.id)).join(', ')}]`;
  let after: string | null = null;
  for (;;) {
    let page = deps.db
      .selectFrom('saved_searches')
      .select(savedSearchColumns)
      .where('kind', '=', 'search')
      .orderBy('id')
      .limit(SEARCH_BATCH);
    if (after) page = page.where('id', '>', after);
    const searches = await page.execute();
    if (searches.length === 0) break;
    after = searches.at(-1)!.id;
    const queries: MultiSearchQuery[] = searches.map((s) => ({
      indexUid: deps.indexes.uid('challenges'),
      q: normaliseQuery(s.query),
      filter: [...alertFilters(s), idFilter],
      limit: challenges.length,
      attributesToRetrieve: ['id'],
      // Every word of the saved query must be found (synonyms count): an alert is a standing
      // promise, so it errs on precision where the search page errs on recall.
      matchingStrategy: 'all',
      locales: ['cmn'],
    }));
    const { results } = await deps.search.multiSearch<{ queries: MultiSearchQuery[] }, { id: string }>({
      queries,
    });
    results.forEach((result, i) => {
      const search = searches[i]!;
      for (const hit of result.hits) {
        const at = publishedAt.get(hit.id);
        // Only challenges published after the alert was saved are news to its owner.
        if (at && at >= search.created_at) hits.push({ search, challengeId: hit.id });
      }
    });
    if (searches.length < SEARCH_BATCH) break;
  }
  return hits;
}

/** Profile alerts: the owner's expert profile or society is among the challenge's recommendations. */
async function profileAlertHits(deps: AlertDeps, challenges: PendingChallenge[]): Promise<AlertHit[]> {
  if (!deps.matcher) return [];
  const profileAlerts = await deps.db
    .selectFrom('saved_searches')
    .select(savedSearchColumns)
    .where('kind', '=', 'profile')
    .execute();
  if (profileAlerts.length === 0) return [];
  const alertByUser = new Map(profileAlerts.map((a) => [a.user_id, a]));
  const hits: AlertHit[] = [];
  for (const challenge of challenges) {
    const input = await loadChallengeMatchInput(deps.db, challenge.id, { publicOnly: true });
    if (!input) continue;
    const { experts, societies } = await deps.matcher.recommend(deps.search, input, {
      expertIndexUid: deps.indexes.uid('experts'),
      societyIndexUid: deps.indexes.uid('societies'),
      limit: PROFILE_MATCH_TOP,
    });
    const [expertUsers, memberUsers] = await Promise.all([
      experts.length
        ? deps.db
            .selectFrom('expert_profiles')
            .select('user_id')
            .where(
              'id',
              'in',
              experts.map((e) => e.id),
            )
            .where('user_id', 'is not', null)
            .execute()
        : [],
      societies.length
        ? deps.db
            .selectFrom('organisation_members')
            .select('user_id')
            .where(
              'organisation_id',
              'in',
              societies.map((s) => s.id),
            )
            .execute()
        : [],
    ]);
    const users = new Set([...expertUsers, ...memberUsers].flatMap((r) => (r.user_id ? [r.user_id] : [])));
    for (const userId of users) {
      const alert = alertByUser.get(userId);
      if (alert && challenge.published_at >= alert.created_at)
        hits.push({ search: alert, challengeId: challenge.id });
    }
  }
  return hits;
}

/**
 * One dispatch round: checks up to 20 pending challenges against every alert, records the hits,
 * notifies each user once per challenge (a search alert's reason wins over the profile one), and
 * marks the challenges run, all in one transaction. Returns how many challenges were checked.
 */
export async function dispatchChallengeAlerts(deps: AlertDeps, now: Date): Promise<number> {
  const challenges = await pendingChallenges(deps, now);
  if (challenges.length === 0) return 0;
  const hits = [...(await searchAlertHits(deps, challenges)), ...(await profileAlertHits(deps, challenges))];
  const reference = deps.reference ? await deps.reference.get() : null;
  await deps.db.transaction().execute(async (trx) => {
    const fresh = hits.length
      ? await trx
          .insertInto('saved_search_hits')
          .values(hits.map((h) => ({ saved_search_id: h.search.id, challenge_id: h.challengeId })))
          .onConflict((oc) => oc.doNothing())
          .returning(['saved_search_id', 'challenge_id'])
          .execute()
      : [];
    const isFresh = new Set(fresh.map((f) => `${f.saved_search_id}/${f.challenge_id}`));
    for (const challenge of challenges) {
      const byUser = new Map<string, SavedSearchRow>();
      for (const hit of hits) {
        if (hit.challengeId !== challenge.id || !isFresh.has(`${hit.search.id}/${challenge.id}`)) continue;
        const seen = byUser.get(hit.search.user_id);
        if (!seen || (seen.kind === 'profile' && hit.search.kind === 'search'))
          byUser.set(hit.search.user_id, hit.search);
      }
      for (const [userId, search] of byUser) {
        await notifyUsers(trx, deps, [userId], {
          kind: 'challenge.alert',
          title: m.notifyTitle(challenge.title),
          body:
            search.kind === 'search'
              ? m.notifyBySearch(describeSavedSearch(search, reference))
              : m.notifyByProfile,
          link: `/challenges/${challenge.id}`,
          challengeId: challenge.id,
          // In-app only: a new-challenge alert is not worth an e-mail each (a digest may bundle them).
          mail: false,
        });
      }
    }
    await trx
      .insertInto('challenge_alert_runs')
      .values(challenges.map((c) => ({ challenge_id: c.id, ran_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
  return challenges.length;
}
