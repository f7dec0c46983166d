import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSession } from '../../src/modules/auth/session.js';
import { formRequest, jsonRequest, logInAs, newUser, sameOrigin } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const url = (path: string) => `http://localhost${path}`;

/** Logs in over the API with a given browser, as a second device would. */
async function logInFrom(email: string, userAgent: string) {
  const res = await ctx.app.request(url('/api/v1/session'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent },
    body: JSON.stringify({ email, password: '湄潭翠芽-明前采摘2026' }),
  });
  expect(res.status).toBe(200);
  const body = await res.json();
  const cookie = /((?:__Host-)?jb_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
  return { cookie, sessionId: body.session.id as string };
}

describe('my sessions (登录设备)', () => {
  test('lists my live sessions with browser and times, marks the current one, and never a hash', async () => {
    const wang = await newUser(ctx.db, 'expert');
    const laptop = await logInFrom(wang.email, 'Mozilla/5.0 (Windows NT 10.0) Chrome/130');
    const phone = await logInFrom(wang.email, 'Mozilla/5.0 (iPhone) MicroMessenger/8.0');
    const res = await ctx.app.request(url('/api/v1/me/sessions'), { headers: { Cookie: laptop.cookie } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data.map((s: { id: string }) => s.id).sort()).toEqual(
      [laptop.sessionId, phone.sessionId].sort(),
    );
    const current = body.data.find((s: { id: string }) => s.id === laptop.sessionId);
    expect(current).toMatchObject({ current: true, user_agent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/130' });
    expect(current.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(current.last_seen_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(body.data.find((s: { id: string }) => s.id === phone.sessionId).current).toBe(false);
    expect(JSON.stringify(body)).not.toMatch(/hash|secret/);
  });

  test("does not list another user's sessions or expired ones", async () => {
    const wang = await newUser(ctx.db, 'expert');
    const li = await newUser(ctx.db, 'society');
    const mine = await logInFrom(wang.email, 'UA-wang');
    await logInFrom(li.email, 'UA-li');
    const stale = await createSession(ctx.db, wang.id, new Date(Date.now() - 20 * 86_400_000), {
      ip: null,
      userAgent: 'old',
    });
    const res = await ctx.app.request(url('/api/v1/me/sessions'), { headers: { Cookie: mine.cookie } });
    const ids = (await res.json()).data.map((s: { id: string }) => s.id);
    expect(ids).toEqual([mine.sessionId]);
    expect(ids).not.toContain(stale.session.id);
  });

  test('revoking one of my sessions signs that device out and is audited', async () => {
    const wang = await newUser(ctx.db, 'expert');
    const laptop = await logInFrom(wang.email, 'laptop');
    const phone = await logInFrom(wang.email, 'phone');
    const res = await ctx.app.request(url(`/api/v1/me/sessions/${phone.sessionId}`), {
      method: 'DELETE',
      headers: { Cookie: laptop.cookie, ...sameOrigin },
    });
    expect(res.status).toBe(204);
    const phoneNow = await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: phone.cookie } });
    expect(phoneNow.status).toBe(401);
    const laptopNow = await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: laptop.cookie } });
    expect(laptopNow.status).toBe(200);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('target_type', '=', 'session')
      .where('target_id', '=', phone.sessionId)
      .where('action', '=', 'session.revoked')
      .executeTakeFirst();
    expect(audit?.actor_user_id).toBe(wang.id);
  });

  test("another user's session answers 404 and stays alive", async () => {
    const wang = await newUser(ctx.db, 'expert');
    const li = await newUser(ctx.db, 'society');
    const mine = await logInFrom(wang.email, 'wang');
    const theirs = await logInFrom(li.email, 'li');
    const res = await ctx.app.request(url(`/api/v1/me/sessions/${theirs.sessionId}`), {
      method: 'DELETE',
      headers: { Cookie: mine.cookie, ...sameOrigin },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const row = await ctx.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', theirs.sessionId)
      .executeTakeFirst();
    expect(row?.id).toBe(theirs.sessionId);
    const unknown = await ctx.app.request(url('/api/v1/me/sessions/aaaaaaaaaaaaaaaaaaaaaaaa'), {
      method: 'DELETE',
      headers: { Cookie: mine.cookie, ...sameOrigin },
    });
    expect(unknown.status).toBe(404);
  });

  test('an API token cannot list or end sessions (session-only routes)', async () => {
    const wang = await newUser(ctx.db, 'expert');
    const cookie = await logInAs(ctx.app, wang.email);
    const created = await ctx.app.request(
      url('/api/v1/me/api-tokens'),
      jsonRequest('POST', { name: '脚本', scope: 'write' }, cookie),
    );
    const { token } = await created.json();
    const res = await ctx.app.request(url('/api/v1/me/sessions'), {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(403);
  });

  test('the account page lists devices and signs another one out', async () => {
    const wang = await newUser(ctx.db, 'expert');
    const laptop = await logInFrom(wang.email, 'Mozilla/5.0 (X11) Laptop');
    const phone = await logInFrom(wang.email, 'Mozilla/5.0 (Android) Phone');
    const page = await ctx.app.request(url('/account'), { headers: { Cookie: laptop.cookie } });
    const html = await page.text();
    expect(html).toContain('Mozilla/5.0 (Android) Phone');
    expect(html).toContain('当前设备');
    expect(html).toContain(`/account/sessions/${phone.sessionId}/revoke`);
    const res = await ctx.app.request(
      url(`/account/sessions/${phone.sessionId}/revoke`),
      formRequest({}, laptop.cookie),
    );
    expect(res.status).toBe(303);
    const gone = await ctx.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', phone.sessionId)
      .executeTakeFirst();
    expect(gone).toBeUndefined();
  });
});
