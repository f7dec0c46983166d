import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../src/app.js';
import { jsonRequest, logInAs, newUser, PERSONA_PASSWORD } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});
const url = (path: string) => `http://localhost${path}`;

describe('password reset', () => {
  test('the answer is the same for a known and an unknown email; only the known one gets mail', async () => {
    const user = await newUser(ctx.db, 'expert');
    const known = await ctx.app.request(
      url('/api/v1/password-resets'),
      jsonRequest('POST', { email: user.email }),
    );
    const unknown = await ctx.app.request(
      url('/api/v1/password-resets'),
      jsonRequest('POST', { email: 'ghost@example.cn' }),
    );
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(await known.json()).toEqual(await unknown.json());
    const mails = await ctx.db
      .selectFrom('outbound_emails')
      .select('to_address')
      .where('kind', '=', 'password_reset')
      .execute();
    expect(mails.map((m) => m.to_address)).toEqual([user.email]);
  });

  test('the mailed one-time link sets a new password, ends all sessions, and cannot be reused', async () => {
    const user = await newUser(ctx.db, 'enterprise');
    const cookie = await logInAs(ctx.app, user.email);
    await ctx.app.request(url('/api/v1/password-resets'), jsonRequest('POST', { email: user.email }));
    const mail = await ctx.db
      .selectFrom('outbound_emails')
      .selectAll()
      .where('to_address', '=', user.email)
      .executeTakeFirstOrThrow();
    const token = decodeURIComponent(/token=(\S+)/.exec(mail.body_text)![1]!);
    const body = { token, new_password: '黔东南酸汤鱼-2027年' };
    expect(
      (await ctx.app.request(url('/api/v1/password-resets/confirm'), jsonRequest('POST', body))).status,
    ).toBe(204);
    expect((await ctx.app.request(url('/api/v1/session'), { headers: { Cookie: cookie } })).status).toBe(401);
    await logInAs(ctx.app, user.email, '黔东南酸汤鱼-2027年');
    const again = await ctx.app.request(
      url('/api/v1/password-resets/confirm'),
      jsonRequest('POST', { ...body, new_password: '另一个新密码-足够长' }),
    );
    expect(again.status).toBe(400);
    expect((await again.json()).code).toBe('TOKEN_INVALID');
  });

  test('an expired link is refused', async () => {
    const user = await newUser(ctx.db, 'society');
    await ctx.app.request(url('/api/v1/password-resets'), jsonRequest('POST', { email: user.email }));
    const mail = await ctx.db
      .selectFrom('outbound_emails')
      .selectAll()
      .where('to_address', '=', user.email)
      .executeTakeFirstOrThrow();
    const token = decodeURIComponent(/token=(\S+)/.exec(mail.body_text)![1]!);
    await ctx.db
      .updateTable('password_reset_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    const res = await ctx.app.request(
      url('/api/v1/password-resets/confirm'),
      jsonRequest('POST', { token, new_password: '黔东南酸汤鱼-2027年' }),
    );
    expect(res.status).toBe(400);
  });
});

describe('rate limits (counted in PostgreSQL)', () => {
  /**
   * The limits count in fixed windows (15 min for logins) aligned to the clock. With the real clock a
   * test whose attempts straddle a window boundary would see the count start again and no 429; the
   * apps here read one frozen instant, so all attempts of a test fall into one window.
   */
  const frozenClock = () => {
    const at = new Date();
    return () => at;
  };

  test('after 10 attempts on one account within 15 minutes, login answers 429 with Retry-After', async () => {
    const app = createApp({ ...ctx.deps, clock: frozenClock() });
    const user = await newUser(ctx.db, 'expert');
    for (let i = 0; i < 10; i++) {
      const res = await app.request(
        url('/api/v1/session'),
        jsonRequest('POST', { email: user.email, password: `wrong-password-${i}` }),
      );
      expect(res.status).toBe(401);
    }
    const blocked = await app.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: user.email, password: 'wrong-again-xx' }),
    );
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const row = await ctx.db
      .selectFrom('rate_limits')
      .select('hits')
      .where('bucket', '=', `login:account:${user.email}`)
      .executeTakeFirstOrThrow();
    // Every attempt reserves its hit before any password work, the refused 11th too.
    expect(row.hits).toBe(11);
    // Even the right password waits out the window now.
    const right = await app.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: user.email, password: PERSONA_PASSWORD }),
    );
    expect(right.status).toBe(429);
  });

  test('forty people behind one office address all sign in; failures from it are still limited', async () => {
    const ip = '198.51.100.20';
    const app = createApp({ ...ctx.deps, clientIp: () => ip, clock: frozenClock() });
    const trainees = await Promise.all(Array.from({ length: 40 }, () => newUser(ctx.db, 'expert')));
    for (const trainee of trainees) {
      const res = await app.request(
        url('/api/v1/session'),
        jsonRequest('POST', { email: trainee.email, password: PERSONA_PASSWORD }),
      );
      expect(res.status, trainee.email).toBe(200);
    }
    for (let i = 0; i < 30; i++) {
      const res = await app.request(
        url('/api/v1/session'),
        jsonRequest('POST', { email: `guess${i}@example.cn`, password: 'wrong-password' }),
      );
      expect(res.status).toBe(401);
    }
    const after = await app.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: trainees[0]!.email, password: PERSONA_PASSWORD }),
    );
    expect(after.status).toBe(429);
    const attempts = await ctx.db
      .selectFrom('rate_limits')
      .select('hits')
      .where('bucket', '=', `login:attempts:${ip}`)
      .executeTakeFirstOrThrow();
    expect(attempts.hits).toBe(71);
  });

  test('twenty guesses at once against one account: at most ten reach the password check', async () => {
    const app = createApp({ ...ctx.deps, clock: frozenClock() });
    const user = await newUser(ctx.db, 'expert');
    const guess = async (i: number) =>
      (
        await app.request(
          url('/api/v1/session'),
          jsonRequest('POST', { email: user.email, password: `guess-${i}-xxxx` }),
        )
      ).status;
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => guess(i)));
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  test('an unknown account is limited exactly like a known one', async () => {
    const app = createApp({ ...ctx.deps, clock: frozenClock() });
    for (let i = 0; i < 10; i++) {
      await app.request(
        url('/api/v1/session'),
        jsonRequest('POST', { email: 'nobody-here@example.cn', password: `wrong-password-${i}` }),
      );
    }
    const res = await app.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: 'nobody-here@example.cn', password: 'x-x-x-x-x-x' }),
    );
    expect(res.status).toBe(429);
  });

  test('the per-IP limit is shared by two app instances on one database', async () => {
    const ip = '203.0.113.7';
    const clock = frozenClock();
    const make = () => createApp({ ...ctx.deps, clientIp: () => ip, clock });
    const [a, b] = [make(), make()];
    for (let i = 0; i < 30; i++) {
      const app = i % 2 === 0 ? a : b;
      await app.request(
        url('/api/v1/session'),
        jsonRequest('POST', { email: `user${i}@example.cn`, password: 'wrong-password' }),
      );
    }
    const res = await a.request(
      url('/api/v1/session'),
      jsonRequest('POST', { email: 'another@example.cn', password: 'wrong-password' }),
    );
    expect(res.status).toBe(429);
  });
});
