import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import type { ActorRef } from '../auth/policy.js';
import { canViewStationInternals } from '../auth/policy.js';
import { requestMeta } from '../auth/request-meta.js';
import {
  listConsentRequests,
  listMyStations,
  listRecordsToConfirm,
  listStationKinds,
  listStationRecords,
  listStationsByStatus,
} from './station.queries.js';
import {
  adminStationQuery,
  consentBody,
  consentParams,
  gradeBody,
  gradeParams,
  myStationsSchema,
  recordBody,
  recordDecisionBody,
  recordSchema,
  stationBody,
  stationIdParam,
  stationSchema,
  stationSearchQuery,
  stationSearchResultSchema,
  transitionBody,
} from './station.schemas.js';
import { searchStations } from './station.search.js';
import {
  actOnStation,
  applyForStation,
  decideServiceRecord,
  gradeStation,
  loadVisibleStation,
  logServiceRecord,
  recordView,
  type StationActorRef,
  setExpertConsent,
  stationView,
} from './station.usecases.js';

const tags = ['工作站 Stations'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };

/** The signed-in actor with the name the status history records. */
export function stationActorOf(c: Context): StationActorRef {
  const auth = requireAuth(c);
  return { userId: auth.user.id, role: auth.user.role, displayName: auth.user.display_name };
}
export function optionalActorOf(c: Context): ActorRef | null {
  const auth = c.get('auth');
  return auth ? { userId: auth.user.id, role: auth.user.role } : null;
}

const kindsRoute = createRoute({
  method: 'get',
  path: '/station-kinds',
  tags,
  summary: '站点类型（学会工作站、专家服务站、创新分支机构；参考数据，可扩展）',
  responses: {
    200: {
      description: '类型',
      ...json(z.object({ data: z.array(z.object({ code: z.string(), name: z.string() })) })),
    },
    ...errors,
  },
});
const searchRoute = createRoute({
  method: 'get',
  path: '/stations',
  tags,
  summary: '公开名录：运行中的站点，可按类型、市州、区县、产业筛选（含分面计数）',
  request: { query: stationSearchQuery },
  responses: { 200: { description: '站点', ...json(stationSearchResultSchema) }, ...errors },
});
const applyRoute = createRoute({
  method: 'post',
  path: '/stations',
  tags,
  summary: '学会申请设立站点（申请人须为该学会成员，学会须已认证）；随后由东道单位确认、科协审批',
  request: body(stationBody),
  responses: { 201: { description: '已申请', ...json(stationSchema) }, ...errors },
});
const getRoute = createRoute({
  method: 'get',
  path: '/stations/{id}',
  tags,
  summary: '站点详情：运行中或已到期的站点公开；其他状态仅申请学会、东道单位、入驻专家与科协管理员可见',
  request: { params: stationIdParam },
  responses: { 200: { description: '站点', ...json(stationSchema) }, ...errors },
});
const transitionRoute = createRoute({
  method: 'post',
  path: '/stations/{id}/transitions',
  tags,
  summary:
    '办理状态变更：东道单位 confirm_host / decline_host；学会 withdraw；科协管理员 approve / reject / renew / suspend / reinstate / revoke（拒绝、暂停、撤销须填写原因）',
  request: { params: stationIdParam, ...body(transitionBody) },
  responses: { 200: { description: '已办理', ...json(stationSchema) }, ...errors, ...conflictResponse },
});
const consentRoute = createRoute({
  method: 'put',
  path: '/stations/{id}/experts/{expertId}/consent',
  tags,
  summary: '入驻专家本人同意或拒绝入驻（同意后才公开显示）',
  request: { params: consentParams, ...body(consentBody) },
  responses: { 200: { description: '已记录', ...json(stationSchema) }, ...errors },
});
const recordsRoute = createRoute({
  method: 'get',
  path: '/stations/{id}/records',
  tags,
  summary: '服务记录：公众只见东道单位已确认的记录；申请学会、东道单位与科协管理员可见全部',
  request: { params: stationIdParam },
  responses: {
    200: { description: '服务记录', ...json(z.object({ data: z.array(recordSchema) })) },
    ...errors,
  },
});
const addRecordRoute = createRoute({
  method: 'post',
  path: '/stations/{id}/records',
  tags,
  summary: '学会登记服务记录（运行中的站点；服务专家须为已同意入驻的专家），待东道单位确认',
  request: { params: stationIdParam, ...body(recordBody) },
  responses: { 201: { description: '已登记', ...json(recordSchema) }, ...errors, ...conflictResponse },
});
const decideRecordRoute = createRoute({
  method: 'post',
  path: '/service-records/{id}/confirmation',
  tags,
  summary: '东道单位确认服务记录，或提出异议（须填写原因）',
  request: { params: stationIdParam, ...body(recordDecisionBody) },
  responses: { 200: { description: '已处理', ...json(recordSchema) }, ...errors, ...conflictResponse },
});
const gradeRoute = createRoute({
  method: 'put',
  path: '/stations/{id}/grades/{year}',
  tags,
  summary: '科协管理员年度评定（优秀 / 良好 / 合格，须填写理由）；重复评定覆盖之前的结果',
  request: { params: gradeParams, ...body(gradeBody) },
  responses: {
    200: {
      description: '已评定',
      ...json(z.object({ year: z.number().int(), grade: z.string(), reason: z.string() })),
    },
    ...errors,
    ...conflictResponse,
  },
});
const mineRoute = createRoute({
  method: 'get',
  path: '/me/stations',
  tags,
  summary: '与我相关的站点、待我同意的入驻邀请、待我确认的服务记录',
  responses: { 200: { description: '我的站点', ...json(myStationsSchema) }, ...errors },
});
const queueRoute = createRoute({
  method: 'get',
  path: '/admin/stations',
  tags,
  summary: '科协管理员：按状态列出站点（默认待审批，最早申请的在前）',
  request: { query: adminStationQuery },
  responses: {
    200: {
      description: '站点',
      ...json(
        z.object({
          data: z.array(
            z.object({
              id: z.uuid(),
              name: z.string(),
              status: z.string(),
              society_name: z.string(),
              host_name: z.string(),
              region_name: z.string(),
              created_at: z.iso.datetime(),
            }),
          ),
        }),
      ),
    },
    ...errors,
  },
});

