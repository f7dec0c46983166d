import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { Checkbox, TextArea } from '../../web/fields.js';
import { Layout } from '../../web/layout.js';
import { FacetList, filtersOf, ListingSearch, listingParams, Pager } from '../../web/listing.js';
import { messages } from '../../web/messages.js';
import { PickerSelect, regionGroups } from '../../web/picker.js';
import { auditActorOf, requireAuth } from '../auth/auth.middleware.js';
import {
  Field,
  type FieldErrors,
  FormErrors,
  FormStyles,
  type FormValues,
  formFailure,
  readForm,
  Select,
  validateForm,
} from '../auth/forms.js';
import type { UserRole } from '../auth/session.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import { findExpertOfUser, listAchievementsOfExpert } from './expert.queries.js';
import { actorOf, optionalActor } from './expert.routes.js';
import { expertIdParam, expertProfileBody, expertSearchQuery } from './expert.schemas.js';
import { searchExperts } from './expert.search.js';
import { loadExpertDetail, saveMyExpertProfile } from './expert.usecases.js';

const m = messages.supply;
const availability = messages.matching.availability;
const uuid = '[0-9a-fA-F-]{36}';

/** Export links appear for the roles the permission matrix lets export (policy.ts `listExporters`). */
export function ExportLinks(props: { base: string; params: URLSearchParams; role: UserRole | undefined }) {
  if (props.role !== 'operator' && props.role !== 'society') return null;
  const qs = filtersOf(props.params);
  return (
    <p class="meta exports">
      <a href={`${props.base}/export.xlsx${qs}`} data-testid="export-xlsx">
        {m.exportXlsx}
      </a>{' '}
      <a href={`${props.base}/export.csv${qs}`} data-testid="export-csv">
        {m.exportCsv}
      </a>
    </p>
  );
}

const achievementField = /^achievements\.(\d{1,2})\.(kind|title|year|detail|remove)$/;

/**
 * The form's achievement rows (`achievements.N.title` …) as a list, in form order, without rows
 * ticked 删除 or left empty; `rest` is every other field. The kept rows are renumbered from 0, so
 * the schema's error paths (`achievements.0.title`) name the inputs of the re-rendered form.
 */
function splitAchievementRows(values: FormValues) {
  const byIndex = new Map<number, Record<string, string>>();
  const rest: FormValues = {};
  for (const [key, value] of Object.entries(values)) {
    const match = achievementField.exec(key);
    if (!match) {
      rest[key] = value;
      continue;
    }
    const index = Number(match[1]);
    byIndex.set(index, { ...byIndex.get(index), [match[2]!]: value });
  }
  const rows = [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, row]) => row)
    .filter((row) => row.remove !== 'on' && (row.title ?? row.year ?? row.detail) !== undefined)
    .map(({ remove: _, ...row }) => ({ kind: 'paper', ...row }));
  return { rows, rest };
}

function achievementValues(rows: Array<Record<string, string>>): FormValues {
  const values: FormValues = {};
  rows.forEach((row, i) => {
    for (const [field, value] of Object.entries(row)) values[`achievements.${i}.${field}`] = value;
  });
  return values;
}

