import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { authErrorResponses } from '../auth/auth.openapi.js';
import { stationActorOf } from '../stations/station.routes.js';
import {
  evaluateAllSocieties,
  evaluateSociety,
  evaluationWorkbook,
  indicatorRecords,
  loadEvaluableSociety,
  requireOperator,
} from './evaluation.usecases.js';

const tags = ['年度评价 Evaluation'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const year = z.coerce
  .number()
  .int()
  .min(2000)
  .max(2100)
  .openapi({ param: { name: 'year', in: 'path' }, example: 2026 });
const yearParam = z.object({ year });
const societyParams = z.object({ year, id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
const drillParams = societyParams.extend({
  key: z
    .string()
    .regex(/^[a-z_]{2,40}$/)
    .openapi({ param: { name: 'key', in: 'path' }, example: 'records_confirmed' }),
});
const exportQuery = z.object({ society: z.uuid().optional() }).strict();

const indicatorValue = z
  .object({
    key: z.string(),
    group: z.string(),
    group_name: z.string(),
    name: z.string(),
    unit: z.string(),
    tooltip: z.string(),
    value: z.number(),
  })
  .openapi('IndicatorValue');
const indicatorRow = z
  .object({
    society_id: z.string(),
    ref_id: z.string(),
    ref_type: z.string(),
    label: z.string(),
    on_date: z.string().nullable(),
    detail: z.string(),
    amount: z.number(),
  })
  .openapi('IndicatorRecord');

const allRoute = createRoute({
  method: 'get',
  path: '/evaluation/{year}',
  tags,
  summary: '科协管理员：全部已认证学会的年度指标',
  request: { params: yearParam },
  responses: {
    200: {
      description: '各学会指标',
      ...json(
        z.object({
          year: z.number().int(),
          societies: z.array(
            z.object({ id: z.uuid(), name: z.string(), values: z.record(z.string(), z.number()) }),
          ),
        }),
      ),
    },
    ...errors,
  },
});
const societyRoute = createRoute({
  method: 'get',
  path: '/evaluation/{year}/societies/{id}',
  tags,
  summary: '一个学会的年度指标（该学会成员与科协管理员可见），每项含口径说明',
  request: { params: societyParams },
  responses: {
    200: {
      description: '指标',
      ...json(
        z.object({
          year: z.number().int(),
          society: z.object({ id: z.uuid(), name: z.string() }),
          indicators: z.array(indicatorValue),
        }),
      ),
    },
    ...errors,
  },
});
const drillRoute = createRoute({
  method: 'get',
  path: '/evaluation/{year}/societies/{id}/indicators/{key}',
  tags,
  summary: '指标明细：构成该数值的全部记录',
  request: { params: drillParams },
  responses: {
    200: {
      description: '明细',
      ...json(z.object({ indicator: indicatorValue, rows: z.array(indicatorRow) })),
    },
    ...errors,
  },
});
const exportRoute = createRoute({
  method: 'get',
  path: '/evaluation/{year}/export',
  tags,
  summary:
    '导出年度评价 XLSX（每个指标组一个工作表）。带 society 为单个学会（含明细），不带为全部学会（仅科协管理员）',
  request: { params: yearParam, query: exportQuery },
  responses: {
    200: {
      description: 'XLSX 文件',
      content: { [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...errors,
  },
});

export function exportFileName(year: number, societyName: string | null) {
  return `${year}年度学会工作评价${societyName ? `-${societyName}` : ''}.xlsx`;
}

export function xlsxResponseHeaders(fileName: string): Record<string, string> {
  return {
    'Content-Type': XLSX_TYPE,
    // RFC 6266 / 5987: an ASCII fallback plus the UTF-8 Chinese name.
    'Content-Disposition': `attachment; filename="evaluation.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    'Cache-Control': 'no-store',
  };
}

export function evaluationApi(deps: AppDeps) {
  return createRouter()
    .openapi(allRoute, async (c) => {
      requireOperator(stationActorOf(c));
      const { year } = c.req.valid('param');
      return c.json({ year, societies: await evaluateAllSocieties(deps.db, year) }, 200);
    })
    .openapi(societyRoute, async (c) => {
      const { year, id } = c.req.valid('param');
      const society = await loadEvaluableSociety(deps.db, stationActorOf(c), id);
      return c.json({ year, society, indicators: await evaluateSociety(deps.db, year, id) }, 200);
    })
    .openapi(drillRoute, async (c) => {
      const { year, id, key } = c.req.valid('param');
      await loadEvaluableSociety(deps.db, stationActorOf(c), id);
      return c.json(await indicatorRecords(deps.db, year, id, key), 200);
    })
    .openapi(exportRoute, async (c) => {
      const { year } = c.req.valid('param');
      const { society: societyId } = c.req.valid('query');
      const actor = stationActorOf(c);
      const society = societyId ? await loadEvaluableSociety(deps.db, actor, societyId) : null;
      if (!society) requireOperator(actor);
      const bytes = await evaluationWorkbook(deps.db, year, society?.id ?? null);
      return c.body(
        bytes as Uint8Array<ArrayBuffer>,
        200,
        xlsxResponseHeaders(exportFileName(year, society?.name ?? null)),
      );
    });
}
