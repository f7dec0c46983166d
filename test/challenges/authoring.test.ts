import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newOrganisationFor, signedIn } from '../support/account-factories.js';
import {
  call,
  challengeInput,
  type FlowWorld,
  inDays,
  newFlowWorld,
} from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let w: FlowWorld;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await newFlowWorld(ctx.db, ctx.app);
});
afterAll(async () => {
  await ctx.close();
});

const create = (body: unknown, cookie = w.enterprise.cookie) =>
  call(ctx.app, 'POST', '/challenges', { cookie, body });

describe('drafting', () => {
  test('an enterprise member drafts a challenge with every field; it starts as a draft with a completeness score', async () => {
    const res = await create(
      challengeInput({ disciplines: ['210'], award_mode: 'horse_race', max_awards: 3 }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({
      status: 'draft',
      version: 1,
      enterprise: { id: w.enterprise.org.id },
      reward_tranches: [40, 30, 30],
      award_mode: 'horse_race',
      max_awards: 3,
      ip_terms: 'shared',
    });
    expect(res.body.completeness.score).toBeGreaterThanOrEqual(90);
    const row = await ctx.db
      .selectFrom('challenges')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row.created_by).toBe(w.enterprise.user.id);
    const events = await ctx.db
      .selectFrom('challenge_status_events')
      .selectAll()
      .where('challenge_id', '=', res.body.id)
      .execute();
    expect(events.map((e) => e.to_status)).toEqual(['draft']);
  });

  test('a thin draft scores low and lists what is missing, in Chinese', async () => {
    const res = await create({
      title: '辣椒烘干',
      region_code: '520300',
      reward_wan: 0,
      bid_deadline: inDays(20),
    });
    expect(res.status).toBe(201);
    expect(res.body.completeness.score).toBeLessThan(30);
    expect(res.body.completeness.missing.map((m: { field: string }) => m.field)).toContain('problem');
    expect(res.body.completeness.missing[0].hint).toMatch(/[\u4e00-\u9fa5]/);
  });

  test('bad tranches, past deadline and inconsistent award mode are field errors', async () => {
    const res = await create(
      challengeInput({ reward_tranches: [50, 30], bid_deadline: inDays(-1), max_awards: 2 }),
    );
    expect(res.status).toBe(422);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('reward_tranches');
    const second = await create(challengeInput({ bid_deadline: inDays(-1), max_awards: 2 }));
    expect(second.status).toBe(422);
    expect(second.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'bid_deadline',
      'max_awards',
    ]);
    expect(await ctx.db.selectFrom('challenges').select('id').where('title', '=', 'x').execute()).toEqual([]);
  });

  test('a user of no enterprise cannot post; an expert is refused by role', async () => {
    const lone = await signedIn(ctx.db, ctx.app, 'enterprise');
    const res = await create(challengeInput(), lone.cookie);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('enterprise_id');
    expect((await create(challengeInput(), w.expertA.cookie)).status).toBe(403);
  });
});

