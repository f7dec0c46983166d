import { z } from '@hono/zod-openapi';
import { messages } from '../../web/messages.js';

/** Bids (揭榜申请), evaluation and award. Confidential: these shapes never reach the search index. */
const noNul = (s: string) => !s.includes('\u0000');
const text = (min: number, max: number) =>
  z.string().min(min).max(max).refine(noNul, messages.validation.nulByte);

export const bidKinds = ['expert', 'team', 'organisation'] as const;

export const bidIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '0b8f6c1e-3a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

const bidContent = {
  approach: text(10, 10000).openapi({ example: '采用低温分段热风干燥结合护色预处理……' }),
  promised_indicators: text(2, 5000).openapi({ example: '色价保留率 ≥ 90%，能耗下降 20%' }),
  price_wan: z.number().min(0).max(1_000_000).openapi({ example: 45 }),
  duration_days: z.number().int().min(1).max(3650).openapi({ example: 180 }),
};

export const teamMemberInput = z
  .object({
    email: z.email().max(254),
    role: z.string().max(50).refine(noNul, messages.validation.nulByte).default(''),
  })
  .strict();

export const submitBidBody = z
  .object({
    kind: z
      .enum(bidKinds)
      .openapi({ description: 'expert 个人 / team 专家牵头团队 / organisation 学会等机构' }),
    organisation_id: z.uuid().optional().openapi({ description: '机构揭榜时：以哪个（已认证的）机构名义' }),
    service_team_id: z.uuid().optional().openapi({
      description: '学会揭榜时：以本学会的哪个科技服务团揭榜（须属于 organisation_id 所指学会）',
    }),
    members: z
      .array(teamMemberInput)
      .max(20)
      .default([])
      .openapi({ description: '团队揭榜时的成员（平台专家账号邮箱），每人须确认' }),
    ...bidContent,
  })
  .strict()
  .openapi('BidSubmit');

export const updateBidBody = z
  .object({
    approach: bidContent.approach.optional(),
    promised_indicators: bidContent.promised_indicators.optional(),
    price_wan: bidContent.price_wan.optional(),
    duration_days: bidContent.duration_days.optional(),
    version: z.number().int().min(1).optional(),
  })
  .strict()
  .openapi('BidUpdate');

export const teamResponseBody = z
  .object({ decision: z.enum(['confirm', 'decline']) })
  .strict()
  .openapi('BidTeamResponse');

export const evaluationBody = z
  .object({
    shortlisted: z.boolean().optional(),
    score: z.number().min(0).max(100).nullable().optional(),
    note: z.string().max(5000).refine(noNul, messages.validation.nulByte).optional(),
  })
  .strict()
  .openapi('BidEvaluationInput');

export const awardBody = z
  .object({ bid_ids: z.array(z.uuid()).min(1).max(10) })
  .strict()
  .openapi('AwardInput');

export const bidSchema = z
  .object({
    id: z.uuid(),
    challenge: z.object({ id: z.uuid(), title: z.string(), status: z.string() }),
    kind: z.enum(bidKinds),
    status: z.enum(['submitted', 'withdrawn', 'awarded', 'not_awarded']),
    version: z.number().int(),
    lead: z.object({ user_id: z.uuid(), display_name: z.string() }),
    organisation: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    members: z.array(
      z.object({
        user_id: z.uuid(),
        display_name: z.string(),
        role: z.string(),
        status: z.enum(['invited', 'confirmed', 'declined']),
      }),
    ),
    approach: z.string(),
    promised_indicators: z.string(),
    price_wan: z.number(),
    duration_days: z.number().int(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    awarded_at: z.iso.datetime().nullable(),
    evaluation: z
      .object({ shortlisted: z.boolean(), score: z.number().nullable(), note: z.string() })
      .nullable()
      .openapi({ description: '发榜企业的评审（入围、评分、内部备注）：只有发榜企业与科协管理员能看到' }),
  })
  .openapi('Bid');

export const bidListSchema = z.object({ data: z.array(bidSchema) }).openapi('BidList');

export const awardResultSchema = z
  .object({
    challenge_id: z.uuid(),
    status: z.string(),
    awarded_bid_ids: z.array(z.uuid()),
    milestones: z.number().int(),
  })
  .openapi('AwardResult');

export type SubmitBidInput = z.output<typeof submitBidBody>;
export type UpdateBidInput = z.output<typeof updateBidBody>;

/** Form fields → the API's JSON shape (numbers; team members one per line: "邮箱 角色"). */
export function bidFormToInput(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'price_wan' || key === 'duration_days' || key === 'version')
      out[key] = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    else if (key === 'members')
      out[key] = value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const [email = '', ...role] = line.split(/\s+/);
          return { email, role: role.join(' ') };
        });
    else if (key === 'service_team_id') {
      // The select's first option ("not as a team") is empty.
      if (value !== '') out[key] = value;
    } else out[key] = value;
  }
  return out;
}
