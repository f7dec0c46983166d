import { createRoute } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { auditActorOf } from '../auth/auth.middleware.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import { actorOf, optionalActor } from '../experts/expert.routes.js';
import { listCapabilitiesOfUser } from './capability.queries.js';
import {
  capabilityBody,
  capabilityDetailSchema,
  capabilityIdParam,
  capabilitySearchQuery,
  capabilitySearchResultSchema,
  myCapabilitiesSchema,
  takedownBody,
} from './capability.schemas.js';
import { searchCapabilities } from './capability.search.js';
import {
  capabilityView,
  createCapability,
  loadVisibleCapability,
  publishCapability,
  takeDownCapability,
  updateCapability,
} from './capability.usecases.js';

const tags = ['成果 Capabilities'];
const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ body: { required: true, ...json(schema) } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };

const searchRoute = createRoute({
  method: 'get',
  path: '/capabilities',
  tags,
  summary: '搜索已发布的成果与服务能力（含类型、TRL、合作方式、产业、地区分面）',
  request: { query: capabilitySearchQuery },
  responses: {
    200: { description: '成果列表', ...json(capabilitySearchResultSchema) },
    ...commonErrorResponses,
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/capabilities/{id}',
  tags,
  summary: '成果详情：已发布的公开；草稿与已下架的仅发布方与科协管理员可见（其他人得到 404）',
  request: { params: capabilityIdParam },
  responses: { 200: { description: '成果', ...json(capabilityDetailSchema) }, ...errors },
});
const mineRoute = createRoute({
  method: 'get',
  path: '/me/capabilities',
  tags,
  summary: '我（本人或所在机构）发布的成果，含草稿与已下架',
  responses: { 200: { description: '成果', ...json(myCapabilitiesSchema) }, ...errors },
});
const createCapabilityRoute = createRoute({
  method: 'post',
  path: '/capabilities',
  tags,
  summary: '新建成果（草稿）：专家以本人名义，或机构成员以机构名义（organisation_id）',
  request: body(capabilityBody),
  responses: { 201: { description: '已保存为草稿', ...json(capabilityDetailSchema) }, ...errors },
});
const updateRoute = createRoute({
  method: 'put',
  path: '/capabilities/{id}',
  tags,
  summary: '修改成果（发布方；草稿或已发布状态）。已发布的修改同步到搜索',
  request: { params: capabilityIdParam, ...body(capabilityBody) },
  responses: {
    200: { description: '已修改', ...json(capabilityDetailSchema) },
    ...errors,
    ...conflictResponse,
  },
});
const publishRoute = createRoute({
  method: 'post',
  path: '/capabilities/{id}/publish',
  tags,
  summary: '发布草稿（发布方；以机构名义须机构已认证）',
  request: { params: capabilityIdParam },
  responses: {
    200: { description: '已发布', ...json(capabilityDetailSchema) },
    ...errors,
    ...conflictResponse,
  },
});
const takedownRoute = createRoute({
  method: 'post',
  path: '/capabilities/{id}/takedown',
  tags,
  summary: '下架成果（科协管理员，须填写原因）',
  request: { params: capabilityIdParam, ...body(takedownBody) },
  responses: {
    200: { description: '已下架', ...json(capabilityDetailSchema) },
    ...errors,
    ...conflictResponse,
  },
});

export function capabilityApi(deps: AppDeps) {
  const detail = async (c: Parameters<typeof optionalActor>[0], id: string) => {
    const actor = optionalActor(c);
    const { row, relation } = await loadVisibleCapability(deps, actor, id);
    return capabilityView(row, actor, relation);
  };
  return createRouter()
    .openapi(searchRoute, async (c) =>
      c.json(
        await searchCapabilities({ ...deps, reference: await deps.reference.get() }, c.req.valid('query')),
        200,
      ),
    )
    .openapi(getRoute, async (c) => c.json(await detail(c, c.req.valid('param').id), 200))
    .openapi(mineRoute, async (c) => {
      const rows = await listCapabilitiesOfUser(deps.db, actorOf(c).userId);
      return c.json(
        { data: rows.map((r) => ({ ...r, kind: r.kind as 'achievement', status: r.status as 'draft' })) },
        200,
      );
    })
    .openapi(createCapabilityRoute, async (c) => {
      const id = await createCapability(deps, actorOf(c), c.req.valid('json'), auditActorOf(c, deps));
      return c.json(await detail(c, id), 201);
    })
    .openapi(updateRoute, async (c) => {
      const { id } = c.req.valid('param');
      await updateCapability(deps, actorOf(c), id, c.req.valid('json'), auditActorOf(c, deps));
      return c.json(await detail(c, id), 200);
    })
    .openapi(publishRoute, async (c) => {
      const { id } = c.req.valid('param');
      await publishCapability(deps, actorOf(c), id, auditActorOf(c, deps));
      return c.json(await detail(c, id), 200);
    })
    .openapi(takedownRoute, async (c) => {
      const { id } = c.req.valid('param');
      await takeDownCapability(deps, actorOf(c), id, c.req.valid('json').reason, auditActorOf(c, deps));
      return c.json(await detail(c, id), 200);
    });
}
