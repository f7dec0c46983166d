import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { Checkbox, readFormLists, TextArea } from '../../web/fields.js';
import { Layout } from '../../web/layout.js';
import { FacetList, ListingSearch, listingParams, Pager } from '../../web/listing.js';
import { messages } from '../../web/messages.js';
import { auditActorOf, requireAuth } from '../auth/auth.middleware.js';
import {
  Field,
  type FieldErrors,
  FormErrors,
  FormStyles,
  type FormValues,
  formFailure,
  Select,
  validateForm,
} from '../auth/forms.js';
import { canFormServiceTeam } from '../auth/policy.js';
import { actorOf, optionalActor } from '../experts/expert.routes.js';
import { regionCodesOf } from '../reference/reference.queries.js';
import { listMemberExperts } from './society.queries.js';
import { serviceTeamBody, societyIdParam, societySearchQuery } from './society.schemas.js';
import { searchSocieties } from './society.search.js';
import { createServiceTeam, loadSocietyDetail, loadVisibleSociety } from './society.usecases.js';

const m = messages.supply;
const uuid = '[0-9a-fA-F-]{36}';

function idOf(raw: string): string {
  const parsed = societyIdParam.safeParse({ id: raw });
  if (!parsed.success) throw new AppError('SOCIETY_NOT_FOUND');
  return parsed.data.id;
}

async function TeamForm(props: {
  deps: AppDeps;
  societyId: string;
  societyName: string;
  values: FormValues;
  members: string[];
  errors: FieldErrors;
}) {
  const experts = await listMemberExperts(props.deps.db, props.societyId);
  const reference = await props.deps.reference.get();
  return (
    <>
      <FormStyles />
      <div class="narrow panel">
        <h1>
          {m.newTeam} · {props.societyName}
        </h1>
        <FormErrors errors={props.errors} />
        <form method="post" action={`/societies/${props.societyId}/service-teams/new`} novalidate>
          <Field
            label={m.teamName}
            name="name"
            value={props.values.name}
            errors={props.errors}
            required
            maxlength={100}
          />
          <Select
            label={m.teamIndustry}
            name="industry_code"
            value={props.values.industry_code}
            errors={props.errors}
            options={[['', '—'], ...reference.industries.map((i): [string, string] => [i.code, i.name])]}
          />
          <Field
            label={m.teamRegions}
            name="region_codes"
            value={props.values.region_codes}
            errors={props.errors}
          />
          <Select
            label={m.teamLead}
            name="lead_expert_id"
            value={props.values.lead_expert_id}
            errors={props.errors}
            options={[['', '—'], ...experts.map((e): [string, string] => [e.id, `${e.name} ${e.title}`])]}
          />
          <fieldset class="field">
            <legend>{m.teamMembers}</legend>
            {props.errors.member_expert_ids && (
              <small class="error" data-field-error="member_expert_ids">
                {props.errors.member_expert_ids}
              </small>
            )}
            {experts.map((e) => (
              <Checkbox
                label={`${e.name} ${e.title}`}
                name="member_expert_ids"
                value={e.id}
                checked={props.members.includes(e.id)}
              />
            ))}
          </fieldset>
          <TextArea
            label={m.teamDescription}
            name="description"
            value={props.values.description}
            errors={props.errors}
            maxlength={2000}
          />
          <button type="submit">{m.createTeam}</button>
        </form>
      </div>
    </>
  );
}

