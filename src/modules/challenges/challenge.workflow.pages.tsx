import { type Context, Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { chinaDate, chinaDateTime } from '../../web/china-time.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { WorkspaceShortcuts } from '../../web/workspace-shortcuts.js';
import { Attachments } from '../attachments/attachment.pages.js';
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
import { requestMeta } from '../auth/request-meta.js';
import { listBidsOfUser } from '../bids/bid.queries.js';
import { awardBody, evaluationBody } from '../bids/bid.schemas.js';
import { awardBids, bidsOfChallengeFor, evaluateBid, loadBidFor } from '../bids/bid.usecases.js';
import { milestoneDecisionBody } from '../delivery/delivery.schemas.js';
import { acceptChallenge, decideMilestone, milestonesFor } from '../delivery/delivery.usecases.js';
import { unreadBadgeText } from '../notifications/unread-badge.js';
import { disciplineCodesOf, type ReferenceData } from '../reference/reference.queries.js';
import {
  answerBody,
  answerQuestion,
  invitationBody,
  invitationsOfChallenge,
  invitationsOfUser,
  inviteToChallenge,
  questionsFor,
} from './challenge.engagement.js';
import {
  candidateTarget,
  type InviteCandidate,
  recommendedInvitees,
  searchInvitees,
  targetToInvitation,
} from './challenge.invite-picker.js';
import {
  type ActorWithName,
  challengeWorkView,
  closeChallengeEarly,
  createChallenge,
  failChallenge,
  loadManagedChallenge,
  reviewChallenge,
  submitChallenge,
  updateChallenge,
  withdrawChallenge,
} from './challenge.workflow.js';
import {
  enterprisesOfUser,
  listChallengesOfMember,
  listChallengesUnderReview,
} from './challenge.workflow.queries.js';
import {
  awardModes,
  challengeFormToInput,
  confidentialityValues,
  cooperationModes,
  createChallengeBody,
  ipTermsValues,
  reasonBody,
  requiredReasonBody,
  reviewBody,
  updateChallengeBody,
} from './challenge.workflow.schemas.js';
import { InlineField } from './inline-fields.js';

/**
 * The enterprise's and operator's pages for 揭榜挂帅: workspace, challenge form (same zod schemas as
 * the API), the manage page with every action as a plain form post (no script: the CSP forbids it).
 */
const f = messages.flow;
const p = f.pages;
const pk = f.picker;
const uuid = '[0-9a-fA-F-]{36}';
const dateOnly = (iso: string | null) => (iso ? chinaDate(iso) : '');

function actorOf(c: Context): ActorWithName {
  const auth = c.get('auth');
  if (!auth) throw new AppError('UNAUTHENTICATED');
  return { userId: auth.user.id, role: auth.user.role, displayName: auth.user.display_name };
}
const accountOf = (c: Context) => c.get('auth')?.user ?? null;

function TextArea(props: {
  label: string;
  name: string;
  value?: string | undefined;
  errors?: FieldErrors;
  rows?: number;
  hint?: string;
}) {
  const error = props.errors?.[props.name];
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={`f-${props.name}`}>{props.label}</label>
      <textarea id={`f-${props.name}`} name={props.name} rows={props.rows ?? 4}>
        {props.value ?? ''}
      </textarea>
      {props.hint && !error && <small class="hint">{props.hint}</small>}
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </div>
  );
}

const options = (values: readonly string[], labels?: Record<string, string>): Array<[string, string]> =>
  values.map((v) => [v, labels?.[v] ?? v]);

