import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { chinaDateTime } from '../../web/china-time.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { listMyOrganisations } from '../organisations/organisation.queries.js';
import {
  apiTokenBody,
  changePasswordBody,
  loginBody,
  profileBody,
  resetConfirmBody,
  resetRequestBody,
  signupBody,
  signupRoles,
} from './account.schemas.js';
import {
  changePassword,
  completePasswordReset,
  endOwnSession,
  findUserView,
  issueApiToken,
  logIn,
  logOut,
  logOutEverywhere,
  requestPasswordReset,
  signUp,
  updateProfile,
  withdrawApiToken,
} from './account.usecases.js';
import { type ApiTokenView, listApiTokens } from './api-tokens.js';
import { clearSessionCookie, requireAuth, setSessionCookie } from './auth.middleware.js';
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
  safeNext,
  validateForm,
} from './forms.js';
import { PASSWORD_MIN_LENGTH } from './password.js';
import { requestMeta } from './request-meta.js';
import { listUserSessions, type SessionListEntry } from './session.js';

const m = messages.account;

function SignupForm({ values, errors }: { values: FormValues; errors: FieldErrors }) {
  return (
    <Layout title={m.signupTitle}>
      <FormStyles />
      <div class="narrow panel">
        <h1>{m.signupTitle}</h1>
        <p>{m.signupIntro}</p>
        <FormErrors errors={errors} />
        <form method="post" action="/signup" novalidate>
          <Select
            label={m.role}
            name="role"
            value={values.role ?? 'enterprise'}
            errors={errors}
            options={signupRoles.map((r) => [r, m.roles[r]!])}
          />
          <Field
            label={m.email}
            name="email"
            type="email"
            value={values.email}
            errors={errors}
            required
            autocomplete="email"
          />
          <Field
            label={m.password}
            name="password"
            type="password"
            errors={errors}
            required
            autocomplete="new-password"
            hint={m.passwordHint(PASSWORD_MIN_LENGTH)}
          />
          <Field
            label={m.displayName}
            name="display_name"
            value={values.display_name}
            errors={errors}
            required
            autocomplete="name"
            maxlength={50}
          />
          <Field
            label={m.phone}
            name="phone"
            type="tel"
            value={values.phone}
            errors={errors}
            autocomplete="tel"
          />
          <button type="submit">{m.submitSignup}</button>
        </form>
        <p>
          {m.haveAccount} <a href="/login">{m.login}</a>
        </p>
      </div>
    </Layout>
  );
}

function LoginForm({
  values,
  errors,
  next,
}: {
  values: FormValues;
  errors: FieldErrors;
  next?: string | undefined;
}) {
  return (
    <Layout title={m.loginTitle}>
      <FormStyles />
      <div class="narrow panel">
        <h1>{m.loginTitle}</h1>
        <FormErrors errors={errors} />
        <form method="post" action="/login" novalidate>
          {next && <input type="hidden" name="next" value={next} />}
          <Field
            label={m.email}
            name="email"
            type="email"
            value={values.email}
            errors={errors}
            required
            autocomplete="username"
          />
          <Field
            label={m.password}
            name="password"
            type="password"
            errors={errors}
            required
            autocomplete="current-password"
          />
          <button type="submit">{m.submitLogin}</button>
        </form>
        <p>
          <a href="/password/forgot">{m.forgot}</a> · {m.noAccount} <a href="/signup">{m.signup}</a>
        </p>
      </div>
    </Layout>
  );
}

const fmt = (d: Date | null) => (d ? chinaDateTime(d) : m.never);