export function stationApi(deps: AppDeps) {
  return createRouter()
    .openapi(kindsRoute, async (c) => c.json({ data: await listStationKinds(deps.db) }, 200))
    .openapi(searchRoute, async (c) => {
      const kindName = new Map((await listStationKinds(deps.db)).map((k) => [k.code, k.name]));
      const result = await searchStations(
        { search: deps.search, indexes: deps.indexes, reference: await deps.reference.get(), kindName },
        c.req.valid('query'),
      );
      return c.json(result, 200);
    })
    .openapi(applyRoute, async (c) => {
      const view = await applyForStation(deps, stationActorOf(c), c.req.valid('json'), requestMeta(c, deps));
      return c.json(view, 201);
    })
    .openapi(getRoute, async (c) => {
      const { station, parties } = await loadVisibleStation(
        deps.db,
        c.req.valid('param').id,
        optionalActorOf(c),
      );
      return c.json(await stationView(deps, station, parties), 200);
    })
    .openapi(transitionRoute, async (c) => {
      const view = await actOnStation(
        deps,
        stationActorOf(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(view, 200);
    })
    .openapi(consentRoute, async (c) => {
      const { id, expertId } = c.req.valid('param');
      const view = await setExpertConsent(
        deps,
        stationActorOf(c),
        id,
        expertId,
        c.req.valid('json').consent,
        requestMeta(c, deps),
      );
      return c.json(view, 200);
    })
    .openapi(recordsRoute, async (c) => {
      const { station, parties } = await loadVisibleStation(
        deps.db,
        c.req.valid('param').id,
        optionalActorOf(c),
      );
      const rows = await listStationRecords(deps.db, station.id, !canViewStationInternals(parties));
      return c.json({ data: rows.map(recordView) }, 200);
    })
    .openapi(addRecordRoute, async (c) => {
      const record = await logServiceRecord(
        deps,
        stationActorOf(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(record, 201);
    })
    .openapi(decideRecordRoute, async (c) => {
      const record = await decideServiceRecord(
        deps,
        stationActorOf(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(record, 200);
    })
    .openapi(gradeRoute, async (c) => {
      const { id, year } = c.req.valid('param');
      const grade = await gradeStation(
        deps,
        stationActorOf(c),
        id,
        year,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(grade, 200);
    })
    .openapi(mineRoute, async (c) => {
      const actor = stationActorOf(c);
      const [stations, consent, records] = await Promise.all([
        listMyStations(deps.db, actor.userId),
        listConsentRequests(deps.db, actor.userId),
        listRecordsToConfirm(deps.db, actor.userId),
      ]);
      return c.json(
        {
          stations: stations.map((s) => ({
            ...s,
            status: s.status as z.infer<typeof stationSchema>['status'],
          })),
          consent_requests: consent,
          records_to_confirm: records.map(recordView),
        },
        200,
      );
    })
    .openapi(queueRoute, async (c) => {
      if (requireAuth(c).user.role !== 'operator') throw new AppError('FORBIDDEN');
      const rows = await listStationsByStatus(deps.db, c.req.valid('query').status);
      return c.json({ data: rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })) }, 200);
    });
}