function ChallengeForm(props: {
  action: string;
  values: FormValues;
  errors: FieldErrors;
  enterprises: { id: string; name: string }[];
  reference: ReferenceData;
  submitLabel: string;
}) {
  const { values: v, errors: e } = props;
  const fl = f.fields;
  return (
    <form method="post" action={props.action} novalidate data-testid="challenge-form">
      <FormErrors errors={e} />
      {v.version && <input type="hidden" name="version" value={v.version} />}
      {props.enterprises.length > 1 && (
        <Select
          label={fl.enterprise_id!}
          name="enterprise_id"
          value={v.enterprise_id}
          errors={e}
          options={props.enterprises.map((o) => [o.id, o.name])}
        />
      )}
      <Field label={fl.title!} name="title" value={v.title} errors={e} required maxlength={100} />
      <TextArea
        label={fl.background!}
        name="background"
        value={v.background}
        errors={e}
        hint={f.completeness.hints.background}
      />
      <TextArea
        label={fl.problem!}
        name="problem"
        value={v.problem}
        errors={e}
        hint={f.completeness.hints.problem}
      />
      <TextArea label={fl.targets!} name="targets" value={v.targets} errors={e} />
      <div class="row">
        <IndustrySelect value={v.industry_code} errors={e} reference={props.reference} />
        <Field label={fl.disciplines!} name="disciplines" value={v.disciplines} errors={e} />
        <RegionSelect value={v.region_code} errors={e} reference={props.reference} />
      </div>
      <div class="row">
        <Field
          label={fl.reward_wan!}
          name="reward_wan"
          type="number"
          value={v.reward_wan}
          errors={e}
          required
        />
        <Field
          label={fl.reward_tranches!}
          name="reward_tranches"
          value={v.reward_tranches ?? '100'}
          errors={e}
        />
        <Field
          label={fl.bid_deadline!}
          name="bid_deadline"
          type="date"
          value={v.bid_deadline}
          errors={e}
          required
        />
        <Field
          label={fl.delivery_deadline!}
          name="delivery_deadline"
          type="date"
          value={v.delivery_deadline}
          errors={e}
        />
      </div>
      <TextArea
        label={fl.bidder_requirements!}
        name="bidder_requirements"
        value={v.bidder_requirements}
        errors={e}
        rows={2}
      />
      <div class="row">
        <Select
          label={fl.cooperation_mode!}
          name="cooperation_mode"
          value={v.cooperation_mode}
          errors={e}
          options={options(cooperationModes)}
        />
        <Select
          label={fl.ip_terms!}
          name="ip_terms"
          value={v.ip_terms ?? 'negotiable'}
          errors={e}
          options={options(ipTermsValues, f.ipTerms)}
        />
        <Select
          label={fl.confidentiality!}
          name="confidentiality"
          value={v.confidentiality}
          errors={e}
          options={options(confidentialityValues, f.confidentiality)}
        />
      </div>
      <TextArea label={fl.terms_note!} name="terms_note" value={v.terms_note} errors={e} rows={2} />
      <div class="row">
        <Select
          label={fl.award_mode!}
          name="award_mode"
          value={v.award_mode}
          errors={e}
          options={options(awardModes, f.awardModes)}
        />
        <Field
          label={fl.max_awards!}
          name="max_awards"
          type="number"
          value={v.max_awards ?? '1'}
          errors={e}
        />
        <div class="field">
          <label>
            <input
              type="checkbox"
              name="hide_enterprise_name"
              checked={v.hide_enterprise_name === 'on' || v.hide_enterprise_name === 'true'}
            />{' '}
            {fl.hide_enterprise_name}
          </label>
        </div>
      </div>
      <button type="submit">{props.submitLabel}</button>
    </form>
  );
}

