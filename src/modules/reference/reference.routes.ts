import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';

const regionSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    short_name: z.string(),
    level: z.enum(['province', 'prefecture', 'county']),
    parent_code: z.string().nullable(),
  })
  .openapi('Region');
const industrySchema = z
  .object({ code: z.string(), name: z.string(), group: z.string() })
  .openapi('Industry');

const regionsRoute = createRoute({
  method: 'get',
  path: '/regions',
  tags: ['参考数据 Reference'],
  summary: '贵州省行政区划（GB/T 2260：省、市州、县）',
  responses: {
    200: {
      description: '行政区划',
      content: { 'application/json': { schema: z.object({ data: z.array(regionSchema) }) } },
    },
    ...commonErrorResponses,
  },
});
const industriesRoute = createRoute({
  method: 'get',
  path: '/industries',
  tags: ['参考数据 Reference'],
  summary: '产业目录（12 个特色产业、十大工业产业等）',
  responses: {
    200: {
      description: '产业',
      content: { 'application/json': { schema: z.object({ data: z.array(industrySchema) }) } },
    },
    ...commonErrorResponses,
  },
});

export function referenceApi(deps: AppDeps) {
  return createRouter()
    .openapi(regionsRoute, async (c) => {
      const reference = await deps.reference.get();
      return c.json(
        {
          data: reference.regions.map((r) => ({
            ...r,
            level: r.level as 'province' | 'prefecture' | 'county',
          })),
        },
        200,
      );
    })
    .openapi(industriesRoute, async (c) => {
      const reference = await deps.reference.get();
      return c.json(
        { data: reference.industries.map((i) => ({ code: i.code, name: i.name, group: i.group_name })) },
        200,
      );
    });
}
