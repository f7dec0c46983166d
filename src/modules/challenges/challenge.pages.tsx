import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { chinaDate } from '../../web/china-time.js';
import { Layout, SearchBox } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { Attachments } from '../attachments/attachment.pages.js';
import { SaveSearchButton } from '../matching/alerts.pages.js';
import { challengeRecommendations } from '../matching/recommendation.routes.js';
import { loadInviteContext } from '../matching/recommendation.usecases.js';
import { RecommendationsSection } from '../matching/recommendation.view.js';
import { questionsFor } from './challenge.engagement.js';
import { EngagementSection } from './challenge.engagement.view.js';
import { findPublicChallenge, listChallengeStatusEvents, listPublicChallenges } from './challenge.queries.js';
import { type ChallengeSearchResult, challengeIdParam, challengeSearchQuery } from './challenge.schemas.js';
import { searchChallenges } from './challenge.search.js';
import { toChallengeDetail, toChallengeSummary } from './challenge.views.js';

const m = messages.challenge;
const fl = messages.flow;
const authActor = (
  auth: { user: { id: string; role: 'enterprise' | 'expert' | 'society' | 'operator' } } | null,
) => (auth ? { userId: auth.user.id, role: auth.user.role } : null);
const dateOnly = (iso: string | null) => (iso ? chinaDate(iso) : '—');

type Summary = ReturnType<typeof toChallengeSummary> & { highlight?: { title: string; snippet: string } };

function ChallengeCard({ c }: { c: Summary }) {
  return (
    <article class="card" data-testid="challenge-card">
      <h2>
        <a href={`/challenges/${c.id}`}>{c.highlight ? raw(c.highlight.title) : c.title}</a>
      </h2>
      <div class="meta">
        <span class={`badge ${c.status}`}>{messages.status[c.status]}</span>
        <span class="reward">
          {m.reward} {c.reward_wan} {m.rewardUnit}
        </span>
        <span>{c.region.name}</span>
        {c.industry && <span>{c.industry.name}</span>}
        <span>
          {m.bidDeadline} {dateOnly(c.bid_deadline)}
        </span>
      </div>
      {c.highlight?.snippet && <p class="snippet">{raw(c.highlight.snippet)}</p>}
    </article>
  );
}

/** Builds a /challenges URL that keeps the current filters and changes one. */
function linkWith(current: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(current);
  next.delete('page');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) next.delete(key);
    else next.set(key, value);
  }
  const qs = next.toString();
  return qs ? `/challenges?${qs}` : '/challenges';
}

function pageLink(current: URLSearchParams, page: number): string {
  const next = new URLSearchParams(current);
  next.set('page', String(page));
  return `/challenges?${next}`;
}

