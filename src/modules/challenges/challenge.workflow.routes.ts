import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import { canReviewChallenges } from '../auth/policy.js';
import { requestMeta } from '../auth/request-meta.js';
import { challengeIdParam } from './challenge.schemas.js';
import {
  type ActorWithName,
  challengeWorkView,
  closeChallengeEarly,
  createChallenge,
  failChallenge,
  loadManagedChallenge,
  reviewChallenge,
  submitChallenge,
  updateChallenge,
  withdrawChallenge,
} from './challenge.workflow.js';
import { listChallengesOfMember, listChallengesUnderReview } from './challenge.workflow.queries.js';
import {
  challengeWorkListSchema,
  challengeWorkSchema,
  createChallengeBody,
  reasonBody,
  requiredReasonBody,
  reviewBody,
  updateChallengeBody,
} from './challenge.workflow.schemas.js';

const tags = ['发榜与审核 Challenge workflow'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };

export function actorWithName(c: Context): ActorWithName {
  const auth = requireAuth(c);
  return { userId: auth.user.id, role: auth.user.role, displayName: auth.user.display_name };
}

/** `If-Match: "3"` (or W/"3", or 3) → 3; absent → undefined. */
export function versionFromIfMatch(c: Context): number | undefined {
  const header = c.req.header('if-match');
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'If-Match', reason: '应为榜单版本号，如 "3"' }],
    });
  return Number(match[1]);
}

const etag = (version: number) => `"${version}"`;

const createRouteDef = createRoute({
  method: 'post',
  path: '/challenges',
  tags,
  summary: '起草榜单（企业成员）。草稿仅本企业与科协管理员可见',
  request: body(createChallengeBody),
  responses: { 201: { description: '已创建草稿', ...json(challengeWorkSchema) }, ...errors },
});
const workRoute = createRoute({
  method: 'get',
  path: '/challenges/{id}/work',
  tags,
  summary: '榜单完整信息（发榜企业成员与科协管理员，任何状态），含完整度与状态记录；响应带 ETag',
  request: { params: challengeIdParam },
  responses: { 200: { description: '榜单', ...json(challengeWorkSchema) }, ...errors },
});
const patchRoute = createRoute({
  method: 'patch',
  path: '/challenges/{id}',
  tags,
  summary:
    '修改榜单（乐观并发：If-Match 头或 version 字段须为当前版本，否则 409 VERSION_CONFLICT）。审核中修改会退回草稿；发布后修改会保留修订并通知揭榜方',
  request: {
    params: challengeIdParam,
    headers: z.object({ 'if-match': z.string().optional().openapi({ example: '"3"' }) }),
    ...body(updateChallengeBody),
  },
  responses: { 200: { description: '已修改', ...json(challengeWorkSchema) }, ...errors, ...conflictResponse },
});
const mineRoute = createRoute({
  method: 'get',
  path: '/me/challenges',
  tags,
  summary: '我所在企业的全部榜单（任何状态）',
  responses: { 200: { description: '榜单', ...json(challengeWorkListSchema) }, ...errors },
});
const queueRoute = createRoute({
  method: 'get',
  path: '/admin/challenges/review-queue',
  tags,
  summary: '待审核榜单（科协管理员），最早提交的在前',
  responses: { 200: { description: '榜单', ...json(challengeWorkListSchema) }, ...errors },
});

const actionResponses = {
  200: { description: '已处理', ...json(challengeWorkSchema) },
  ...errors,
  ...conflictResponse,
};
const actionRoute = <S extends z.ZodType>(path: string, summary: string, schema: S) =>
  createRoute({
    method: 'post',
    path,
    tags,
    summary,
    request: { params: challengeIdParam, ...body(schema) },
    responses: actionResponses,
  });

const submitRoute = createRoute({
  method: 'post',
  path: '/challenges/{id}/submit',
  tags,
  summary: '提交审核（草稿或退回整改 → 审核中）。企业须已认证；需求背景、难题、目标须填写',
  request: { params: challengeIdParam },
  responses: actionResponses,
});
const reviewRoute = actionRoute(
  '/challenges/{id}/review',
  '审核（科协管理员）：publish 发布 / return 退回整改 / reject 不通过（后两者须填原因）',
  reviewBody,
);
const withdrawRoute = actionRoute(
  '/challenges/{id}/withdraw',
  '撤榜（挂帅之前；揭榜方会收到通知）',
  reasonBody,
);
const closeRoute = actionRoute('/challenges/{id}/close', '提前截止揭榜（发榜企业）', reasonBody);
const failRoute = actionRoute('/challenges/{id}/fail', '终止为未完成（须填原因）', requiredReasonBody);

export function challengeWorkflowApi(deps: AppDeps) {
  const view = async (row: NonNullable<Awaited<ReturnType<typeof loadManagedChallenge>>>['row']) =>
    challengeWorkView(deps.db, row);
  return createRouter()
    .openapi(createRouteDef, async (c) => {
      const row = await createChallenge(deps, actorWithName(c), c.req.valid('json'), requestMeta(c, deps));
      c.header('ETag', etag(row.version));
      return c.json(await view(row), 201);
    })
    .openapi(workRoute, async (c) => {
      const { row } = await loadManagedChallenge(deps.db, c.req.valid('param').id, actorWithName(c));
      c.header('ETag', etag(row.version));
      return c.json(await view(row), 200);
    })
    .openapi(patchRoute, async (c) => {
      const input = c.req.valid('json');
      const row = await updateChallenge(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        input,
        input.version ?? versionFromIfMatch(c),
        requestMeta(c, deps),
      );
      c.header('ETag', etag(row.version));
      return c.json(await view(row), 200);
    })
    .openapi(mineRoute, async (c) => {
      const rows = await listChallengesOfMember(deps.db, actorWithName(c).userId);
      return c.json({ data: await Promise.all(rows.map(async (r) => summaryOf(await view(r)))) }, 200);
    })
    .openapi(queueRoute, async (c) => {
      if (!canReviewChallenges(actorWithName(c))) throw new AppError('FORBIDDEN');
      const rows = await listChallengesUnderReview(deps.db);
      return c.json({ data: await Promise.all(rows.map(async (r) => summaryOf(await view(r)))) }, 200);
    })
    .openapi(submitRoute, async (c) => {
      const row = await submitChallenge(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        requestMeta(c, deps),
      );
      return c.json(await view(row), 200);
    })
    .openapi(reviewRoute, async (c) => {
      const row = await reviewChallenge(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(await view(row), 200);
    })
    .openapi(withdrawRoute, async (c) => {
      const row = await withdrawChallenge(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(await view(row), 200);
    })
    .openapi(closeRoute, async (c) => {
      const row = await closeChallengeEarly(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(await view(row), 200);
    })
    .openapi(failRoute, async (c) => {
      const row = await failChallenge(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(await view(row), 200);
    });
}

function summaryOf(v: Awaited<ReturnType<typeof challengeWorkView>>) {
  const { history: _h, ...rest } = v;
  return rest;
}
