import { Hono } from 'hono';
import type { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { chinaDate, chinaDateTime } from '../../web/china-time.js';
import { listingParams } from '../../web/listing.js';
import { messages } from '../../web/messages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { listCapabilitiesForExport, pageCapabilityIdsForExport } from '../capabilities/capability.queries.js';
import { capabilitySearchQuery } from '../capabilities/capability.schemas.js';
import { searchCapabilityIds } from '../capabilities/capability.search.js';
import { type ListingCursor, listPublicChallenges } from '../challenges/challenge.queries.js';
import { challengeSearchQuery } from '../challenges/challenge.schemas.js';
import { searchChallenges } from '../challenges/challenge.search.js';
import type { Cell } from '../evaluation/xlsx-writer.js';
import { listExpertsForExport, pageExpertIdsForExport } from '../experts/expert.queries.js';
import { expertSearchQuery } from '../experts/expert.schemas.js';
import { searchExpertIds } from '../experts/expert.search.js';
import {
  type BidCursor,
  challengeForBidExport,
  pageBidsOfChallengeForOwner,
  pageBidsOfParty,
} from './bid-export.queries.js';
import { downloadHeaders } from './export.format.js';
import { csvStream, type StreamedTable, xlsxStream } from './export.stream.js';

/**
 * Downloads of the public listings with the same filters as the pages (`/experts/export.xlsx?q=…&region=…`),
 * for operators and society staff (policy.ts `listExporters`), and of bids for their owners. Contact
 * details are never exported.
 *
 * Filtered lists without a free-text `q` are read from PostgreSQL in keyset pages of 1,000 and
 * written to the response as they come (export.stream.ts), so there is no row cap. A free-text
 * query ranks by relevance in Meilisearch, whose pagination depth bounds it: such an export holds the
 * top 1,000 experts or capabilities, or the top 2,000 challenges.
 */
const PAGE = 1000;
const SEARCH_CAP = 1000;
const uuid = '[0-9a-fA-F-]{36}';
const availability = messages.matching.availability;
const kinds = messages.matching.capabilityKinds;

function parse<S extends z.ZodType>(schema: S, url: string): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(listingParams(url)));
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
  return parsed.data;
}

/** Pages of ids: keyset pages from PostgreSQL, or the search's ranked ids in slices. */
async function* idPages<T extends { id: string }, C>(
  fetch: (after: C | null, limit: number) => Promise<T[]>,
  cursor: (last: T) => C,
): AsyncGenerator<string[]> {
  let after: C | null = null;
  for (;;) {
    const page = await fetch(after, PAGE);
    if (page.length === 0) return;
    yield page.map((row) => row.id);
    if (page.length < PAGE) return;
    after = cursor(page[page.length - 1]!);
  }
}

async function* slices(ids: Promise<string[]>): AsyncGenerator<string[]> {
  const all = await ids;
  for (let i = 0; i < all.length; i += PAGE) yield all.slice(i, i + PAGE);
}

async function* mapPages<T>(pages: AsyncIterable<T>, toRows: (page: T) => Promise<Cell[][]>) {
  for await (const page of pages) yield await toRows(page);
}

function expertTable(deps: AppDeps, url: string): StreamedTable {
  const query = parse(expertSearchQuery, url);
  const ids =
    query.q.trim() !== ''
      ? slices(
          deps.reference
            .get()
            .then((reference) => searchExpertIds({ ...deps, reference }, query, SEARCH_CAP)),
        )
      : idPages(
          (after: { name: string; id: string } | null, limit) =>
            pageExpertIdsForExport(deps.db, query, after, limit),
          (last) => ({ name: last.name, id: last.id }),
        );
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
    pages: mapPages(ids, async (page) =>
      (await listExpertsForExport(deps.db, page)).map((e) => [
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
    ),
  };
}

function capabilityTable(deps: AppDeps, url: string): StreamedTable {
  const query = parse(capabilitySearchQuery, url);
  const ids =
    query.q.trim() !== ''
      ? slices(
          deps.reference
            .get()
            .then((reference) => searchCapabilityIds({ ...deps, reference }, query, SEARCH_CAP)),
        )
      : idPages(
          (after: { published_at: Date; id: string } | null, limit) =>
            pageCapabilityIdsForExport(deps.db, query, after, limit),
          (last) => ({ published_at: last.published_at!, id: last.id }),
        );
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
    pages: mapPages(ids, async (page) =>
      (await listCapabilitiesForExport(deps.db, page)).map((c) => [
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
        c.published_at ? chinaDate(c.published_at) : null,
        c.description,
      ]),
    ),
  };
}