function FacetList(props: {
  title: string;
  name: string;
  values: ChallengeSearchResult['facets']['industry'];
  params: URLSearchParams;
}) {
  if (props.values.length === 0) return null;
  const active = props.params.get(props.name);
  return (
    <>
      <h3>{props.title}</h3>
      <ul data-facet={props.name}>
        {props.values.map((v) => (
          <li class={active === v.value ? 'active' : ''}>
            <a href={linkWith(props.params, { [props.name]: active === v.value ? undefined : v.value })}>
              {v.label}
            </a>
            <span class="count">{v.count}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

export function challengePages(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const { rows } = await listPublicChallenges(deps.db, { status: 'published' }, { offset: 0, limit: 8 });
      return c.html(
        <Layout account={c.get('auth')?.user ?? null}>
          <section class="hero">
            <h1>{messages.site.name}</h1>
            <p>{messages.site.tagline}：企业发榜，专家与学会揭榜，平台撮合、跟踪与验收。</p>
            <SearchBox autofocus />
          </section>
          <h2>{messages.site.latestChallenges}</h2>
          <div class="cards">
            {rows.map((row) => (
              <ChallengeCard c={toChallengeSummary(row)} />
            ))}
          </div>
          <p>
            <a href="/challenges">{messages.site.allChallenges} →</a>
          </p>
        </Layout>,
      );
    })
    .get('/challenges', async (c) => {
      const url = new URL(c.req.url);
      const params = new URLSearchParams([...url.searchParams].filter(([, v]) => v !== ''));
      const parsed = challengeSearchQuery.safeParse(Object.fromEntries(params));
      if (!parsed.success)
        throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
      const query = parsed.data;
      const result = await searchChallenges({ ...deps, reference: await deps.reference.get() }, query);
      const hasFilters = ['industry', 'region', 'status', 'reward_min', 'reward_max'].some((k) =>
        params.has(k),
      );
      return c.html(
        <Layout
          account={c.get('auth')?.user ?? null}
          title={query.q ? `搜索：${query.q}` : messages.site.allChallenges}
        >
          <section class="hero">
            <SearchBox query={query.q} />
            <SaveSearchButton params={params} role={c.get('auth')?.user.role ?? null} />
          </section>
          <div class="layout">
            <aside class="facets">
              <FacetList title={m.industry} name="industry" values={result.facets.industry} params={params} />
              <FacetList title={m.region} name="region" values={result.facets.region} params={params} />
              <FacetList title="状态" name="status" values={result.facets.status} params={params} />
              <h3>{m.reward}</h3>
              <form method="get" action="/challenges">
                {[...params]
                  .filter(([k]) => k !== 'reward_min' && k !== 'reward_max' && k !== 'page')
                  .map(([k, v]) => (
                    <input type="hidden" name={k} value={v} />
                  ))}
                <div class="range">
                  <input
                    type="number"
                    name="reward_min"
                    min="0"
                    placeholder="最低"
                    aria-label={m.rewardMin}
                    value={params.get('reward_min') ?? ''}
                  />
                  <input
                    type="number"
                    name="reward_max"
                    min="0"
                    placeholder="最高"
                    aria-label={m.rewardMax}
                    value={params.get('reward_max') ?? ''}
                  />
                </div>
                <p>
                  <button type="submit">{m.apply}</button>
                </p>
              </form>
              {hasFilters && (
                <a href={query.q ? `/challenges?q=${encodeURIComponent(query.q)}` : '/challenges'}>
                  {m.clearFilters}
                </a>
              )}
            </aside>
            <div>
              <p class="meta" data-testid="result-count">
                {m.resultCount(result.pagination.total)}
              </p>
              {result.data.length === 0 ? (
                <div class="empty">{m.noResults}</div>
              ) : (
                <div class="cards">
                  {result.data.map((hit) => (
                    <ChallengeCard c={hit} />
                  ))}
                </div>
              )}
              <nav class="pager">
                {query.page > 1 && <a href={pageLink(params, query.page - 1)}>{m.previous}</a>}
                {query.page < result.pagination.total_pages && (
                  <a href={pageLink(params, query.page + 1)}>{m.next}</a>
                )}
              </nav>
            </div>
          </div>
        </Layout>,
      );
    })
    .get('/challenges/:id', async (c) => {
      const parsed = challengeIdParam.safeParse({ id: c.req.param('id') });
      if (!parsed.success) throw new AppError('CHALLENGE_NOT_FOUND');
      const row = await findPublicChallenge(deps.db, parsed.data.id);
      if (!row) throw new AppError('CHALLENGE_NOT_FOUND');
      const detail = toChallengeDetail(row, await listChallengeStatusEvents(deps.db, row.id));
      // The page still renders when matching is off or search is away; only the section is missing.
      const recommendations = deps.matcher
        ? await challengeRecommendations(deps, row.id, 6).catch(() => null)
        : null;
      const invite = recommendations
        ? await loadInviteContext(deps.db, c.get('auth')?.user.id ?? null, row.id)
        : null;
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={detail.title}>
          <article class="detail">
            <h1>{detail.title}</h1>
            <div class="meta">
              <span class={`badge ${detail.status}`}>{messages.status[detail.status]}</span>
              <span>
                {m.enterprise}：{detail.enterprise_name ?? m.anonymousEnterprise}
              </span>
            </div>
            <dl class="facts">
              <div>
                <dt>{m.reward}</dt>
                <dd class="reward">
                  {detail.reward_wan} {m.rewardUnit}
                </dd>
              </div>
              <div>
                <dt>{m.bidDeadline}</dt>
                <dd>{dateOnly(detail.bid_deadline)}</dd>
              </div>
              <div>
                <dt>{m.region}</dt>
                <dd>{detail.region.name}</dd>
              </div>
              <div>
                <dt>{m.industry}</dt>
                <dd>{detail.industry?.name ?? '—'}</dd>
              </div>
              <div>
                <dt>{m.cooperationMode}</dt>
                <dd>{detail.cooperation_mode}</dd>
              </div>
              <div>
                <dt>{m.deliveryDeadline}</dt>
                <dd>{dateOnly(detail.delivery_deadline)}</dd>
              </div>
              <div>
                <dt>{fl.pages.paymentTerms}</dt>
                <dd data-testid="reward-tranches">{fl.pages.tranchesText(detail.reward_tranches)}</dd>
              </div>
              {detail.disciplines.length > 0 && (
                <div>
                  <dt>{fl.publicFields.disciplines}</dt>
                  <dd>{detail.disciplines.map((d) => d.name).join('、')}</dd>
                </div>
              )}
              <div>
                <dt>{fl.fields.award_mode}</dt>
                <dd>
                  {fl.awardModes[detail.award_mode]}
                  {detail.award_mode === 'horse_race' ? `（${detail.max_awards}）` : ''}
                </dd>
              </div>
              <div>
                <dt>{fl.fields.ip_terms}</dt>
                <dd>{fl.ipTerms[detail.ip_terms]}</dd>
              </div>
              <div>
                <dt>{fl.fields.confidentiality}</dt>
                <dd>{fl.confidentiality[detail.confidentiality]}</dd>
              </div>
            </dl>
            {detail.bidder_requirements && (
              <section>
                <h2>{fl.fields.bidder_requirements}</h2>
                <p data-testid="bidder-requirements">{detail.bidder_requirements}</p>
              </section>
            )}
            {detail.terms_note && (
              <section>
                <h2>{fl.fields.terms_note}</h2>
                <p>{detail.terms_note}</p>
              </section>
            )}
            <section>
              <h2>{m.background}</h2>
              <p>{detail.background}</p>
            </section>
            <section>
              <h2>{m.problem}</h2>
              <p>{detail.problem}</p>
            </section>
            <section>
              <h2>{m.targets}</h2>
              <p>{detail.targets}</p>
            </section>
            <Attachments deps={deps} c={c} kind="challenge" id={row.id} />
            <section>
              <h2>{m.history}</h2>
              <ol class="history">
                {detail.history.map((e) => (
                  <li>
                    {dateOnly(e.at)} {messages.status[e.to_status] ?? e.to_status}（{e.actor}）
                    {e.reason ? `：${e.reason}` : ''}
                  </li>
                ))}
              </ol>
            </section>
          </article>
          <EngagementSection
            challengeId={row.id}
            status={detail.status}
            role={c.get('auth')?.user.role ?? null}
            questions={await questionsFor(deps.db, row.id, authActor(c.get('auth')))}
          />
          {recommendations && <RecommendationsSection recommendations={recommendations} invite={invite} />}
        </Layout>,
      );
    });
}
