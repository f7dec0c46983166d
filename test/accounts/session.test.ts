import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFrom, jsonRequest, logInAs, newUser, PERSONA_PASSWORD } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const url = (path: string) => `http://localhost${path}`;

describe('signup', () => {
  test('an enterprise signs up over the API and is signed in', async () => {
    const res = await ctx.app.request(
      url('/api/v1/accounts'),
      jsonRequest('POST', {
        email: 'zhang@qiancha.example',
        password: PERSONA_PASSWORD,
        display_name: '张经理',
        role: 'enterprise',
      }),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.user).toMatchObject({ email: 'zhang@qiancha.example', role: 'enterprise' });
    expect(JSON.stringify(body)).not.toMatch(/hash|secret/);
    const cookie = cookieFrom(res);
    const me = await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: cookie } });
    expect((await me.json()).user.email).toBe('zhang@qiancha.example');
    const row = await ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'zhang@qiancha.example')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  test('an expert signing up gets an expert profile linked to the account', async () => {
    const res = await ctx.app.request(
      url('/api/v1/accounts'),
      jsonRequest('POST', {
        email: 'wang@gzu.example',
        password: PERSONA_PASSWORD,
        display_name: '王教授',
        role: 'expert',
      }),
    );
    const { user } = await res.json();
    const profile = await ctx.db
      .selectFrom('expert_profiles')
      .select(['name'])
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    expect(profile?.name).toBe('王教授');
  });

  test('a common password is refused with a Chinese reason', async () => {
    const res = await ctx.app.request(
      url('/api/v1/accounts'),
      jsonRequest('POST', {
        email: 'weak@example.cn',
        password: 'password123!',
        display_name: '弱',
        role: 'expert',
      }),
    );
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors).toContainEqual({
      field: 'password',
      reason: '这个密码太常见，很容易被猜到，请换一个',
    });
    expect(
      await ctx.db.selectFrom('users').where('email', '=', 'weak@example.cn').select('id').executeTakeFirst(),
    ).toBeUndefined();
  });

  test('a short password is refused and a 100-character passphrase is accepted', async () => {
    const short = await ctx.app.request(
      url('/api/v1/accounts'),
      jsonRequest('POST', {
        email: 'short@example.cn',
        password: 'Ab3$xyz',
        display_name: '短',
        role: 'expert',
      }),
    );
    expect(short.status).toBe(422);
    const long = await ctx.app.request(
      url('/api/v1/accounts'),
      jsonRequest('POST', {
        email: 'long@example.cn',
        password: '遵义的辣椒'.repeat(20),
        display_name: '长',
        role: 'expert',
      }),
    );
    expect(long.status).toBe(201);
  });

  test('signing up as operator is not possible', async () => {
    const res = await ctx.app.request(
      url('/api/v1/accounts'),
      jsonRequest('POST', {
        email: 'op@example.cn',
        password: PERSONA_PASSWORD,
        display_name: '假管理员',
        role: 'operator',
      }),
    );
    expect(res.status).toBe(422);
  });

  test('a second account for the same mailbox (any case) is refused with 409', async () => {
    await newUser(ctx.db, 'enterprise', { email: 'dup@example.cn' });
    const res = await ctx.app.request(
      url('/api/v1/accounts'),
      jsonRequest('POST', {
        email: 'DUP@example.cn',
        password: PERSONA_PASSWORD,
        display_name: '重复',
        role: 'enterprise',
      }),
    );
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('EMAIL_TAKEN');
  });
});

