import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeExpiredChallenges } from '../../src/modules/challenges/challenge.deadlines.js';
import { challengeStatuses } from '../../src/modules/challenges/challenge.lifecycle.js';
import {
  bidInput,
  call,
  challengeInput,
  type FlowWorld,
  newFlowWorld,
} from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * Random sequences of actions by random roles, over the API, against one challenge per run. After
 * every step: the status is a known one, the event log is a complete chain ending in it, awards
 * exist exactly when the status says so (never without a bid, never more than allowed), bids stay
 * hidden from outsiders and other bidders, and nothing answers 5xx.
 */
let ctx: TestContext;
let w: FlowWorld;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await newFlowWorld(ctx.db, ctx.app);
});
afterAll(async () => {
  await ctx.close();
});

const actors = ['enterprise', 'operator', 'expertA', 'expertB', 'society', 'outsider'] as const;
type ActorName = (typeof actors)[number];
const actions = [
  'edit',
  'submit',
  'publish',
  'return',
  'reject',
  'withdraw',
  'close',
  'deadline',
  'bid',
  'withdrawBid',
  'award',
  'submitMilestone',
  'acceptMilestone',
  'returnMilestone',
  'accept',
  'fail',
] as const;

const step = fc.record({
  action: fc.constantFrom(...actions),
  actor: fc.constantFrom(...actors),
  pick: fc.nat(10),
});

test('random actions by random roles never break the life cycle invariants', async () => {
  const cookieOf = (a: ActorName) => w[a].cookie;
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 5, maxLength: 25 }),
      fc.boolean(),
      async (steps, horseRace) => {
        const created = await call(ctx.app, 'POST', '/challenges', {
          cookie: w.enterprise.cookie,
          body: challengeInput(horseRace ? { award_mode: 'horse_race', max_awards: 2 } : {}),
        });
        expect(created.status).toBe(201);
        const id: string = created.body.id;
        const maxAwards = horseRace ? 2 : 1;
        for (const { action, actor, pick } of steps) {
          const cookie = cookieOf(actor);
          const bids = await ctx.db
            .selectFrom('bids')
            .select(['id', 'status', 'lead_user_id', 'organisation_id'])
            .where('challenge_id', '=', id)
            .orderBy('created_at')
            .execute();
          const milestones = await ctx.db
            .selectFrom('milestones')
            .select(['id', 'status'])
            .where('challenge_id', '=', id)
            .orderBy('seq')
            .execute();
          const version = (
            await ctx.db
              .selectFrom('challenges')
              .select('version')
              .where('id', '=', id)
              .executeTakeFirstOrThrow()
          ).version;
          let res: { status: number } = { status: 200 };
          switch (action) {
            case 'edit':
              res = await call(ctx.app, 'PATCH', `/challenges/${id}`, {
                cookie,
                body: { reward_wan: 10 + pick, version },
              });
              break;
            case 'submit':
              res = await call(ctx.app, 'POST', `/challenges/${id}/submit`, { cookie });
              break;
            case 'publish':
            case 'return':
            case 'reject':
              res = await call(ctx.app, 'POST', `/challenges/${id}/review`, {
                cookie,
                body: { decision: action, reason: '随机测试原因' },
              });
              break;
            case 'withdraw':
              res = await call(ctx.app, 'POST', `/challenges/${id}/withdraw`, {
                cookie,
                body: { reason: '随机' },
              });
              break;
            case 'close':
              res = await call(ctx.app, 'POST', `/challenges/${id}/close`, { cookie, body: {} });
              break;
            case 'deadline':
              await ctx.db
                .updateTable('challenges')
                .set({ bid_deadline: new Date(Date.now() - 1000), delivery_deadline: null })
                .where('id', '=', id)
                .execute();
              await closeExpiredChallenges(ctx.deps, new Date());
              break;
            case 'bid':
              res = await call(ctx.app, 'POST', `/challenges/${id}/bids`, {
                cookie,
                body:
                  actor === 'society'
                    ? bidInput({ kind: 'organisation', organisation_id: w.society.org.id })
                    : bidInput(),
              });
              break;
            case 'withdrawBid':
              if (bids.length > 0)
                res = await call(ctx.app, 'POST', `/bids/${bids[pick % bids.length]!.id}/withdraw`, {
                  cookie,
                });
              break;
            case 'award':
              if (bids.length > 0)
                res = await call(ctx.app, 'POST', `/challenges/${id}/award`, {
                  cookie,
                  body: { bid_ids: bids.slice(0, 1 + (pick % 3)).map((b) => b.id) },
                });
              break;
            case 'submitMilestone':
              if (milestones.length > 0)
                res = await call(
                  ctx.app,
                  'POST',
                  `/milestones/${milestones[pick % milestones.length]!.id}/submissions`,
                  { cookie, body: { evidence: '阶段成果' } },
                );
              break;
            case 'acceptMilestone':
            case 'returnMilestone':
              if (milestones.length > 0)
                res = await call(
                  ctx.app,
                  'POST',
                  `/milestones/${milestones[pick % milestones.length]!.id}/decision`,
                  {
                    cookie,
                    body:
                      action === 'acceptMilestone'
                        ? { decision: 'accept' }
                        : { decision: 'return', reason: '不合格' },
                  },
                );
              break;
            case 'accept':
              res = await call(ctx.app, 'POST', `/challenges/${id}/acceptance`, { cookie, body: {} });
              break;
            case 'fail':
              res = await call(ctx.app, 'POST', `/challenges/${id}/fail`, {
                cookie,
                body: { reason: '随机终止' },
              });
              break;
          }
          expect(res.status, `${action} as ${actor}`).toBeLessThan(500);
          await checkInvariants(id, maxAwards);
        }
      },
    ),
    { numRuns: 25, endOnFailure: true },
  );
}, 240_000);

