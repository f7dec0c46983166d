import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeExpiredChallenges } from '../../src/modules/challenges/challenge.deadlines.js';
import { signedIn } from '../support/account-factories.js';
import {
  bidInput,
  call,
  type FlowWorld,
  newFlowWorld,
  publishedChallenge,
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

const bid = (
  challengeId: string,
  cookie: string,
  body: unknown = bidInput(),
  headers: Record<string, string> = {},
) => call(ctx.app, 'POST', `/challenges/${challengeId}/bids`, { cookie, body, headers });

async function closeNow(id: string) {
  await ctx.db
    .updateTable('challenges')
    .set({ bid_deadline: new Date(Date.now() - 1000), delivery_deadline: null })
    .where('id', '=', id)
    .execute();
  await closeExpiredChallenges(ctx.deps, new Date());
}

describe('submitting bids', () => {
  test('an expert bids alone; the enterprise is notified; the bid never reaches the search index', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const res = await bid(id, w.expertA.cookie);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'expert', status: 'submitted', version: 1, evaluation: null });
    const notes = await ctx.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', w.enterprise.user.id)
      .where('challenge_id', '=', id)
      .execute();
    expect(notes.map((n) => n.kind)).toContain('bid.received');
    const outbox = await ctx.db.selectFrom('search_outbox').select('entity').distinct().execute();
    expect(outbox.map((o) => o.entity)).not.toContain('bid');
  });

  test('one live bid per bidder per challenge (409), also under concurrent submissions; after withdrawing, a new one is allowed', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const results = await Promise.all(Array.from({ length: 8 }, () => bid(id, w.expertB.cookie)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'DUPLICATE_BID')).toBe(true);
    const first = results.find((r) => r.status === 201)!.body;
    expect(
      (await call(ctx.app, 'POST', `/bids/${first.id}/withdraw`, { cookie: w.expertB.cookie })).body.status,
    ).toBe('withdrawn');
    expect((await bid(id, w.expertB.cookie)).status).toBe(201);
  });

  test('a retried submission with the same Idempotency-Key returns the first answer and files nothing new', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const headers = { 'Idempotency-Key': `bid-${id}` };
    const [a, b] = await Promise.all([
      bid(id, w.expertA.cookie, bidInput(), headers),
      bid(id, w.expertA.cookie, bidInput(), headers),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).toBe(b.body.id);
    const c = await bid(id, w.expertA.cookie, bidInput(), headers);
    expect(c.headers.get('idempotent-replayed')).toBe('true');
    expect(c.body.id).toBe(a.body.id);
    const count = await ctx.db
      .selectFrom('bids')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('challenge_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const reused = await bid(id, w.expertA.cookie, bidInput({ price_wan: 1 }), headers);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  test('a team bid lists members; each confirms; a society bids as its verified organisation', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const team = await bid(
      id,
      w.expertA.cookie,
      bidInput({ kind: 'team', members: [{ email: w.expertB.user.email, role: '干燥工艺' }] }),
    );
    expect(team.status).toBe(201);
    expect(team.body.members).toEqual([
      expect.objectContaining({ user_id: w.expertB.user.id, status: 'invited' }),
    ]);
    const confirmed = await call(ctx.app, 'POST', `/bids/${team.body.id}/team-response`, {
      cookie: w.expertB.cookie,
      body: { decision: 'confirm' },
    });
    expect(confirmed.body.members[0].status).toBe('confirmed');
    const org = await bid(
      id,
      w.society.cookie,
      bidInput({ kind: 'organisation', organisation_id: w.society.org.id }),
    );
    expect(org.status).toBe(201);
    expect(org.body.organisation).toEqual({ id: w.society.org.id, name: '贵州省茶叶学会' });
    const unknownMember = await bid(
      id,
      w.outsider.cookie,
      bidInput({ kind: 'team', members: [{ email: 'nobody@example.cn', role: '' }] }),
    );
    expect(unknownMember.status).toBe(422);
    expect((await bid(id, w.society.cookie, bidInput({ kind: 'expert' }))).status).toBe(403);
  });

  test('bidding is refused on drafts (404) and after the deadline (409)', async () => {
    const draft = await call(ctx.app, 'POST', '/challenges', {
      cookie: w.enterprise.cookie,
      body: {
        title: '草稿榜单测试',
        region_code: '520328',
        reward_wan: 1,
        bid_deadline: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect((await bid(draft.body.id, w.expertA.cookie)).status).toBe(404);
    const id = await publishedChallenge(ctx.app, w);
    await closeNow(id);
    const late = await bid(id, w.expertA.cookie);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('CHALLENGE_CLOSED');
  });
});

describe('confidentiality', () => {
  test('only the bidder, the posting enterprise and operators see a bid; other bidders and outsiders get 404', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const mine = await bid(id, w.expertA.cookie);
    await bid(id, w.expertB.cookie);
    for (const cookie of [w.expertA.cookie, w.enterprise.cookie, w.operator.cookie])
      expect((await call(ctx.app, 'GET', `/bids/${mine.body.id}`, { cookie })).status).toBe(200);
    const otherEnterprise = await signedIn(ctx.db, ctx.app, 'enterprise');
    for (const cookie of [w.expertB.cookie, w.outsider.cookie, w.society.cookie, otherEnterprise.cookie])
      expect((await call(ctx.app, 'GET', `/bids/${mine.body.id}`, { cookie })).status).toBe(404);
    expect((await call(ctx.app, 'GET', `/bids/${mine.body.id}`)).status).toBe(401);
    const listAsB = await call(ctx.app, 'GET', `/challenges/${id}/bids`, { cookie: w.expertB.cookie });
    expect(listAsB.body.data).toHaveLength(1);
    expect(listAsB.body.data[0].lead.user_id).toBe(w.expertB.user.id);
    const listAsEnterprise = await call(ctx.app, 'GET', `/challenges/${id}/bids`, {
      cookie: w.enterprise.cookie,
    });
    expect(listAsEnterprise.body.data).toHaveLength(2);
  });

  test('the private evaluation is visible to the enterprise, never to the bidder', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const mine = await bid(id, w.expertA.cookie);
    const evaluated = await call(ctx.app, 'PUT', `/bids/${mine.body.id}/evaluation`, {
      cookie: w.enterprise.cookie,
      body: { shortlisted: true, score: 88, note: '报价偏高，可谈' },
    });
    expect(evaluated.body.evaluation).toEqual({ shortlisted: true, score: 88, note: '报价偏高，可谈' });
    const asBidder = await call(ctx.app, 'GET', `/bids/${mine.body.id}`, { cookie: w.expertA.cookie });
    expect(asBidder.body.evaluation).toBeNull();
    expect(JSON.stringify(asBidder.body)).not.toContain('报价偏高');
    expect(
      (
        await call(ctx.app, 'PUT', `/bids/${mine.body.id}/evaluation`, {
          cookie: w.expertA.cookie,
          body: { score: 100 },
        })
      ).status,
    ).toBe(403);
  });

  test('a bid is edited until the deadline with its version; stale versions get 409', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const mine = await bid(id, w.expertA.cookie);
    const ok = await call(ctx.app, 'PATCH', `/bids/${mine.body.id}`, {
      cookie: w.expertA.cookie,
      body: { price_wan: 40, version: 1 },
    });
    expect(ok.body).toMatchObject({ price_wan: 40, version: 2 });
    const stale = await call(ctx.app, 'PATCH', `/bids/${mine.body.id}`, {
      cookie: w.expertA.cookie,
      body: { price_wan: 30, version: 1 },
    });
    expect(stale.status).toBe(409);
    await closeNow(id);
    const late = await call(ctx.app, 'PATCH', `/bids/${mine.body.id}`, {
      cookie: w.expertA.cookie,
      body: { price_wan: 30, version: 2 },
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('CHALLENGE_CLOSED');
  });
});