describe('sessions', () => {
  test('the cookie is HttpOnly, SameSite=Lax, Secure, Path=/ and holds <id>.<secret>', async () => {
    const user = await newUser(ctx.db, 'expert');
    const res = await ctx.app.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: user.email, password: PERSONA_PASSWORD }),
    );
    const header = res.headers.get('set-cookie')!;
    expect(header).toMatch(/^__Host-jb_session=[a-z2-7]+\.[a-z2-7]{32,}/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Secure');
    expect(header).toContain('Path=/');
  });

  test('only the SHA-256 of the secret is stored, never the secret', async () => {
    const user = await newUser(ctx.db, 'expert');
    const cookie = await logInAs(ctx.app, user.email);
    const [id, secret] = cookie.split('=')[1]!.split('.');
    const row = await ctx.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id!)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash.length).toBe(32);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  test('a session object returned by the API has no hash or secret', async () => {
    const user = await newUser(ctx.db, 'society');
    const cookie = await logInAs(ctx.app, user.email);
    const body = await (
      await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: cookie } })
    ).json();
    expect(Object.keys(body.session).sort()).toEqual(['created_at', 'expires_at', 'id']);
  });

  test('a tampered secret is not accepted', async () => {
    const user = await newUser(ctx.db, 'expert');
    const cookie = await logInAs(ctx.app, user.email);
    const tampered = `${cookie.slice(0, -1)}${cookie.endsWith('a') ? 'b' : 'a'}`;
    const res = await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: tampered } });
    expect(res.status).toBe(401);
  });

  test('wrong password and unknown account get the same answer', async () => {
    const user = await newUser(ctx.db, 'expert');
    const wrong = await ctx.app.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: user.email, password: 'not-the-password-1' }),
    );
    const unknown = await ctx.app.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: 'nobody@example.cn', password: 'not-the-password-1' }),
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect({ ...a, request_id: undefined }).toEqual({ ...b, request_id: undefined });
  });

  test('logout deletes the session row and the cookie stops working', async () => {
    const user = await newUser(ctx.db, 'expert');
    const cookie = await logInAs(ctx.app, user.email);
    const res = await ctx.app.request(url('/api/v1/session'), jsonRequest('DELETE', {}, cookie));
    expect(res.status).toBe(204);
    expect(
      await ctx.db.selectFrom('sessions').where('user_id', '=', user.id).select('id').execute(),
    ).toHaveLength(0);
    expect((await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: cookie } })).status).toBe(401);
  });

  test('log out of all devices ends every session of the user', async () => {
    const user = await newUser(ctx.db, 'expert');
    const phone = await logInAs(ctx.app, user.email);
    const laptop = await logInAs(ctx.app, user.email);
    const res = await ctx.app.request(url('/api/v1/sessions'), jsonRequest('DELETE', {}, laptop));
    expect(await res.json()).toEqual({ sessions_ended: 2 });
    expect((await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: phone } })).status).toBe(401);
  });

  test('changing the password ends other sessions and keeps this device signed in', async () => {
    const user = await newUser(ctx.db, 'enterprise');
    const other = await logInAs(ctx.app, user.email);
    const mine = await logInAs(ctx.app, user.email);
    const res = await ctx.app.request(
      url('/api/v1/me/password'),
      jsonRequest('PUT', { current_password: PERSONA_PASSWORD, new_password: '花溪牛肉粉加辣-2027' }, mine),
    );
    expect(res.status).toBe(200);
    const fresh = cookieFrom(res);
    expect((await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: other } })).status).toBe(401);
    expect((await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: mine } })).status).toBe(401);
    expect((await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: fresh } })).status).toBe(200);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.password_changed')
      .where('target_id', '=', user.id)
      .execute();
    expect(audit).toHaveLength(1);
  });

  test('expiry slides: a session used within 14 days lives on, one idle longer is gone', async () => {
    const user = await newUser(ctx.db, 'expert');
    const cookie = await logInAs(ctx.app, user.email);
    const id = cookie.split('=')[1]!.split('.')[0]!;
    await ctx.db
      .updateTable('sessions')
      .set({ last_verified_at: new Date(Date.now() - 2 * 3_600_000) })
      .where('id', '=', id)
      .execute();
    const used = await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: cookie } });
    expect(used.status).toBe(200);
    expect(used.headers.get('set-cookie')).toContain('jb_session=');
    const row = await ctx.db
      .selectFrom('sessions')
      .select('last_verified_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Date.now() - row.last_verified_at.getTime()).toBeLessThan(60_000);
    await ctx.db
      .updateTable('sessions')
      .set({ last_verified_at: new Date(Date.now() - 15 * 86_400_000) })
      .where('id', '=', id)
      .execute();
    expect((await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: cookie } })).status).toBe(401);
    expect(
      await ctx.db.selectFrom('sessions').where('id', '=', id).select('id').executeTakeFirst(),
    ).toBeUndefined();
  });
});
