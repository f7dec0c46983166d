import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { auditActorOf } from '../auth/auth.middleware.js';
import { authErrorResponses } from '../auth/auth.openapi.js';
import { actorOf, optionalActor } from '../experts/expert.routes.js';
import {
  serviceTeamBody,
  societyDetailSchema,
  societyIdParam,
  societySearchQuery,
  societySearchResultSchema,
} from './society.schemas.js';
import { searchSocieties } from './society.search.js';
import { createServiceTeam, loadSocietyDetail } from './society.usecases.js';

const tags = ['学会 Societies'];
const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };

const searchRoute = createRoute({
  method: 'get',
  path: '/societies',
  tags,
  summary: '搜索学会（含学科、地区分面）',
  request: { query: societySearchQuery },
  responses: {
    200: { description: '学会列表', ...json(societySearchResultSchema) },
    ...commonErrorResponses,
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/societies/{id}',
  tags,
  summary: '学会公开资料：会员专家、成果、科技服务团、工作站、揭榜成功的榜单',
  request: { params: societyIdParam },
  responses: { 200: { description: '学会', ...json(societyDetailSchema) }, ...errors },
});
const teamRoute = createRoute({
  method: 'post',
  path: '/societies/{id}/service-teams',
  tags,
  summary: '组建科技服务团（学会成员）：本学会会员专家，指定团长、服务产业与地区',
  request: { params: societyIdParam, body: { required: true, ...json(serviceTeamBody) } },
  responses: { 201: { description: '已组建', ...json(z.object({ id: z.uuid() })) }, ...errors },
});

export function societyApi(deps: AppDeps) {
  return createRouter()
    .openapi(searchRoute, async (c) =>
      c.json(
        await searchSocieties({ ...deps, reference: await deps.reference.get() }, c.req.valid('query')),
        200,
      ),
    )
    .openapi(getRoute, async (c) =>
      c.json(await loadSocietyDetail(deps, optionalActor(c), c.req.valid('param').id), 200),
    )
    .openapi(teamRoute, async (c) => {
      const id = await createServiceTeam(
        deps,
        actorOf(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        auditActorOf(c, deps),
      );
      return c.json({ id }, 201);
    });
}
