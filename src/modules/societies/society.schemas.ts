import { z } from '@hono/zod-openapi';
import { paginationQuery, paginationSchema } from '../../http/pagination.js';
import { textList } from '../experts/expert.schemas.js';

const noNul = (s: string) => !s.includes('\u0000');
const codeName = z.object({ code: z.string(), name: z.string() });
const facetValue = z.object({ value: z.string(), label: z.string(), count: z.number().int() });

export const societyIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7b0c7f1e-8a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

export const societySearchQuery = paginationQuery
  .extend({
    q: z.string().max(200).refine(noNul, '包含不允许的空字符').default('').openapi({ example: '茶叶' }),
    discipline: z.string().max(50).optional().openapi({ description: '学科', example: '茶学' }),
    region: z
      .string()
      .regex(/^52[0-9]{4}$/)
      .optional()
      .openapi({ description: '地区代码', example: '520000' }),
  })
  .strict();
export type SocietySearchQuery = z.output<typeof societySearchQuery>;

export const societySummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    discipline: z.string(),
    description: z.string(),
    region: codeName.nullable(),
    verified: z.boolean(),
  })
  .openapi('SocietySummary');

export const societySearchResultSchema = z
  .object({
    data: z.array(societySummarySchema),
    facets: z.object({ discipline: z.array(facetValue), region: z.array(facetValue) }),
    pagination: paginationSchema,
  })
  .openapi('SocietySearchResult');

export const serviceTeamSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    industry: codeName.nullable(),
    regions: z.array(codeName),
    description: z.string(),
    lead: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    members: z.array(
      z.object({ id: z.uuid(), name: z.string(), title: z.string(), role: z.enum(['lead', 'member']) }),
    ),
  })
  .openapi('ServiceTeam');

export const societyDetailSchema = societySummarySchema
  .extend({
    service_regions: z.array(codeName),
    experts: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        title: z.string(),
        affiliation: z.string(),
        role: z.string(),
      }),
    ),
    capabilities: z.array(
      z.object({ id: z.uuid(), title: z.string(), kind: z.string(), trl: z.number().int().nullable() }),
    ),
    service_teams: z.array(serviceTeamSchema),
    stations: z.array(
      z.object({ id: z.uuid(), name: z.string(), kind: z.string(), region: codeName.nullable() }),
    ),
    won_challenges: z.array(z.object({ id: z.uuid(), title: z.string(), status: z.string() })),
  })
  .openapi('SocietyDetail');

/** Forming a service team (科技服务团): experts must be members of the society; the lead is one of them. */
export const serviceTeamBody = z
  .object({
    name: z.string().trim().min(2).max(100).refine(noNul, '包含不允许的空字符'),
    industry_code: z
      .string()
      .regex(/^[a-z0-9-]{2,40}$/)
      .optional()
      .transform((v) => v ?? null),
    region_codes: textList(20, 6)
      .pipe(z.array(z.string().regex(/^52[0-9]{4}$/, '应为 6 位地区代码')))
      .default([]),
    description: z.string().trim().max(2000).refine(noNul, '包含不允许的空字符').default(''),
    lead_expert_id: z.uuid(),
    member_expert_ids: z
      .union([z.array(z.uuid()), z.uuid()])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .pipe(z.array(z.uuid()).max(50))
      .default([]),
  })
  .strict();
export type ServiceTeamInput = z.output<typeof serviceTeamBody>;
