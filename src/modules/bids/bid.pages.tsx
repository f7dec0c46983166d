import { type Context, Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { chinaDateTime } from '../../web/china-time.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
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
import { bidKindsFor } from '../auth/policy.js';
import { requestMeta } from '../auth/request-meta.js';
import {
  askQuestion,
  invitationResponseBody,
  questionBody,
  respondToInvitation,
} from '../challenges/challenge.engagement.js';
import type { ActorWithName } from '../challenges/challenge.workflow.js';
import { loadChallengeFor } from '../challenges/challenge.workflow.js';
import { InlineTextArea } from '../challenges/inline-fields.js';
import { ratingBody, submissionBody } from '../delivery/delivery.schemas.js';
import { milestonesFor, rate, ratingsOfBid, submitMilestone } from '../delivery/delivery.usecases.js';
import {
  emailModeOf,
  emailModes,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  setEmailMode,
} from '../notifications/notification.js';
import { notificationPreferencesSchema } from '../notifications/notification.routes.js';
import { bidFormToInput, submitBidBody, teamResponseBody, updateBidBody } from './bid.schemas.js';
import { bidView, loadBidFor, respondToTeam, submitBid, updateBid, withdrawBid } from './bid.usecases.js';

/** Bidder-side pages: the bid form, one's bid (edit, withdraw, team confirmation, delivery, rating), notifications. */
const f = messages.flow;
const p = f.pages;
const uuid = '[0-9a-fA-F-]{36}';
type Status = 200 | 201 | 400 | 401 | 403 | 409 | 422 | 429;

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
}) {
  const error = props.errors?.[props.name];
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={`f-${props.name}`}>{props.label}</label>
      <textarea id={`f-${props.name}`} name={props.name} rows={props.rows ?? 4}>
        {props.value ?? ''}
      </textarea>
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </div>
  );
}

function BidFields({ values, errors }: { values: FormValues; errors: FieldErrors }) {
  return (
    <>
      <TextArea label={p.approach} name="approach" value={values.approach} errors={errors} rows={6} />
      <TextArea
        label={p.promisedIndicators}
        name="promised_indicators"
        value={values.promised_indicators}
        errors={errors}
        rows={2}
      />
      <div class="row">
        <Field
          label={p.price}
          name="price_wan"
          type="number"
          value={values.price_wan}
          errors={errors}
          required
        />
        <Field
          label={p.durationDays}
          name="duration_days"
          type="number"
          value={values.duration_days}
          errors={errors}
          required
        />
      </div>
    </>
  );
}

