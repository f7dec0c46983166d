import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import { requestMeta } from '../auth/request-meta.js';
import {
  claimBody,
  claimDecisionBody,
  claimSchema,
  decideClaim,
  listClaimsOf,
  listPendingClaims,
  requestClaim,
} from './expert.claims.js';

const tags = ['专家 Experts'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const idParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const requestRoute = createRoute({
  method: 'post',
  path: '/experts/{id}/claims',
  tags,
  summary: '认领一份由学会导入、尚未关联账号的专家资料（待管理员确认）',
  request: { params: idParam, body: { required: true, ...json(claimBody) } },
  responses: {
    201: { description: '已提交', ...json(claimSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
  },
});

const mineRoute = createRoute({
  method: 'get',
  path: '/me/expert-profile-claims',
  tags,
  summary: '我的认领申请',
  responses: {
    200: { description: '申请列表', ...json(z.object({ data: z.array(claimSchema) })) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const queueRoute = createRoute({
  method: 'get',
  path: '/admin/expert-profile-claims',
  tags,
  summary: '待处理的专家资料认领申请（科协管理员）',
  responses: {
    200: { description: '待处理申请，最早的在前', ...json(z.object({ data: z.array(claimSchema) })) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const decideRoute = createRoute({
  method: 'post',
  path: '/admin/expert-profile-claims/{id}/decision',
  tags,
  summary: '确认或驳回认领（驳回须写原因）；确认后资料关联到申请人账号',
  request: { params: idParam, body: { required: true, ...json(claimDecisionBody) } },
  responses: {
    200: { description: '已处理', ...json(claimSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
  },
});

export function expertClaimApi(deps: AppDeps) {
  return createRouter()
    .openapi(requestRoute, async (c) => {
      const auth = requireAuth(c);
      const claim = await requestClaim(
        deps,
        { userId: auth.user.id, role: auth.user.role },
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(claim, 201);
    })
    .openapi(mineRoute, async (c) =>
      c.json({ data: await listClaimsOf(deps.db, requireAuth(c).user.id) }, 200),
    )
    .openapi(queueRoute, async (c) => c.json({ data: await listPendingClaims(deps.db) }, 200))
    .openapi(decideRoute, async (c) => {
      const auth = requireAuth(c);
      const claim = await decideClaim(
        deps,
        { userId: auth.user.id, role: auth.user.role },
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(claim, 200);
    });
}