describe('editing with optimistic concurrency', () => {
  test('an edit on the current version applies and bumps it; a stale one gets 409 with a clear message', async () => {
    const { body } = await create(challengeInput());
    const ok = await call(ctx.app, 'PATCH', `/challenges/${body.id}`, {
      cookie: w.enterprise.cookie,
      headers: { 'If-Match': '"1"' },
      body: { reward_wan: 60 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await call(ctx.app, 'PATCH', `/challenges/${body.id}`, {
      cookie: w.enterprise.cookie,
      body: { reward_wan: 70, version: 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    expect(stale.body.detail).toContain('当前版本 2');
    const row = await ctx.db
      .selectFrom('challenges')
      .select(['reward_wan', 'version'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ reward_wan: 60, version: 2 });
  });

  test('an edit without a version is refused', async () => {
    const { body } = await create(challengeInput());
    const res = await call(ctx.app, 'PATCH', `/challenges/${body.id}`, {
      cookie: w.enterprise.cookie,
      body: { reward_wan: 1 },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('version');
  });

  test('of two concurrent edits on the same version exactly one wins', async () => {
    const { body } = await create(challengeInput());
    const results = await Promise.all(
      [11, 12, 13, 14, 15].map((reward) =>
        call(ctx.app, 'PATCH', `/challenges/${body.id}`, {
          cookie: w.enterprise.cookie,
          body: { reward_wan: reward, version: 1 },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
  });
});

describe('review', () => {
  test('submit → operator returns with a reason → edit → resubmit → publish; every step is an event and audited', async () => {
    const { body } = await create(challengeInput());
    const id = body.id;
    expect(
      (await call(ctx.app, 'POST', `/challenges/${id}/submit`, { cookie: w.enterprise.cookie })).body.status,
    ).toBe('under_review');
    const noReason = await call(ctx.app, 'POST', `/challenges/${id}/review`, {
      cookie: w.operator.cookie,
      body: { decision: 'return' },
    });
    expect(noReason.status).toBe(422);
    const returned = await call(ctx.app, 'POST', `/challenges/${id}/review`, {
      cookie: w.operator.cookie,
      body: { decision: 'return', reason: '请补充现有烘干设备的型号' },
    });
    expect(returned.body.status).toBe('returned');
    const edited = await call(ctx.app, 'PATCH', `/challenges/${id}`, {
      cookie: w.enterprise.cookie,
      body: {
        background: `${challengeInput().background}现有设备为 5HG-3 型烘干房。`,
        version: returned.body.version,
      },
    });
    expect(edited.status).toBe(200);
    const resubmitted = await call(ctx.app, 'POST', `/challenges/${id}/submit`, {
      cookie: w.enterprise.cookie,
    });
    expect(resubmitted.body, JSON.stringify(resubmitted.body)).toMatchObject({ status: 'under_review' });
    const published = await call(ctx.app, 'POST', `/challenges/${id}/review`, {
      cookie: w.operator.cookie,
      body: { decision: 'publish' },
    });
    expect(published.body.status).toBe('published');
    expect(published.body.history.map((e: { to_status: string }) => e.to_status)).toEqual([
      'draft',
      'under_review',
      'returned',
      'under_review',
      'published',
    ]);
    expect(published.body.history[2].reason).toBe('请补充现有烘干设备的型号');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'challenge.created',
      'challenge.submitted',
      'challenge.review.return',
      'challenge.updated',
      'challenge.submitted',
      'challenge.review.publish',
    ]);
    const notes = await ctx.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', w.enterprise.user.id)
      .where('challenge_id', '=', id)
      .execute();
    expect(notes.map((n) => n.kind)).toEqual(
      expect.arrayContaining(['challenge.returned', 'challenge.published']),
    );
    const mails = await ctx.db
      .selectFrom('outbound_emails')
      .select('subject')
      .where('kind', '=', 'challenge.published')
      .execute();
    expect(mails.length).toBeGreaterThan(0);
    // Published → public.
    expect((await call(ctx.app, 'GET', `/challenges/${id}`)).status).toBe(200);
  });

  test('editing a challenge under review sends it back to draft', async () => {
    const { body } = await create(challengeInput());
    await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: w.enterprise.cookie });
    const res = await call(ctx.app, 'PATCH', `/challenges/${body.id}`, {
      cookie: w.enterprise.cookie,
      body: { reward_wan: 80, version: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('draft');
    expect(res.body.history.at(-1)).toMatchObject({ from_status: 'under_review', to_status: 'draft' });
  });

  test('an operator rejects with a reason; rejected is final', async () => {
    const { body } = await create(challengeInput());
    await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: w.enterprise.cookie });
    const res = await call(ctx.app, 'POST', `/challenges/${body.id}/review`, {
      cookie: w.operator.cookie,
      body: { decision: 'reject', reason: '不属于技术难题' },
    });
    expect(res.body.status).toBe('rejected');
    expect(
      (await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: w.enterprise.cookie })).status,
    ).toBe(409);
  });

  test('an unverified enterprise may draft but not submit', async () => {
    const e = await signedIn(ctx.db, ctx.app, 'enterprise');
    await newOrganisationFor(ctx.db, e.user.id, { kind: 'enterprise' });
    const { body, status } = await create(challengeInput(), e.cookie);
    expect(status).toBe(201);
    const res = await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: e.cookie });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ORGANISATION_NOT_VERIFIED');
  });

  test('a draft with an empty problem cannot be submitted', async () => {
    const { body } = await create({
      title: '辣椒烘干问题',
      region_code: '520328',
      reward_wan: 10,
      bid_deadline: inDays(10),
    });
    const res = await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: w.enterprise.cookie });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'background',
      'problem',
      'targets',
    ]);
  });

  test('the review queue lists challenges under review for operators only', async () => {
    const { body } = await create(challengeInput({ title: '待审核的榜单示例' }));
    await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: w.enterprise.cookie });
    const queue = await call(ctx.app, 'GET', '/admin/challenges/review-queue', { cookie: w.operator.cookie });
    expect(queue.body.data.map((c: { id: string }) => c.id)).toContain(body.id);
    expect(
      (await call(ctx.app, 'GET', '/admin/challenges/review-queue', { cookie: w.enterprise.cookie })).status,
    ).toBe(403);
  });
});