/** Public society pages (listing with facets, profile) and the service-team form for its members. */
export function societyPages(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/societies', async (c) => {
      const params = listingParams(c.req.url);
      const parsed = societySearchQuery.safeParse(Object.fromEntries(params));
      if (!parsed.success)
        throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
      const query = parsed.data;
      const result = await searchSocieties({ ...deps, reference: await deps.reference.get() }, query);
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={m.societies}>
          <section class="hero">
            <ListingSearch action="/societies" q={query.q} placeholder={m.searchSocieties} />
          </section>
          <div class="layout">
            <aside class="facets">
              <FacetList
                base="/societies"
                title={m.facet.discipline}
                name="discipline"
                values={result.facets.discipline}
                params={params}
              />
              <FacetList
                base="/societies"
                title={m.facet.region}
                name="region"
                values={result.facets.region}
                params={params}
              />
            </aside>
            <div>
              <p class="meta" data-testid="result-count">
                {m.societyCount(result.pagination.total)}
              </p>
              {result.data.length === 0 ? (
                <div class="empty">{m.noSocieties}</div>
              ) : (
                <div class="cards">
                  {result.data.map((s) => (
                    <article class="card" data-testid="society-card">
                      <h2>
                        <a href={`/societies/${s.id}`}>{s.name}</a>
                      </h2>
                      <div class="meta">
                        {s.discipline && <span>{s.discipline}</span>}
                        {s.region && <span>{s.region.name}</span>}
                        {s.verified && <span class="badge published">{m.verified}</span>}
                      </div>
                      {s.description && <p class="snippet">{s.description.slice(0, 120)}</p>}
                    </article>
                  ))}
                </div>
              )}
              <Pager
                base="/societies"
                params={params}
                page={query.page}
                totalPages={result.pagination.total_pages}
              />
            </div>
          </div>
        </Layout>,
      );
    })
    .get(`/societies/:id{${uuid}}`, async (c) => {
      const actor = optionalActor(c);
      const id = idOf(c.req.param('id'));
      const s = await loadSocietyDetail(deps, actor, id);
      const canForm =
        actor?.role === 'society' &&
        (await loadVisibleSociety(deps, actor, id).then(({ society, membership }) =>
          canFormServiceTeam(membership, society),
        ));
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={s.name}>
          <article class="detail" data-testid="society-profile">
            <h1>{s.name}</h1>
            <div class="meta">
              {s.discipline && <span>{s.discipline}</span>}
              {s.region && <span>{s.region.name}</span>}
              {s.verified && <span class="badge published">{m.verified}</span>}
            </div>
            {s.description && <p>{s.description}</p>}
            {s.service_regions.length > 0 && (
              <p>
                {m.regionsServed}：{s.service_regions.map((r) => r.name).join('、')}
              </p>
            )}
            <section>
              <h2>
                {m.memberExperts}（{s.experts.length}）
              </h2>
              {s.experts.length === 0 ? (
                <p class="empty">{m.none}</p>
              ) : (
                <ul data-testid="member-experts">
                  {s.experts.map((e) => (
                    <li>
                      <a href={`/experts/${e.id}`}>{e.name}</a>{' '}
                      <span class="meta">{[e.title, e.affiliation].filter(Boolean).join(' · ')}</span>
                      {e.role !== 'member' && <span class="badge">{m.societyRoles[e.role] ?? e.role}</span>}
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section>
              <h2>{m.capabilitiesOf}</h2>
              {s.capabilities.length === 0 ? (
                <p class="empty">{m.none}</p>
              ) : (
                <ul>
                  {s.capabilities.map((cap) => (
                    <li>
                      <a href={`/capabilities/${cap.id}`}>{cap.title}</a>{' '}
                      <span class="meta">{messages.matching.capabilityKinds[cap.kind] ?? cap.kind}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section>
              <h2>{m.serviceTeams}</h2>
              {canForm && (
                <p>
                  <a href={`/societies/${s.id}/service-teams/new`}>{m.newTeam}</a>
                </p>
              )}
              {s.service_teams.length === 0 ? (
                <p class="empty">{m.none}</p>
              ) : (
                <ul data-testid="service-teams">
                  {s.service_teams.map((t) => (
                    <li>
                      <strong>{t.name}</strong>
                      {t.industry && ` · ${t.industry.name}`}
                      {t.regions.length > 0 && ` · ${t.regions.map((r) => r.name).join('、')}`}
                      <div class="meta">
                        {t.members.map((x) => (
                          <span>
                            <a href={`/experts/${x.id}`}>{x.name}</a>
                            {x.role === 'lead' ? `（${m.lead}）` : ''}
                          </span>
                        ))}
                      </div>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section>
              <h2>{m.stations}</h2>
              {s.stations.length === 0 ? (
                <p class="empty">{m.none}</p>
              ) : (
                <ul>
                  {s.stations.map((st) => (
                    <li>
                      <a href={`/stations/${st.id}`}>{st.name}</a>{' '}
                      <span class="meta">
                        {st.kind}
                        {st.region ? ` · ${st.region.name}` : ''}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section>
              <h2>{m.wonChallenges}</h2>
              {s.won_challenges.length === 0 ? (
                <p class="empty">{m.none}</p>
              ) : (
                <ul>
                  {s.won_challenges.map((ch) => (
                    <li>
                      <a href={`/challenges/${ch.id}`}>{ch.title}</a>{' '}
                      <span class="meta">{messages.status[ch.status] ?? ch.status}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </article>
        </Layout>,
      );
    })
    .get(`/societies/:id{${uuid}}/service-teams/new`, async (c) => {
      const actor = actorOf(c);
      const { society, membership } = await loadVisibleSociety(deps, actor, idOf(c.req.param('id')));
      if (!canFormServiceTeam(membership, society)) throw new AppError('FORBIDDEN');
      return c.html(
        <Layout account={requireAuth(c).user} title={m.newTeam}>
          {
            await TeamForm({
              deps,
              societyId: society.id,
              societyName: society.name,
              values: {},
              members: [],
              errors: {},
            })
          }
        </Layout>,
      );
    })
    .post(`/societies/:id{${uuid}}/service-teams/new`, async (c) => {
      const actor = actorOf(c);
      const { society, membership } = await loadVisibleSociety(deps, actor, idOf(c.req.param('id')));
      if (!canFormServiceTeam(membership, society)) throw new AppError('FORBIDDEN');
      const { values, lists } = await readFormLists(c, ['member_expert_ids']);
      const render = async (errors: FieldErrors, status: 400 | 401 | 403 | 409 | 422 | 429) =>
        c.html(
          <Layout account={requireAuth(c).user} title={m.newTeam}>
            {
              await TeamForm({
                deps,
                societyId: society.id,
                societyName: society.name,
                values,
                members: lists.member_expert_ids ?? [],
                errors,
              })
            }
          </Layout>,
          status,
        );
      // Regions are typed by name (遵义市、湄潭县); the schema and the records take codes.
      const regions = regionCodesOf(
        (values.region_codes ?? '').split(/[,，、;；\s]+/).filter(Boolean),
        await deps.reference.get(),
      );
      if (regions.unknown !== undefined)
        return render({ region_codes: messages.imports.unknownRegion(regions.unknown) }, 422);
      const parsed = validateForm(serviceTeamBody, {
        ...values,
        region_codes: regions.codes,
        member_expert_ids: lists.member_expert_ids ?? [],
      });
      if (!parsed.ok) return render(parsed.errors, 422);
      try {
        await createServiceTeam(deps, actor, society.id, parsed.data, auditActorOf(c, deps));
      } catch (error) {
        const failure = formFailure(error);
        return render(failure.errors, failure.status);
      }
      return c.redirect(`/societies/${society.id}`, 303);
    });
}
