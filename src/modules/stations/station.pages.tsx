import { type Context, Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { chinaDate } from '../../web/china-time.js';
import { readFormLists } from '../../web/fields.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { PickerChecklist, PickerScript, PickerSelect, regionGroups } from '../../web/picker.js';
import { Attachments } from '../attachments/attachment.pages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import {
  Field,
  type FieldErrors,
  FormErrors,
  FormStyles,
  type FormValues,
  formFailure,
  Panel,
  readForm,
  Select,
  validateForm,
} from '../auth/forms.js';
import { type ActorRef, canViewStationInternals } from '../auth/policy.js';
import { requestMeta } from '../auth/request-meta.js';
import { disciplineCodesOf } from '../reference/reference.queries.js';
import { GuizhouMap } from './guizhou-map.js';
import { stationTransitions } from './station.lifecycle.js';
import {
  listConsentRequests,
  listHostCandidates,
  listLinkableChallenges,
  listMyStations,
  listRecordsToConfirm,
  listSocietyCapabilities,
  listSocietyExperts,
  listStationKinds,
  listStationRecords,
  listStationsByStatus,
} from './station.queries.js';
import {
  consentBody,
  gradeBody,
  gradeValues,
  hostKinds,
  recordBody,
  recordDecisionBody,
  recordKinds,
  recordListFields,
  stationBody,
  stationListFields,
  stationSearchQuery,
  transitionBody,
} from './station.schemas.js';
import { searchStations } from './station.search.js';
import {
  actOnStation,
  applyForStation,
  decideServiceRecord,
  gradeStation,
  loadRecordForDecision,
  loadVisibleStation,
  logServiceRecord,
  setExpertConsent,
  stationView,
} from './station.usecases.js';

const m = messages.station;
const f = m.fields;
const uuid = '[0-9a-fA-F-]{36}';

type View = Awaited<ReturnType<typeof stationView>>;
type Account = { display_name: string } | null;

const accountOf = (c: Context): Account => c.get('auth')?.user ?? null;
const actorOf = (c: Context): ActorRef | null => {
  const auth = c.get('auth');
  return auth ? { userId: auth.user.id, role: auth.user.role } : null;
};
const stationActor = (c: Context) => {
  const auth = requireAuth(c);
  return { userId: auth.user.id, role: auth.user.role, displayName: auth.user.display_name };
};

function Registry(props: {
  account: Account;
  result: Awaited<ReturnType<typeof searchStations>>;
  params: URLSearchParams;
}) {
  const link = (name: string, value: string | undefined) => {
    const next = new URLSearchParams(props.params);
    next.delete('page');
    if (value === undefined) next.delete(name);
    else next.set(name, value);
    const qs = next.toString();
    return qs ? `/stations?${qs}` : '/stations';
  };
  const facet = (title: string, name: string, values: { value: string; label: string; count: number }[]) =>
    values.length === 0 ? null : (
      <>
        <h3>{title}</h3>
        <ul data-facet={name}>
          {values.map((v) => {
            const active = props.params.get(name) === v.value;
            return (
              <li class={active ? 'active' : ''}>
                <a href={link(name, active ? undefined : v.value)}>{v.label}</a>
                <span class="count">{v.count}</span>
              </li>
            );
          })}
        </ul>
      </>
    );
  return (
    <Layout title={m.registryTitle} account={props.account}>
      <section class="hero">
        <h1>{m.registryTitle}</h1>
        <p>{m.registryIntro}</p>
        <form class="search" action="/stations" method="get">
          <input
            type="search"
            name="q"
            value={props.params.get('q') ?? ''}
            maxlength={200}
            aria-label={m.registryTitle}
          />
          <button type="submit">{messages.site.searchButton}</button>
        </form>
      </section>
      <div class="layout">
        <aside class="facets">
          {facet(m.filterKind, 'kind', props.result.facets.kind)}
          {facet(m.filterPrefecture, 'prefecture', props.result.facets.prefecture)}
          {facet(m.filterCounty, 'county', props.result.facets.county)}
          {facet(m.filterIndustry, 'industry', props.result.facets.industry)}
        </aside>
        <div>
          <details class="panel" open>
            <summary>{m.mapTitle}</summary>
            <GuizhouMap
              figures={
                new Map(
                  Object.entries(props.result.prefecture_counts).map(([code, n]) => [code, { count: n }]),
                )
              }
              countLabel={m.mapCount}
              href={(code) => {
                const next = new URLSearchParams(props.params);
                for (const name of ['page', 'county']) next.delete(name);
                next.set('prefecture', code);
                return `/stations?${next}`;
              }}
              title={m.mapTitle}
              testid="station-map"
              selected={props.params.get('prefecture') ?? undefined}
            />
          </details>
          <p class="meta" data-testid="result-count">
            {m.resultCount(props.result.pagination.total)}
          </p>
          {props.result.data.length === 0 && <div class="empty">{m.noResults}</div>}
          <div class="cards">
            {props.result.data.map((s) => (
              <article class="card" data-testid="station-card">
                <h2>
                  <a href={`/stations/${s.id}`}>{s.name}</a>
                </h2>
                <div class="meta">
                  <span class="badge">{s.kind.name}</span>
                  <span>
                    {s.prefecture?.name} {s.region.name}
                  </span>
                  <span>{s.industries.map((i) => i.name).join('、')}</span>
                  <span>{s.society.name}</span>
                  <span>
                    {m.recordsTitle} {s.confirmed_records}
                  </span>
                </div>
              </article>
            ))}
          </div>
        </div>
      </div>
    </Layout>
  );
}

