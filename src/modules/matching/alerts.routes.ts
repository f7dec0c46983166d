import { createRoute, type z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse, problemSchema } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses } from '../auth/auth.openapi.js';
import { createSavedSearch, deleteSavedSearch, listSavedSearches } from './alerts.js';
import {
  createAlertBody,
  MAX_SAVED_SEARCHES,
  savedSearchIdParam,
  savedSearchListSchema,
  savedSearchSchema,
} from './alerts.schemas.js';

const tags = ['匹配 Matching'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const errors = { ...commonErrorResponses, ...authErrorResponses };

const listRoute = createRoute({
  method: 'get',
  path: '/me/alerts',
  tags,
  summary: '我的新榜单提醒（保存的搜索与按资料匹配）',
  responses: { 200: { description: '提醒', ...json(savedSearchListSchema) }, ...errors },
});

const createAlertRoute = createRoute({
  method: 'post',
  path: '/me/alerts',
  tags,
  summary: `保存搜索为提醒，或开启按资料匹配提醒（每人最多 ${MAX_SAVED_SEARCHES} 条）`,
  request: { body: { required: true, ...json(createAlertBody) } },
  responses: {
    201: { description: '已保存', ...json(savedSearchSchema) },
    200: { description: '按资料匹配提醒已开启（返回已有的一条）', ...json(savedSearchSchema) },
    409: {
      description: '提醒数量已达上限（SAVED_SEARCH_LIMIT_REACHED）',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
    ...errors,
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/me/alerts/{id}',
  tags,
  summary: '删除一条提醒',
  request: { params: savedSearchIdParam },
  responses: { 204: { description: '已删除' }, ...errors, ...notFoundResponse },
});

export function alertApi(deps: AppDeps) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const data = await listSavedSearches(deps.db, requireAuth(c).user.id, await deps.reference.get());
      return c.json({ data, max: MAX_SAVED_SEARCHES }, 200);
    })
    .openapi(createAlertRoute, async (c) => {
      const { view, created } = await createSavedSearch(
        deps,
        requireAuth(c).user.id,
        c.req.valid('json'),
        await deps.reference.get(),
      );
      return created ? c.json(view, 201) : c.json(view, 200);
    })
    .openapi(deleteRoute, async (c) => {
      await deleteSavedSearch(deps.db, requireAuth(c).user.id, c.req.valid('param').id);
      return c.body(null, 204);
    });
}
