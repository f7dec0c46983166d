import { createRoute, type z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { idempotencyKeyOf, runIdempotent } from '../../http/idempotency.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import { requestMeta } from '../auth/request-meta.js';
import { challengeIdParam } from '../challenges/challenge.schemas.js';
import { actorWithName, versionFromIfMatch } from '../challenges/challenge.workflow.routes.js';
import { listBidsOfUser, listTeamMembers } from './bid.queries.js';
import {
  awardBody,
  awardResultSchema,
  bidIdParam,
  bidListSchema,
  bidSchema,
  evaluationBody,
  submitBidBody,
  teamResponseBody,
  updateBidBody,
} from './bid.schemas.js';
import {
  awardBids,
  bidsOfChallengeFor,
  bidView,
  bidViewWith,
  evaluateBid,
  loadBidFor,
  respondToTeam,
  submitBid,
  updateBid,
  withdrawBid,
} from './bid.usecases.js';

const tags = ['揭榜与挂帅 Bids & award'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse, ...conflictResponse };
const idempotencyHeader = {
  description: '可选。相同 Idempotency-Key 的重试返回第一次的结果，不会重复提交',
};

const submitRoute = createRoute({
  method: 'post',
  path: '/challenges/{id}/bids',
  tags,
  summary:
    '提交揭榜申请（专家个人/团队，学会以机构名义）。每个揭榜方每个榜单只能有一份有效申请；支持 Idempotency-Key',
  description: idempotencyHeader.description,
  request: { params: challengeIdParam, ...body(submitBidBody) },
  responses: { 201: { description: '已提交', ...json(bidSchema) }, ...errors },
});
const listRoute = createRoute({
  method: 'get',
  path: '/challenges/{id}/bids',
  tags,
  summary: '榜单的揭榜申请：发榜企业与科协管理员看到全部（含评审），揭榜方只看到自己的',
  request: { params: challengeIdParam },
  responses: { 200: { description: '申请', ...json(bidListSchema) }, ...errors },
});
const getRoute = createRoute({
  method: 'get',
  path: '/bids/{id}',
  tags,
  summary: '揭榜申请详情（保密：仅申请方、发榜企业与科协管理员；其他人 404）',
  request: { params: bidIdParam },
  responses: { 200: { description: '申请', ...json(bidSchema) }, ...errors },
});
const patchRoute = createRoute({
  method: 'patch',
  path: '/bids/{id}',
  tags,
  summary: '修改揭榜申请（截止前；If-Match 或 version 须为当前版本）',
  request: { params: bidIdParam, ...body(updateBidBody) },
  responses: { 200: { description: '已修改', ...json(bidSchema) }, ...errors },
});
const withdrawRoute = createRoute({
  method: 'post',
  path: '/bids/{id}/withdraw',
  tags,
  summary: '撤回揭榜申请（挂帅之前）',
  request: { params: bidIdParam },
  responses: { 200: { description: '已撤回', ...json(bidSchema) }, ...errors },
});
const teamRoute = createRoute({
  method: 'post',
  path: '/bids/{id}/team-response',
  tags,
  summary: '团队成员确认或拒绝加入揭榜团队',
  request: { params: bidIdParam, ...body(teamResponseBody) },
  responses: { 200: { description: '已回复', ...json(bidSchema) }, ...errors },
});
const evaluationRoute = createRoute({
  method: 'put',
  path: '/bids/{id}/evaluation',
  tags,
  summary: '评审（发榜企业）：入围、评分、内部备注。揭榜方看不到',
  request: { params: bidIdParam, ...body(evaluationBody) },
  responses: { 200: { description: '已保存', ...json(bidSchema) }, ...errors },
});
const mineRoute = createRoute({
  method: 'get',
  path: '/me/bids',
  tags,
  summary: '我参与的揭榜申请（负责人、团队成员或所在机构）',
  responses: { 200: { description: '申请', ...json(bidListSchema) }, ...errors },
});
const awardRoute = createRoute({
  method: 'post',
  path: '/challenges/{id}/award',
  tags,
  summary:
    '挂帅（发榜企业，揭榜截止后）：单一挂帅 1 个，赛马制最多 max_awards 个。并发请求中只有一个成功，其余 409 ALREADY_AWARDED；支持 Idempotency-Key',
  request: { params: challengeIdParam, ...body(awardBody) },
  responses: { 200: { description: '已挂帅', ...json(awardResultSchema) }, ...errors },
});

export function bidApi(deps: AppDeps) {
  return createRouter()
    .openapi(submitRoute, async (c) => {
      const actor = actorWithName(c);
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const key = await idempotencyKeyOf(c, actor.userId, `bid.submit:${id}`, input);
      const answer = await runIdempotent(deps.db, key, async (trx) => ({
        status: 201,
        body: await submitBid(trx, deps, actor, id, input, requestMeta(c, deps)),
      }));
      if (answer.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(answer.body, 201);
    })
    .openapi(listRoute, async (c) => {
      const data = await bidsOfChallengeFor(deps.db, c.req.valid('param').id, actorWithName(c));
      return c.json({ data }, 200);
    })
    .openapi(getRoute, async (c) => {
      const actor = actorWithName(c);
      const { bid, relation } = await loadBidFor(deps.db, c.req.valid('param').id, actor);
      return c.json(await bidView(deps.db, bid, relation.enterpriseMember || actor.role === 'operator'), 200);
    })
    .openapi(patchRoute, async (c) => {
      const input = c.req.valid('json');
      const view = await updateBid(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        input,
        input.version ?? versionFromIfMatch(c),
        requestMeta(c, deps),
      );
      c.header('ETag', `"${view.version}"`);
      return c.json(view, 200);
    })
    .openapi(withdrawRoute, async (c) => {
      return c.json(
        await withdrawBid(deps, actorWithName(c), c.req.valid('param').id, requestMeta(c, deps)),
        200,
      );
    })
    .openapi(teamRoute, async (c) => {
      const view = await respondToTeam(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json').decision,
        requestMeta(c, deps),
      );
      return c.json(view, 200);
    })
    .openapi(evaluationRoute, async (c) => {
      const view = await evaluateBid(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(view, 200);
    })
    .openapi(mineRoute, async (c) => {
      const actor = actorWithName(c);
      const rows = await listBidsOfUser(deps.db, actor.userId);
      const members = await listTeamMembers(
        deps.db,
        rows.map((r) => r.id),
      );
      return c.json({ data: rows.map((r) => bidViewWith(r, members, false)) }, 200);
    })
    .openapi(awardRoute, async (c) => {
      const actor = actorWithName(c);
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const key = await idempotencyKeyOf(c, actor.userId, `challenge.award:${id}`, input);
      const answer = await runIdempotent(deps.db, key, async (trx) => ({
        status: 200,
        body: await awardBids(trx, deps, actor, id, input.bid_ids, requestMeta(c, deps)),
      }));
      if (answer.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(answer.body, 200);
    });
}
