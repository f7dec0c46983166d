import { z } from '@hono/zod-openapi';
import { paginationQuery, paginationSchema } from '../../http/pagination.js';

/** zod is the single source for the expert API, the expert pages' forms and the OpenAPI document. */
const noNul = (s: string) => !s.includes('\u0000');

export const expertIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7b0c7f1e-8a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

export const availabilities = ['available', 'limited', 'unavailable'] as const;

export const expertSearchQuery = paginationQuery
  .extend({
    q: z.string().max(200).refine(noNul, '包含不允许的空字符').default('').openapi({ example: '辣椒干燥' }),
    discipline: z.string().max(50).optional().openapi({ description: '学科', example: '食品科学与工程' }),
    region: z
      .string()
      .regex(/^52[0-9]{4}$/)
      .optional()
      .openapi({ description: '地区代码（市州或县）', example: '520300' }),
    title: z.string().max(30).optional().openapi({ description: '职称', example: '研究员' }),
    availability: z.enum(availabilities).optional(),
  })
  .strict();
export type ExpertSearchQuery = z.output<typeof expertSearchQuery>;

const facetValue = z.object({ value: z.string(), label: z.string(), count: z.number().int() });
const codeName = z.object({ code: z.string(), name: z.string() });

export const expertSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    title: z.string(),
    affiliation: z.string(),
    discipline: z.string().nullable(),
    region: codeName.nullable(),
    fields: z.array(z.string()),
    availability: z.enum(availabilities),
    society_names: z.array(z.string()),
  })
  .openapi('ExpertSummary');

export const expertSearchResultSchema = z
  .object({
    data: z.array(expertSummarySchema),
    facets: z.object({
      discipline: z.array(facetValue),
      region: z.array(facetValue),
      title: z.array(facetValue),
    }),
    pagination: paginationSchema,
  })
  .openapi('ExpertSearchResult');

export const expertDetailSchema = expertSummarySchema
  .extend({
    bio: z.string(),
    societies: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.string() })),
    achievements: z.array(
      z.object({
        kind: z.string(),
        title: z.string(),
        year: z.number().int().nullable(),
        detail: z.string(),
      }),
    ),
    capabilities: z.array(
      z.object({ id: z.uuid(), title: z.string(), kind: z.string(), trl: z.number().int().nullable() }),
    ),
    service_teams: z.array(
      z.object({ id: z.uuid(), name: z.string(), society_name: z.string(), role: z.string() }),
    ),
    contact: z
      .object({ phone: z.string().nullable(), email: z.string().nullable() })
      .nullable()
      .openapi({ description: '仅当专家同意公开且查看者为已认证企业成员时提供' }),
    contact_withheld: z
      .enum(['not_consented', 'verified_enterprise_only'])
      .nullable()
      .openapi({ description: '未提供联系方式的原因' }),
    claimable: z.boolean().openapi({ description: '尚未关联账号的（导入）档案，专家本人可申请认领' }),
  })
  .openapi('ExpertDetail');

/** A list field from the API (array) or a form (one line, split on 、，,; and line breaks). */
export const textList = (maxItems: number, maxItem: number) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform((v) =>
      (Array.isArray(v) ? v : v.split(/[、，,；;\n]/)).map((s) => s.trim()).filter((s) => s !== ''),
    )
    .pipe(z.array(z.string().max(maxItem).refine(noNul, '包含不允许的空字符')).max(maxItems));

/** A checkbox from a form ("on") or a boolean from the API. Absent means false. */
export const checkbox = z
  .union([z.boolean(), z.enum(['on', 'true', 'false', '1', '0'])])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine(noNul, '包含不允许的空字符')
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v));

export const achievementKinds = ['paper', 'patent', 'award', 'project'] as const;

/** One achievement (论文, 专利, 奖励, 项目) on an expert's profile; the form sends the year as text. */
export const achievementInput = z
  .object({
    kind: z.enum(achievementKinds),
    title: z.string().trim().min(2).max(200).refine(noNul, '包含不允许的空字符'),
    year: z
      .union([z.number(), z.string().trim()])
      .nullable()
      .optional()
      .transform((v) => (v === '' || v === null || v === undefined ? null : Number(v)))
      .pipe(z.number().int().min(1950).max(2100).nullable())
      .openapi({ example: 2021 }),
    detail: z.string().trim().max(500).refine(noNul, '包含不允许的空字符').default(''),
  })
  .strict();
export type AchievementInput = z.output<typeof achievementInput>;

/** The owner's edit of their profile (PUT replaces the editable fields; creates the profile the first time). */
export const expertProfileBody = z
  .object({
    name: z.string().trim().min(2).max(50).refine(noNul, '包含不允许的空字符'),
    title: z.string().trim().max(30).default(''),
    affiliation: z.string().trim().max(100).default(''),
    discipline: optionalText(50),
    region_code: z
      .string()
      .regex(/^52[0-9]{4}$/)
      .optional()
      .transform((v) => v ?? null)
      .openapi({ description: '地区代码（GB/T 2260）', example: '520100' }),
    fields: textList(30, 50).default([]),
    bio: z.string().trim().max(5000).refine(noNul, '包含不允许的空字符').default(''),
    availability: z.enum(availabilities).default('available'),
    visibility: z.enum(['public', 'hidden']).default('public'),
    contact_phone: optionalText(20).refine(
      (v) => v === null || /^\+?[0-9 -]{5,20}$/.test(v),
      '电话格式不正确',
    ),
    contact_email: optionalText(254).refine(
      (v) => v === null || /^[^@\s]+@[^@\s]+$/.test(v),
      '邮箱格式不正确',
    ),
    contact_consent: checkbox,
    achievements: z
      .array(achievementInput)
      .max(30)
      .optional()
      .openapi({ description: '代表性成果（论文、专利、奖励、项目）；给出时整体替换，省略时保持不变' }),
  })
  .strict();
export type ExpertProfileInput = z.output<typeof expertProfileBody>;

export const myExpertProfileSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    title: z.string(),
    affiliation: z.string(),
    discipline: z.string().nullable(),
    region_code: z.string().nullable(),
    fields: z.array(z.string()),
    bio: z.string(),
    availability: z.enum(availabilities),
    visibility: z.enum(['public', 'hidden']),
    contact_phone: z.string().nullable(),
    contact_email: z.string().nullable(),
    contact_consent: z.boolean(),
    updated_at: z.iso.datetime(),
  })
  .openapi('MyExpertProfile');