async function StationPage(props: {
  deps: AppDeps;
  id: string;
  actor: ActorRef | null;
  account: Account;
  errors?: FieldErrors;
  form?: string;
  values?: FormValues;
}) {
  const { station, parties } = await loadVisibleStation(props.deps.db, props.id, props.actor);
  const view: View = await stationView(props.deps, station, parties);
  const internals = canViewStationInternals(parties);
  const records = await listStationRecords(props.deps.db, station.id, !internals);
  const errorsFor = (form: string) => (props.form === form ? (props.errors ?? {}) : {});
  const valuesFor = (form: string) => (props.form === form ? (props.values ?? {}) : {});
  const isParty = (p: 'society' | 'host' | 'operator') => view.my_parties.includes(p);
  const actions = Object.entries(stationTransitions).filter(
    ([, t]) => t.by !== 'system' && isParty(t.by) && (t.from as readonly string[]).includes(view.status),
  );
  // An expert asked to join sees only consented experts in the list, so their own request is looked up.
  const myExpert =
    props.actor && parties.includes('expert')
      ? (await listConsentRequests(props.deps.db, props.actor.userId))
          .filter((c) => c.station_id === view.id)
          .map((c) => ({ id: c.expert_id }))[0]
      : undefined;
  const canLog = isParty('society') && view.status === 'active';
  // The pickers of the service-record form, loaded only for those who see the form.
  const links = canLog
    ? await Promise.all([
        listHostCandidates(props.deps.db),
        listLinkableChallenges(props.deps.db, {
          region_code: view.region.code,
          industry_codes: view.industries.map((i) => i.code),
        }),
        listSocietyCapabilities(props.deps.db, view.society.id),
      ]).then(([hosts, challenges, capabilities]) => ({ hosts, challenges, capabilities }))
    : { hosts: [], challenges: [], capabilities: [] };
  return (
    <Layout title={view.name} account={props.account}>
      <FormStyles />
      {canLog && <PickerScript />}
      <article class="detail">
        <h1>{view.name}</h1>
        <div class="meta">
          <span class="badge">{view.kind.name}</span>
          <span class="badge">{m.levels[view.level]}</span>
          <span class="badge" data-testid="station-status">
            {m.statuses[view.status]}
          </span>
        </div>
        {/* One card per fact, as on challenge pages: bare dt/dd pairs broke across the grid's rows. */}
        <dl class="facts">
          <div>
            <dt>{f.society}</dt>
            <dd>{view.society.name}</dd>
          </div>
          <div>
            <dt>{f.host}</dt>
            <dd>
              {view.host.name}（{m.hostKinds[view.host.kind]}）
            </dd>
          </div>
          <div>
            <dt>{f.region}</dt>
            <dd>
              {view.prefecture?.name} {view.region.name}
            </dd>
          </div>
          <div>
            <dt>{f.address}</dt>
            <dd>{view.address}</dd>
          </div>
          <div>
            <dt>{m.term}</dt>
            <dd>
              {view.term_start} 至 {view.term_end}
            </dd>
          </div>
        </dl>
        {view.description && <p>{view.description}</p>}
        <Panel title={m.scopeTitle}>
          <p>
            {f.industries}：{view.industries.map((i) => i.name).join('、')}
          </p>
          {view.disciplines.length > 0 && (
            <p>
              {f.disciplines}：{view.disciplines.map((d) => d.name).join('、')}
            </p>
          )}
        </Panel>
        <Panel title={m.expertsTitle}>
          {view.experts.length === 0 ? (
            <p class="empty">{m.noExperts}</p>
          ) : (
            <ul data-testid="station-experts">
              {view.experts.map((e) => (
                <li>
                  {e.name} {e.title} {internals && <small>（{m.consent[e.consent]}）</small>}
                </li>
              ))}
            </ul>
          )}
          {myExpert && (
            <form method="post" action={`/stations/${view.id}/experts/${myExpert.id}/consent`} class="row">
              <button type="submit" name="consent" value="given">
                {m.giveConsent}
              </button>
              <button type="submit" name="consent" value="declined" class="link">
                {m.declineConsent}
              </button>
            </form>
          )}
        </Panel>
        <Panel title={m.recordsTitle}>
          {records.length === 0 ? (
            <p class="empty">{m.noRecords}</p>
          ) : (
            <table class="list" data-testid="station-records">
              <tbody>
                {records.map((r) => (
                  <tr>
                    <td>{r.served_on}</td>
                    <td>{m.recordKinds[r.kind]}</td>
                    <td>{r.title}</td>
                    <td>
                      {f.beneficiaries} {r.beneficiaries}
                    </td>
                    <td>{r.experts.map((e) => e.name).join('、')}</td>
                    <td>
                      {m.recordStatuses[r.status]}
                      {r.status === 'submitted' && isParty('host') && (
                        <>
                          <form method="post" action={`/service-records/${r.id}/confirmation`} class="inline">
                            <input type="hidden" name="decision" value="confirmed" />
                            <button type="submit" class="link">
                              {m.confirmRecord}
                            </button>
                          </form>
                          {/* Each record has its own dispute form, open again when its reason was refused. */}
                          <details class="dispute" open={valuesFor('dispute').record_id === r.id}>
                            <summary>{m.disputeRecord}</summary>
                            <form method="post" action={`/service-records/${r.id}/confirmation`}>
                              {valuesFor('dispute').record_id === r.id && (
                                <FormErrors errors={errorsFor('dispute')} />
                              )}
                              <input type="hidden" name="decision" value="disputed" />
                              <Field
                                label={f.reason}
                                name="reason"
                                errors={valuesFor('dispute').record_id === r.id ? errorsFor('dispute') : {}}
                                maxlength={500}
                              />
                              <button type="submit">{m.submitDispute}</button>
                            </form>
                          </details>
                        </>
                      )}
                      {internals && (
                        <Attachments
                          deps={props.deps}
                          actor={props.actor}
                          back={`/stations/${station.id}`}
                          kind="service_record"
                          id={r.id}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        {canLog && (
          <Panel title={m.addRecord} id="add-record">
            <FormErrors errors={errorsFor('record')} />
            <form method="post" action={`/stations/${view.id}/records`}>
              <Select
                label={f.recordKind}
                name="kind"
                value={valuesFor('record').kind}
                options={recordKinds.map((k) => [k, m.recordKinds[k]!])}
                errors={errorsFor('record')}
              />
              <Field
                label={f.recordTitle}
                name="title"
                value={valuesFor('record').title}
                errors={errorsFor('record')}
                maxlength={100}
              />
              <Field
                label={f.servedOn}
                name="served_on"
                type="date"
                value={valuesFor('record').served_on}
                errors={errorsFor('record')}
              />
              <Field
                label={f.beneficiaries}
                name="beneficiaries"
                type="number"
                value={valuesFor('record').beneficiaries}
                errors={errorsFor('record')}
              />
              <PickerChecklist
                label={f.recordExperts}
                name="expert_ids"
                options={view.experts
                  .filter((e) => e.consent === 'given')
                  .map((e) => ({ value: e.id, label: `${e.name} ${e.title}` }))}
                values={(valuesFor('record').expert_ids ?? '').split(',').filter(Boolean)}
                errors={errorsFor('record')}
                empty={f.noConsentedExperts}
              />
              <PickerSelect
                label={f.beneficiaryOrg}
                name="beneficiary_organisation_id"
                value={valuesFor('record').beneficiary_organisation_id}
                groups={[{ label: '', options: links.hosts.map((h) => [h.id, h.name]) }]}
                errors={errorsFor('record')}
                empty={messages.picker.none}
              />
              <PickerSelect
                label={f.challengeId}
                name="challenge_id"
                value={valuesFor('record').challenge_id}
                groups={[
                  {
                    label: '',
                    options: links.challenges.map((x) => [x.id, `${x.title}（${x.region_name}）`]),
                  },
                ]}
                errors={errorsFor('record')}
                empty={messages.picker.none}
              />
              <PickerSelect
                label={f.capabilityId}
                name="capability_id"
                value={valuesFor('record').capability_id}
                groups={[{ label: '', options: links.capabilities.map((x) => [x.id, x.title]) }]}
                errors={errorsFor('record')}
                empty={messages.picker.none}
              />
              <Field
                label={f.evidence}
                name="evidence"
                value={valuesFor('record').evidence}
                errors={errorsFor('record')}
                maxlength={5000}
              />
              <button type="submit">{m.submitRecord}</button>
            </form>
          </Panel>
        )}
        {actions.length > 0 && (
          <Panel title={m.actionsTitle} id="actions">
            <FormErrors errors={errorsFor('transition')} />
            <form method="post" action={`/stations/${view.id}/transitions`}>
              <Select
                label={f.status}
                name="action"
                value={valuesFor('transition').action}
                options={actions.map(([a]) => [a, m.actions[a]!])}
                errors={errorsFor('transition')}
              />
              <Field
                label={f.reasonOptional}
                name="reason"
                errors={errorsFor('transition')}
                maxlength={500}
              />
              {isParty('operator') && (
                <Field label={f.newTermEnd} name="term_end" type="date" errors={errorsFor('transition')} />
              )}
              <button type="submit">{m.submitAction}</button>
            </form>
          </Panel>
        )}
        {(view.grades.length > 0 || (isParty('operator') && view.approved_at)) && (
          <Panel title={m.gradesTitle} id="grades">
            <ul>
              {view.grades.map((g) => (
                <li>
                  {g.year}：{m.grades[g.grade]}（{g.reason}）
                </li>
              ))}
            </ul>
            {isParty('operator') && view.approved_at && (
              <form method="post" action={`/stations/${view.id}/grades`} class="row">
                <FormErrors errors={errorsFor('grade')} />
                <Field
                  label={f.gradeYear}
                  name="year"
                  type="number"
                  value={valuesFor('grade').year ?? String(new Date().getFullYear())}
                  errors={errorsFor('grade')}
                />
                <Select label={f.grade} name="grade" options={gradeValues.map((g) => [g, m.grades[g]!])} />
                <Field label={f.reason} name="reason" errors={errorsFor('grade')} maxlength={1000} />
                <div class="field">
                  <button type="submit">{m.submitGrade}</button>
                </div>
              </form>
            )}
          </Panel>
        )}
        {internals && view.events.length > 0 && (
          <Panel title={m.history}>
            <ol class="history" data-testid="station-history">
              {view.events.map((e) => (
                <li>
                  {chinaDate(e.at)} {m.actions[e.action] ?? m.newTitle} → {m.statuses[e.to_status]}（{e.actor}
                  ）{e.reason && `：${e.reason}`}
                </li>
              ))}
            </ol>
          </Panel>
        )}
      </article>
    </Layout>
  );
}

async function NewStationForm(props: {
  deps: AppDeps;
  userId: string;
  account: Account;
  values: FormValues;
  errors: FieldErrors;
}) {
  const [kinds, mine, hosts, reference] = await Promise.all([
    listStationKinds(props.deps.db),
    props.deps.db
      .selectFrom('organisation_members as om')
      .innerJoin('organisations as o', 'o.id', 'om.organisation_id')
      .select(['o.id', 'o.name'])
      .where('om.user_id', '=', props.userId)
      .where('o.kind', '=', 'society')
      .execute(),
    listHostCandidates(props.deps.db),
    props.deps.reference.get(),
  ]);
  const experts = [
    ...new Map(
      (
        await listSocietyExperts(
          props.deps.db,
          mine.map((o) => o.id),
        )
      ).map((x) => [x.id, x]),
    ).values(),
  ];
  const v = props.values;
  const e = props.errors;
  const listValue = (name: string) => (v[name] ?? '').split(',').filter(Boolean);
  const counties = regionGroups(reference.regions);
  const industryGroups = [...new Set(reference.industries.map((i) => i.group_name))];
  return (
    <Layout title={m.newTitle} account={props.account}>
      <FormStyles />
      <PickerScript />
      <div class="narrow panel">
        <h1>{m.newTitle}</h1>
        <p>{m.newIntro}</p>
        <FormErrors errors={e} />
        <form method="post" action="/stations/new" novalidate>
          <Select
            label={f.society}
            name="society_id"
            value={v.society_id}
            options={mine.map((o) => [o.id, o.name])}
            errors={e}
          />
          <Select
            label={f.kind}
            name="kind_code"
            value={v.kind_code}
            options={kinds.map((k) => [k.code, k.name])}
            errors={e}
          />
          <Select
            label={f.level}
            name="level"
            value={v.level ?? 'provincial'}
            options={[
              ['provincial', m.levels.provincial!],
              ['national', m.levels.national!],
            ]}
            errors={e}
          />
          <Field label={f.name} name="name" value={v.name} errors={e} required maxlength={100} />
          <PickerSelect
            label={f.hostId}
            name="host_organisation_id"
            value={v.host_organisation_id}
            groups={[
              {
                label: '',
                options: hosts.map((h) => [h.id, h.region_name ? `${h.name}（${h.region_name}）` : h.name]),
              },
            ]}
            errors={e}
          />
          <Select
            label={f.hostKind}
            name="host_kind"
            value={v.host_kind}
            options={hostKinds.map((k) => [k, m.hostKinds[k]!])}
            errors={e}
          />
          <PickerSelect
            label={f.regionCode}
            name="region_code"
            value={v.region_code}
            groups={counties}
            errors={e}
          />
          <Field label={f.address} name="address" value={v.address} errors={e} required maxlength={200} />
          {industryGroups.map((group, i) => (
            <PickerChecklist
              label={i === 0 ? `${f.industries}（${group}）` : group}
              name="industry_codes"
              options={reference.industries
                .filter((x) => x.group_name === group)
                .map((x) => ({ value: x.code, label: x.name }))}
              values={listValue('industry_codes')}
              errors={i === 0 ? e : {}}
              empty={f.noIndustries}
            />
          ))}
          <Field
            label={f.disciplines}
            name="discipline_codes"
            value={v.discipline_codes}
            errors={e}
            hint={f.disciplinesHint}
          />
          <Field label={f.termStart} name="term_start" type="date" value={v.term_start} errors={e} required />
          <Field label={f.termEnd} name="term_end" type="date" value={v.term_end} errors={e} required />
          <PickerChecklist
            label={f.experts}
            name="expert_ids"
            options={experts.map((x) => ({
              value: x.id,
              label: `${x.name} ${x.title}`,
              detail: `${x.affiliation}${mine.length > 1 ? ` · ${x.society_name}` : ''}`,
            }))}
            values={listValue('expert_ids')}
            errors={e}
            hint={f.expertsHint}
            empty={f.noExpertsToPick}
          />
          <Field label={f.description} name="description" value={v.description} errors={e} maxlength={2000} />
          <button type="submit">{m.submitNew}</button>
        </form>
      </div>
    </Layout>
  );
}

async function MinePage(props: { deps: AppDeps; userId: string; role: string; account: Account }) {
  const [stations, consents, records, queue] = await Promise.all([
    listMyStations(props.deps.db, props.userId),
    listConsentRequests(props.deps.db, props.userId),
    listRecordsToConfirm(props.deps.db, props.userId),
    props.role === 'operator' ? listStationsByStatus(props.deps.db, 'host_confirmed') : Promise.resolve([]),
  ]);
  return (
    <Layout title={m.mineTitle} account={props.account}>
      <FormStyles />
      <h1>{m.mineTitle}</h1>
      {props.role === 'society' && (
        <p>
          <a href="/stations/new">{m.newTitle}</a>
        </p>
      )}
      {props.role === 'operator' && (
        <Panel title={m.queueTitle}>
          {queue.length === 0 ? (
            <p class="empty">{m.queueEmpty}</p>
          ) : (
            <ul data-testid="station-queue">
              {queue.map((s) => (
                <li>
                  <a href={`/stations/${s.id}`}>{s.name}</a> · {s.society_name} · {s.host_name} ·{' '}
                  {s.region_name}
                </li>
              ))}
            </ul>
          )}
        </Panel>
      )}
      {consents.length > 0 && (
        <Panel title={m.consentTitle}>
          <ul>
            {consents.map((c) => (
              <li>
                <a href={`/stations/${c.station_id}`}>{c.station_name}</a>
              </li>
            ))}
          </ul>
        </Panel>
      )}
      {records.length > 0 && (
        <Panel title={m.recordsTitle}>
          <ul>
            {records.map((r) => (
              <li>
                <a href={`/stations/${r.station_id}`}>{r.title}</a> {r.served_on}
              </li>
            ))}
          </ul>
        </Panel>
      )}
      {props.role !== 'operator' && stations.length === 0 && <p class="empty">{m.mineEmpty}</p>}
      <ul>
        {stations.map((s) => (
          <li>
            <a href={`/stations/${s.id}`}>{s.name}</a> · {m.statuses[s.status]}
          </li>
        ))}
      </ul>
    </Layout>
  );
}

/**
 * Reads a station form whose list fields come as repeated checkboxes (the pickers) or as one
 * comma-separated value (API-like clients); both give the array the schema expects.
 */
async function readStationForm(c: Context, listFields: readonly string[]) {
  const { values, lists } = await readFormLists(c, listFields);
  const input: Record<string, unknown> = { ...values };
  const shown: FormValues = { ...values };
  for (const field of listFields) {
    const items = (lists[field] ?? [])
      .flatMap((v) => v.split(/[,，、;；\s]+/))
      .map((v) => v.trim())
      .filter(Boolean);
    if (items.length > 0) {
      input[field] = items;
      shown[field] = items.join(',');
    }
  }
  return { input, values: shown };
}

/** Station pages: public registry and station page, application form, and the forms of every journey. */
export function stationPages(deps: AppDeps) {
  const app = new Hono();
  const page = async (
    c: Context,
    id: string,
    extra: { errors?: FieldErrors; form?: string; values?: FormValues } = {},
  ) => StationPage({ deps, id, actor: actorOf(c), account: accountOf(c), ...extra });
  /** Runs a station form: on an expected failure, the station page again with the form's errors. */
  const handle = async (
    c: Context,
    id: string,
    form: string,
    values: FormValues,
    run: () => Promise<unknown>,
  ) => {
    try {
      await run();
    } catch (error) {
      const failure = formFailure(error);
      return c.html(await page(c, id, { errors: failure.errors, form, values }), failure.status);
    }
    return c.redirect(`/stations/${id}`, 303);
  };

  app.get('/stations', async (c) => {
    const url = new URL(c.req.url);
    const parsed = stationSearchQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success)
      throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
    const kindName = new Map((await listStationKinds(deps.db)).map((k) => [k.code, k.name]));
    const result = await searchStations(
      { search: deps.search, indexes: deps.indexes, reference: await deps.reference.get(), kindName },
      parsed.data,
    );
    return c.html(<Registry account={accountOf(c)} result={result} params={url.searchParams} />);
  });
  app.get('/stations/mine', async (c) => {
    const auth = requireAuth(c);
    return c.html(await MinePage({ deps, userId: auth.user.id, role: auth.user.role, account: auth.user }));
  });
  app.get('/stations/new', async (c) => {
    const auth = requireAuth(c);
    return c.html(
      await NewStationForm({ deps, userId: auth.user.id, account: auth.user, values: {}, errors: {} }),
    );
  });
  app.post('/stations/new', async (c) => {
    const auth = requireAuth(c);
    const { input, values } = await readStationForm(c, stationListFields);
    const render = (errors: FieldErrors, status: 422 | 403 | 409 | 400 | 401 | 429) =>
      NewStationForm({ deps, userId: auth.user.id, account: auth.user, values, errors }).then((html) =>
        c.html(html, status),
      );
    // Disciplines are typed by name (or code); the schema and the records take codes, and an unknown
    // one is named in its field.
    const disciplines = disciplineCodesOf(
      (input.discipline_codes as string[] | undefined) ?? [],
      await deps.reference.get(),
    );
    if (disciplines.codes.length > 0) input.discipline_codes = disciplines.codes;
    const parsed = validateForm(stationBody, input);
    if (!parsed.ok || disciplines.unknown !== undefined)
      return render(
        {
          ...(parsed.ok ? {} : parsed.errors),
          ...(disciplines.unknown === undefined
            ? {}
            : { discipline_codes: m.unknownDiscipline(disciplines.unknown) }),
        },
        422,
      );
    try {
      const station = await applyForStation(deps, stationActor(c), parsed.data, requestMeta(c, deps));
      return c.redirect(`/stations/${station.id}`, 303);
    } catch (error) {
      const failure = formFailure(error);
      return render(failure.errors, failure.status);
    }
  });
  app.get(`/stations/:id{${uuid}}`, async (c) => c.html(await page(c, c.req.param('id'))));
  app.post(`/stations/:id{${uuid}}/transitions`, async (c) => {
    const id = c.req.param('id');
    const values = await readForm(c);
    const parsed = validateForm(transitionBody, values);
    if (!parsed.ok)
      return c.html(await page(c, id, { errors: parsed.errors, form: 'transition', values }), 422);
    return handle(c, id, 'transition', values, () =>
      actOnStation(deps, stationActor(c), id, parsed.data, requestMeta(c, deps)),
    );
  });
  app.post(`/stations/:id{${uuid}}/records`, async (c) => {
    const id = c.req.param('id');
    const { input, values } = await readStationForm(c, recordListFields);
    const parsed = validateForm(recordBody, input);
    if (!parsed.ok) return c.html(await page(c, id, { errors: parsed.errors, form: 'record', values }), 422);
    return handle(c, id, 'record', values, () =>
      logServiceRecord(deps, stationActor(c), id, parsed.data, requestMeta(c, deps)),
    );
  });
  app.post(`/stations/:id{${uuid}}/experts/:expertId{${uuid}}/consent`, async (c) => {
    const id = c.req.param('id');
    const values = await readForm(c);
    const parsed = validateForm(consentBody, values);
    if (!parsed.ok) return c.html(await page(c, id, { errors: parsed.errors, form: 'consent', values }), 422);
    return handle(c, id, 'consent', values, () =>
      setExpertConsent(
        deps,
        stationActor(c),
        id,
        c.req.param('expertId'),
        parsed.data.consent,
        requestMeta(c, deps),
      ),
    );
  });
  app.post(`/stations/:id{${uuid}}/grades`, async (c) => {
    const id = c.req.param('id');
    const values = await readForm(c);
    const year = Number(values.year);
    const parsed = validateForm(gradeBody, { grade: values.grade, reason: values.reason });
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    if (!Number.isInteger(year) || year < 2000 || year > 2100) errors.year = messages.validation.generic;
    if (!parsed.ok || Object.keys(errors).length > 0)
      return c.html(await page(c, id, { errors, form: 'grade', values }), 422);
    return handle(c, id, 'grade', values, () =>
      gradeStation(deps, stationActor(c), id, year, parsed.data, requestMeta(c, deps)),
    );
  });
  app.post(`/service-records/:id{${uuid}}/confirmation`, async (c) => {
    const recordId = c.req.param('id');
    const values = await readForm(c);
    const { station } = await loadRecordForDecision(deps.db, stationActor(c), recordId);
    const parsed = validateForm(recordDecisionBody, values);
    // The record id tells the page which row's dispute form to reopen with the errors.
    const shown = { ...values, record_id: recordId };
    if (!parsed.ok)
      return c.html(
        await page(c, station.id, { errors: parsed.errors, form: 'dispute', values: shown }),
        422,
      );
    return handle(c, station.id, 'dispute', shown, () =>
      decideServiceRecord(deps, stationActor(c), recordId, parsed.data, requestMeta(c, deps)),
    );
  });
  return app;
}
