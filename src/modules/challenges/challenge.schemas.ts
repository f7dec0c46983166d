import { z } from '@hono/zod-openapi';
import { paginationQuery, paginationSchema } from '../../http/pagination.js';
import { publicChallengeStatuses } from './challenge.lifecycle.js';
import { awardModes, confidentialityValues, ipTermsValues } from './challenge.workflow.schemas.js';

/** zod is the single source: these validate requests, shape responses, and feed the OpenAPI document. */
const noNul = (s: string) => !s.includes('\u0000');

export const challengeIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7b0c7f1e-8a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

const rewardBound = z.coerce.number().min(0).max(1_000_000);

export const challengeFilterQuery = z.object({
  industry: z
    .string()
    .regex(/^[a-z0-9-]{2,40}$/)
    .optional()
    .openapi({ description: '产业代码', example: 'rural-chili' }),
  region: z
    .string()
    .regex(/^52[0-9]{4}$/)
    .optional()
    .openapi({ description: '地区代码（市州或县，GB/T 2260）', example: '520300' }),
  status: z.enum(publicChallengeStatuses).optional(),
  reward_min: rewardBound.optional().openapi({ description: '最低悬赏（万元）' }),
  reward_max: rewardBound.optional().openapi({ description: '最高悬赏（万元）' }),
});

export const challengeListQuery = challengeFilterQuery.extend(paginationQuery.shape).strict();

export const challengeSearchQuery = challengeFilterQuery
  .extend(paginationQuery.shape)
  .extend({
    q: z
      .string()
      .max(200)
      .refine(noNul, '包含不允许的空字符')
      .default('')
      .openapi({ description: '关键词（中文）', example: '辣椒烘干' }),
    sort: z.enum(['relevance', 'newest', 'reward', 'deadline']).default('relevance'),
  })
  .strict();

export const challengeSummarySchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    status: z.enum(publicChallengeStatuses),
    reward_wan: z.number(),
    bid_deadline: z.iso.datetime(),
    published_at: z.iso.datetime().nullable(),
    cooperation_mode: z.string(),
    industry: z.object({ code: z.string(), name: z.string() }).nullable(),
    region: z.object({ code: z.string(), name: z.string() }),
    enterprise_name: z.string().nullable().openapi({ description: '发榜单位选择不公开时为 null' }),
  })
  .openapi('ChallengeSummary');

export const challengeDetailSchema = challengeSummarySchema
  .extend({
    background: z.string(),
    problem: z.string(),
    targets: z.string(),
    delivery_deadline: z.iso.datetime().nullable(),
    disciplines: z
      .array(z.object({ code: z.string(), name: z.string() }))
      .openapi({ description: '涉及学科（学科代码与名称）' }),
    reward_tranches: z
      .array(z.number().int())
      .openapi({ description: '悬赏分期支付比例（%），合计 100', example: [40, 30, 30] }),
    bidder_requirements: z.string().openapi({ description: '揭榜方资质要求' }),
    ip_terms: z.enum(ipTermsValues).openapi({ description: '知识产权归属' }),
    confidentiality: z.enum(confidentialityValues).openapi({ description: '保密要求' }),
    terms_note: z.string().openapi({ description: '其他条款说明' }),
    award_mode: z.enum(awardModes).openapi({ description: 'single 单一挂帅；horse_race 赛马制' }),
    max_awards: z.number().int().openapi({ description: '最多挂帅几个揭榜方' }),
    history: z.array(
      z.object({
        from_status: z.string().nullable(),
        to_status: z.string(),
        actor: z.string(),
        reason: z.string().nullable(),
        at: z.iso.datetime(),
      }),
    ),
  })
  .openapi('ChallengeDetail');

export const challengeListSchema = z
  .object({
    data: z.array(challengeSummarySchema),
    pagination: paginationSchema.extend({
      total_exact: z.boolean().openapi({
        description:
          '总数是否精确。为 false 时表示"至少 total 条"：列表只向后数若干页（再往后翻页时继续计数），避免每页统计全部榜单',
      }),
    }),
  })
  .openapi('ChallengeList');

export const facetValueSchema = z.object({ value: z.string(), label: z.string(), count: z.number().int() });

export const challengeSearchResultSchema = z
  .object({
    data: z.array(
      challengeSummarySchema.extend({
        highlight: z
          .object({ title: z.string(), snippet: z.string() })
          .openapi({ description: '命中词以 <mark> 标出（已转义的 HTML）' }),
      }),
    ),
    facets: z.object({
      industry: z.array(facetValueSchema),
      region: z.array(facetValueSchema),
      status: z.array(facetValueSchema),
    }),
    pagination: paginationSchema,
    query: z.object({ q: z.string(), processing_ms: z.number() }),
  })
  .openapi('ChallengeSearchResult');

export type ChallengeSearchQuery = z.infer<typeof challengeSearchQuery>;
export type ChallengeSearchResult = z.infer<typeof challengeSearchResultSchema>;