async function AccountPage(props: {
  deps: AppDeps;
  c: Context;
  notice?: string;
  newToken?: string;
  errors?: FieldErrors;
  form?: 'profile' | 'password' | 'token';
}) {
  const auth = requireAuth(props.c);
  const [user, tokens, organisations, sessions] = await Promise.all([
    findUserView(props.deps.db, auth.user.id),
    listApiTokens(props.deps.db, auth.user.id),
    listMyOrganisations(props.deps.db, auth.user.id),
    listUserSessions(props.deps.db, auth.user.id, props.deps.clock()),
  ]);
  const errorsFor = (form: string) => (props.form === form ? (props.errors ?? {}) : {});
  return (
    <Layout
      title={m.accountTitle}
      account={{ ...user, unread_notifications: auth.user.unread_notifications }}
    >
      <FormStyles />
      <h1>
        {m.accountTitle} · {user.display_name}（{m.roles[user.role]}）
      </h1>
      {props.notice && (
        <div class="notice" role="status">
          {props.notice}
        </div>
      )}
      {props.newToken && (
        <div class="notice" role="status">
          {m.tokenCreated}
          <code data-testid="new-token">{props.newToken}</code>
        </div>
      )}
      <Panel title={m.profile}>
        <FormErrors errors={errorsFor('profile')} />
        <form method="post" action="/account/profile">
          <p>
            {m.email}：{user.email}
          </p>
          <Field
            label={m.displayName}
            name="display_name"
            value={user.display_name}
            errors={errorsFor('profile')}
            maxlength={50}
          />
          <Field
            label={m.phone}
            name="phone"
            type="tel"
            value={user.phone ?? ''}
            errors={errorsFor('profile')}
          />
          <button type="submit">{m.saveProfile}</button>
        </form>
      </Panel>
      <Panel title={m.organisations}>
        {organisations.length === 0 ? (
          <p>{m.noOrganisations}</p>
        ) : (
          <ul>
            {organisations.map((o) => (
              <li>
                <a href={`/organisations/${o.id}`}>{o.name}</a> ·{' '}
                {messages.organisation.verification[o.verification_status]} ·{' '}
                {messages.organisation.memberRoles[o.member_role]}
              </li>
            ))}
          </ul>
        )}
        {(user.role === 'enterprise' || user.role === 'society') && (
          <p>
            <a href="/organisations/new">{m.createOrganisation} →</a>
          </p>
        )}
        {user.role === 'operator' && (
          <p>
            <a href="/admin/verifications">{messages.organisation.queueTitle} →</a>
          </p>
        )}
        {user.role === 'operator' && (
          <p>
            <a href="/admin/expert-claims">{messages.expertClaim.queueTitle} →</a>
          </p>
        )}
      </Panel>
      <Panel title={m.changePassword}>
        <FormErrors errors={errorsFor('password')} />
        <form method="post" action="/account/password">
          <Field
            label={m.currentPassword}
            name="current_password"
            type="password"
            errors={errorsFor('password')}
            autocomplete="current-password"
          />
          <Field
            label={m.newPassword}
            name="new_password"
            type="password"
            errors={errorsFor('password')}
            autocomplete="new-password"
            hint={m.passwordHint(PASSWORD_MIN_LENGTH)}
          />
          <button type="submit">{m.submitPassword}</button>
        </form>
      </Panel>
      <Panel title={m.tokens}>
        <p>{m.tokensHint}</p>
        <TokenTable tokens={tokens} />
        <FormErrors errors={errorsFor('token')} />
        <form method="post" action="/account/tokens" class="row">
          <Field label={m.tokenName} name="name" errors={errorsFor('token')} maxlength={60} />
          <Select
            label={m.tokenScope}
            name="scope"
            value="read"
            options={[
              ['read', m.scopes.read!],
              ['write', m.scopes.write!],
            ]}
            errors={errorsFor('token')}
          />
          <div class="field">
            <button type="submit">{m.createToken}</button>
          </div>
        </form>
      </Panel>
      <Panel title={m.sessions}>
        <p>{m.sessionsHint}</p>
        <SessionTable sessions={sessions} currentId={auth.session?.id} />
        <div class="row">
          <form method="post" action="/logout">
            <button type="submit">{m.logout}</button>
          </form>
          <form method="post" action="/logout/all">
            <button type="submit">{m.logoutAll}</button>
          </form>
        </div>
      </Panel>
    </Layout>
  );
}

