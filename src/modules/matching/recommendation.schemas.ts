import { z } from '@hono/zod-openapi';

export const recommendationQuery = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(20)
      .default(10)
      .openapi({ description: '每类返回条数（1-20）' }),
  })
  .strict();

const match = z.object({
  id: z.uuid(),
  key: z.string().openapi({ description: '外部编号（导入来源的 key），否则为 id' }),
  name: z.string(),
  score: z.number().openapi({ description: '匹配分（仅在同一列表内可比）' }),
  reasons: z.array(z.string()).openapi({
    description:
      '推荐理由，如「匹配：干燥、品质调控」「同在遵义市」「已揭榜成功2项（同行业1项）」「运行中工作站1个」',
  }),
});

const expertMatch = match.extend({
  title: z.string(),
  affiliation: z.string(),
  availability: z.enum(['available', 'limited', 'unavailable']),
  registered: z.boolean().openapi({ description: '已注册账号，可在线邀请揭榜' }),
});
const societyMatch = match.extend({
  teams: z.array(z.object({ id: z.uuid(), name: z.string() })),
  verified: z.boolean().openapi({ description: '已通过科协认证，可在线邀请揭榜' }),
});

export const recommendationsSchema = z
  .object({
    challenge_id: z.uuid(),
    experts: z.array(expertMatch),
    societies: z.array(societyMatch),
    capabilities: z.array(match.extend({ kind: z.string(), owner_name: z.string() })),
  })
  .openapi('ChallengeRecommendations');

export type RecommendationsResponse = z.infer<typeof recommendationsSchema>;

export const recommendedChallengesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(50).default(10).openapi({ description: '返回条数（1-50）' }),
  })
  .strict();

export const recommendedChallengesSchema = z
  .object({
    basis: z
      .object({
        kind: z.enum(['expert', 'society']),
        id: z.uuid(),
        name: z.string(),
        summary: z.string().openapi({ description: '用于匹配的研究领域/学科' }),
      })
      .nullable()
      .openapi({ description: '据以推荐的专家资料或学会；尚未填写资料时为 null（data 为空）' }),
    data: z.array(
      z.object({
        id: z.uuid(),
        title: z.string(),
        score: z.number().openapi({ description: '匹配分（仅在同一列表内可比）' }),
        reasons: z.array(z.string()),
        reward_wan: z.number(),
        bid_deadline: z.iso.datetime(),
        region_name: z.string().nullable(),
        industry_name: z.string().nullable(),
        enterprise_name: z.string().nullable(),
        bid_submitted: z.boolean().openapi({ description: '本人（或本学会）已揭榜' }),
      }),
    ),
  })
  .openapi('RecommendedChallenges');

export type RecommendedChallengesResponse = z.infer<typeof recommendedChallengesSchema>;

export const inviteSuggestionsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(20).default(10).openapi({ description: '榜单条数（1-20）' }),
  })
  .strict();

export const inviteSuggestionsSchema = z
  .object({
    few_bids_below: z.number().int().openapi({ description: '揭榜申请少于此数的榜单' }),
    data: z.array(
      z.object({
        id: z.uuid(),
        title: z.string(),
        enterprise_name: z.string().nullable(),
        reward_wan: z.number(),
        bid_deadline: z.iso.datetime(),
        bid_count: z.number().int(),
        experts: z.array(expertMatch),
        societies: z.array(societyMatch),
      }),
    ),
  })
  .openapi('InviteSuggestions');

export type InviteSuggestionsResponse = z.infer<typeof inviteSuggestionsSchema>;
