import { z } from '@hono/zod-openapi';
import { messages } from '../../web/messages.js';
import { challengeStatuses } from './challenge.lifecycle.js';

/**
 * Authoring and review of challenges. The API takes these as JSON; the pages turn their form fields
 * into the same shape (`challengeFormToInput`) and validate with the same schemas.
 */
const f = messages.flow;
const noNul = (s: string) => !s.includes('\u0000');
const text = (max: number) => z.string().max(max).refine(noNul, messages.validation.nulByte);

export const cooperationModes = ['技术开发', '技术转让', '技术许可', '技术咨询', '技术服务'] as const;
export const ipTermsValues = ['enterprise_owns', 'bidder_owns', 'shared', 'negotiable'] as const;
export const confidentialityValues = ['none', 'nda_before_details', 'nda_on_award'] as const;
export const awardModes = ['single', 'horse_race'] as const;

/** A calendar day (the end of that day in China, UTC+8) or a full ISO date-time. */
const deadline = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .openapi({ example: '2027-03-31', description: '日期（按北京时间当日 23:59:59 截止）或 ISO 时间' });

export function deadlineToDate(value: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T23:59:59+08:00`) : new Date(value);
}

const challengeContentShape = {
  title: text(100).min(4).openapi({ example: '线椒烘干后色泽发暗的工艺改进' }),
  background: text(5000).default(''),
  problem: text(5000).default(''),
  targets: text(5000).default(''),
  industry_code: z
    .string()
    .regex(/^[a-z0-9-]{2,40}$/)
    .nullable()
    .default(null)
    .openapi({ example: 'rural-chilli' }),
  disciplines: z
    .array(z.string().regex(/^[0-9A-Za-z.-]{1,20}$/))
    .max(10)
    .default([]),
  region_code: z
    .string()
    .regex(/^52[0-9]{4}$/, f.invalid.unknownRegion)
    .openapi({ example: '520328' }),
  reward_wan: z.number().min(0).max(1_000_000).openapi({ example: 50 }),
  reward_tranches: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .max(6)
    .refine((parts) => parts.reduce((a, b) => a + b, 0) === 100, f.invalid.tranches)
    .default([100])
    .openapi({ example: [40, 30, 30] }),
  bid_deadline: deadline,
  delivery_deadline: deadline.nullable().default(null),
  bidder_requirements: text(2000).default(''),
  cooperation_mode: z.enum(cooperationModes).default('技术开发'),
  ip_terms: z.enum(ipTermsValues).default('negotiable'),
  confidentiality: z.enum(confidentialityValues).default('none'),
  terms_note: text(2000).default(''),
  hide_enterprise_name: z.boolean().default(false),
  award_mode: z.enum(awardModes).default('single'),
  max_awards: z.number().int().min(1).max(10).default(1),
};

const challengeContent = z.object(challengeContentShape);

export const createChallengeBody = challengeContent
  .extend({
    enterprise_id: z.uuid().optional().openapi({ description: '发榜企业（只加入一个企业时可省略）' }),
  })
  .strict()
  .openapi('ChallengeCreate');

/** Partial edit; `version` (or the If-Match header) names the version the edit was made on. */
export const updateChallengeBody = z
  .object(
    Object.fromEntries(
      // Without their defaults: an absent field in an edit means "unchanged", never "reset".
      Object.entries(challengeContentShape).map(([k, v]) => [
        k,
        (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType)).optional(),
      ]),
    ) as {
      [K in keyof typeof challengeContentShape]: z.ZodOptional<
        z.ZodType<z.output<(typeof challengeContentShape)[K]>, z.input<(typeof challengeContentShape)[K]>>
      >;
    },
  )
  .extend({ version: z.number().int().min(1).optional() })
  .strict()
  .openapi('ChallengeUpdate');

export type ChallengeContentInput = z.output<typeof challengeContent>;
export type CreateChallengeInput = z.output<typeof createChallengeBody>;
export type UpdateChallengeInput = z.output<typeof updateChallengeBody>;

export const reasonBody = z
  .object({ reason: text(1000).optional() })
  .strict()
  .openapi('Reason');

export const requiredReasonBody = z
  .object({ reason: text(1000).min(2) })
  .strict()
  .openapi('RequiredReason');

export const reviewBody = z
  .object({
    decision: z.enum(['publish', 'return', 'reject']),
    reason: text(1000).optional(),
  })
  .strict()
  .refine((b) => b.decision === 'publish' || (b.reason ?? '').trim().length >= 2, {
    message: f.invalid.reasonRequired,
    path: ['reason'],
  })
  .openapi('ChallengeReview');

export const completenessSchema = z.object({
  score: z.number().int().min(0).max(100),
  missing: z.array(z.object({ field: z.string(), hint: z.string() })),
});

export const challengeWorkSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(challengeStatuses),
    version: z.number().int(),
    enterprise: z.object({ id: z.uuid(), name: z.string(), verification_status: z.string() }),
    title: z.string(),
    background: z.string(),
    problem: z.string(),
    targets: z.string(),
    industry_code: z.string().nullable(),
    disciplines: z.array(z.string()),
    region_code: z.string(),
    reward_wan: z.number(),
    reward_tranches: z.array(z.number()),
    bid_deadline: z.iso.datetime(),
    delivery_deadline: z.iso.datetime().nullable(),
    bidder_requirements: z.string(),
    cooperation_mode: z.string(),
    ip_terms: z.string(),
    confidentiality: z.string(),
    terms_note: z.string(),
    hide_enterprise_name: z.boolean(),
    award_mode: z.enum(awardModes),
    max_awards: z.number().int(),
    published_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    completeness: completenessSchema,
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
  .openapi('ChallengeWork');

export const challengeWorkListSchema = z
  .object({ data: z.array(challengeWorkSchema.omit({ history: true })) })
  .openapi('ChallengeWorkList');

/** Form fields (strings) → the API's JSON shape, so pages validate with the same schemas. */
export function challengeFormToInput(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const numberOf = (v: string) => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);
  for (const [key, value] of Object.entries(values)) {
    if (key === '_csrf') continue;
    switch (key) {
      case 'reward_wan':
      case 'max_awards':
      case 'version':
        out[key] = numberOf(value);
        break;
      case 'reward_tranches':
        out[key] = value
          .split(/[/／,，\s]+/)
          .filter(Boolean)
          .map(numberOf);
        break;
      case 'disciplines':
        out[key] = value
          .split(/[,，、\s]+/)
          .filter(Boolean)
          .map((s) => s.trim());
        break;
      case 'hide_enterprise_name':
        out[key] = value === 'on' || value === 'true';
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}
