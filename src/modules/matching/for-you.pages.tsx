import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { toAppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { chinaDate } from '../../web/china-time.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { FEW_BIDS } from './for-you.js';
import { invitationSuggestions, recommendedChallenges } from './recommendation.routes.js';
import type { InviteSuggestionsResponse, RecommendedChallengesResponse } from './recommendation.schemas.js';

const m = messages.matching;
const score = (s: number) => (s * 100).toFixed(0);

function Reasons({ reasons }: { reasons: string[] }) {
  if (reasons.length === 0) return null;
  return (
    <ul class="reasons">
      {reasons.map((r) => (
        <li>{r}</li>
      ))}
    </ul>
  );
}

function ForYouList({ result, role }: { result: RecommendedChallengesResponse; role: string }) {
  const { basis, data } = result;
  if (!basis) {
    return role === 'expert' ? (
      <p class="empty">
        {m.forYou.noExpertProfile} <a href="/me/expert-profile">{m.forYou.editExpertProfile}</a>
      </p>
    ) : (
      <p class="empty">{m.forYou.noSociety}</p>
    );
  }
  return (
    <>
      <p class="meta" data-testid="recommendation-basis">
        {basis.kind === 'expert'
          ? m.forYou.basisExpert(basis.name, basis.summary)
          : m.forYou.basisSociety(basis.name, basis.summary)}
      </p>
      {data.length === 0 ? (
        <p class="empty">{m.forYou.none}</p>
      ) : (
        <ol class="cards" data-testid="recommended-challenges">
          {data.map((c) => (
            <li class="card" data-testid="recommended-challenge">
              <a href={`/challenges/${c.id}`}>{c.title}</a>{' '}
              <span class="score" title={m.scoreHint}>
                {m.score} {score(c.score)}
              </span>
              <span class="meta">
                {[
                  c.enterprise_name,
                  c.industry_name,
                  c.region_name,
                  m.forYou.reward(c.reward_wan),
                  m.forYou.deadline(chinaDate(c.bid_deadline)),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
              <Reasons reasons={c.reasons} />
              {c.bid_submitted ? (
                <span class="badge">{m.forYou.bidSubmitted}</span>
              ) : (
                <a class="button" href={`/challenges/${c.id}/bid`}>
                  {m.forYou.bid}
                </a>
              )}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function FewBidsList({ result }: { result: InviteSuggestionsResponse }) {
  if (result.data.length === 0) return <p class="empty">{m.fewBids.none}</p>;
  return (
    <ol class="cards" data-testid="few-bid-challenges">
      {result.data.map((c) => (
        <li class="card">
          <h3>
            <a href={`/challenges/${c.id}`}>{c.title}</a>
          </h3>
          <p class="meta">
            {[
              c.enterprise_name,
              m.fewBids.bidCount(c.bid_count),
              m.forYou.reward(c.reward_wan),
              m.forYou.deadline(chinaDate(c.bid_deadline)),
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
          <h4>{m.experts}</h4>
          {c.experts.length === 0 ? (
            <p class="empty">{m.none}</p>
          ) : (
            <ol>
              {c.experts.map((e) => (
                <li>
                  <a href={`/experts/${e.id}`}>{e.name}</a>{' '}
                  <span class="meta">{[e.title, e.affiliation].filter(Boolean).join(' · ')}</span>{' '}
                  <span class="score">
                    {m.score} {score(e.score)}
                  </span>
                  <Reasons reasons={e.reasons} />
                </li>
              ))}
            </ol>
          )}
          <h4>{m.societies}</h4>
          {c.societies.length === 0 ? (
            <p class="empty">{m.none}</p>
          ) : (
            <ol>
              {c.societies.map((s) => (
                <li>
                  <a href={`/societies/${s.id}`}>{s.name}</a>{' '}
                  <span class="score">
                    {m.score} {score(s.score)}
                  </span>
                  <Reasons reasons={s.reasons} />
                </li>
              ))}
            </ol>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Matching or search being away leaves the page up with a notice, like the challenge page's section. */
async function unlessUnavailable<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    const code = toAppError(error).code;
    if (code === 'MATCHING_UNAVAILABLE' || code === 'SEARCH_UNAVAILABLE') return null;
    throw error;
  }
}

/** 为你推荐 (/me/recommendations) and 待邀请 (/admin/invite-suggestions); roles in policy.ts. */
export function forYouPages(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/me/recommendations', async (c) => {
      const user = requireAuth(c).user;
      const result = await unlessUnavailable(() => recommendedChallenges(deps, user, 20));
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={m.forYou.title}>
          <section class="recommendations">
            <h1>{m.forYou.title}</h1>
            <p class="meta">
              {m.forYou.intro} <a href="/me/alerts">{m.alerts.nav}</a>
            </p>
            {result ? <ForYouList result={result} role={user.role} /> : <p class="empty">{m.unavailable}</p>}
          </section>
        </Layout>,
      );
    })
    .get('/admin/invite-suggestions', async (c) => {
      const result = await unlessUnavailable(() => invitationSuggestions(deps, 10));
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={m.fewBids.title}>
          <section class="recommendations">
            <h1>{m.fewBids.title}</h1>
            <p class="meta">{m.fewBids.intro(FEW_BIDS)}</p>
            {result ? <FewBidsList result={result} /> : <p class="empty">{m.unavailable}</p>}
          </section>
        </Layout>,
      );
    });
}