export function bidPages(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const bidForm = async (
    c: Context,
    challengeId: string,
    values: FormValues,
    errors: FieldErrors,
    status: Status = 200,
  ) => {
    const actor = actorOf(c);
    const { row } = await loadChallengeFor(deps.db, challengeId, actor);
    const kinds = bidKindsFor(actor.role);
    const orgs =
      actor.role === 'society'
        ? await deps.db
            .selectFrom('organisation_members as m')
            .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
            .select(['o.id', 'o.name'])
            .where('m.user_id', '=', actor.userId)
            .where('o.kind', '<>', 'enterprise')
            .execute()
        : [];
    // A society may bid with one of its active 科技服务团 (the use case and an FK check it again).
    const teams =
      orgs.length > 0
        ? await deps.db
            .selectFrom('service_teams')
            .select(['id', 'name'])
            .where(
              'society_id',
              'in',
              orgs.map((o) => o.id),
            )
            .where('status', '=', 'active')
            .orderBy('name')
            .execute()
        : [];
    return c.html(
      <Layout account={accountOf(c)} title={p.bidTitle}>
        <FormStyles />
        <div class="panel">
          <h1>
            {p.bidTitle}：{row.title}
          </h1>
          <p class="hint">{p.confidentialBids}</p>
          <form method="post" action={`/challenges/${challengeId}/bid`} novalidate data-testid="bid-form">
            <FormErrors errors={errors} />
            <Select
              label={p.bidKind}
              name="kind"
              value={values.kind ?? kinds[0]}
              errors={errors}
              options={kinds.map((k) => [k, f.bidKinds[k]!])}
            />
            {orgs.length > 0 && (
              <Select
                label={p.organisation}
                name="organisation_id"
                value={values.organisation_id}
                errors={errors}
                options={orgs.map((o) => [o.id, o.name])}
              />
            )}
            {teams.length > 0 && (
              <Select
                label={p.serviceTeam}
                name="service_team_id"
                value={values.service_team_id}
                errors={errors}
                options={[['', p.noServiceTeam], ...teams.map((t): [string, string] => [t.id, t.name])]}
              />
            )}
            {actor.role === 'expert' && (
              <TextArea
                label={p.teamMembers}
                name="members"
                value={values.members}
                errors={errors}
                rows={3}
              />
            )}
            <BidFields values={values} errors={errors} />
            <button type="submit">{p.submitBid}</button>
          </form>
        </div>
      </Layout>,
      status,
    );
  };
  app.get(`/challenges/:id{${uuid}}/bid`, (c) => bidForm(c, c.req.param('id'), {}, {}));
  app.post(`/challenges/:id{${uuid}}/bid`, async (c) => {
    const id = c.req.param('id');
    const values = await readForm(c);
    const parsed = validateForm(submitBidBody, bidFormToInput(values));
    if (!parsed.ok) return bidForm(c, id, values, parsed.errors, 422);
    try {
      const bid = await deps.db
        .transaction()
        .execute((trx) => submitBid(trx, deps, actorOf(c), id, parsed.data, requestMeta(c, deps)));
      return c.redirect(`/workspace/bids/${bid.id}`, 303);
    } catch (error) {
      const failure = formFailure(error);
      return bidForm(c, id, values, failure.errors, failure.status);
    }
  });

  const bidPage = async (c: Context, id: string, errors: FieldErrors = {}, status: Status = 200) => {
    const actor = actorOf(c);
    const { bid: row, relation } = await loadBidFor(deps.db, id, actor);
    const bid = await bidView(deps.db, row, relation.enterpriseMember || actor.role === 'operator');
    const lead = bid.lead.user_id === actor.userId || (relation.bidParty && bid.organisation !== null);
    const myMember = bid.members.find((m) => m.user_id === actor.userId);
    const milestones =
      bid.status === 'awarded'
        ? (await milestonesFor(deps.db, bid.challenge.id, actor)).filter((m) => m.bid_id === bid.id)
        : [];
    const ratings = bid.status === 'awarded' ? await ratingsOfBid(deps.db, bid.id) : [];
    // Who rates whom: the enterprise rates the bidder, the bid's parties rate the enterprise.
    const myDirection = relation.enterpriseMember
      ? 'enterprise_to_bidder'
      : relation.bidParty
        ? 'bidder_to_enterprise'
        : null;
    return c.html(
      <Layout account={accountOf(c)} title={bid.challenge.title}>
        <FormStyles />
        <div class="detail">
          <h1>
            <a href={`/challenges/${bid.challenge.id}`}>{bid.challenge.title}</a>
          </h1>
          <div class="meta">
            <span class="badge" data-testid="bid-status">
              {f.bidStatus[bid.status]}
            </span>
            <span>{f.bidKinds[bid.kind]}</span>
            <span>{bid.organisation?.name ?? bid.lead.display_name}</span>
            <span>{p.versionLabel(bid.version)}</span>
          </div>
          <FormErrors errors={errors} />
          {bid.members.length > 0 && (
            <p>
              {bid.members
                .map((m) => `${m.display_name}${m.role ? `（${m.role}）` : ''}：${f.memberStatus[m.status]}`)
                .join('；')}
            </p>
          )}
          {myMember && myMember.status === 'invited' && (
            <form method="post" action={`/workspace/bids/${id}/team-response`} class="row">
              <button type="submit" name="decision" value="confirm">
                {p.confirm}
              </button>
              <button type="submit" name="decision" value="decline">
                {p.decline}
              </button>
            </form>
          )}
          {lead && bid.status === 'submitted' && bid.challenge.status === 'published' ? (
            <Panel title={p.editBid}>
              <form method="post" action={`/workspace/bids/${id}/edit`}>
                <input type="hidden" name="version" value={String(bid.version)} />
                <BidFields
                  values={{
                    approach: bid.approach,
                    promised_indicators: bid.promised_indicators,
                    price_wan: String(bid.price_wan),
                    duration_days: String(bid.duration_days),
                  }}
                  errors={errors}
                />
                <button type="submit">{p.save}</button>
              </form>
            </Panel>
          ) : (
            <section>
              <h2>{p.approach}</h2>
              <p>{bid.approach}</p>
              <p class="meta">
                {bid.promised_indicators} · {bid.price_wan} {messages.challenge.rewardUnit} ·{' '}
                {bid.duration_days} 天
              </p>
            </section>
          )}
          {lead &&
            bid.status === 'submitted' &&
            ['published', 'bidding_closed'].includes(bid.challenge.status) && (
              <form method="post" action={`/workspace/bids/${id}/withdraw`}>
                <button type="submit">{p.withdrawBid}</button>
              </form>
            )}
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
                  {relation.bidParty && (m.status === 'pending' || m.status === 'returned') && (
                    <form method="post" action={`/workspace/milestones/${m.id}/submissions`}>
                      <InlineTextArea label={p.evidence} name="evidence" errors={errors} rows={3} />
                      <button type="submit">{p.submitMilestone}</button>
                    </form>
                  )}
                </section>
              ))}
            </Panel>
          )}
          {bid.status === 'awarded' && ['accepted', 'failed'].includes(bid.challenge.status) && (
            <Panel title={p.ratings}>
              <ul data-testid="ratings">
                {ratings.map((r) => (
                  <li>
                    {f.ratingDirections[r.direction]}：{'★'.repeat(r.score)}（{r.score}/5）
                    {r.comment ? ` ${r.comment}` : ''}
                  </li>
                ))}
              </ul>
              {myDirection && !ratings.some((r) => r.direction === myDirection) && (
                <form method="post" action={`/workspace/challenges/${bid.challenge.id}/ratings`} class="row">
                  <input type="hidden" name="bid_id" value={bid.id} />
                  <Field label={p.ratingScore} name="score" type="number" errors={errors} />
                  <Field label={p.comment} name="comment" errors={errors} maxlength={1000} />
                  <div class="field">
                    <button type="submit">{p.rate}</button>
                  </div>
                </form>
              )}
            </Panel>
          )}
          <Attachments deps={deps} c={c} kind="bid" id={bid.id} />
        </div>
      </Layout>,
      status,
    );
  };
  const actOnBid = async (c: Context, bidId: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      const failure = formFailure(error);
      return bidPage(c, bidId, failure.errors, failure.status);
    }
    return c.redirect(`/workspace/bids/${bidId}`, 303);
  };

  app.get(`/workspace/bids/:id{${uuid}}`, (c) => bidPage(c, c.req.param('id')));
  app.post(`/workspace/bids/:id{${uuid}}/edit`, async (c) => {
    const id = c.req.param('id');
    const parsed = validateForm(updateBidBody, bidFormToInput(await readForm(c)));
    if (!parsed.ok) return bidPage(c, id, parsed.errors, 422);
    return actOnBid(c, id, () =>
      updateBid(deps, actorOf(c), id, parsed.data, parsed.data.version, requestMeta(c, deps)),
    );
  });
  app.post(`/workspace/bids/:id{${uuid}}/withdraw`, async (c) => {
    const id = c.req.param('id');
    return actOnBid(c, id, () => withdrawBid(deps, actorOf(c), id, requestMeta(c, deps)));
  });
  app.post(`/workspace/bids/:id{${uuid}}/team-response`, async (c) => {
    const id = c.req.param('id');
    const parsed = validateForm(teamResponseBody, await readForm(c));
    if (!parsed.ok) return bidPage(c, id, parsed.errors, 422);
    return actOnBid(c, id, () =>
      respondToTeam(deps, actorOf(c), id, parsed.data.decision, requestMeta(c, deps)),
    );
  });
  app.post(`/workspace/milestones/:id{${uuid}}/submissions`, async (c) => {
    const milestone = await deps.db
      .selectFrom('milestones')
      .select('bid_id')
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    if (!milestone) throw new AppError('MILESTONE_NOT_FOUND');
    const parsed = validateForm(submissionBody, await readForm(c));
    if (!parsed.ok) return bidPage(c, milestone.bid_id, parsed.errors, 422);
    return actOnBid(c, milestone.bid_id, () =>
      submitMilestone(deps, actorOf(c), c.req.param('id'), parsed.data.evidence, requestMeta(c, deps)),
    );
  });
  app.post(`/workspace/challenges/:id{${uuid}}/ratings`, async (c) => {
    const id = c.req.param('id');
    const values = await readForm(c);
    const parsed = validateForm(ratingBody, {
      ...values,
      score: /^\d$/.test(values.score ?? '') ? Number(values.score) : values.score,
    });
    const bidId = values.bid_id ?? '';
    if (!parsed.ok) return bidPage(c, bidId, parsed.errors, 422);
    try {
      await rate(deps, actorOf(c), id, parsed.data, requestMeta(c, deps));
    } catch (error) {
      const failure = formFailure(error);
      return bidPage(c, bidId, failure.errors, failure.status);
    }
    return c.redirect(`/workspace/bids/${bidId}`, 303);
  });
  app.post(`/workspace/invitations/:id{${uuid}}/response`, async (c) => {
    const parsed = validateForm(invitationResponseBody, await readForm(c));
    if (!parsed.ok) throw new AppError('VALIDATION_FAILED');
    await respondToInvitation(
      deps,
      actorOf(c),
      c.req.param('id'),
      parsed.data.decision,
      requestMeta(c, deps),
    );
    return c.redirect('/workspace', 303);
  });
  app.post(`/challenges/:id{${uuid}}/questions`, async (c) => {
    const id = c.req.param('id');
    const parsed = validateForm(questionBody, await readForm(c));
    if (!parsed.ok)
      throw new AppError('VALIDATION_FAILED', {
        fields: Object.entries(parsed.errors).map(([field, reason]) => ({ field, reason })),
      });
    await askQuestion(deps, actorOf(c), id, parsed.data.question, requestMeta(c, deps));
    return c.redirect(`/challenges/${id}#qa`, 303);
  });

  app.get('/notifications', async (c) => {
    const actor = actorOf(c);
    const { rows, unread } = await listNotifications(deps.db, actor.userId, { offset: 0, limit: 100 });
    const mode = await emailModeOf(deps.db, actor.userId);
    const mp = f.mailPreference;
    return c.html(
      <Layout account={accountOf(c)} title={p.notifications}>
        <FormStyles />
        <h1>
          {p.notifications} <small data-testid="unread-count">{p.unread(unread)}</small>
        </h1>
        {c.req.query('saved') === '1' && (
          <div class="notice" role="status">
            {mp.saved}
          </div>
        )}
        {unread > 0 && (
          <form method="post" action="/notifications/read-all">
            <button type="submit">{p.markAllRead}</button>
          </form>
        )}
        {rows.length === 0 && <p class="empty">{p.noNotifications}</p>}
        <ul class="notifications">
          {rows.map((n) => (
            <li class={n.read_at ? 'read' : 'unread'}>
              {n.link ? <a href={n.link}>{n.title}</a> : n.title} <small>{chinaDateTime(n.created_at)}</small>
              {!n.read_at && (
                <form method="post" action={`/notifications/${n.id}/read`} class="inline">
                  <button type="submit" class="link">
                    {p.markRead}
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
        {/* Read often, set once: the list comes first, the mail preference after it. */}
        <form method="post" action="/notifications/preferences" class="panel" data-testid="mail-preference">
          <fieldset>
            <legend>{mp.title}</legend>
            {emailModes.map((m) => (
              <label class="field">
                <span>
                  <input type="radio" name="email" value={m} checked={m === mode} /> {mp.labels[m]}
                </span>
              </label>
            ))}
          </fieldset>
          <button type="submit">{mp.save}</button>
        </form>
      </Layout>,
    );
  });
  app.post('/notifications/:id/read', async (c) => {
    const id = c.req.param('id');
    if (!/^[0-9]{1,15}$/.test(id)) throw new AppError('NOTIFICATION_NOT_FOUND');
    await markNotificationRead(deps.db, actorOf(c).userId, Number(id), deps.clock());
    return c.redirect('/notifications', 303);
  });
  app.post('/notifications/preferences', async (c) => {
    const parsed = validateForm(notificationPreferencesSchema, { email: (await readForm(c)).email ?? '' });
    if (!parsed.ok)
      throw new AppError('VALIDATION_FAILED', {
        fields: Object.entries(parsed.errors).map(([field, reason]) => ({ field, reason })),
      });
    await setEmailMode(deps.db, actorOf(c).userId, parsed.data.email, deps.clock());
    return c.redirect('/notifications?saved=1', 303);
  });
  app.post('/notifications/read-all', async (c) => {
    await markAllNotificationsRead(deps.db, actorOf(c).userId, deps.clock());
    return c.redirect('/notifications', 303);
  });
  return app;
}