/** 所属产业 from reference data, grouped (特色产业, 十大工业产业…); empty means "not chosen yet". */
function IndustrySelect(props: {
  value?: string | undefined;
  errors: FieldErrors;
  reference: ReferenceData;
}) {
  const error = props.errors.industry_code;
  const groups = [...new Set(props.reference.industries.map((i) => i.group_name))];
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for="f-industry_code">{f.fields.industry_code}</label>
      <select id="f-industry_code" name="industry_code">
        <option value="">{p.choose}</option>
        {groups.map((g) => (
          <optgroup label={g}>
            {props.reference.industries
              .filter((i) => i.group_name === g)
              .map((i) => (
                <option value={i.code} selected={i.code === props.value}>
                  {i.name}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
      {error && (
        <small class="error" data-field-error="industry_code">
          {error}
        </small>
      )}
    </div>
  );
}

/** 所在地区: each prefecture and its counties (遵义市 › 湄潭县), by GB/T 2260 code. */
function RegionSelect(props: { value?: string | undefined; errors: FieldErrors; reference: ReferenceData }) {
  const error = props.errors.region_code;
  const prefectures = props.reference.regions.filter((r) => r.level === 'prefecture');
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for="f-region_code">{f.fields.region_code}</label>
      <select id="f-region_code" name="region_code">
        <option value="">{p.choose}</option>
        {prefectures.map((pre) => (
          <optgroup label={pre.name}>
            <option value={pre.code} selected={pre.code === props.value}>
              {pre.name}
            </option>
            {props.reference.regions
              .filter((r) => r.parent_code === pre.code)
              .map((r) => (
                <option value={r.code} selected={r.code === props.value}>
                  {pre.name}
                  {r.name}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
      {error && (
        <small class="error" data-field-error="region_code">
          {error}
        </small>
      )}
    </div>
  );
}

type Work = Awaited<ReturnType<typeof challengeWorkView>>;

/**
 * The form takes disciplines by name, as people know them; the API and the records keep codes. An
 * item that is neither a name nor a code comes back as a field error naming it.
 */
function withDisciplineCodes(
  input: Record<string, unknown>,
  reference: ReferenceData,
): { input: Record<string, unknown>; errors: FieldErrors } {
  if (!Array.isArray(input.disciplines)) return { input, errors: {} };
  const { codes, unknown } = disciplineCodesOf(input.disciplines as string[], reference);
  const errors: FieldErrors =
    unknown === undefined ? {} : { disciplines: messages.station.unknownDiscipline(unknown) };
  return { input: { ...input, disciplines: codes }, errors };
}

function formValuesOf(w: Work, reference: ReferenceData): FormValues {
  return {
    version: String(w.version),
    title: w.title,
    background: w.background,
    problem: w.problem,
    targets: w.targets,
    industry_code: w.industry_code ?? '',
    // Shown by name, as they are typed; a retired code stays visible as its code.
    disciplines: w.disciplines.map((code) => reference.disciplineName.get(code) ?? code).join('、'),
    region_code: w.region_code,
    reward_wan: String(w.reward_wan),
    reward_tranches: w.reward_tranches.join('/'),
    bid_deadline: dateOnly(w.bid_deadline),
    delivery_deadline: dateOnly(w.delivery_deadline),
    bidder_requirements: w.bidder_requirements,
    cooperation_mode: w.cooperation_mode,
    ip_terms: w.ip_terms,
    confidentiality: w.confidentiality,
    terms_note: w.terms_note,
    award_mode: w.award_mode,
    max_awards: String(w.max_awards),
    hide_enterprise_name: w.hide_enterprise_name ? 'on' : '',
  };
}

/** Search results or recommendations, each with its own 邀请 button in the one picker form. */
function CandidateList(props: { candidates: InviteCandidate[]; testId: string }) {
  return (
    <ul class="candidates" data-testid={props.testId}>
      {props.candidates.map((c) => (
        <li data-candidate-kind={c.kind}>
          <strong>{c.name}</strong>（{c.kind === 'expert' ? pk.experts : pk.societies}）
          {c.detail && <small class="meta"> {c.detail}</small>}{' '}
          {c.alreadyBid ? (
            <span class="badge" data-testid="already-bid">
              {pk.alreadyBid}
            </span>
          ) : c.invited ? (
            <span class="badge">{pk.invited}</span>
          ) : c.invitable ? (
            <button type="submit" name="target" value={candidateTarget(c)}>
              {pk.inviteTo(c.name)}
            </button>
          ) : (
            <small class="meta">{pk.notRegistered}</small>
          )}
        </li>
      ))}
    </ul>
  );
}

const editTextFields = ['background', 'problem', 'targets', 'bidder_requirements', 'terms_note'];

/** The ways an enterprise or operator ends a challenge early, and from which statuses. */
const endings = [
  {
    action: 'withdraw',
    label: p.withdraw,
    from: ['draft', 'under_review', 'returned', 'published', 'bidding_closed'],
  },
  { action: 'fail', label: p.markFailed, from: ['bidding_closed', 'awarded', 'in_delivery'] },
];

/** Everything an enterprise or operator does with one challenge, on one page. */
async function ManagePage(props: {
  deps: AppDeps;
  c: Context;
  id: string;
  notice?: string;
  errors?: FieldErrors;
  status?: number;
}) {
  const { deps, c, id } = props;
  const inviteQuery = (c.req.query('invite_q') ?? '').trim().slice(0, 100);
  const actor = actorOf(c);
  const { row, relation } = await loadManagedChallenge(deps.db, id, actor);
  const w = await challengeWorkView(deps.db, row);
  const owner = relation.enterpriseMember;
  // The statuses whose content the enterprise may still change (the edit form and its hints).
  const editable = ['draft', 'returned', 'under_review', 'published'].includes(w.status);
  const bids = await bidsOfChallengeFor(deps.db, id, actor);
  const questions = await questionsFor(deps.db, id, actor);
  const milestones = ['awarded', 'in_delivery', 'accepted', 'failed'].includes(w.status)
    ? await milestonesFor(deps.db, id, actor)
    : [];
  const errors = props.errors ?? {};
  const action = (name: string) => `/workspace/challenges/${id}/${name}`;
  const inviting = owner && w.status === 'published';
  const [found, recommended, sent] = inviting
    ? await Promise.all([
        inviteQuery
          ? searchInvitees(deps, id, inviteQuery).catch(() => null)
          : Promise.resolve([] as InviteCandidate[]),
        recommendedInvitees(deps, id),
        invitationsOfChallenge(deps.db, id, actor),
      ])
    : [[], [], owner || actor.role === 'operator' ? await invitationsOfChallenge(deps.db, id, actor) : []];
  return (
    <Layout account={accountOf(c)} title={w.title}>
      <FormStyles />
      <div class="detail">
        <h1>{w.title}</h1>
        <div class="meta">
          <span class={`badge ${w.status}`} data-testid="challenge-status">
            {messages.status[w.status]}
          </span>
          <span>{w.enterprise.name}</span>
          <span>{p.versionLabel(w.version)}</span>
          <span>
            {f.completeness.title} <strong data-testid="completeness">{w.completeness.score}</strong>/100
          </span>
        </div>
        {props.notice && (
          <div class="notice" role="status">
            {props.notice}
          </div>
        )}
        <FormErrors errors={errors} />
        <Attachments deps={deps} c={c} kind="challenge" id={id} />
        {/* What is still missing helps only while the challenge can be edited. */}
        {w.completeness.missing.length > 0 && owner && editable && (
          <p class="hint">
            {f.completeness.missing}
            {w.completeness.missing.map((m) => m.hint).join('；')}
          </p>
        )}
        {/* Only when one of its actions applies: an empty 管理 panel showed on closed challenges. */}
        {owner && (editable || w.status === 'in_delivery') && (
          <Panel title={p.manage}>
            <div class="row">
              {editable && (
                <a class="button" href={action('edit')}>
                  {p.edit}
                </a>
              )}
              {['draft', 'returned'].includes(w.status) && (
                <form method="post" action={action('submit')} class="inline">
                  <button type="submit">{p.submitForReview}</button>
                </form>
              )}
              {w.status === 'published' && (
                <form method="post" action={action('close')} class="inline">
                  <button type="submit">{p.closeEarly}</button>
                </form>
              )}
              {w.status === 'in_delivery' && (
                <form method="post" action={action('acceptance')} class="inline">
                  <button type="submit">{p.finalAccept}</button>
                </form>
              )}
            </div>
          </Panel>
        )}
        {/* Destructive actions, each with a reason, in their own titled panel apart from 管理. */}
        {(owner || actor.role === 'operator') &&
          endings
            .filter((e) => e.from.includes(w.status))
            .map((e) => (
              <Panel title={e.label}>
                <form method="post" action={action(e.action)} class="row">
                  <InlineField label={p.reason} name="reason" errors={errors} maxlength={1000} />
                  <div class="field">
                    <button type="submit">{e.label}</button>
                  </div>
                </form>
              </Panel>
            ))}
        {actor.role === 'operator' && w.status === 'under_review' && (
          <Panel title={f.review.publish}>
            <form method="post" action={action('review')} class="row" data-testid="review-form">
              <InlineField label={p.reason} name="reason" errors={errors} maxlength={1000} />
              <div class="field">
                <button type="submit" name="decision" value="publish">
                  {f.review.publish}
                </button>
              </div>
              <div class="field">
                <button type="submit" name="decision" value="return">
                  {f.review.return}
                </button>
              </div>
              <div class="field">
                <button type="submit" name="decision" value="reject">
                  {f.review.reject}
                </button>
              </div>
            </form>
          </Panel>
        )}
        <dl class="facts">
          <div>
            <dt>{messages.challenge.reward}</dt>
            <dd>
              {w.reward_wan} {messages.challenge.rewardUnit}（{p.tranchesText(w.reward_tranches)}）
            </dd>
          </div>
          <div>
            <dt>{messages.challenge.bidDeadline}</dt>
            <dd>{dateOnly(w.bid_deadline)}</dd>
          </div>
          <div>
            <dt>{f.fields.award_mode}</dt>
            <dd>
              {f.awardModes[w.award_mode]}
              {w.award_mode === 'horse_race' ? `（${w.max_awards}）` : ''}
            </dd>
          </div>
          <div>
            <dt>{f.fields.ip_terms}</dt>
            <dd>{f.ipTerms[w.ip_terms]}</dd>
          </div>
        </dl>
        <section>
          <h2>{messages.challenge.problem}</h2>
          <p>{w.problem}</p>
        </section>
        <Panel title={`${p.bids}（${bids.length}）`}>
          <p class="hint">{p.confidentialBids}</p>
          {bids.length === 0 && <p class="empty">{p.noBids}</p>}
          {bids.length > 0 && (
            <p class="meta exports">
              <a href={`/workspace/challenges/${w.id}/bids/export.xlsx`} data-testid="bids-export-xlsx">
                {messages.supply.exportXlsx}
              </a>{' '}
              <a href={`/workspace/challenges/${w.id}/bids/export.csv`}>{messages.supply.exportCsv}</a>
            </p>
          )}
          {owner && w.status === 'bidding_closed' && bids.some((b) => b.status === 'submitted') ? (
            <form method="post" action={action('award')} id="award-form">
              <p class="hint">{p.awardHint(w.max_awards)}</p>
              {bids
                .filter((b) => b.status === 'submitted')
                .map((b) => (
                  <label class="field">
                    <span>
                      <input type="checkbox" name="bid_ids" value={b.id} />{' '}
                      {b.organisation?.name ?? b.lead.display_name}（{f.bidKinds[b.kind]}，{b.price_wan}{' '}
                      {messages.challenge.rewardUnit}，{b.duration_days} 天）
                    </span>
                  </label>
                ))}
              <button type="submit">{p.award}</button>
            </form>
          ) : null}
          {bids.map((b) => (
            <section class="panel" data-bid-id={b.id}>
              <h3>
                <a href={`/workspace/bids/${b.id}`}>{b.organisation?.name ?? b.lead.display_name}</a> ·{' '}
                {f.bidKinds[b.kind]} · {f.bidStatus[b.status]}
              </h3>
              <p>{b.approach}</p>
              <p class="meta">
                {b.promised_indicators} · {b.price_wan} {messages.challenge.rewardUnit} · {b.duration_days} 天
                {b.members.length > 0 &&
                  ` · ${b.members.map((m) => `${m.display_name}（${f.memberStatus[m.status]}）`).join('、')}`}
              </p>
              {owner && b.evaluation && b.status !== 'withdrawn' && (
                <form method="post" action={`/workspace/bids/${b.id}/evaluation`} class="row">
                  <label class="field">
                    <span>
                      <input type="checkbox" name="shortlisted" checked={b.evaluation.shortlisted} />{' '}
                      {p.shortlisted}
                    </span>
                  </label>
                  <InlineField
                    label={p.score}
                    name="score"
                    type="number"
                    value={b.evaluation.score?.toString()}
                  />
                  <InlineField label={p.note} name="note" value={b.evaluation.note} maxlength={5000} />
                  <div class="field">
                    <button type="submit">{p.saveEvaluation}</button>
                  </div>
                </form>
              )}
            </section>
          ))}
        </Panel>
        {milestones.length > 0 && (
          <Panel title={p.milestones}>
            {milestones.map((m) => (
              <section class="panel" data-milestone-id={m.id}>
                <h3>
                  {m.title} · {f.milestoneStatus[m.status]}
                </h3>
                {m.submissions.map((s) => (
                  <p>
                    {s.evidence}
                    {s.decision
                      ? `（${f.milestoneStatus[s.decision]}${s.decision_reason ? `：${s.decision_reason}` : ''}）`
                      : ''}
                  </p>
                ))}
                {owner && m.status === 'submitted' && (
                  <form method="post" action={`/workspace/milestones/${m.id}/decision`} class="row">
                    <InlineField label={p.reason} name="reason" maxlength={2000} />
                    <div class="field">
                      <button type="submit" name="decision" value="accept">
                        {p.acceptMilestone}
                      </button>
                    </div>
                    <div class="field">
                      <button type="submit" name="decision" value="return">
                        {p.returnMilestone}
                      </button>
                    </div>
                  </form>
                )}
              </section>
            ))}
          </Panel>
        )}
        <Panel title={p.qa}>
          {questions.length === 0 && <p class="empty">{p.noQuestions}</p>}
          {questions.map((q) => (
            <div class="panel">
              <p>问：{q.question}</p>
              {q.answer ? (
                <p>答：{q.answer}</p>
              ) : (
                owner && (
                  <form
                    method="post"
                    action={`/workspace/challenges/${id}/questions/${q.id}/answer`}
                    class="row"
                  >
                    <InlineField label={p.answer} name="answer" maxlength={2000} />
                    <div class="field">
                      <button type="submit">{p.answerButton}</button>
                    </div>
                  </form>
                )
              )}
            </div>
          ))}
        </Panel>
        {inviting && (
          <Panel title={p.invitations} id="invite">
            <form method="get" action={`/workspace/challenges/${id}#invite`} class="row">
              <InlineField label={pk.search} name="invite_q" value={inviteQuery} maxlength={100} />
              <div class="field">
                <button type="submit">{pk.searchButton}</button>
              </div>
            </form>
            <p class="hint">{pk.hint}</p>
            <form method="post" action={action('invitations')} data-testid="invite-picker">
              {errors.target && (
                <p class="error" data-field-error="target">
                  {errors.target}
                </p>
              )}
              <InlineField label={p.inviteMessage} name="message" errors={errors} maxlength={1000} />
              {found === null && <p class="error">{pk.searchUnavailable}</p>}
              {inviteQuery && found !== null && found.length === 0 && <p class="empty">{pk.noResults}</p>}
              {found !== null && found.length > 0 && (
                <CandidateList candidates={found} testId="invite-search-results" />
              )}
              {recommended.length > 0 && (
                <>
                  <h3>{pk.recommended}</h3>
                  <CandidateList candidates={recommended} testId="invite-recommendations" />
                </>
              )}
            </form>
          </Panel>
        )}
        {sent.length > 0 && (
          <Panel title={pk.sent}>
            <ul data-testid="invitations-sent">
              {sent.map((i) => (
                <li>
                  {i.invitee.name}（{i.invitee.kind === 'expert' ? pk.experts : pk.societies}）·{' '}
                  {f.invitationStatus[i.status]}
                </li>
              ))}
            </ul>
          </Panel>
        )}
        <section>
          <h2>{p.history}</h2>
          <ol class="history">
            {w.history.map((e) => (
              <li>
                {chinaDateTime(e.at)} {messages.status[e.to_status] ?? e.to_status}（{e.actor}）
                {e.reason ? `：${e.reason}` : ''}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </Layout>
  );
}

async function WorkspacePage({ deps, c }: { deps: AppDeps; c: Context }) {
  const actor = actorOf(c);
  const mine = actor.role === 'enterprise' ? await listChallengesOfMember(deps.db, actor.userId) : [];
  const queue = actor.role === 'operator' ? await listChallengesUnderReview(deps.db) : [];
  const bids =
    actor.role === 'expert' || actor.role === 'society' ? await listBidsOfUser(deps.db, actor.userId) : [];
  const invitations =
    actor.role === 'expert' || actor.role === 'society' ? await invitationsOfUser(deps.db, actor.userId) : [];
  // Counted once per page request already, for the site header (notifications/unread-badge.ts).
  const unread = accountOf(c)?.unread_notifications ?? 0;
  return (
    <Layout account={accountOf(c)} title={p.workspace}>
      <FormStyles />
      <h1>{p.workspace}</h1>
      <WorkspaceShortcuts role={actor.role} />
      <p>
        <a href="/notifications" data-testid="notifications-link">
          {p.notifications}
          {unread > 0 ? `（${p.unread(unreadBadgeText(unread))}）` : ''}
        </a>
      </p>
      {actor.role === 'enterprise' && (
        <Panel title={p.myChallenges}>
          <p>
            <a class="button" href="/workspace/challenges/new">
              {p.newChallenge}
            </a>
          </p>
          <table class="list" data-testid="my-challenges">
            {mine.length > 0 && (
              <thead>
                <tr>
                  <th>{p.challengeColumn}</th>
                  <th>{p.statusColumn}</th>
                  <th>{messages.challenge.bidDeadline}</th>
                </tr>
              </thead>
            )}
            <tbody>
              {mine.map((r) => (
                <tr>
                  <td>
                    <a href={`/workspace/challenges/${r.id}`}>{r.title}</a>
                  </td>
                  <td>{messages.status[r.status]}</td>
                  <td>{dateOnly(r.bid_deadline.toISOString())}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {mine.length === 0 && <p class="empty">{p.none}</p>}
        </Panel>
      )}
      {actor.role === 'operator' && (
        <Panel title={p.reviewQueue}>
          {queue.length === 0 && <p class="empty">{p.reviewQueueEmpty}</p>}
          <ul data-testid="review-queue">
            {queue.map((r) => (
              <li>
                <a href={`/workspace/challenges/${r.id}`}>{r.title}</a>（{r.enterprise_name}）
              </li>
            ))}
          </ul>
        </Panel>
      )}
      {(actor.role === 'expert' || actor.role === 'society') && (
        <>
          <Panel title={p.myBids}>
            {bids.length === 0 && <p class="empty">{p.none}</p>}
            {bids.length > 0 && (
              <p class="meta exports">
                <a href="/workspace/bids/export.xlsx" data-testid="my-bids-export-xlsx">
                  {messages.supply.exportXlsx}
                </a>{' '}
                <a href="/workspace/bids/export.csv">{messages.supply.exportCsv}</a>
              </p>
            )}
            <ul>
              {bids.map((b) => (
                <li>
                  <a href={`/workspace/bids/${b.id}`}>{b.challenge_title}</a> · {f.bidStatus[b.status]}
                </li>
              ))}
            </ul>
          </Panel>
          <Panel title={p.myInvitations}>
            {invitations.length === 0 && <p class="empty">{p.none}</p>}
            {invitations.map((i) => (
              <div class="row" data-testid="my-invitations">
                <a href={`/challenges/${i.challenge.id}`}>{i.challenge.title}</a> ·{' '}
                {f.invitationStatus[i.status]}
                {i.status === 'pending' && (
                  <form method="post" action={`/workspace/invitations/${i.id}/response`} class="inline">
                    <button type="submit" name="decision" value="accept">
                      {p.accept}
                    </button>{' '}
                    <button type="submit" name="decision" value="decline">
                      {p.decline}
                    </button>
                  </form>
                )}
              </div>
            ))}
          </Panel>
        </>
      )}
    </Layout>
  );
}

export function challengeWorkflowPages(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  /** Runs one action; on an expected failure re-renders the manage page with the Chinese error. */
  const act = async (c: Context, id: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      const failure = formFailure(error);
      return c.html(await ManagePage({ deps, c, id, errors: failure.errors }), failure.status);
    }
    return c.redirect(`/workspace/challenges/${id}`, 303);
  };

  app.get('/workspace', async (c) => c.html(await WorkspacePage({ deps, c })));

  const newForm = async (
    c: Context,
    values: FormValues,
    errors: FieldErrors,
    status: 200 | 401 | 403 | 409 | 422 | 429 | 400 = 200,
  ) => {
    const enterprises = await enterprisesOfUser(deps.db, actorOf(c).userId);
    return c.html(
      <Layout account={accountOf(c)} title={p.newChallenge}>
        <FormStyles />
        <div class="panel">
          <h1>{p.newChallenge}</h1>
          {enterprises.length === 0 ? (
            <p>
              {f.invalid.noEnterprise}：<a href="/organisations/new">{messages.organisation.newTitle}</a>
            </p>
          ) : (
            <ChallengeForm
              action="/workspace/challenges/new"
              values={values}
              errors={errors}
              enterprises={enterprises}
              reference={await deps.reference.get()}
              submitLabel={p.saveDraft}
            />
          )}
        </div>
      </Layout>,
      status,
    );
  };
  app.get('/workspace/challenges/new', (c) => newForm(c, {}, {}));
  app.post('/workspace/challenges/new', async (c) => {
    const values = await readForm(c);
    const reference = await deps.reference.get();
    const { input, errors } = withDisciplineCodes(challengeFormToInput(values), reference);
    const parsed = validateForm(createChallengeBody, input);
    if (!parsed.ok || errors.disciplines)
      return newForm(c, values, { ...(parsed.ok ? {} : parsed.errors), ...errors }, 422);
    try {
      const row = await createChallenge(deps, actorOf(c), parsed.data, requestMeta(c, deps));
      return c.redirect(`/workspace/challenges/${row.id}`, 303);
    } catch (error) {
      const failure = formFailure(error);
      return newForm(c, values, failure.errors, failure.status);
    }
  });

  app.get(`/workspace/challenges/:id{${uuid}}`, async (c) =>
    c.html(await ManagePage({ deps, c, id: c.req.param('id') })),
  );

  const editForm = async (
    c: Context,
    id: string,
    values: FormValues | null,
    errors: FieldErrors,
    status: 200 | 401 | 403 | 409 | 422 | 429 | 400 = 200,
  ) => {
    const { row } = await loadManagedChallenge(deps.db, id, actorOf(c));
    const w = await challengeWorkView(deps.db, row);
    const reference = await deps.reference.get();
    return c.html(
      <Layout account={accountOf(c)} title={p.editChallenge}>
        <FormStyles />
        <div class="panel">
          <h1>{p.editChallenge}</h1>
          <ChallengeForm
            action={`/workspace/challenges/${id}/edit`}
            values={values ?? formValuesOf(w, reference)}
            errors={errors}
            enterprises={[]}
            reference={reference}
            submitLabel={p.save}
          />
        </div>
        <Attachments deps={deps} c={c} kind="challenge" id={id} />
      </Layout>,
      status,
    );
  };
  app.get(`/workspace/challenges/:id{${uuid}}/edit`, (c) => editForm(c, c.req.param('id'), null, {}));
  app.post(`/workspace/challenges/:id{${uuid}}/edit`, async (c) => {
    const id = c.req.param('id');
    const values = await readForm(c);
    // A form always sends every field: an emptied text field means "clear it", an unticked box "no".
    const full: FormValues = { ...values };
    const reference = await deps.reference.get();
    const { input, errors } = withDisciplineCodes(challengeFormToInput(full), reference);
    for (const key of editTextFields) input[key] ??= '';
    input.hide_enterprise_name ??= false;
    if (!values.delivery_deadline) input.delivery_deadline = null;
    if (!values.industry_code) input.industry_code = null;
    if (!values.disciplines) input.disciplines = [];
    const parsed = validateForm(updateChallengeBody, input);
    if (!parsed.ok || errors.disciplines)
      return editForm(c, id, values, { ...(parsed.ok ? {} : parsed.errors), ...errors }, 422);
    try {
      await updateChallenge(deps, actorOf(c), id, parsed.data, parsed.data.version, requestMeta(c, deps));
      return c.redirect(`/workspace/challenges/${id}`, 303);
    } catch (error) {
      const failure = formFailure(error);
      return editForm(c, id, values, failure.errors, failure.status);
    }
  });

  app.post(`/workspace/challenges/:id{${uuid}}/submit`, async (c) => {
    const id = c.req.param('id');
    return act(c, id, () => submitChallenge(deps, actorOf(c), id, requestMeta(c, deps)));
  });
  app.post(`/workspace/challenges/:id{${uuid}}/review`, async (c) => {
    const id = c.req.param('id');
    const parsed = validateForm(reviewBody, await readForm(c));
    if (!parsed.ok) return c.html(await ManagePage({ deps, c, id, errors: parsed.errors }), 422);
    return act(c, id, () => reviewChallenge(deps, actorOf(c), id, parsed.data, requestMeta(c, deps)));
  });
  app.post(`/workspace/challenges/:id{${uuid}}/withdraw`, async (c) => {
    const id = c.req.param('id');
    const parsed = validateForm(reasonBody, await readForm(c));
    if (!parsed.ok) return c.html(await ManagePage({ deps, c, id, errors: parsed.errors }), 422);
    return act(c, id, () => withdrawChallenge(deps, actorOf(c), id, parsed.data, requestMeta(c, deps)));
  });
  app.post(`/workspace/challenges/:id{${uuid}}/close`, async (c) => {
    const id = c.req.param('id');
    return act(c, id, () => closeChallengeEarly(deps, actorOf(c), id, {}, requestMeta(c, deps)));
  });
  app.post(`/workspace/challenges/:id{${uuid}}/fail`, async (c) => {
    const id = c.req.param('id');
    const parsed = validateForm(requiredReasonBody, await readForm(c));
    if (!parsed.ok) return c.html(await ManagePage({ deps, c, id, errors: parsed.errors }), 422);
    return act(c, id, () => failChallenge(deps, actorOf(c), id, parsed.data, requestMeta(c, deps)));
  });
  app.post(`/workspace/challenges/:id{${uuid}}/award`, async (c) => {
    const id = c.req.param('id');
    const body = await c.req.parseBody({ all: true });
    const raw = body.bid_ids;
    const parsed = validateForm(awardBody, {
      bid_ids: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw],
    });
    if (!parsed.ok) return c.html(await ManagePage({ deps, c, id, errors: parsed.errors }), 422);
    return act(c, id, () =>
      deps.db
        .transaction()
        .execute((trx) => awardBids(trx, deps, actorOf(c), id, parsed.data.bid_ids, requestMeta(c, deps))),
    );
  });
  app.post(`/workspace/challenges/:id{${uuid}}/acceptance`, async (c) => {
    const id = c.req.param('id');
    return act(c, id, () => acceptChallenge(deps, actorOf(c), id, {}, requestMeta(c, deps)));
  });
  app.post(`/workspace/challenges/:id{${uuid}}/invitations`, async (c) => {
    const id = c.req.param('id');
    const { target, message, expert_profile_id, organisation_id } = await readForm(c);
    // A pick from the picker (`target`) or the recommendation cards' hidden id on the public page.
    const picked = target
      ? targetToInvitation(target)
      : {
          ...(expert_profile_id ? { expert_profile_id } : {}),
          ...(organisation_id ? { organisation_id } : {}),
        };
    const parsed = validateForm(invitationBody, { ...picked, message: message ?? '' });
    if (!parsed.ok) {
      // The picked target stands for expert_profile_id / organisation_id: report it on the picker.
      const { expert_profile_id, organisation_id, ...rest } = parsed.errors;
      const targetError = expert_profile_id ?? organisation_id;
      const errors = targetError ? { ...rest, target: targetError } : rest;
      return c.html(await ManagePage({ deps, c, id, errors }), 422);
    }
    return act(c, id, () => inviteToChallenge(deps, actorOf(c), id, parsed.data, requestMeta(c, deps)));
  });
  app.post(`/workspace/challenges/:id{${uuid}}/questions/:questionId{${uuid}}/answer`, async (c) => {
    const id = c.req.param('id');
    const parsed = validateForm(answerBody, await readForm(c));
    if (!parsed.ok) return c.html(await ManagePage({ deps, c, id, errors: parsed.errors }), 422);
    return act(c, id, () =>
      answerQuestion(
        deps,
        actorOf(c),
        id,
        c.req.param('questionId'),
        parsed.data.answer,
        requestMeta(c, deps),
      ),
    );
  });
  app.post(`/workspace/bids/:id{${uuid}}/evaluation`, async (c) => {
    const values = await readForm(c);
    const input: Record<string, unknown> = {
      shortlisted: values.shortlisted === 'on',
      note: values.note ?? '',
      score:
        values.score === undefined
          ? null
          : /^\d+(\.\d+)?$/.test(values.score)
            ? Number(values.score)
            : values.score,
    };
    const parsed = validateForm(evaluationBody, input);
    const { bid } = await loadBidFor(deps.db, c.req.param('id'), actorOf(c));
    if (!parsed.ok)
      return c.html(await ManagePage({ deps, c, id: bid.challenge_id, errors: parsed.errors }), 422);
    return act(c, bid.challenge_id, () =>
      evaluateBid(deps, actorOf(c), bid.id, parsed.data, requestMeta(c, deps)),
    );
  });
  app.post(`/workspace/milestones/:id{${uuid}}/decision`, async (c) => {
    const parsed = validateForm(milestoneDecisionBody, await readForm(c));
    const milestone = await deps.db
      .selectFrom('milestones')
      .select('challenge_id')
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    if (!milestone) throw new AppError('MILESTONE_NOT_FOUND');
    if (!parsed.ok)
      return c.html(await ManagePage({ deps, c, id: milestone.challenge_id, errors: parsed.errors }), 422);
    return act(c, milestone.challenge_id, () =>
      decideMilestone(deps, actorOf(c), c.req.param('id'), parsed.data, requestMeta(c, deps)),
    );
  });
  return app;
}