describe('deadline', () => {
  test('the sweep closes published challenges whose deadline passed, as the system, and notifies the enterprise', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const future = await publishedChallenge(ctx.app, w);
    await ctx.db
      .updateTable('challenges')
      .set({ bid_deadline: new Date(Date.now() - 60_000), delivery_deadline: null })
      .where('id', '=', id)
      .execute();
    const closed = await closeExpiredChallenges(ctx.deps, new Date());
    expect(closed).toBeGreaterThanOrEqual(1);
    const rows = await ctx.db
      .selectFrom('challenges')
      .select(['id', 'status'])
      .where('id', 'in', [id, future])
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
      [id]: 'bidding_closed',
      [future]: 'published',
    });
    const event = await ctx.db
      .selectFrom('challenge_status_events')
      .selectAll()
      .where('challenge_id', '=', id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      from_status: 'published',
      to_status: 'bidding_closed',
      actor_label: '系统定时任务',
      actor_user_id: null,
    });
    expect(await closeExpiredChallenges(ctx.deps, new Date())).toBe(0);
    const note = await ctx.db
      .selectFrom('notifications')
      .select('kind')
      .where('challenge_id', '=', id)
      .where('user_id', '=', w.enterprise.user.id)
      .where('kind', '=', 'challenge.closed')
      .execute();
    expect(note).toHaveLength(1);
  });

  test('concurrent sweeps (several instances) close each challenge exactly once', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => publishedChallenge(ctx.app, w)));
    await ctx.db
      .updateTable('challenges')
      .set({ bid_deadline: new Date(Date.now() - 60_000), delivery_deadline: null })
      .where('id', 'in', ids)
      .execute();
    await Promise.all([1, 2, 3, 4].map(() => closeExpiredChallenges(ctx.deps, new Date())));
    const events = await ctx.db
      .selectFrom('challenge_status_events')
      .select('challenge_id')
      .where('challenge_id', 'in', ids)
      .where('to_status', '=', 'bidding_closed')
      .execute();
    expect(events).toHaveLength(3);
  });
});