function AchievementRows(props: { values: FormValues; errors: FieldErrors; blankRows: number }) {
  const filled = new Set(
    Object.keys(props.values)
      .map((key) => achievementField.exec(key)?.[1])
      .filter((i) => i !== undefined),
  ).size;
  const count = Math.min(30, filled + props.blankRows);
  return (
    <fieldset class="achievements" data-testid="achievement-rows">
      <legend>{m.achievements}</legend>
      <p class="hint">{m.achievementsHint}</p>
      {Array.from({ length: count }, (_, i) => {
        const name = (field: string) => `achievements.${i}.${field}`;
        return (
          <div class="row achievement" data-row={i}>
            <Select
              label={m.kind}
              name={name('kind')}
              value={props.values[name('kind')] ?? 'paper'}
              errors={props.errors}
              options={Object.entries(m.achievementKinds)}
            />
            <Field
              label={m.achievementTitle}
              name={name('title')}
              value={props.values[name('title')]}
              errors={props.errors}
              maxlength={200}
            />
            <Field
              label={m.achievementYear}
              name={name('year')}
              value={props.values[name('year')]}
              errors={props.errors}
              maxlength={4}
            />
            <Field
              label={m.achievementDetail}
              name={name('detail')}
              value={props.values[name('detail')]}
              errors={props.errors}
              maxlength={500}
            />
            {i < filled && (
              <Checkbox label={m.removeRow} name={name('remove')} checked={false} errors={props.errors} />
            )}
          </div>
        );
      })}
      <button type="submit" name="add_achievement" value="1" class="secondary" formnovalidate>
        {m.addRow}
      </button>
    </fieldset>
  );
}

function ProfileForm(props: {
  values: FormValues;
  errors: FieldErrors;
  /** Reference regions: the region is picked by name (province → prefecture → county), not typed as a code. */
  regions: ReferenceData['regions'];
  notice?: string;
  blankRows?: number;
}) {
  const v = props.values;
  return (
    <>
      <FormStyles />
      <div class="narrow panel">
        <h1>{m.myProfile}</h1>
        {props.notice && (
          <div class="notice" role="status">
            {props.notice}
          </div>
        )}
        <FormErrors errors={props.errors} />
        <form method="post" action="/me/expert-profile" novalidate>
          <Field label={m.name} name="name" value={v.name} errors={props.errors} required maxlength={50} />
          <Field label={m.title} name="title" value={v.title} errors={props.errors} maxlength={30} />
          <Field
            label={m.affiliation}
            name="affiliation"
            value={v.affiliation}
            errors={props.errors}
            maxlength={100}
          />
          <Field
            label={m.discipline}
            name="discipline"
            value={v.discipline}
            errors={props.errors}
            maxlength={50}
          />
          <PickerSelect
            label={m.region}
            name="region_code"
            value={v.region_code}
            groups={regionGroups(props.regions, { wholePrefecture: true })}
            errors={props.errors}
            empty={m.regionUnset}
          />
          <Field label={m.fields} name="fields" value={v.fields} errors={props.errors} hint={m.fieldsHint} />
          <TextArea label={m.bio} name="bio" value={v.bio} errors={props.errors} maxlength={5000} />
          <Select
            label={m.availability}
            name="availability"
            value={v.availability ?? 'available'}
            errors={props.errors}
            options={Object.entries(availability)}
          />
          <Select
            label={m.visibility}
            name="visibility"
            value={v.visibility ?? 'public'}
            errors={props.errors}
            options={Object.entries(m.visibilityOptions)}
          />
          <Field
            label={m.phone}
            name="contact_phone"
            value={v.contact_phone}
            errors={props.errors}
            maxlength={20}
          />
          <Field
            label={m.email}
            name="contact_email"
            value={v.contact_email}
            errors={props.errors}
            maxlength={254}
          />
          <Checkbox
            label={m.contactConsent}
            name="contact_consent"
            checked={v.contact_consent === 'on'}
            errors={props.errors}
          />
          <AchievementRows values={v} errors={props.errors} blankRows={props.blankRows ?? 1} />
          <button type="submit">{m.saveProfile}</button>
        </form>
      </div>
    </>
  );
}

