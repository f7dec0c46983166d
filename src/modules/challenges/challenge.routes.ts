import { createRoute } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { pageWindow, paginationOf } from '../../http/pagination.js';
import { createRouter } from '../../http/router.js';
import {
  findPublicChallenge,
  listChallengeStatusEvents,
  listPublicChallengesCounted,
} from './challenge.queries.js';
import {
  challengeDetailSchema,
  challengeIdParam,
  challengeListQuery,
  challengeListSchema,
  challengeSearchQuery,
  challengeSearchResultSchema,
} from './challenge.schemas.js';
import { searchChallenges } from './challenge.search.js';
import { toChallengeDetail, toChallengeSummary } from './challenge.views.js';

const tags = ['榜单 Challenges'];
/** The list's total is exact up to this many pages past the current one (then `total_exact: false`). */
const LIST_COUNT_AHEAD_PAGES = 10;

const listRoute = createRoute({
  method: 'get',
  path: '/challenges',
  tags,
  summary: '公开榜单列表（按发布时间倒序，可按产业、地区、状态、悬赏筛选；总数最多向后数 10 页）',
  request: { query: challengeListQuery },
  responses: {
    200: { description: '榜单列表', content: { 'application/json': { schema: challengeListSchema } } },
    ...commonErrorResponses,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/challenges/{id}',
  tags,
  summary: '榜单详情（仅公开状态）',
  request: { params: challengeIdParam },
  responses: {
    200: { description: '榜单详情', content: { 'application/json': { schema: challengeDetailSchema } } },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});

const searchGetRoute = createRoute({
  method: 'get',
  path: '/search/challenges',
  tags,
  summary: '中文全文搜索榜单，含分面统计与高亮',
  request: { query: challengeSearchQuery },
  responses: {
    200: {
      description: '搜索结果',
      content: { 'application/json': { schema: challengeSearchResultSchema } },
    },
    ...commonErrorResponses,
  },
});

const searchPostRoute = createRoute({
  method: 'post',
  path: '/search/challenges',
  tags,
  summary: '同上，参数放在 JSON 请求体中（便于程序调用）',
  request: { body: { required: true, content: { 'application/json': { schema: challengeSearchQuery } } } },
  responses: {
    200: {
      description: '搜索结果',
      content: { 'application/json': { schema: challengeSearchResultSchema } },
    },
    ...commonErrorResponses,
  },
});

export function challengeApi(deps: AppDeps) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const query = c.req.valid('query');
      const filter = {
        industry: query.industry,
        region: query.region,
        status: query.status,
        rewardMin: query.reward_min,
        rewardMax: query.reward_max,
      };
      const window = pageWindow(query.page, query.per_page);
      // Counted only a few pages past this one: an exact count of every public challenge per page
      // was what held this endpoint to ~12 req/s at 100,000 challenges (`npm run bench`).
      const { rows, ...count } = await listPublicChallengesCounted(
        deps.db,
        filter,
        window,
        query.per_page * LIST_COUNT_AHEAD_PAGES,
        await deps.reference.get(),
      );
      return c.json(
        {
          data: rows.map(toChallengeSummary),
          pagination: { ...paginationOf(query.page, query.per_page, count.total), total_exact: count.exact },
        },
        200,
      );
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid('param');
      const row = await findPublicChallenge(deps.db, id);
      if (!row) throw new AppError('CHALLENGE_NOT_FOUND');
      const history = await listChallengeStatusEvents(deps.db, id);
      return c.json(toChallengeDetail(row, history), 200);
    })
    .openapi(searchGetRoute, async (c) => {
      const result = await searchChallenges(
        { ...deps, reference: await deps.reference.get() },
        c.req.valid('query'),
      );
      return c.json(result, 200);
    })
    .openapi(searchPostRoute, async (c) => {
      const result = await searchChallenges(
        { ...deps, reference: await deps.reference.get() },
        c.req.valid('json'),
      );
      return c.json(result, 200);
    });
}