describe('visibility of unpublished challenges', () => {
  test('a draft is 404 to outsiders and the public, visible to its enterprise and operators', async () => {
    const { body } = await create(challengeInput());
    expect(
      (await call(ctx.app, 'GET', `/challenges/${body.id}/work`, { cookie: w.enterprise.cookie })).status,
    ).toBe(200);
    expect(
      (await call(ctx.app, 'GET', `/challenges/${body.id}/work`, { cookie: w.operator.cookie })).status,
    ).toBe(200);
    const other = await signedIn(ctx.db, ctx.app, 'enterprise');
    expect((await call(ctx.app, 'GET', `/challenges/${body.id}/work`, { cookie: other.cookie })).status).toBe(
      404,
    );
    expect((await call(ctx.app, 'GET', `/challenges/${body.id}`)).status).toBe(404);
    expect(
      (
        await call(ctx.app, 'PATCH', `/challenges/${body.id}`, {
          cookie: other.cookie,
          body: { version: 1, reward_wan: 1 },
        })
      ).status,
    ).toBe(404);
  });

  test('my challenges lists every status of my enterprise', async () => {
    const res = await call(ctx.app, 'GET', '/me/challenges', { cookie: w.enterprise.cookie });
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeGreaterThan(3);
    expect(
      res.body.data.every((c: { enterprise: { id: string } }) => c.enterprise.id === w.enterprise.org.id),
    ).toBe(true);
  });
});

describe('withdraw and early close', () => {
  test('the enterprise closes bidding early, then withdraws; both recorded', async () => {
    const { body } = await create(challengeInput());
    await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: w.enterprise.cookie });
    await call(ctx.app, 'POST', `/challenges/${body.id}/review`, {
      cookie: w.operator.cookie,
      body: { decision: 'publish' },
    });
    const closed = await call(ctx.app, 'POST', `/challenges/${body.id}/close`, {
      cookie: w.enterprise.cookie,
      body: {},
    });
    expect(closed.body.status).toBe('bidding_closed');
    const withdrawn = await call(ctx.app, 'POST', `/challenges/${body.id}/withdraw`, {
      cookie: w.enterprise.cookie,
      body: { reason: '项目调整' },
    });
    expect(withdrawn.body.status).toBe('withdrawn');
    expect((await call(ctx.app, 'GET', `/challenges/${body.id}`)).status).toBe(404);
  });
});

describe('edits after publication', () => {
  test('are kept as revisions and notify bidders', async () => {
    const { body } = await create(challengeInput());
    await call(ctx.app, 'POST', `/challenges/${body.id}/submit`, { cookie: w.enterprise.cookie });
    await call(ctx.app, 'POST', `/challenges/${body.id}/review`, {
      cookie: w.operator.cookie,
      body: { decision: 'publish' },
    });
    const bid = await call(ctx.app, 'POST', `/challenges/${body.id}/bids`, {
      cookie: w.expertA.cookie,
      body: {
        kind: 'expert',
        approach: '低温分段热风干燥结合护色预处理。',
        promised_indicators: '色价提高 20%',
        price_wan: 40,
        duration_days: 120,
      },
    });
    expect(bid.status).toBe(201);
    const edited = await call(ctx.app, 'PATCH', `/challenges/${body.id}`, {
      cookie: w.enterprise.cookie,
      body: { targets: '色价提高 20% 以上', version: 1 },
    });
    expect(edited.body).toMatchObject({ status: 'published', version: 2 });
    const revisions = await ctx.db
      .selectFrom('challenge_revisions')
      .select(['version', 'content'])
      .where('challenge_id', '=', body.id)
      .execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]!.version).toBe(1);
    expect((revisions[0]!.content as { targets: string }).targets).toBe(challengeInput().targets);
    const notes = await ctx.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', w.expertA.user.id)
      .where('challenge_id', '=', body.id)
      .execute();
    expect(notes.map((n) => n.kind)).toContain('challenge.edited');
  });
});
