import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { Checkbox, readFormLists, TextArea } from '../../web/fields.js';
import { Layout } from '../../web/layout.js';
import { FacetList, ListingSearch, listingParams, Pager } from '../../web/listing.js';
import { messages } from '../../web/messages.js';
import { PickerSelect, regionGroups } from '../../web/picker.js';
import { Attachments } from '../attachments/attachment.pages.js';
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
import { canTakeDownCapability } from '../auth/policy.js';
import { ExportLinks } from '../experts/expert.pages.js';
import { findExpertOfUser } from '../experts/expert.queries.js';
import { actorOf, optionalActor } from '../experts/expert.routes.js';
import { listOrganisationsOfUser } from './capability.queries.js';
import {
  capabilityBody,
  capabilityIdParam,
  capabilityKinds,
  capabilitySearchQuery,
  cooperationModes,
  takedownBody,
} from './capability.schemas.js';
import { searchCapabilities } from './capability.search.js';
import {
  capabilityView,
  createCapability,
  loadVisibleCapability,
  publishCapability,
  takeDownCapability,
  updateCapability,
} from './capability.usecases.js';

const m = messages.supply;
const kinds = messages.matching.capabilityKinds;
const uuid = '[0-9a-fA-F-]{36}';

function idOf(raw: string): string {
  const parsed = capabilityIdParam.safeParse({ id: raw });
  if (!parsed.success) throw new AppError('CAPABILITY_NOT_FOUND');
  return parsed.data.id;
}

const priceText = (p: { negotiable: boolean; min_wan: number | null; max_wan: number | null }) =>
  p.negotiable || p.min_wan === null
    ? m.negotiable
    : m.priceRange(String(p.min_wan), p.max_wan === null ? null : String(p.max_wan));

type FormState = { values: FormValues; modes: string[]; errors: FieldErrors };

async function CapabilityForm(props: {
  deps: AppDeps;
  userId: string;
  action: string;
  title: string;
  state: FormState;
  isNew: boolean;
}) {
  const { values: v, modes, errors } = props.state;
  const reference = await props.deps.reference.get();
  const [expert, organisations] = await Promise.all([
    findExpertOfUser(props.deps.db, props.userId),
    listOrganisationsOfUser(props.deps.db, props.userId),
  ]);
  const owners: Array<[string, string]> = [
    ...(expert ? [['', `${m.asMyself}：${expert.name}`] as [string, string]] : []),
    ...organisations.map((o): [string, string] => [o.id, o.name]),
  ];
  return (
    <>
      <FormStyles />
      <div class="narrow panel">
        <h1>{props.title}</h1>
        {props.isNew && owners.length === 0 && <p class="form-errors">{m.noAuthorIdentity}</p>}
        <FormErrors errors={errors} />
        <form method="post" action={props.action} novalidate>
          {props.isNew && owners.length > 0 && (
            <Select
              label={m.owner}
              name="organisation_id"
              value={v.organisation_id ?? ''}
              errors={errors}
              options={owners}
            />
          )}
          <Select
            label={m.kind}
            name="kind"
            value={v.kind}
            errors={errors}
            options={capabilityKinds.map((k): [string, string] => [k, kinds[k] ?? k])}
          />
          <Field
            label={m.capabilityName}
            name="title"
            value={v.title}
            errors={errors}
            required
            maxlength={100}
          />
          <TextArea
            label={m.description}
            name="description"
            value={v.description}
            errors={errors}
            maxlength={5000}
          />
          <Field label={m.fields} name="fields" value={v.fields} errors={errors} hint={m.fieldsHint} />
          <Select
            label={m.industry}
            name="industry_code"
            value={v.industry_code ?? ''}
            errors={errors}
            options={[['', '—'], ...reference.industries.map((i): [string, string] => [i.code, i.name])]}
          />
          <Select
            label={m.trlLabel}
            name="trl"
            value={v.trl ?? ''}
            errors={errors}
            options={[
              ['', '—'],
              ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n): [string, string] => [String(n), m.trl(n)]),
            ]}
          />
          <fieldset class={errors.cooperation_modes ? 'field invalid' : 'field'}>
            <legend>{m.cooperationModes}</legend>
            {cooperationModes.map((mode) => (
              <Checkbox label={mode} name="cooperation_modes" value={mode} checked={modes.includes(mode)} />
            ))}
            {errors.cooperation_modes && (
              <small class="error" data-field-error="cooperation_modes">
                {errors.cooperation_modes}
              </small>
            )}
          </fieldset>
          <Checkbox
            label={m.priceNegotiable}
            name="price_negotiable"
            checked={v.price_negotiable === 'on'}
            errors={errors}
          />
          <Field label={m.priceMin} name="price_min_wan" value={v.price_min_wan} errors={errors} />
          <Field label={m.priceMax} name="price_max_wan" value={v.price_max_wan} errors={errors} />
          <PickerSelect
            label={m.region}
            name="region_code"
            value={v.region_code}
            groups={regionGroups(reference.regions, { wholePrefecture: true })}
            errors={errors}
            empty={messages.supply.regionUnset}
          />
          <div class="row">
            <button type="submit" name="intent" value="save">
              {m.saveDraft}
            </button>
            {props.isNew && (
              <button type="submit" name="intent" value="publish">
                {m.publish}
              </button>
            )}
          </div>
        </form>
      </div>
    </>
  );
}