/** Public expert pages (listing with facets, profile) and the owner's profile form. */
export function expertPages(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/experts', async (c) => {
      const params = listingParams(c.req.url);
      const parsed = expertSearchQuery.safeParse(Object.fromEntries(params));
      if (!parsed.success)
        throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
      const query = parsed.data;
      const result = await searchExperts({ ...deps, reference: await deps.reference.get() }, query);
      const auth = c.get('auth');
      return c.html(
        <Layout account={auth?.user ?? null} title={m.experts}>
          <section class="hero">
            <ListingSearch action="/experts" q={query.q} placeholder={m.searchExperts} />
          </section>
          <div class="layout">
            <aside class="facets">
              <FacetList
                base="/experts"
                title={m.facet.discipline}
                name="discipline"
                values={result.facets.discipline}
                params={params}
              />
              <FacetList
                base="/experts"
                title={m.facet.region}
                name="region"
                values={result.facets.region}
                params={params}
              />
              <FacetList
                base="/experts"
                title={m.facet.title}
                name="title"
                values={result.facets.title}
                params={params}
              />
            </aside>
            <div>
              <p class="meta" data-testid="result-count">
                {m.expertCount(result.pagination.total)}
              </p>
              <ExportLinks base="/experts" params={params} role={auth?.user.role} />
              {result.data.length === 0 ? (
                <div class="empty">{m.noExperts}</div>
              ) : (
                <div class="cards">
                  {result.data.map((e) => (
                    <article class="card" data-testid="expert-card">
                      <h2>
                        <a href={`/experts/${e.id}`}>{e.name}</a>
                      </h2>
                      <div class="meta">
                        {e.title && <span>{e.title}</span>}
                        {e.affiliation && <span>{e.affiliation}</span>}
                        {e.region && <span>{e.region.name}</span>}
                        {e.availability !== 'available' && (
                          <span class="badge">{availability[e.availability]}</span>
                        )}
                      </div>
                      {e.fields.length > 0 && <p class="snippet">{e.fields.join('、')}</p>}
                    </article>
                  ))}
                </div>
              )}
              <Pager
                base="/experts"
                params={params}
                page={query.page}
                totalPages={result.pagination.total_pages}
              />
            </div>
          </div>
        </Layout>,
      );
    })
    .get(`/experts/:id{${uuid}}`, async (c) => {
      const parsed = expertIdParam.safeParse({ id: c.req.param('id') });
      if (!parsed.success) throw new AppError('EXPERT_NOT_FOUND');
      const e = await loadExpertDetail(deps, optionalActor(c), parsed.data.id);
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={e.name}>
          <article class="detail" data-testid="expert-profile">
            <h1>{e.name}</h1>
            <div class="meta">
              {e.title && <span>{e.title}</span>}
              {e.affiliation && <span>{e.affiliation}</span>}
              <span class="badge">{availability[e.availability]}</span>
            </div>
            {/* Only imported profiles, not yet linked to an account, can be claimed by their owner. */}
            {c.get('auth')?.user.role === 'expert' && e.claimable && (
              <p>
                <a href={`/experts/${e.id}/claim`}>{messages.expertClaim.claimLink}</a>
              </p>
            )}
            <dl class="facts">
              <div>
                <dt>{m.discipline}</dt>
                <dd>{e.discipline ?? '—'}</dd>
              </div>
              <div>
                <dt>{m.region}</dt>
                <dd>{e.region?.name ?? '—'}</dd>
              </div>
              <div>
                <dt>{m.fields}</dt>
                <dd>{e.fields.join('、') || '—'}</dd>
              </div>
              <div>
                <dt>{m.societiesOfExpert}</dt>
                <dd>
                  {e.societies.length === 0
                    ? '—'
                    : e.societies.map((s, i) => (
                        <>
                          {i > 0 && '、'}
                          <a href={`/societies/${s.id}`}>{s.name}</a>
                          {s.role !== 'member' && `（${m.societyRoles[s.role] ?? s.role}）`}
                        </>
                      ))}
                </dd>
              </div>
            </dl>
            {e.bio && (
              <section>
                <h2>{m.bio}</h2>
                <p>{e.bio}</p>
              </section>
            )}
            <section>
              <h2>{m.contact}</h2>
              {e.contact ? (
                <p data-testid="expert-contact">
                  {e.contact.phone && `${m.phone}：${e.contact.phone} `}
                  {e.contact.email && `${m.email}：${e.contact.email}`}
                </p>
              ) : (
                <p class="meta" data-testid="contact-withheld">
                  {e.contact_withheld === 'not_consented' ? m.contactNotConsented : m.contactVerifiedOnly}
                </p>
              )}
            </section>
            {e.achievements.length > 0 && (
              <section>
                <h2>{m.achievements}</h2>
                <ul>
                  {e.achievements.map((a) => (
                    <li>
                      [{m.achievementKinds[a.kind] ?? a.kind}] {a.title}
                      {a.year ? `（${a.year}）` : ''}
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {e.capabilities.length > 0 && (
              <section>
                <h2>{m.capabilitiesOf}</h2>
                <ul>
                  {e.capabilities.map((cap) => (
                    <li>
                      <a href={`/capabilities/${cap.id}`}>{cap.title}</a>{' '}
                      <span class="meta">{messages.matching.capabilityKinds[cap.kind] ?? cap.kind}</span>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {e.service_teams.length > 0 && (
              <section>
                <h2>{m.serviceTeams}</h2>
                <ul>
                  {e.service_teams.map((t) => (
                    <li>
                      {t.name}（{t.society_name}）{t.role === 'lead' ? ` · ${m.lead}` : ''}
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </article>
        </Layout>,
      );
    })
    .get('/me/expert-profile', async (c) => {
      const auth = requireAuth(c);
      const expert = await findExpertOfUser(deps.db, auth.user.id);
      const achievements = expert ? await listAchievementsOfExpert(deps.db, expert.id) : [];
      const values: FormValues = expert
        ? {
            name: expert.name,
            title: expert.title,
            affiliation: expert.affiliation,
            discipline: expert.discipline ?? '',
            region_code: expert.region_code ?? '',
            fields: expert.fields.join('、'),
            bio: expert.bio,
            availability: expert.availability,
            visibility: expert.visibility,
            contact_phone: expert.contact_phone ?? '',
            contact_email: expert.contact_email ?? '',
            ...(expert.contact_consent ? { contact_consent: 'on' } : {}),
            ...achievementValues(
              achievements.map((a) => ({
                kind: a.kind,
                title: a.title,
                year: a.year === null ? '' : String(a.year),
                detail: a.detail,
              })),
            ),
          }
        : { name: auth.user.display_name };
      return c.html(
        <Layout account={auth.user} title={m.myProfile}>
          <ProfileForm values={values} errors={{}} regions={(await deps.reference.get()).regions} />
          {expert && (
            <p class="narrow">
              <a href={`/experts/${expert.id}`}>→ {expert.name}</a>
            </p>
          )}
        </Layout>,
      );
    })
    .post('/me/expert-profile', async (c) => {
      const auth = requireAuth(c);
      const { add_achievement: addRow, ...submitted } = await readForm(c);
      const { rows, rest } = splitAchievementRows(submitted);
      // Re-rendered with the kept rows renumbered, so error paths match the inputs.
      const values = { ...rest, ...achievementValues(rows) };
      const { regions } = await deps.reference.get();
      const render = (
        errors: FieldErrors,
        status: 200 | 400 | 401 | 403 | 409 | 422 | 429,
        notice?: string,
        blankRows = 1,
      ) =>
        c.html(
          <Layout account={auth.user} title={m.myProfile}>
            <ProfileForm
              values={values}
              errors={errors}
              regions={regions}
              blankRows={blankRows}
              {...(notice ? { notice } : {})}
            />
          </Layout>,
          status,
        );
      // "添加一行" re-renders the form with another blank row and saves nothing (no script needed).
      if (addRow) return render({}, 200, undefined, 2);
      // The same schema as the API: the form's rows become the `achievements` list.
      const parsed = validateForm(expertProfileBody, { ...rest, achievements: rows });
      if (!parsed.ok) return render(parsed.errors, 422);
      try {
        await saveMyExpertProfile(deps, actorOf(c), parsed.data, auditActorOf(c, deps));
      } catch (error) {
        const failure = formFailure(error);
        return render(failure.errors, failure.status);
      }
      return render({}, 200, m.profileSaved);
    });
}
