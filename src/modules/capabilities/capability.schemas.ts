import { z } from '@hono/zod-openapi';
import { paginationQuery, paginationSchema } from '../../http/pagination.js';
import { messages } from '../../web/messages.js';
import { checkbox, textList } from '../experts/expert.schemas.js';

/** zod is the single source for the capability API, its forms and the OpenAPI document. */
const noNul = (s: string) => !s.includes('\u0000');
const m = messages.supply;

export const capabilityKinds = ['achievement', 'patent', 'service', 'equipment', 'standard'] as const;
export const cooperationModes = ['转让', '许可', '合作开发', '技术咨询', '技术服务'] as const;
export const capabilityStatuses = ['draft', 'published', 'taken_down'] as const;

export const capabilityIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7b0c7f1e-8a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

export const capabilitySearchQuery = paginationQuery
  .extend({
    q: z.string().max(200).refine(noNul, '包含不允许的空字符').default('').openapi({ example: '热泵干燥' }),
    kind: z.enum(capabilityKinds).optional(),
    trl: z.coerce
      .number()
      .int()
      .min(1)
      .max(9)
      .optional()
      .openapi({ description: '技术成熟度（GB/T 22900）' }),
    cooperation: z.enum(cooperationModes).optional().openapi({ description: '合作方式' }),
    industry: z
      .string()
      .regex(/^[a-z0-9-]{2,40}$/)
      .optional()
      .openapi({ description: '产业代码' }),
    region: z
      .string()
      .regex(/^52[0-9]{4}$/)
      .optional()
      .openapi({ description: '地区代码（市州或县）' }),
  })
  .strict();
export type CapabilitySearchQuery = z.output<typeof capabilitySearchQuery>;

const codeName = z.object({ code: z.string(), name: z.string() });
const facetValue = z.object({ value: z.string(), label: z.string(), count: z.number().int() });
const price = z.object({
  negotiable: z.boolean(),
  min_wan: z.number().nullable(),
  max_wan: z.number().nullable(),
});

export const capabilitySummarySchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    kind: z.enum(capabilityKinds),
    fields: z.array(z.string()),
    trl: z.number().int().nullable(),
    cooperation_modes: z.array(z.string()),
    price,
    industry: codeName.nullable(),
    region: codeName.nullable(),
    owner: z.object({ type: z.enum(['expert', 'organisation']), id: z.uuid(), name: z.string() }),
  })
  .openapi('CapabilitySummary');

export const capabilitySearchResultSchema = z
  .object({
    data: z.array(capabilitySummarySchema),
    facets: z.object({
      kind: z.array(facetValue),
      trl: z.array(facetValue),
      cooperation: z.array(facetValue),
      industry: z.array(facetValue),
      region: z.array(facetValue),
    }),
    pagination: paginationSchema,
  })
  .openapi('CapabilitySearchResult');

export const capabilityDetailSchema = capabilitySummarySchema
  .extend({
    description: z.string(),
    status: z.enum(capabilityStatuses),
    published_at: z.iso.datetime().nullable(),
    takedown_reason: z.string().nullable().openapi({ description: '仅发布方与科协管理员可见' }),
    can_edit: z.boolean(),
  })
  .openapi('CapabilityDetail');

const optionalNumber = (schema: z.ZodNumber) =>
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d{1,2})?$/, '应为数字')
        .transform(Number),
    ])
    .pipe(schema)
    .optional()
    .transform((v) => v ?? null);

/**
 * What an author writes. Without `organisation_id` the capability is the signed-in expert's own;
 * with it, the organisation's (the author must be a member). Price: 面议, or a range in 万元.
 */
export const capabilityBody = z
  .object({
    organisation_id: z
      .uuid()
      .optional()
      .openapi({ description: '以机构名义发布时的机构编号；缺省为本人专家资料' }),
    kind: z.enum(capabilityKinds),
    title: z.string().trim().min(2).max(100).refine(noNul, '包含不允许的空字符'),
    description: z.string().trim().max(5000).refine(noNul, '包含不允许的空字符').default(''),
    fields: textList(30, 50).default([]),
    industry_code: z
      .string()
      .regex(/^[a-z0-9-]{2,40}$/)
      .optional()
      .transform((v) => v ?? null),
    trl: optionalNumber(z.number().int().min(1).max(9)),
    cooperation_modes: z.array(z.enum(cooperationModes)).min(1).max(5),
    price_negotiable: checkbox,
    price_min_wan: optionalNumber(z.number().min(0).max(1_000_000)),
    price_max_wan: optionalNumber(z.number().min(0).max(1_000_000)),
    region_code: z
      .string()
      .regex(/^52[0-9]{4}$/)
      .optional()
      .transform((v) => v ?? null),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.price_negotiable) return;
    if (v.price_min_wan === null)
      ctx.addIssue({ code: 'custom', path: ['price_min_wan'], message: m.priceMinRequired });
    else if (v.price_max_wan !== null && v.price_max_wan < v.price_min_wan)
      ctx.addIssue({ code: 'custom', path: ['price_max_wan'], message: m.priceMaxBelowMin });
  });
export type CapabilityInput = z.output<typeof capabilityBody>;

export const takedownBody = z
  .object({ reason: z.string().trim().min(2).max(500).refine(noNul, '包含不允许的空字符') })
  .strict();

export const myCapabilitiesSchema = z.object({
  data: z.array(
    capabilityDetailSchema.pick({ id: true, title: true, kind: true, status: true, takedown_reason: true }),
  ),
});
