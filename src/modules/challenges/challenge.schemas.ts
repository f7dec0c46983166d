import { z } from '@hono/zod-openapi';
import { paginationQuery, paginationSchema } from '../../http/pagination.js';
import { publicChallengeStatuses } from './challenge.lifecycle.js';

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
  .object({ data: z.array(challengeSummarySchema), pagination: paginationSchema })
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