/** Without `q`: every matching challenge from PostgreSQL in keyset pages, newest first (no cap). */
async function* challengeRowsFromDatabase(deps: AppDeps, query: z.output<typeof challengeSearchQuery>) {
  const filter = {
    industry: query.industry,
    region: query.region,
    status: query.status,
    rewardMin: query.reward_min,
    rewardMax: query.reward_max,
  };
  let after: ListingCursor | null = null;
  for (;;) {
    const { rows } = await listPublicChallenges(deps.db, filter, { after, limit: PAGE });
    if (rows.length === 0) return;
    yield rows.map((c): Cell[] => [
      c.title,
      messages.status[c.status] ?? c.status,
      c.reward_wan,
      chinaDate(c.bid_deadline),
      c.industry_name,
      c.region_name,
      c.cooperation_mode,
      c.enterprise_name ?? messages.challenge.anonymousEnterprise,
      c.published_at ? chinaDate(c.published_at) : null,
    ]);
    const last = rows[rows.length - 1]!;
    if (rows.length < PAGE || !last.published_at) return;
    after = { published_at: last.published_at, id: last.id };
  }
}

async function* challengePages(deps: AppDeps, query: z.output<typeof challengeSearchQuery>) {
  if (query.q.trim() === '') {
    yield* challengeRowsFromDatabase(deps, query);
    return;
  }
  const reference = await deps.reference.get();
  for (let page = 1; page <= 20; page++) {
    const rows: Cell[][] = [];
    const result = await searchChallenges({ ...deps, reference }, { ...query, page, per_page: 100 });
    for (const c of result.data)
      rows.push([
        c.title,
        messages.status[c.status] ?? c.status,
        c.reward_wan,
        chinaDate(c.bid_deadline),
        c.industry?.name ?? null,
        c.region.name,
        c.cooperation_mode,
        c.enterprise_name ?? messages.challenge.anonymousEnterprise,
        c.published_at ? chinaDate(c.published_at) : null,
      ]);
    yield rows;
    if (page >= result.pagination.total_pages) break;
  }
}

function challengeTable(deps: AppDeps, url: string): StreamedTable {
  const query = parse(challengeSearchQuery, url);
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
    pages: challengePages(deps, query),
  };
}

const bidKinds = messages.flow.bidKinds;
const bidStatus = messages.flow.bidStatus;
const bidHeader = [
  '榜单',
  '揭榜方式',
  '状态',
  '牵头人',
  '揭榜单位',
  '科技服务团',
  '团队成员',
  '报价（万元）',
  '工期（天）',
  '技术方案',
  '承诺指标',
  '提交时间',
];
type BidRow = Awaited<ReturnType<typeof pageBidsOfParty>>[number];

function bidCells(b: BidRow): Cell[] {
  return [
    b.challenge_title,
    bidKinds[b.kind] ?? b.kind,
    bidStatus[b.status] ?? b.status,
    b.lead_name,
    b.organisation_name,
    b.service_team_name,
    b.team_names,
    Number(b.price_wan),
    b.duration_days,
    b.approach,
    b.promised_indicators,
    chinaDateTime(b.created_at),
  ];
}

async function* bidPages(
  fetch: (after: BidCursor, limit: number) => Promise<BidRow[]>,
  cells: (b: BidRow) => Cell[],
) {
  let after: BidCursor = null;
  for (;;) {
    const page = await fetch(after, PAGE);
    if (page.length > 0) yield page.map(cells);
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!;
    after = { created_at: last.created_at, id: last.id };
  }
}

const lists = [
  { path: '/experts', ascii: 'experts', build: expertTable },
  { path: '/capabilities', ascii: 'capabilities', build: capabilityTable },
  { path: '/challenges', ascii: 'challenges', build: challengeTable },
] as const;

export function exportRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const download = (format: 'xlsx' | 'csv', ascii: string, table: StreamedTable) => {
    const date = chinaDate(deps.clock());
    return new Response(format === 'xlsx' ? xlsxStream(table) : csvStream(table), {
      status: 200,
      headers: downloadHeaders(format, `${ascii}-${date}`, `${table.name}-${date}`),
    });
  };
  for (const format of ['xlsx', 'csv'] as const) {
    for (const list of lists)
      app.get(`${list.path}/export.${format}`, (c) =>
        download(format, list.ascii, list.build(deps, c.req.url)),
      );

    // The posting enterprise's bids on its challenge, with its own evaluation; anyone else: 404.
    app.get(`/workspace/challenges/:id{${uuid}}/bids/export.${format}`, async (c) => {
      const auth = requireAuth(c);
      const challenge = await challengeForBidExport(deps.db, c.req.param('id'), auth.user.id, auth.user.role);
      if (!challenge) throw new AppError('CHALLENGE_NOT_FOUND');
      return download(format, 'bids', {
        name: '揭榜申请',
        header: [...bidHeader, '入围', '评分', '评审备注'],
        pages: bidPages(
          (after, limit) => pageBidsOfChallengeForOwner(deps.db, challenge.id, after, limit),
          (b) => [
            ...bidCells(b),
            b.shortlisted ? '是' : '否',
            b.score === null ? null : Number(b.score),
            b.note,
          ],
        ),
      });
    });

    // A bidder's own bids (as lead, team member or member of the bidding organisation), no evaluation.
    app.get(`/workspace/bids/export.${format}`, (c) => {
      const auth = requireAuth(c);
      return download(format, 'my-bids', {
        name: '我的揭榜',
        header: bidHeader,
        pages: bidPages((after, limit) => pageBidsOfParty(deps.db, auth.user.id, after, limit), bidCells),
      });
    });
  }
  return app;
}
