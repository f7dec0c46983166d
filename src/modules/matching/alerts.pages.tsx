import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { readForm, validateForm } from '../auth/forms.js';
import { createSavedSearch, deleteSavedSearch, listSavedSearches, searchPageLink } from './alerts.js';
import { createAlertBody, MAX_SAVED_SEARCHES, savedSearchIdParam } from './alerts.schemas.js';

const m = messages.matching.alerts;
const uuid = '[0-9a-fA-F-]{36}';
/** The search page's parameters an alert keeps (status and paging are views, not interests). */
const alertParams = ['q', 'industry', 'region', 'reward_min', 'reward_max'] as const;

/**
 * 保存为提醒 on the challenge search page: posts the page's current query and filters. Shown to
 * experts and society staff (the roles that may keep alerts) when the search has any criterion.
 */
export function SaveSearchButton({ params, role }: { params: URLSearchParams; role: string | null }) {
  if (role !== 'expert' && role !== 'society') return null;
  const kept = alertParams.filter((k) => (params.get(k) ?? '').trim() !== '');
  if (kept.length === 0) return null;
  return (
    <form method="post" action="/me/alerts" class="inline" data-testid="save-search">
      {kept.map((k) => (
        <input type="hidden" name={k} value={params.get(k) ?? ''} />
      ))}
      <button type="submit" title={m.saveSearchHint}>
        {m.saveSearch}
      </button>
    </form>
  );
}

/** 新榜单提醒 (/me/alerts): the profile-match switch and the saved searches, each deletable. */
export function alertPages(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/me/alerts', async (c) => {
      const user = requireAuth(c).user;
      const alerts = await listSavedSearches(deps.db, user.id, await deps.reference.get());
      const profile = alerts.find((a) => a.kind === 'profile');
      const searches = alerts.filter((a) => a.kind === 'search');
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={m.title}>
          <section class="alerts">
            <h1>{m.title}</h1>
            <p class="meta">{m.intro}</p>
            <h2>{m.profile}</h2>
            <p class="meta">{m.profileHint}</p>
            {profile ? (
              <form method="post" action={`/me/alerts/${profile.id}/delete`} data-testid="profile-alert">
                <span>{m.profileOn}</span> <button type="submit">{m.disable}</button>
              </form>
            ) : (
              <form method="post" action="/me/alerts" data-testid="profile-alert">
                <input type="hidden" name="kind" value="profile" />
                <button type="submit">{m.enableProfile}</button>
              </form>
            )}
            <h2>
              {m.searches} <small>{m.count(searches.length, MAX_SAVED_SEARCHES)}</small>
            </h2>
            {searches.length === 0 ? (
              <p class="empty">{m.none}</p>
            ) : (
              <ul class="cards" data-testid="saved-searches">
                {searches.map((s) => (
                  <li class="card" data-testid="saved-search">
                    <span>{s.summary}</span> <a href={searchPageLink(s)}>{m.search}</a>{' '}
                    <form method="post" action={`/me/alerts/${s.id}/delete`} class="inline">
                      <button type="submit" class="link">
                        {m.delete}
                      </button>
                    </form>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </Layout>,
      );
    })
    .post('/me/alerts', async (c) => {
      const user = requireAuth(c).user;
      const parsed = validateForm(createAlertBody, { kind: 'search', ...(await readForm(c)) });
      if (!parsed.ok)
        throw new AppError('VALIDATION_FAILED', {
          fields: Object.entries(parsed.errors).map(([field, reason]) => ({ field, reason })),
        });
      await createSavedSearch(deps, user.id, parsed.data, await deps.reference.get());
      return c.redirect('/me/alerts', 303);
    })
    .post(`/me/alerts/:id{${uuid}}/delete`, async (c) => {
      const id = c.req.param('id');
      // Not a UUID at all: no such alert (404), not a database type error.
      if (!savedSearchIdParam.safeParse({ id }).success) throw new AppError('SAVED_SEARCH_NOT_FOUND');
      await deleteSavedSearch(deps.db, requireAuth(c).user.id, id);
      return c.redirect('/me/alerts', 303);
    });
}
