import { type Context, Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { chinaDate } from '../../web/china-time.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { PickerSelect, regionGroups } from '../../web/picker.js';
import { requireAuth } from '../auth/auth.middleware.js';
import {
  DecisionForm,
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
import { type ActorRef, canManageOrganisation, canViewOrganisationInternals } from '../auth/policy.js';
import { requestMeta } from '../auth/request-meta.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import { listMembers, listOrganisationsByVerification } from './organisation.queries.js';
import {
  invitationBody,
  memberRoleBody,
  organisationBody,
  verificationBody,
} from './organisation.schemas.js';
import {
  acceptInvitation,
  createOrganisation,
  decideVerification,
  inviteMember,
  loadVisibleOrganisation,
  setMemberRole,
} from './organisation.usecases.js';

const m = messages.organisation;
const uuid = '[0-9a-fA-F-]{36}';

function NewOrganisationForm({
  values,
  errors,
  regions,
  account,
}: {
  values: FormValues;
  errors: FieldErrors;
  regions: ReferenceData['regions'];
  account: Parameters<typeof Layout>[0]['account'];
}) {
  return (
    <Layout title={m.newTitle} account={account}>
      <FormStyles />
      <div class="narrow panel">
        <h1>{m.newTitle}</h1>
        <p>{m.newIntro}</p>
        <FormErrors errors={errors} />
        <form method="post" action="/organisations/new" novalidate>
          <Field label={m.name} name="name" value={values.name} errors={errors} required maxlength={100} />
          <Field
            label={m.creditCode}
            name="credit_code"
            value={values.credit_code}
            errors={errors}
            required
            maxlength={18}
          />
          <PickerSelect
            label={m.regionCode}
            name="region_code"
            value={values.region_code}
            groups={regionGroups(regions, { wholePrefecture: true })}
            errors={errors}
          />
          <Field
            label={m.description}
            name="description"
            value={values.description}
            errors={errors}
            maxlength={2000}
          />
          <button type="submit">{m.submitNew}</button>
        </form>
      </div>
    </Layout>
  );
}

async function OrganisationPage(props: {
  deps: AppDeps;
  id: string;
  actor: ActorRef | null;
  notice?: string;
  errors?: FieldErrors;
}) {
  const { org, membership } = await loadVisibleOrganisation(props.deps.db, props.id, props.actor);
  const internals = canViewOrganisationInternals(props.actor, membership);
  const manage = canManageOrganisation(membership);
  const members = internals ? await listMembers(props.deps.db, org.id) : [];
  return (
    <Layout title={org.name}>
      <FormStyles />
      <div class="detail">
        <h1>{org.name}</h1>
        <div class="meta">
          <span class="badge">{m.kinds[org.kind]}</span>
          <span class={`badge verification-${org.verification_status}`} data-testid="verification-status">
            {m.verification[org.verification_status]}
          </span>
          {org.credit_code && (
            <span>
              {m.creditCode} {org.credit_code}
            </span>
          )}
        </div>
        {props.notice && (
          <div class="notice" role="status">
            {props.notice}
          </div>
        )}
        {internals && org.verification_status === 'pending' && <p>{m.pendingHint}</p>}
        {internals && org.verification_status === 'rejected' && org.verification_reason && (
          <p>{m.rejectedBecause(org.verification_reason)}</p>
        )}
        {org.description && <p>{org.description}</p>}
        {internals && (
          <Panel title={m.members}>
            <table class="list">
              <tbody>
                {members.map((member) => (
                  <tr>
                    <td>{member.display_name}</td>
                    <td>{member.email}</td>
                    <td>{m.memberRoles[member.role]}</td>
                    <td>
                      {manage && (
                        <form
                          method="post"
                          action={`/organisations/${org.id}/members/${member.user_id}/role`}
                          class="inline"
                        >
                          <input
                            type="hidden"
                            name="role"
                            value={member.role === 'admin' ? 'member' : 'admin'}
                          />
                          <button type="submit" class="link">
                            {member.role === 'admin' ? m.makeMember : m.makeAdmin}
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
        )}
        {manage && (
          <Panel title={m.invite}>
            <FormErrors errors={props.errors ?? {}} />
            <form method="post" action={`/organisations/${org.id}/invitations`} class="row">
              <Field label={m.inviteEmail} name="email" type="email" errors={props.errors ?? {}} />
              <Select
                label={m.inviteRole}
                name="role"
                value="member"
                options={[
                  ['member', m.memberRoles.member!],
                  ['admin', m.memberRoles.admin!],
                ]}
              />
              <div class="field">
                <button type="submit">{m.submitInvite}</button>
              </div>
            </form>
          </Panel>
        )}
      </div>
    </Layout>
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
  const pending = await listOrganisationsByVerification(deps.db, 'pending');
  return (
    <Layout title={m.queueTitle}>
      <FormStyles />
      <h1>{m.queueTitle}</h1>
      {pending.length === 0 && <p class="empty">{m.queueEmpty}</p>}
      {pending.map((org) => (
        <section class="panel" data-organisation-id={org.id}>
          <h2>
            <a href={`/organisations/${org.id}`}>{org.name}</a>
          </h2>
          <p class="meta">
            <span>{m.kinds[org.kind]}</span>
            <span>
              {m.creditCode} {org.credit_code}
            </span>
            <span>{chinaDate(org.created_at)}</span>
          </p>
          {failedId === org.id && <FormErrors errors={errors ?? {}} />}
          <DecisionForm
            action={`/admin/organisations/${org.id}/verification`}
            itemId={org.id}
            reasonLabel={m.reason}
            errors={failedId === org.id ? errors : undefined}
            approve={{ value: 'verified', label: m.approve }}
            reject={{ value: 'rejected', label: m.reject }}
          />
        </section>
      ))}
    </Layout>
  );
}

function AcceptPage({ token, errors }: { token: string; errors: FieldErrors }) {
  return (
    <Layout title={m.acceptTitle}>
      <FormStyles />
      <div class="narrow panel">
        <h1>{m.acceptTitle}</h1>
        <FormErrors errors={errors} />
        <form method="post" action="/invitations/accept">
          <input type="hidden" name="token" value={token} />
          <button type="submit">{m.acceptButton}</button>
        </form>
      </div>
    </Layout>
  );
}

/** Organisation pages: register, view/manage, invitations, and the operator's verification queue. */
export function organisationPages(deps: AppDeps) {
  const app = new Hono();
  const actorOf = (auth: ReturnType<typeof requireAuth>): ActorRef => ({
    userId: auth.user.id,
    role: auth.user.role,
  });
  // The form picks the region by name; its options come from the reference data.
  const newForm = async (c: Context, values: FormValues, errors: FieldErrors) => (
    <NewOrganisationForm
      values={values}
      errors={errors}
      regions={(await deps.reference.get()).regions}
      account={requireAuth(c).user}
    />
  );
  app.get('/organisations/new', async (c) => c.html(await newForm(c, {}, {})));
  app.post('/organisations/new', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(organisationBody, values);
    if (!parsed.ok) return c.html(await newForm(c, values, parsed.errors), 422);
    try {
      const org = await createOrganisation(deps, actorOf(requireAuth(c)), parsed.data, requestMeta(c, deps));
      return c.redirect(`/organisations/${org.id}`, 303);
    } catch (error) {
      const failure = formFailure(error);
      return c.html(await newForm(c, values, failure.errors), failure.status);
    }
  });
  app.get(`/organisations/:id{${uuid}}`, async (c) => {
    const auth = c.get('auth');
    return c.html(
      await OrganisationPage({ deps, id: c.req.param('id'), actor: auth ? actorOf(auth) : null }),
    );
  });
  app.post(`/organisations/:id{${uuid}}/invitations`, async (c) => {
    const auth = requireAuth(c);
    const id = c.req.param('id');
    const values = await readForm(c);
    const parsed = validateForm(invitationBody, values);
    if (!parsed.ok)
      return c.html(await OrganisationPage({ deps, id, actor: actorOf(auth), errors: parsed.errors }), 422);
    await inviteMember(
      deps,
      { ...actorOf(auth), displayName: auth.user.display_name },
      id,
      parsed.data,
      requestMeta(c, deps),
    );
    return c.html(
      await OrganisationPage({ deps, id, actor: actorOf(auth), notice: m.invited(parsed.data.email) }),
      201,
    );
  });
  app.post(`/organisations/:id{${uuid}}/members/:userId{${uuid}}/role`, async (c) => {
    const auth = requireAuth(c);
    const parsed = validateForm(memberRoleBody, await readForm(c));
    const id = c.req.param('id');
    if (!parsed.ok)
      return c.html(await OrganisationPage({ deps, id, actor: actorOf(auth), errors: parsed.errors }), 422);
    try {
      await setMemberRole(
        deps,
        actorOf(auth),
        id,
        c.req.param('userId'),
        parsed.data.role,
        requestMeta(c, deps),
      );
    } catch (error) {
      const failure = formFailure(error);
      return c.html(
        await OrganisationPage({ deps, id, actor: actorOf(auth), errors: failure.errors }),
        failure.status,
      );
    }
    return c.redirect(`/organisations/${id}`, 303);
  });
  app.get('/invitations/accept', (c) =>
    c.html(<AcceptPage token={c.req.query('token') ?? ''} errors={{}} />),
  );
  app.post('/invitations/accept', async (c) => {
    const auth = requireAuth(c);
    const values = await readForm(c);
    try {
      const { organisationId } = await acceptInvitation(
        deps,
        { ...actorOf(auth), email: auth.user.email },
        values.token ?? '',
        requestMeta(c, deps),
      );
      return c.redirect(`/organisations/${organisationId}`, 303);
    } catch (error) {
      const failure = formFailure(error);
      return c.html(<AcceptPage token={values.token ?? ''} errors={failure.errors} />, failure.status);
    }
  });
  app.get('/admin/verifications', async (c) => c.html(await QueuePage({ deps })));
  app.post(`/admin/organisations/:id{${uuid}}/verification`, async (c) => {
    const auth = requireAuth(c);
    const id = c.req.param('id');
    const parsed = validateForm(verificationBody, await readForm(c));
    if (!parsed.ok) return c.html(await QueuePage({ deps, errors: parsed.errors, failedId: id }), 422);
    try {
      await decideVerification(deps, actorOf(auth), id, parsed.data, requestMeta(c, deps));
    } catch (error) {
      const failure = formFailure(error);
      return c.html(await QueuePage({ deps, errors: failure.errors, failedId: id }), failure.status);
    }
    return c.redirect('/admin/verifications', 303);
  });
  return app;
}
