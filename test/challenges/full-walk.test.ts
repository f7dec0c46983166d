import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeExpiredChallenges } from '../../src/modules/challenges/challenge.deadlines.js';
import {
  bidInput,
  call,
  challengeInput,
  type FlowWorld,
  newFlowWorld,
} from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * The "done when", scripted over the API: an enterprise, two experts, a society and an
 * operator walk one challenge from draft to accepted, with Q&A, an invitation, a team bid, a society
 * bid, evaluation, award, delivery of every milestone, final acceptance and mutual ratings.
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

test('one challenge from draft to accepted', async () => {
  const as = (cookie: string) => ({
    get: (path: string) => call(ctx.app, 'GET', path, { cookie }),
    post: (path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
      call(ctx.app, 'POST', path, { cookie, body, headers }),
    put: (path: string, body: unknown) => call(ctx.app, 'PUT', path, { cookie, body }),
    patch: (path: string, body: unknown) => call(ctx.app, 'PATCH', path, { cookie, body }),
  });
  const enterprise = as(w.enterprise.cookie);
  const operator = as(w.operator.cookie);
  const wang = as(w.expertA.cookie);
  const liu = as(w.expertB.cookie);
  const society = as(w.society.cookie);

  // 发榜: draft, improve, submit; the operator publishes.
  const draft = await enterprise.post('/challenges', challengeInput({ reward_tranches: [50, 50] }));
  expect(draft.status).toBe(201);
  const id: string = draft.body.id;
  const improved = await enterprise.patch(`/challenges/${id}`, {
    disciplines: ['210'],
    version: draft.body.version,
  });
  expect(improved.status).toBe(200);
  expect((await enterprise.post(`/challenges/${id}/submit`)).body.status).toBe('under_review');
  expect((await operator.post(`/challenges/${id}/review`, { decision: 'publish' })).body.status).toBe(
    'published',
  );
  await ctx.drainOutbox();
  const search = await call(ctx.app, 'GET', '/search/challenges?q=辣椒烘干');
  expect(search.body.data.map((c: { id: string }) => c.id)).toContain(id);

  // 答疑 and invitation.
  const question = await liu.post(`/challenges/${id}/questions`, {
    question: '现有烘房的热源是燃煤还是电？',
  });
  expect(question.status).toBe(201);
  expect(
    (
      await enterprise.put(`/challenges/${id}/questions/${question.body.id}/answer`, {
        answer: '燃煤热风炉，计划改生物质。',
      })
    ).status,
  ).toBe(200);
  const publicQa = await call(ctx.app, 'GET', `/challenges/${id}/questions`);
  expect(publicQa.body.data[0]).toMatchObject({ answer: '燃煤热风炉，计划改生物质。', mine: false });
  const invitation = await enterprise.post(`/challenges/${id}/invitations`, {
    organisation_id: w.society.org.id,
    message: '欢迎学会组织专家揭榜',
  });
  expect(invitation.status).toBe(201);
  const received = await society.get('/me/challenge-invitations');
  expect(received.body.data[0]).toMatchObject({ id: invitation.body.id, status: 'pending' });
  expect(
    (await society.post(`/challenge-invitations/${invitation.body.id}/response`, { decision: 'accept' })).body
      .status,
  ).toBe('accepted');

  // 揭榜: 王教授 leads a team with 刘研究员, who confirms; the society bids as an organisation.
  const team = await wang.post(
    `/challenges/${id}/bids`,
    bidInput({ kind: 'team', members: [{ email: w.expertB.user.email, role: '色素分析' }] }),
    { 'Idempotency-Key': 'wang-team-1' },
  );
  expect(team.status).toBe(201);
  expect((await liu.post(`/bids/${team.body.id}/team-response`, { decision: 'confirm' })).status).toBe(200);
  const societyBid = await society.post(
    `/challenges/${id}/bids`,
    bidInput({ kind: 'organisation', organisation_id: w.society.org.id, price_wan: 48 }),
  );
  expect(societyBid.status).toBe(201);

  // Deadline passes; the sweep closes bidding.
  await ctx.db
    .updateTable('challenges')
    .set({ bid_deadline: new Date(Date.now() - 1000), delivery_deadline: null })
    .where('id', '=', id)
    .execute();
  expect(await closeExpiredChallenges(ctx.deps, new Date())).toBe(1);

  // 评审 and 挂帅.
  await enterprise.put(`/bids/${team.body.id}/evaluation`, {
    shortlisted: true,
    score: 92,
    note: '方案扎实',
  });
  await enterprise.put(`/bids/${societyBid.body.id}/evaluation`, { shortlisted: true, score: 85 });
  const award = await enterprise.post(
    `/challenges/${id}/award`,
    { bid_ids: [team.body.id] },
    { 'Idempotency-Key': 'award-1' },
  );
  expect(award.body).toMatchObject({ status: 'awarded', awarded_bid_ids: [team.body.id], milestones: 2 });
  expect((await society.get(`/bids/${societyBid.body.id}`)).body.status).toBe('not_awarded');

  // 交付: each milestone submitted by the team and accepted (the first one returned once).
  const milestones = (await wang.get(`/challenges/${id}/milestones`)).body.data;
  expect(milestones).toHaveLength(2);
  expect((await society.get(`/challenges/${id}/milestones`)).status).toBe(200);
  expect((await society.get(`/challenges/${id}/milestones`)).body.data).toEqual([]);
  const first = milestones[0].id;
  expect(
    (await wang.post(`/milestones/${first}/submissions`, { evidence: '中试报告：色价提高 12%' })).status,
  ).toBe(201);
  expect((await enterprise.get(`/challenges/${id}/work`)).body.status).toBe('in_delivery');
  expect(
    (await enterprise.post(`/milestones/${first}/decision`, { decision: 'return', reason: '色价未达 15%' }))
      .body.status,
  ).toBe('returned');
  expect(
    (await liu.post(`/milestones/${first}/submissions`, { evidence: '第二轮中试：色价提高 18%' })).status,
  ).toBe(201);
  expect((await enterprise.post(`/milestones/${first}/decision`, { decision: 'accept' })).body.status).toBe(
    'accepted',
  );
  expect((await enterprise.post(`/challenges/${id}/acceptance`, {})).status).toBe(409);
  await wang.post(`/milestones/${milestones[1].id}/submissions`, {
    evidence: '生产线改造完成，连续运行一个月数据',
  });
  await enterprise.post(`/milestones/${milestones[1].id}/decision`, { decision: 'accept' });

  // 验收 and 互评.
  const accepted = await enterprise.post(`/challenges/${id}/acceptance`, { note: '指标全部达到' });
  expect(accepted.body.status).toBe('accepted');
  expect(
    (
      await enterprise.post(`/challenges/${id}/ratings`, {
        bid_id: team.body.id,
        score: 5,
        comment: '专业高效',
      })
    ).status,
  ).toBe(201);
  expect(
    (await wang.post(`/challenges/${id}/ratings`, { bid_id: team.body.id, score: 5, comment: '配合积极' }))
      .status,
  ).toBe(201);
  expect((await wang.post(`/challenges/${id}/ratings`, { bid_id: team.body.id, score: 4 })).status).toBe(409);

  // The record: every transition an event, in order, with who and why.
  const history = (await call(ctx.app, 'GET', `/challenges/${id}`)).body.history;
  expect(history.map((e: { to_status: string }) => e.to_status)).toEqual([
    'draft',
    'under_review',
    'published',
    'bidding_closed',
    'awarded',
    'in_delivery',
    'accepted',
  ]);
  expect(history[3].actor).toBe('系统定时任务');
  const unread = await wang.get('/me/notifications/unread-count');
  expect(unread.body.unread).toBeGreaterThanOrEqual(3);
  const list = await wang.get('/me/notifications');
  expect(list.body.data.map((n: { kind: string }) => n.kind)).toEqual(
    expect.arrayContaining(['bid.awarded', 'milestone.accept', 'challenge.accepted']),
  );
  expect((await wang.post(`/me/notifications/${list.body.data[0].id}/read`)).status).toBe(204);
  expect((await wang.get('/me/notifications/unread-count')).body.unread).toBe(unread.body.unread - 1);
  expect((await liu.post(`/me/notifications/${list.body.data[0].id}/read`)).status).toBe(404);
  expect((await wang.post('/me/notifications/read-all')).body.marked).toBe(unread.body.unread - 1);
  const mails = await ctx.db
    .selectFrom('outbound_emails')
    .select('kind')
    .where('to_address', '=', w.expertA.user.email)
    .execute();
  expect(mails.map((m) => m.kind)).toContain('bid.awarded');
});
