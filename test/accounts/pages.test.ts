import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFrom, formRequest, newUser, PERSONA_PASSWORD } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});
const url = (path: string) => `http://localhost${path}`;

describe('account pages (Chinese, server-rendered forms)', () => {
  test('the signup form signs up and lands on the account page', async () => {
    const res = await ctx.app.request(
      url('/signup'),
      formRequest({
        role: 'society',
        email: 'li@tea-society.example',
        password: PERSONA_PASSWORD,
        display_name: '李秘书长',
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    const page = await ctx.app.request(url('/account'), { headers: { Cookie: cookieFrom(res) } });
    const html = await page.text();
    expect(html).toContain('我的账号');
    expect(html).toContain('李秘书长');
  });

  test('an invalid signup re-renders the form with Chinese field errors (422)', async () => {
    const res = await ctx.app.request(
      url('/signup'),
      formRequest({ role: 'expert', email: 'not-an-email', password: '123', display_name: '' }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('data-field-error="email"');
    expect(html).toContain('data-field-error="password"');
    expect(
      await ctx.db.selectFrom('users').where('email', '=', 'not-an-email').select('id').executeTakeFirst(),
    ).toBeUndefined();
  });

  test('the login form redirects to a local next page, never to another site', async () => {
    const user = await newUser(ctx.db, 'expert');
    const local = await ctx.app.request(
      url('/login'),
      formRequest({ email: user.email, password: PERSONA_PASSWORD, next: '/challenges' }),
    );
    expect(local.headers.get('location')).toBe('/challenges');
    const evil = await ctx.app.request(
      url('/login'),
      formRequest({ email: user.email, password: PERSONA_PASSWORD, next: '//evil.example/' }),
    );
    expect(evil.headers.get('location')).toBe('/account');
  });

  test('a wrong password re-renders the login form with a Chinese message (401)', async () => {
    const res = await ctx.app.request(
      url('/login'),
      formRequest({ email: 'x@example.cn', password: 'wrong-password' }),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('邮箱或密码不正确');
  });

  test('the account page sends anonymous visitors to the login page', async () => {
    const res = await ctx.app.request(url('/account'));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Faccount');
  });

  test('an API token created in the UI is shown once', async () => {
    const user = await newUser(ctx.db, 'enterprise');
    const login = await ctx.app.request(
      url('/login'),
      formRequest({ email: user.email, password: PERSONA_PASSWORD }),
    );
    const cookie = cookieFrom(login);
    const created = await ctx.app.request(
      url('/account/tokens'),
      formRequest({ name: 'ERP 同步', scope: 'read' }, cookie),
    );
    expect(created.status).toBe(201);
    expect(await created.text()).toMatch(/data-testid="new-token">jbt_/);
    const later = await (await ctx.app.request(url('/account'), { headers: { Cookie: cookie } })).text();
    expect(later).toContain('ERP 同步');
    expect(later).not.toContain('data-testid="new-token"');
  });

  test('pages carry the security headers and a CSP without script needs', async () => {
    const res = await ctx.app.request(url('/login'));
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBeTruthy();
    expect(await res.text()).not.toContain('<script');
  });
});
