import { Hono } from 'hono';
import type { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { listingParams } from '../../web/listing.js';
import { messages } from '../../web/messages.js';
import { listCapabilitiesForExport } from '../capabilities/capability.queries.js';
import { capabilitySearchQuery } from '../capabilities/capability.schemas.js';
import { searchCapabilityIds } from '../capabilities/capability.search.js';
import { challengeSearchQuery } from '../challenges/challenge.schemas.js';
import { searchChallenges } from '../challenges/challenge.search.js';
import { listExpertsForExport } from '../experts/expert.queries.js';
import { expertSearchQuery } from '../experts/expert.schemas.js';
import { searchExpertIds } from '../experts/expert.search.js';
import { downloadHeaders, type Table, toCsv, toXlsx } from './export.format.js';

/**
 * Downloads of the public listings with the same filters as the pages (`/experts/export.xlsx?q=…&region=…`),
 * for operators and society staff (policy.ts `listExporters`). Rows come in the listing's order, up to
 * the search index's pagination depth (1,000 experts or capabilities, 2,000 challenges). Contact
 * details are never exported.
 */
const availability = messages.matching.availability;
const kinds = messages.matching.capabilityKinds;

function parse<S extends z.ZodType>(schema: S, url: string): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(listingParams(url)));
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
  return parsed.data;
}

async function expertTable(deps: AppDeps, url: string): Promise<Table> {
  const query = parse(expertSearchQuery, url);
  const ids = await searchExpertIds({ ...deps, reference: await deps.reference.get() }, query);
  const rows = await listExpertsForExport(deps.db, ids);
  return {
    name: '专家',
    header: [
      '编号',
      '姓名',
      '职称',
      '工作单位',
      '学科',
      '地区',
      '研究领域',
      '所属学会',
      '接受邀请',
      '个人简介',
    ],
    rows: rows.map((e) => [
      e.external_key ?? e.id,
      e.name,
      e.title,
      e.affiliation,
      e.discipline,
      e.region_name ?? e.region_code,
      e.fields.join('、'),
      e.society_names,
      availability[e.availability] ?? e.availability,
      e.bio,
    ]),
  };
}

async function capabilityTable(deps: AppDeps, url: string): Promise<Table> {
  const query = parse(capabilitySearchQuery, url);
  const ids = await searchCapabilityIds({ ...deps, reference: await deps.reference.get() }, query);
  const rows = await listCapabilitiesForExport(deps.db, ids);
  return {
    name: '成果',
    header: [
      '名称',
      '类型',
      '发布方',
      '技术成熟度',
      '合作方式',
      '价格（万元）',
      '产业',
      '地区',
      '领域',
      '发布日期',
      '介绍',
    ],
    rows: rows.map((c) => [
      c.title,
      kinds[c.kind] ?? c.kind,
      c.expert_name ?? c.organisation_name,
      c.trl,
      c.cooperation_modes.join('、'),
      c.price_negotiable || c.price_min_wan === null
        ? messages.supply.negotiable
        : `${c.price_min_wan}${c.price_max_wan === null ? '+' : `-${c.price_max_wan}`}`,
      c.industry_name,
      c.region_name,
      c.fields.join('、'),
      c.published_at ? c.published_at.toISOString().slice(0, 10) : null,
      c.description,
    ]),
  };
}

async function challengeTable(deps: AppDeps, url: string): Promise<Table> {
  const query = parse(challengeSearchQuery, url);
  const reference = await deps.reference.get();
  const rows: Table['rows'] = [];
  for (let page = 1; page <= 20; page++) {
    const result = await searchChallenges({ ...deps, reference }, { ...query, page, per_page: 100 });
    for (const c of result.data)
      rows.push([
        c.title,
        messages.status[c.status] ?? c.status,
        c.reward_wan,
        c.bid_deadline.slice(0, 10),
        c.industry?.name ?? null,
        c.region.name,
        c.cooperation_mode,
        c.enterprise_name ?? messages.challenge.anonymousEnterprise,
        c.published_at ? c.published_at.slice(0, 10) : null,
      ]);
    if (page >= result.pagination.total_pages) break;
  }
  return {
    name: '榜单',
    header: [
      '榜单标题',
      '状态',
      '悬赏金额（万元）',
      '揭榜截止',
      '所属产业',
      '地区',
      '合作方式',
      '发榜单位',
      '发布日期',
    ],
    rows,
  };
}

const lists = [
  { path: '/experts', ascii: 'experts', build: expertTable },
  { path: '/capabilities', ascii: 'capabilities', build: capabilityTable },
  { path: '/challenges', ascii: 'challenges', build: challengeTable },
] as const;

export function exportRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  for (const list of lists) {
    for (const format of ['xlsx', 'csv'] as const) {
      app.get(`${list.path}/export.${format}`, async (c) => {
        const table = await list.build(deps, c.req.url);
        const bytes = format === 'xlsx' ? toXlsx([table]) : toCsv(table);
        const date = deps.clock().toISOString().slice(0, 10);
        return c.body(
          bytes as Uint8Array<ArrayBuffer>,
          200,
          downloadHeaders(format, `${list.ascii}-${date}`, `${table.name}-${date}`),
        );
      });
    }
  }
  return app;
}
