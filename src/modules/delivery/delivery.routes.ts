import { createRoute, type z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import { requestMeta } from '../auth/request-meta.js';
import { challengeIdParam } from '../challenges/challenge.schemas.js';
import { challengeWorkView } from '../challenges/challenge.workflow.js';
import { actorWithName } from '../challenges/challenge.workflow.routes.js';
import { challengeWorkSchema } from '../challenges/challenge.workflow.schemas.js';
import {
  acceptanceBody,
  milestoneDecisionBody,
  milestoneIdParam,
  milestoneListSchema,
  milestoneSchema,
  ratingBody,
  ratingSchema,
  submissionBody,
} from './delivery.schemas.js';
import {
  acceptChallenge,
  decideMilestone,
  milestonesFor,
  rate,
  submitMilestone,
} from './delivery.usecases.js';

const tags = ['交付与验收 Delivery'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse, ...conflictResponse };

const listRoute = createRoute({
  method: 'get',
  path: '/challenges/{id}/milestones',
  tags,
  summary: '交付里程碑（发榜企业、科协管理员看全部；挂帅方看自己的）',
  request: { params: challengeIdParam },
  responses: { 200: { description: '里程碑', ...json(milestoneListSchema) }, ...errors },
});
const submitRoute = createRoute({
  method: 'post',
  path: '/milestones/{id}/submissions',
  tags,
  summary: '提交里程碑成果与证明（挂帅方）；首次提交使榜单进入攻关中',
  request: { params: milestoneIdParam, ...body(submissionBody) },
  responses: { 201: { description: '已提交', ...json(milestoneSchema) }, ...errors },
});
const decideRoute = createRoute({
  method: 'post',
  path: '/milestones/{id}/decision',
  tags,
  summary: '发榜企业验收里程碑：accept 通过 / return 退回（须填原因）',
  request: { params: milestoneIdParam, ...body(milestoneDecisionBody) },
  responses: { 200: { description: '已处理', ...json(milestoneSchema) }, ...errors },
});
const acceptRoute = createRoute({
  method: 'post',
  path: '/challenges/{id}/acceptance',
  tags,
  summary: '最终验收（结题）：全部里程碑通过后，榜单变为已验收',
  request: { params: challengeIdParam, ...body(acceptanceBody) },
  responses: { 200: { description: '已验收', ...json(challengeWorkSchema) }, ...errors },
});
const rateRoute = createRoute({
  method: 'post',
  path: '/challenges/{id}/ratings',
  tags,
  summary: '互评（榜单已验收或未完成后）：企业评价挂帅方，挂帅方评价企业；每方向一次',
  request: { params: challengeIdParam, ...body(ratingBody) },
  responses: { 201: { description: '已评价', ...json(ratingSchema) }, ...errors },
});

export function deliveryApi(deps: AppDeps) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const data = await milestonesFor(deps.db, c.req.valid('param').id, actorWithName(c));
      return c.json({ data }, 200);
    })
    .openapi(submitRoute, async (c) => {
      const m = await submitMilestone(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json').evidence,
        requestMeta(c, deps),
      );
      return c.json(m, 201);
    })
    .openapi(decideRoute, async (c) => {
      const input = c.req.valid('json') as z.infer<typeof milestoneDecisionBody>;
      const m = await decideMilestone(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        input,
        requestMeta(c, deps),
      );
      return c.json(m, 200);
    })
    .openapi(acceptRoute, async (c) => {
      const row = await acceptChallenge(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(await challengeWorkView(deps.db, row), 200);
    })
    .openapi(rateRoute, async (c) => {
      const rating = await rate(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(rating, 201);
    });
}