describe('award (挂帅)', () => {
  test('50 simultaneous award attempts: exactly one succeeds, the others get 409, one award in the database', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const a = await bid(id, w.expertA.cookie);
    const b = await bid(id, w.expertB.cookie);
    await closeNow(id);
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(ctx.app, 'POST', `/challenges/${id}/award`, {
          cookie: w.enterprise.cookie,
          body: { bid_ids: [i % 2 ? a.body.id : b.body.id] },
        }),
      ),
    );
    expect(attempts.filter((r) => r.status === 200)).toHaveLength(1);
    expect(attempts.filter((r) => r.status === 409).every((r) => r.body.code === 'ALREADY_AWARDED')).toBe(
      true,
    );
    expect(attempts.filter((r) => r.status === 409)).toHaveLength(49);
    const awarded = await ctx.db
      .selectFrom('bids')
      .select('id')
      .where('challenge_id', '=', id)
      .where('status', '=', 'awarded')
      .execute();
    expect(awarded).toHaveLength(1);
    const events = await ctx.db
      .selectFrom('challenge_status_events')
      .select('to_status')
      .where('challenge_id', '=', id)
      .where('to_status', '=', 'awarded')
      .execute();
    expect(events).toHaveLength(1);
    const milestones = await ctx.db
      .selectFrom('milestones')
      .select('tranche_percent')
      .where('challenge_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(milestones.map((m) => m.tranche_percent)).toEqual([40, 30, 30]);
    const loser = awarded[0]!.id === a.body.id ? w.expertB : w.expertA;
    const notes = await ctx.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', loser.user.id)
      .where('challenge_id', '=', id)
      .execute();
    expect(notes.map((n) => n.kind)).toContain('bid.not_awarded');
  });

  test('赛马: up to max_awards winners in one award, never more; a retried award with its key replays', async () => {
    const id = await publishedChallenge(ctx.app, w, { award_mode: 'horse_race', max_awards: 2 });
    const bids = [
      await bid(id, w.expertA.cookie),
      await bid(id, w.expertB.cookie),
      await bid(id, w.society.cookie, bidInput({ kind: 'organisation', organisation_id: w.society.org.id })),
    ];
    await closeNow(id);
    const tooMany = await call(ctx.app, 'POST', `/challenges/${id}/award`, {
      cookie: w.enterprise.cookie,
      body: { bid_ids: bids.map((b) => b.body.id) },
    });
    expect(tooMany.status).toBe(422);
    const headers = { 'Idempotency-Key': `award-${id}` };
    const body = { bid_ids: [bids[0]!.body.id, bids[2]!.body.id] };
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(ctx.app, 'POST', `/challenges/${id}/award`, { cookie: w.enterprise.cookie, body, headers }),
      ),
    );
    expect(attempts.every((r) => r.status === 200)).toBe(true);
    expect(attempts.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    const awarded = await ctx.db
      .selectFrom('bids')
      .select('id')
      .where('challenge_id', '=', id)
      .where('status', '=', 'awarded')
      .execute();
    expect(awarded).toHaveLength(2);
  });

  test('award needs bidding closed, a live bid of this challenge, confirmed team members, and the enterprise', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const team = await bid(
      id,
      w.expertA.cookie,
      bidInput({ kind: 'team', members: [{ email: w.expertB.user.email, role: '' }] }),
    );
    const award = (cookie = w.enterprise.cookie, bid_ids = [team.body.id]) =>
      call(ctx.app, 'POST', `/challenges/${id}/award`, { cookie, body: { bid_ids } });
    expect((await award()).body.code).toBe('CHALLENGE_STATE_CONFLICT');
    await closeNow(id);
    expect((await award()).body.code).toBe('TEAM_NOT_CONFIRMED');
    expect((await award(w.enterprise.cookie, [crypto.randomUUID()])).status).toBe(422);
    expect((await award(w.expertA.cookie)).status).toBe(403);
    await call(ctx.app, 'POST', `/bids/${team.body.id}/team-response`, {
      cookie: w.expertB.cookie,
      body: { decision: 'confirm' },
    });
    expect((await award()).status).toBe(200);
  });
});