function SessionTable({
  sessions,
  currentId,
}: {
  sessions: SessionListEntry[];
  currentId?: string | undefined;
}) {
  return (
    <table class="list">
      <thead>
        <tr>
          <th>{m.sessionDevice}</th>
          <th>{m.sessionIp}</th>
          <th>{m.sessionCreated}</th>
          <th>{m.sessionLastSeen}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {sessions.map((s) => (
          <tr data-session-id={s.id}>
            <td>{s.user_agent ?? m.sessionUnknownDevice}</td>
            <td>{s.ip ?? '—'}</td>
            <td>{fmt(s.created_at)}</td>
            <td>{fmt(s.last_seen_at)}</td>
            <td>
              {s.id === currentId ? (
                m.sessionCurrent
              ) : (
                <form method="post" action={`/account/sessions/${s.id}/revoke`} class="inline">
                  <button type="submit" class="link">
                    {m.sessionRevoke}
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TokenTable({ tokens }: { tokens: ApiTokenView[] }) {
  if (tokens.length === 0) return <p>{m.noTokens}</p>;
  return (
    <table class="list">
      <thead>
        <tr>
          <th>{m.tokenName}</th>
          <th>{m.tokenScope}</th>
          <th>{m.lastUsed}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr data-token-id={t.id}>
            <td>{t.name}</td>
            <td>{m.scopes[t.scope]}</td>
            <td>{fmt(t.last_used_at)}</td>
            <td>
              {t.revoked_at ? (
                m.revoked
              ) : (
                <form method="post" action={`/account/tokens/${t.id}/revoke`} class="inline">
                  <button type="submit" class="link">
                    {m.revoke}
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ForgotForm({
  values,
  errors,
  notice,
}: {
  values: FormValues;
  errors: FieldErrors;
  notice?: string;
}) {
  return (
    <Layout title={m.forgotTitle}>
      <FormStyles />
      <div class="narrow panel">
        <h1>{m.forgotTitle}</h1>
        {notice ? (
          <div class="notice" role="status">
            {notice}
          </div>
        ) : (
          <p>{m.forgotIntro}</p>
        )}
        <FormErrors errors={errors} />
        <form method="post" action="/password/forgot" novalidate>
          <Field
            label={m.email}
            name="email"
            type="email"
            value={values.email}
            errors={errors}
            required
            autocomplete="email"
          />
          <button type="submit">{m.sendReset}</button>
        </form>
      </div>
    </Layout>
  );
}

function ResetForm({ token, errors }: { token: string; errors: FieldErrors }) {
  return (
    <Layout title={m.resetTitle}>
      <FormStyles />
      <div class="narrow panel">
        <h1>{m.resetTitle}</h1>
        <FormErrors errors={errors} />
        <form method="post" action="/password/reset" novalidate>
          <input type="hidden" name="token" value={token} />
          <Field
            label={m.newPassword}
            name="new_password"
            type="password"
            errors={errors}
            required
            autocomplete="new-password"
            hint={m.passwordHint(PASSWORD_MIN_LENGTH)}
          />
          <button type="submit">{m.submitReset}</button>
        </form>
      </div>
    </Layout>
  );
}

/** The account pages: signup, login/logout, the account page (profile, password, API tokens), password reset. */
export function accountPages(deps: AppDeps) {
  const app = new Hono();
  app.get('/signup', (c) =>
    c.html(<SignupForm values={{ role: c.req.query('role') ?? 'enterprise' }} errors={{}} />),
  );
  app.post('/signup', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(signupBody, values);
    if (!parsed.ok) return c.html(<SignupForm values={values} errors={parsed.errors} />, 422);
    try {
      const result = await signUp(deps, parsed.data, requestMeta(c, deps));
      setSessionCookie(c, deps, result.token, result.session.expires_at);
      return c.redirect('/account', 303);
    } catch (error) {
      const failure = formFailure(error);
      return c.html(<SignupForm values={values} errors={failure.errors} />, failure.status);
    }
  });
  app.get('/login', (c) => c.html(<LoginForm values={{}} errors={{}} next={c.req.query('next')} />));
  app.post('/login', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(loginBody, { email: values.email ?? '', password: values.password ?? '' });
    if (!parsed.ok)
      return c.html(<LoginForm values={values} errors={parsed.errors} next={values.next} />, 422);
    try {
      const result = await logIn(deps, parsed.data, requestMeta(c, deps));
      setSessionCookie(c, deps, result.token, result.session.expires_at);
      return c.redirect(safeNext(values.next), 303);
    } catch (error) {
      const failure = formFailure(error);
      if (error instanceof AppError && error.retryAfterSeconds)
        c.header('Retry-After', String(error.retryAfterSeconds));
      return c.html(<LoginForm values={values} errors={failure.errors} next={values.next} />, failure.status);
    }
  });
  app.post('/logout', async (c) => {
    const auth = requireAuth(c);
    if (auth.session) await logOut(deps, auth.session, requestMeta(c, deps));
    clearSessionCookie(c, deps);
    return c.redirect('/', 303);
  });
  app.post('/logout/all', async (c) => {
    await logOutEverywhere(deps, requireAuth(c).user.id, requestMeta(c, deps));
    clearSessionCookie(c, deps);
    return c.redirect('/login', 303);
  });
  app.get('/account', async (c) =>
    c.html(await AccountPage({ deps, c, notice: c.req.query('saved') ? m.profileSaved : undefined })),
  );
  app.post('/account/profile', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(profileBody, {
      display_name: values.display_name,
      phone: values.phone ?? null,
    });
    if (!parsed.ok)
      return c.html(await AccountPage({ deps, c, errors: parsed.errors, form: 'profile' }), 422);
    await updateProfile(deps, requireAuth(c).user.id, parsed.data, requestMeta(c, deps));
    return c.redirect('/account?saved=1', 303);
  });
  app.post('/account/password', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(changePasswordBody, {
      current_password: values.current_password ?? '',
      new_password: values.new_password ?? '',
    });
    if (!parsed.ok)
      return c.html(await AccountPage({ deps, c, errors: parsed.errors, form: 'password' }), 422);
    try {
      const { token, session } = await changePassword(
        deps,
        requireAuth(c).user.id,
        parsed.data,
        requestMeta(c, deps),
      );
      setSessionCookie(c, deps, token, session.expires_at);
      return c.html(await AccountPage({ deps, c, notice: m.passwordChanged }));
    } catch (error) {
      const failure = formFailure(error);
      return c.html(await AccountPage({ deps, c, errors: failure.errors, form: 'password' }), failure.status);
    }
  });
  app.post('/account/tokens', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(apiTokenBody, values);
    if (!parsed.ok) return c.html(await AccountPage({ deps, c, errors: parsed.errors, form: 'token' }), 422);
    const created = await issueApiToken(deps, requireAuth(c).user.id, parsed.data, requestMeta(c, deps));
    // Shown once, in this response only; never stored in a cookie or URL.
    c.header('Cache-Control', 'no-store');
    return c.html(await AccountPage({ deps, c, newToken: created.token }), 201);
  });
  app.post('/account/tokens/:id/revoke', async (c) => {
    await withdrawApiToken(deps, requireAuth(c).user.id, c.req.param('id'), requestMeta(c, deps));
    return c.redirect('/account', 303);
  });
  app.post('/account/sessions/:id/revoke', async (c) => {
    await endOwnSession(deps, requireAuth(c).user.id, c.req.param('id'), requestMeta(c, deps));
    return c.redirect('/account', 303);
  });
  app.get('/password/forgot', (c) => c.html(<ForgotForm values={{}} errors={{}} />));
  app.post('/password/forgot', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(resetRequestBody, { email: values.email ?? '' });
    if (!parsed.ok) return c.html(<ForgotForm values={values} errors={parsed.errors} />, 422);
    try {
      await requestPasswordReset(deps, parsed.data.email, requestMeta(c, deps));
    } catch (error) {
      const failure = formFailure(error);
      return c.html(<ForgotForm values={values} errors={failure.errors} />, failure.status);
    }
    return c.html(<ForgotForm values={{}} errors={{}} notice={m.resetSent} />);
  });
  app.get('/password/reset', (c) => {
    c.header('Referrer-Policy', 'no-referrer'); // the token is in this URL
    return c.html(<ResetForm token={c.req.query('token') ?? ''} errors={{}} />);
  });
  app.post('/password/reset', async (c) => {
    const values = await readForm(c);
    const parsed = validateForm(resetConfirmBody, {
      token: values.token ?? '',
      new_password: values.new_password ?? '',
    });
    if (!parsed.ok) return c.html(<ResetForm token={values.token ?? ''} errors={parsed.errors} />, 422);
    try {
      await completePasswordReset(deps, parsed.data, requestMeta(c, deps));
    } catch (error) {
      const failure = formFailure(error);
      return c.html(<ResetForm token={values.token ?? ''} errors={failure.errors} />, failure.status);
    }
    return c.html(<LoginForm values={{}} errors={{ _form: m.resetDone }} />);
  });
  return app;
}
