import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jsonRequest, signedIn } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});
const url = (path: string) => `http://localhost${path}`;

describe('CSRF', () => {
  test('a cookie-authenticated POST from another site is rejected and changes nothing', async () => {
    const { user, cookie } = await signedIn(ctx.db, ctx.app, 'enterprise');
    const res = await ctx.app.request(url('/api/v1/me'), {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: 'https://evil.example' },
      body: JSON.stringify({ display_name: '被篡改' }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('CSRF_REJECTED');
    const row = await ctx.db
      .selectFrom('users')
      .select('display_name')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.display_name).not.toBe('被篡改');
  });

  test('Sec-Fetch-Site: cross-site is rejected even without Origin', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(url('/logout'), {
      method: 'POST',
      headers: {
        Cookie: cookie,
        'Sec-Fetch-Site': 'cross-site',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: '',
    });
    expect(res.status).toBe(403);
  });

  test('a same-origin cookie-authenticated PATCH is accepted', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(
      url('/api/v1/me'),
      jsonRequest('PATCH', { display_name: '王教授（贵州大学）' }, cookie),
    );
    expect(res.status).toBe(200);
  });

  test('a cross-site login form post is rejected (login CSRF)', async () => {
    const res = await ctx.app.request(url('/login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' },
      body: 'email=a%40b.cn&password=x',
    });
    expect(res.status).toBe(403);
  });

  test('a cookie-authenticated JSON route refuses form content types (415)', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(url('/api/v1/me'), {
      method: 'PATCH',
      headers: { 'Content-Type': 'text/plain', Cookie: cookie, Origin: 'http://localhost' },
      body: '{"display_name":"x"}',
    });
    expect(res.status).toBe(415);
  });
});

describe('personal API tokens', () => {
  async function createToken(cookie: string, scope: 'read' | 'write') {
    const res = await ctx.app.request(
      url('/api/v1/me/api-tokens'),
      jsonRequest('POST', { name: '数据同步脚本', scope }, cookie),
    );
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; token: string };
  }

  test('a token is shown once and only its hash is stored', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'enterprise');
    const created = await createToken(cookie, 'read');
    expect(created.token).toMatch(/^jbt_[a-z2-7]+\.[a-z2-7]+$/);
    const list = await (
      await ctx.app.request(url('/api/v1/me/api-tokens'), { headers: { Cookie: cookie } })
    ).json();
    expect(JSON.stringify(list)).not.toContain(created.token.split('.')[1]);
    const row = await ctx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash.length).toBe(32);
    expect(JSON.stringify(row)).not.toContain(created.token.split('.')[1]);
  });

  test('a Bearer token authenticates without a cookie and without Origin (not cookie-bound)', async () => {
    const { user, cookie } = await signedIn(ctx.db, ctx.app, 'expert');
    const { token } = await createToken(cookie, 'write');
    const res = await ctx.app.request(url('/api/v1/me'), {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ phone: '13800000000' }),
    });
    expect(res.status).toBe(200);
    const row = await ctx.db
      .selectFrom('users')
      .select('phone')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.phone).toBe('13800000000');
  });

  test('a read-scoped token may read but not write', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'expert');
    const { token } = await createToken(cookie, 'read');
    const auth = { Authorization: `Bearer ${token}` };
    expect((await ctx.app.request(url('/api/v1/me'), { headers: auth })).status).toBe(200);
    const write = await ctx.app.request(url('/api/v1/me'), {
      method: 'PATCH',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ phone: '13900000000' }),
    });
    expect(write.status).toBe(403);
    expect((await write.json()).code).toBe('INSUFFICIENT_SCOPE');
  });

  test('a token cannot mint more tokens (account security routes need a session)', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'expert');
    const { token } = await createToken(cookie, 'write');
    const res = await ctx.app.request(url('/api/v1/me/api-tokens'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x', scope: 'write' }),
    });
    expect(res.status).toBe(403);
  });

  test('a revoked token stops working and the revocation is audited', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'society');
    const { id, token } = await createToken(cookie, 'read');
    const revoke = await ctx.app.request(
      url(`/api/v1/me/api-tokens/${id}`),
      jsonRequest('DELETE', {}, cookie),
    );
    expect(revoke.status).toBe(200);
    expect(
      (await ctx.app.request(url('/api/v1/me'), { headers: { Authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
    // Ordered by id: without an ORDER BY, PostgreSQL promises no order (the other audit checks order too).
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['api_token.created', 'api_token.revoked']);
  });

  test("another user's token id cannot be revoked (404, nothing changes)", async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'expert');
    const other = await signedIn(ctx.db, ctx.app, 'expert');
    const { id } = await createToken(owner.cookie, 'read');
    const res = await ctx.app.request(
      url(`/api/v1/me/api-tokens/${id}`),
      jsonRequest('DELETE', {}, other.cookie),
    );
    expect(res.status).toBe(404);
    const row = await ctx.db
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
  });
});