/** Reads the capability form: the mode checkboxes as a list, the submit button's intent apart. */
async function readCapabilityForm(c: Parameters<typeof readFormLists>[0]) {
  const { values, lists } = await readFormLists(c, ['cooperation_modes']);
  const { intent, ...rest } = values;
  const modes = lists.cooperation_modes ?? [];
  return {
    values: rest,
    modes,
    intent,
    parsed: validateForm(capabilityBody, { ...rest, cooperation_modes: modes }),
  };
}

/** Capability pages: public listing with facets and detail, authoring forms, and the operator's takedown. */
export function capabilityPages(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/capabilities', async (c) => {
      const params = listingParams(c.req.url);
      const parsed = capabilitySearchQuery.safeParse(Object.fromEntries(params));
      if (!parsed.success)
        throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
      const query = parsed.data;
      const result = await searchCapabilities({ ...deps, reference: await deps.reference.get() }, query);
      const auth = c.get('auth');
      const f = m.facet;
      return c.html(
        <Layout account={auth?.user ?? null} title={m.capabilities}>
          <section class="hero">
            <ListingSearch action="/capabilities" q={query.q} placeholder={m.searchCapabilities} />
          </section>
          <div class="layout">
            <aside class="facets">
              <FacetList
                base="/capabilities"
                title={f.kind}
                name="kind"
                values={result.facets.kind}
                params={params}
              />
              <FacetList
                base="/capabilities"
                title={f.trl}
                name="trl"
                values={result.facets.trl}
                params={params}
              />
              <FacetList
                base="/capabilities"
                title={f.cooperation}
                name="cooperation"
                values={result.facets.cooperation}
                params={params}
              />
              <FacetList
                base="/capabilities"
                title={f.industry}
                name="industry"
                values={result.facets.industry}
                params={params}
              />
              <FacetList
                base="/capabilities"
                title={f.region}
                name="region"
                values={result.facets.region}
                params={params}
              />
            </aside>
            <div>
              <p class="meta" data-testid="result-count">
                {m.capabilityCount(result.pagination.total)}
              </p>
              {auth && auth.user.role !== 'operator' && (
                <p>
                  <a href="/capabilities/new">{m.newCapability}</a>
                </p>
              )}
              <ExportLinks base="/capabilities" params={params} role={auth?.user.role} />
              {result.data.length === 0 ? (
                <div class="empty">{m.noCapabilities}</div>
              ) : (
                <div class="cards">
                  {result.data.map((cap) => (
                    <article class="card" data-testid="capability-card">
                      <h2>
                        <a href={`/capabilities/${cap.id}`}>{cap.title}</a>
                      </h2>
                      <div class="meta">
                        <span class="badge">{kinds[cap.kind] ?? cap.kind}</span>
                        {cap.trl !== null && <span>{m.trl(cap.trl)}</span>}
                        <span>{cap.cooperation_modes.join('、')}</span>
                        <span>{cap.owner.name}</span>
                        {cap.region && <span>{cap.region.name}</span>}
                      </div>
                    </article>
                  ))}
                </div>
              )}
              <Pager
                base="/capabilities"
                params={params}
                page={query.page}
                totalPages={result.pagination.total_pages}
              />
            </div>
          </div>
        </Layout>,
      );
    })
    .get('/capabilities/new', async (c) => {
      const auth = requireAuth(c);
      return c.html(
        <Layout account={auth.user} title={m.newCapability}>
          {
            await CapabilityForm({
              deps,
              userId: auth.user.id,
              action: '/capabilities/new',
              title: m.newCapability,
              isNew: true,
              state: { values: { kind: 'achievement', price_negotiable: 'on' }, modes: [], errors: {} },
            })
          }
        </Layout>,
      );
    })
    .post('/capabilities/new', async (c) => {
      const auth = requireAuth(c);
      const form = await readCapabilityForm(c);
      const render = async (errors: FieldErrors, status: 400 | 401 | 403 | 409 | 422 | 429) =>
        c.html(
          <Layout account={auth.user} title={m.newCapability}>
            {
              await CapabilityForm({
                deps,
                userId: auth.user.id,
                action: '/capabilities/new',
                title: m.newCapability,
                isNew: true,
                state: { values: form.values, modes: form.modes, errors },
              })
            }
          </Layout>,
          status,
        );
      if (!form.parsed.ok) return render(form.parsed.errors, 422);
      const actor = actorOf(c);
      let id: string;
      try {
        id = await createCapability(deps, actor, form.parsed.data, auditActorOf(c, deps));
        if (form.intent === 'publish') await publishCapability(deps, actor, id, auditActorOf(c, deps));
      } catch (error) {
        const failure = formFailure(error);
        return render(failure.errors, failure.status);
      }
      return c.redirect(`/capabilities/${id}`, 303);
    })
    .get(`/capabilities/:id{${uuid}}`, async (c) => {
      const actor = optionalActor(c);
      const { row, relation } = await loadVisibleCapability(deps, actor, idOf(c.req.param('id')));
      const cap = capabilityView(row, actor, relation);
      return c.html(
        <Layout account={c.get('auth')?.user ?? null} title={cap.title}>
          <FormStyles />
          <article class="detail" data-testid="capability">
            <h1>{cap.title}</h1>
            <div class="meta">
              <span class="badge">{kinds[cap.kind] ?? cap.kind}</span>
              <span class={`badge ${cap.status}`} data-testid="capability-status">
                {m.status[cap.status]}
              </span>
              <span>
                {m.owner}：
                <a
                  href={
                    cap.owner.type === 'expert' ? `/experts/${cap.owner.id}` : `/societies/${cap.owner.id}`
                  }
                >
                  {cap.owner.name}
                </a>
              </span>
            </div>
            {cap.takedown_reason && <p class="form-errors">{m.takenDownBecause(cap.takedown_reason)}</p>}
            <dl class="facts">
              <div>
                <dt>{m.trlLabel}</dt>
                <dd>{cap.trl !== null ? m.trl(cap.trl) : '—'}</dd>
              </div>
              <div>
                <dt>{m.cooperationModes}</dt>
                <dd>{cap.cooperation_modes.join('、')}</dd>
              </div>
              <div>
                <dt>{m.price}</dt>
                <dd>{priceText(cap.price)}</dd>
              </div>
              <div>
                <dt>{m.industry}</dt>
                <dd>{cap.industry?.name ?? '—'}</dd>
              </div>
              <div>
                <dt>{m.region}</dt>
                <dd>{cap.region?.name ?? '—'}</dd>
              </div>
              <div>
                <dt>{m.fields}</dt>
                <dd>{cap.fields.join('、') || '—'}</dd>
              </div>
            </dl>
            {cap.description && (
              <section>
                <h2>{m.description}</h2>
                <p>{cap.description}</p>
              </section>
            )}
            {cap.can_edit && (
              <p class="row">
                <a href={`/capabilities/${cap.id}/edit`}>{m.editCapability}</a>
                {cap.status === 'draft' && (
                  <form method="post" action={`/capabilities/${cap.id}/publish`} class="inline">
                    <button type="submit">{m.publish}</button>
                  </form>
                )}
              </p>
            )}
            <Attachments deps={deps} c={c} kind="capability" id={cap.id} />
            {canTakeDownCapability(actor) && cap.status !== 'taken_down' && (
              <section class="panel">
                <form method="post" action={`/capabilities/${cap.id}/takedown`} class="row">
                  <Field label={m.takedownReason} name="reason" maxlength={500} />
                  <div class="field">
                    <button type="submit">{m.takeDown}</button>
                  </div>
                </form>
              </section>
            )}
          </article>
        </Layout>,
      );
    })
    .get(`/capabilities/:id{${uuid}}/edit`, async (c) => {
      const auth = requireAuth(c);
      const actor = actorOf(c);
      const { row, relation } = await loadVisibleCapability(deps, actor, idOf(c.req.param('id')));
      const cap = capabilityView(row, actor, relation);
      if (!relation.owner) throw new AppError('FORBIDDEN');
      if (!cap.can_edit) throw new AppError('CAPABILITY_STATE_CONFLICT');
      const values: FormValues = {
        kind: cap.kind,
        title: cap.title,
        description: cap.description,
        fields: cap.fields.join('、'),
        industry_code: cap.industry?.code ?? '',
        trl: cap.trl === null ? '' : String(cap.trl),
        ...(cap.price.negotiable ? { price_negotiable: 'on' } : {}),
        price_min_wan: cap.price.min_wan === null ? '' : String(cap.price.min_wan),
        price_max_wan: cap.price.max_wan === null ? '' : String(cap.price.max_wan),
        region_code: cap.region?.code ?? '',
      };
      return c.html(
        <Layout account={auth.user} title={m.editCapability}>
          {
            await CapabilityForm({
              deps,
              userId: auth.user.id,
              action: `/capabilities/${cap.id}/edit`,
              title: m.editCapability,
              isNew: false,
              state: { values, modes: cap.cooperation_modes, errors: {} },
            })
          }
        </Layout>,
      );
    })
    .post(`/capabilities/:id{${uuid}}/edit`, async (c) => {
      const auth = requireAuth(c);
      const id = idOf(c.req.param('id'));
      await loadVisibleCapability(deps, actorOf(c), id);
      const form = await readCapabilityForm(c);
      const render = async (errors: FieldErrors, status: 400 | 401 | 403 | 409 | 422 | 429) =>
        c.html(
          <Layout account={auth.user} title={m.editCapability}>
            {
              await CapabilityForm({
                deps,
                userId: auth.user.id,
                action: `/capabilities/${id}/edit`,
                title: m.editCapability,
                isNew: false,
                state: { values: form.values, modes: form.modes, errors },
              })
            }
          </Layout>,
          status,
        );
      if (!form.parsed.ok) return render(form.parsed.errors, 422);
      try {
        await updateCapability(deps, actorOf(c), id, form.parsed.data, auditActorOf(c, deps));
      } catch (error) {
        const failure = formFailure(error);
        return render(failure.errors, failure.status);
      }
      return c.redirect(`/capabilities/${id}`, 303);
    })
    .post(`/capabilities/:id{${uuid}}/publish`, async (c) => {
      const id = idOf(c.req.param('id'));
      await publishCapability(deps, actorOf(c), id, auditActorOf(c, deps));
      return c.redirect(`/capabilities/${id}`, 303);
    })
    .post(`/capabilities/:id{${uuid}}/takedown`, async (c) => {
      const id = idOf(c.req.param('id'));
      const actor = actorOf(c);
      await loadVisibleCapability(deps, actor, id);
      const parsed = validateForm(takedownBody, await readForm(c));
      if (!parsed.ok)
        throw new AppError('VALIDATION_FAILED', {
          fields: Object.entries(parsed.errors).map(([field, reason]) => ({ field, reason })),
        });
      await takeDownCapability(deps, actor, id, parsed.data.reason, auditActorOf(c, deps));
      return c.redirect(`/capabilities/${id}`, 303);
    });
}
