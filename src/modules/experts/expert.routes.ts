import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { auditActorOf, requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses } from '../auth/auth.openapi.js';
import type { ActorRef } from '../auth/policy.js';
import {
  expertDetailSchema,
  expertIdParam,
  expertProfileBody,
  expertSearchQuery,
  expertSearchResultSchema,
  myExpertProfileSchema,
} from './expert.schemas.js';
import { searchExperts } from './expert.search.js';
import { getMyExpertProfile, loadExpertDetail, saveMyExpertProfile } from './expert.usecases.js';

const tags = ['专家 Experts'];
const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };

export function optionalActor(c: Context): ActorRef | null {
  const auth = c.get('auth');
  return auth ? { userId: auth.user.id, role: auth.user.role } : null;
}
export function actorOf(c: Context): ActorRef {
  const auth = requireAuth(c);
  return { userId: auth.user.id, role: auth.user.role };
}

const searchRoute = createRoute({
  method: 'get',
  path: '/experts',
  tags,
  summary: '搜索公开的专家（含学科、地区、职称分面）；不含联系方式',
  request: { query: expertSearchQuery },
  responses: { 200: { description: '专家列表', ...json(expertSearchResultSchema) }, ...commonErrorResponses },
});
const getRoute = createRoute({
  method: 'get',
  path: '/experts/{id}',
  tags,
  summary: '专家公开资料；联系方式仅在专家同意且查看者为已认证企业成员时提供',
  request: { params: expertIdParam },
  responses: { 200: { description: '专家', ...json(expertDetailSchema) }, ...errors },
});
const myProfileRoute = createRoute({
  method: 'get',
  path: '/me/expert-profile',
  tags,
  summary: '我的专家资料（含联系方式与公开设置）',
  responses: { 200: { description: '资料', ...json(myExpertProfileSchema) }, ...errors },
});
const saveProfileRoute = createRoute({
  method: 'put',
  path: '/me/expert-profile',
  tags,
  summary: '保存我的专家资料（首次保存即建立资料）；改动同步到搜索',
  request: { body: { required: true, ...json(expertProfileBody) } },
  responses: { 200: { description: '已保存', ...json(myExpertProfileSchema) }, ...errors },
});

export function expertApi(deps: AppDeps) {
  return createRouter()
    .openapi(searchRoute, async (c) =>
      c.json(
        await searchExperts({ ...deps, reference: await deps.reference.get() }, c.req.valid('query')),
        200,
      ),
    )
    .openapi(getRoute, async (c) =>
      c.json(await loadExpertDetail(deps, optionalActor(c), c.req.valid('param').id), 200),
    )
    .openapi(myProfileRoute, async (c) => c.json(await getMyExpertProfile(deps, actorOf(c)), 200))
    .openapi(saveProfileRoute, async (c) =>
      c.json(await saveMyExpertProfile(deps, actorOf(c), c.req.valid('json'), auditActorOf(c, deps)), 200),
    );
}