async function checkInvariants(id: string, maxAwards: number) {
  const challenge = await ctx.db
    .selectFrom('challenges')
    .select(['status'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(challengeStatuses).toContain(challenge.status);

  const events = await ctx.db
    .selectFrom('challenge_status_events')
    .select(['from_status', 'to_status', 'actor_label'])
    .where('challenge_id', '=', id)
    .orderBy('id')
    .execute();
  expect(events[0]).toMatchObject({ from_status: null, to_status: 'draft' });
  for (let i = 1; i < events.length; i++) expect(events[i]!.from_status).toBe(events[i - 1]!.to_status);
  expect(events.at(-1)!.to_status).toBe(challenge.status);
  expect(events.every((e) => e.actor_label.length > 0)).toBe(true);

  const bids = await ctx.db
    .selectFrom('bids')
    .select(['id', 'status', 'lead_user_id', 'organisation_id'])
    .where('challenge_id', '=', id)
    .execute();
  const awarded = bids.filter((b) => b.status === 'awarded');
  const everAwarded = events.some((e) => e.to_status === 'awarded');
  if (['awarded', 'in_delivery', 'accepted'].includes(challenge.status)) {
    expect(awarded.length).toBeGreaterThanOrEqual(1);
  }
  if (!everAwarded) expect(awarded).toHaveLength(0);
  expect(awarded.length).toBeLessThanOrEqual(maxAwards);
  if (challenge.status === 'accepted') {
    const open = await ctx.db
      .selectFrom('milestones')
      .select('id')
      .where('challenge_id', '=', id)
      .where('status', '<>', 'accepted')
      .execute();
    expect(open).toHaveLength(0);
  }

  for (const bid of bids) {
    expect((await call(ctx.app, 'GET', `/bids/${bid.id}`, { cookie: w.outsider.cookie })).status).toBe(404);
    const otherBidders = [w.expertA, w.expertB].filter((e) => e.user.id !== bid.lead_user_id);
    if (bid.organisation_id === null)
      otherBidders.push(w.society as unknown as (typeof otherBidders)[number]);
    for (const other of otherBidders) {
      if (bid.organisation_id === null && other.user.id === bid.lead_user_id) continue;
      expect((await call(ctx.app, 'GET', `/bids/${bid.id}`, { cookie: other.cookie })).status).toBe(404);
    }
  }
  const outbox = await ctx.db
    .selectFrom('search_outbox')
    .select('entity')
    .where('entity', '=', 'bid')
    .execute();
  expect(outbox).toHaveLength(0);
}
