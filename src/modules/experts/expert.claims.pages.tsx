import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { chinaDate } from '../../web/china-time.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import {
  DecisionForm,
  Field,
  type FieldErrors,
  FormErrors,
  formFailure,
  readForm,
  validateForm,
} from '../auth/forms.js';
import { requestMeta } from '../auth/request-meta.js';
import {
  type ClaimView,
  claimBody,
  claimDecisionBody,
  decideClaim,
  listClaimsOf,
  listPendingClaims,
  loadClaimableProfile,
  requestClaim,
} from './expert.claims.js';

const m = messages.expertClaim;
const uuid = '[0-9a-fA-F-]{36}';

async function ClaimPage(props: {
  deps: AppDeps;
  userId: string;
  profile: { id: string; name: string; title: string; affiliation: string; user_id: string | null };
  evidence?: string | undefined;
  errors?: FieldErrors;
  notice?: string;
}) {
  const mine = (await listClaimsOf(props.deps.db, props.userId)).filter(
    (c) => c.expert_profile_id === props.profile.id,
  );
  const errors = props.errors ?? {};
  return (
    <Layout title={m.claimTitle(props.profile.name)}>
      <div class="narrow panel">
        <h1>{m.claimTitle(props.profile.name)}</h1>
        <p>
          {props.profile.title} {props.profile.affiliation}
        </p>
        {props.notice && (
          <div class="notice" role="status">
            {props.notice}
          </div>
        )}
        {mine.length > 0 && <ClaimList claims={mine} />}
        {props.profile.user_id !== null ? (
          <p class="empty">{messages.errors.EXPERT_PROFILE_CLAIMED}</p>
        ) : (
          <>
            <p>{m.claimIntro}</p>
            <FormErrors errors={errors} />
            <form method="post" action={`/experts/${props.profile.id}/claim`} novalidate>
              <Field
                label={m.evidence}
                name="evidence"
                value={props.evidence}
                errors={errors}
                maxlength={2000}
              />
              <button type="submit">{m.submitClaim}</button>
            </form>
          </>
        )}
      </div>
    </Layout>
  );
}

function ClaimList({ claims }: { claims: ClaimView[] }) {
  return (
    <table class="list">
      <tbody>
        {claims.map((c) => (
          <tr data-claim-id={c.id}>
            <td>{chinaDate(c.created_at)}</td>
            <td data-testid="claim-status">{m.statuses[c.status]}</td>
            <td>{c.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function QueuePage({
  deps,
  errors,
  failedId,
}: {
  deps: AppDeps;
  errors?: FieldErrors;
  failedId?: string;
}) {
  const pending = await listPendingClaims(deps.db);
  return (
    <Layout title={m.queueTitle}>
      <h1>{m.queueTitle}</h1>
      {pending.length === 0 && <p class="empty">{m.queueEmpty}</p>}
      {pending.map((claim) => (
        <section class="panel" data-claim-id={claim.id}>
          <h2>
            <a href={`/experts/${claim.expert_profile_id}`}>{claim.expert_name}</a> {claim.expert_affiliation}
          </h2>
          <p class="meta">
            <span>
              {m.claimant}：{claim.claimant_name}（{claim.claimant_email}）
            </span>
            <span>{chinaDate(claim.created_at)}</span>
          </p>
          <p>
            {m.evidence}：{claim.evidence}
          </p>
          {failedId === claim.id && <FormErrors errors={errors ?? {}} />}
          <DecisionForm
            action={`/admin/expert-claims/${claim.id}/decision`}
            itemId={claim.id}
            reasonLabel={m.reason}
            errors={failedId === claim.id ? errors : undefined}
            approve={{ value: 'approved', label: m.approve }}
            reject={{ value: 'rejected', label: m.reject }}
          />
        </section>
      ))}
    </Layout>
  );
}

/** 认领专家资料: the expert's claim form and the operator's claims queue. */
export function expertClaimPages(deps: AppDeps) {
  const app = new Hono();
  const actorOf = (auth: ReturnType<typeof requireAuth>) => ({ userId: auth.user.id, role: auth.user.role });
  app.get(`/experts/:id{${uuid}}/claim`, async (c) => {
    const auth = requireAuth(c);
    const profile = await loadClaimableProfile(deps.db, actorOf(auth), c.req.param('id'));
    return c.html(await ClaimPage({ deps, userId: auth.user.id, profile }));
  });
  app.post(`/experts/:id{${uuid}}/claim`, async (c) => {
    const auth = requireAuth(c);
    const profile = await loadClaimableProfile(deps.db, actorOf(auth), c.req.param('id'));
    const values = await readForm(c);
    const parsed = validateForm(claimBody, { evidence: values.evidence ?? '' });
    if (!parsed.ok)
      return c.html(
        await ClaimPage({
          deps,
          userId: auth.user.id,
          profile,
          evidence: values.evidence,
          errors: parsed.errors,
        }),
        422,
      );
    try {
      await requestClaim(deps, actorOf(auth), profile.id, parsed.data, requestMeta(c, deps));
    } catch (error) {
      const failure = formFailure(error);
      return c.html(
        await ClaimPage({
          deps,
          userId: auth.user.id,
          profile,
          evidence: values.evidence,
          errors: failure.errors,
        }),
        failure.status,
      );
    }
    return c.html(await ClaimPage({ deps, userId: auth.user.id, profile, notice: m.submitted }), 201);
  });
  app.get('/admin/expert-claims', async (c) => c.html(await QueuePage({ deps })));
  app.post(`/admin/expert-claims/:id{${uuid}}/decision`, async (c) => {
    const auth = requireAuth(c);
    const id = c.req.param('id');
    const parsed = validateForm(claimDecisionBody, await readForm(c));
    if (!parsed.ok) return c.html(await QueuePage({ deps, errors: parsed.errors, failedId: id }), 422);
    try {
      await decideClaim(deps, actorOf(auth), id, parsed.data, requestMeta(c, deps));
    } catch (error) {
      const failure = formFailure(error);
      return c.html(await QueuePage({ deps, errors: failure.errors, failedId: id }), failure.status);
    }
    return c.redirect('/admin/expert-claims', 303);
  });
  return app;
}
