import { z } from '@hono/zod-openapi';
import { paginationQuery, paginationSchema } from '../../http/pagination.js';
import { messages } from '../../web/messages.js';
import {
  requestableStationActions,
  type StationAction,
  stationStatuses,
  stationTransitions,
} from './station.lifecycle.js';

const m = messages.station;
const noNul = (s: string) => !s.includes('\u0000');
const text = (min: number, max: number) =>
  z.string().trim().min(min).max(max).refine(noNul, messages.validation.nulByte);
const date = z.iso.date().openapi({ example: '2026-01-01' });
const code = z
  .string()
  .trim()
  .regex(/^[a-z0-9-]{2,40}$|^[0-9A-Za-z.]{1,20}$/, { error: messages.validation.invalidFormat });

export const hostKinds = ['enterprise', 'park', 'county_government'] as const;
export const stationLevels = ['national', 'provincial'] as const;
export const recordKinds = ['visit', 'training', 'consulting', 'problem_solved', 'standard_drafted'] as const;
export const gradeValues = ['excellent', 'good', 'pass'] as const;

/** Fields whose value is a list: the API takes arrays; forms send repeated checkboxes (see `readStationForm`). */
export const stationListFields = ['industry_codes', 'discipline_codes', 'expert_ids'] as const;
export const recordListFields = ['expert_ids'] as const;

export const stationBody = z
  .object({
    kind_code: z.string().trim().min(2).max(40).openapi({ example: 'society-workstation' }),
    level: z.enum(stationLevels).default('provincial'),
    name: text(4, 100).openapi({ example: '贵州省茶叶学会湄潭工作站' }),
    society_id: z.uuid().openapi({ description: '申请学会（申请人须为其成员）' }),
    host_organisation_id: z.uuid().openapi({ description: '东道单位（企业、园区或县政府，须已认证）' }),
    host_kind: z.enum(hostKinds),
    region_code: z
      .string()
      .regex(/^52[0-9]{4}$/, { error: m.notCounty })
      .openapi({ example: '520328' }),
    address: text(2, 200),
    industry_codes: z
      .array(code)
      .min(1)
      .max(10)
      .openapi({ example: ['rural-tea'] }),
    discipline_codes: z.array(code).max(10).default([]),
    description: text(0, 2000).optional(),
    term_start: date,
    term_end: date,
    expert_ids: z.array(z.uuid()).max(50).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.term_end <= v.term_start)
      ctx.addIssue({ code: 'custom', path: ['term_end'], message: m.termEndAfterStart });
    else if (Number(v.term_end.slice(0, 4)) - Number(v.term_start.slice(0, 4)) > 10)
      ctx.addIssue({ code: 'custom', path: ['term_end'], message: m.termTooLong });
  })
  .openapi('StationApplication');
export type StationInput = z.output<typeof stationBody>;

export const transitionBody = z
  .object({
    action: z.enum(requestableStationActions as [StationAction, ...StationAction[]]),
    reason: text(0, 500).optional(),
    term_end: date.optional().openapi({ description: '续期（renew）时必填：新的期满日期' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (stationTransitions[v.action].reasonRequired && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: m.reasonRequired });
    if (v.action === 'renew' && !v.term_end)
      ctx.addIssue({ code: 'custom', path: ['term_end'], message: m.termEndRequired });
  })
  .openapi('StationTransition');

export const consentBody = z
  .object({ consent: z.enum(['given', 'declined']) })
  .strict()
  .openapi('StationExpertConsent');

export const recordBody = z
  .object({
    kind: z.enum(recordKinds),
    title: text(2, 100).openapi({ example: '茶园绿色防控现场培训' }),
    served_on: date,
    beneficiaries: z.coerce.number().int().min(0).max(1_000_000),
    beneficiary_organisation_id: z.uuid().optional(),
    evidence: text(0, 5000).optional(),
    expert_ids: z.array(z.uuid()).max(50).default([]),
    challenge_id: z.uuid().optional(),
    capability_id: z.uuid().optional(),
  })
  .strict()
  .openapi('ServiceRecordCreate');
export type RecordInput = z.output<typeof recordBody>;

export const recordDecisionBody = z
  .object({
    decision: z.enum(['confirmed', 'disputed']),
    reason: text(0, 500).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.decision === 'disputed' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: m.reasonRequired });
  })
  .openapi('ServiceRecordDecision');

export const gradeBody = z
  .object({ grade: z.enum(gradeValues), reason: text(2, 1000) })
  .strict()
  .openapi('StationGrade');

export const stationIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
export const consentParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  expertId: z.uuid().openapi({ param: { name: 'expertId', in: 'path' } }),
});
export const gradeParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  year: z.coerce
    .number()
    .int()
    .min(2000)
    .max(2100)
    .openapi({ param: { name: 'year', in: 'path' } }),
});

export const stationSearchQuery = paginationQuery
  .extend({
    q: z.string().max(200).default(''),
    kind: z.string().max(40).optional(),
    level: z.enum(stationLevels).optional(),
    prefecture: z
      .string()
      .regex(/^52[0-9]{4}$/)
      .optional(),
    county: z
      .string()
      .regex(/^52[0-9]{4}$/)
      .optional(),
    industry: z.string().max(40).optional(),
  })
  .strict();
export type StationSearchQuery = z.output<typeof stationSearchQuery>;

export const adminStationQuery = z
  .object({ status: z.enum(stationStatuses).default('host_confirmed') })
  .strict();

const named = z.object({ code: z.string(), name: z.string() });
const facet = z.object({ value: z.string(), label: z.string(), count: z.number().int() });

export const stationListItemSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: named,
    level: z.enum(stationLevels),
    society: z.object({ id: z.uuid(), name: z.string() }),
    host_name: z.string(),
    region: named,
    prefecture: named.nullable(),
    industries: z.array(named),
    term_end: z.string(),
    confirmed_records: z.number().int(),
  })
  .openapi('StationListItem');

export const stationSearchResultSchema = z
  .object({
    data: z.array(stationListItemSchema),
    facets: z.object({
      kind: z.array(facet),
      prefecture: z.array(facet),
      county: z.array(facet),
      industry: z.array(facet),
    }),
    prefecture_counts: z
      .record(z.string(), z.number().int())
      .openapi({ description: '各市州运行中的站点数（不受市州、区县筛选影响，供地图使用）' }),
    pagination: paginationSchema,
  })
  .openapi('StationSearchResult');

export const stationEventSchema = z
  .object({
    action: z.string(),
    from_status: z.string().nullable(),
    to_status: z.string(),
    actor: z.string(),
    reason: z.string().nullable(),
    at: z.iso.datetime(),
  })
  .openapi('StationEvent');

export const recordSchema = z
  .object({
    id: z.uuid(),
    station_id: z.uuid(),
    kind: z.enum(recordKinds),
    title: z.string(),
    served_on: z.string(),
    beneficiaries: z.number().int(),
    beneficiary_organisation_id: z.uuid().nullable(),
    evidence: z.string(),
    challenge_id: z.uuid().nullable(),
    capability_id: z.uuid().nullable(),
    status: z.enum(['submitted', 'confirmed', 'disputed']),
    dispute_reason: z.string().nullable(),
    confirmed_at: z.iso.datetime().nullable(),
    experts: z.array(z.object({ id: z.uuid(), name: z.string() })),
  })
  .openapi('ServiceRecord');

export const stationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: named,
    level: z.enum(stationLevels),
    status: z.enum(stationStatuses),
    society: z.object({ id: z.uuid(), name: z.string() }),
    host: z.object({ id: z.uuid(), name: z.string(), kind: z.enum(hostKinds) }),
    region: named,
    prefecture: named.nullable(),
    address: z.string(),
    industries: z.array(named),
    disciplines: z.array(named),
    description: z.string(),
    term_start: z.string(),
    term_end: z.string(),
    approved_at: z.iso.datetime().nullable(),
    experts: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        title: z.string(),
        consent: z.enum(['pending', 'given', 'declined']),
      }),
    ),
    grades: z.array(z.object({ year: z.number().int(), grade: z.enum(gradeValues), reason: z.string() })),
    my_parties: z
      .array(z.enum(['society', 'host', 'operator']))
      .openapi({ description: '调用者与本站的关系' }),
    events: z.array(stationEventSchema).openapi({ description: '仅申请学会、东道单位与科协管理员可见' }),
  })
  .openapi('Station');

export const myStationsSchema = z
  .object({
    stations: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        status: z.enum(stationStatuses),
        party: z.enum(['society', 'host']),
      }),
    ),
    consent_requests: z.array(
      z.object({ station_id: z.uuid(), station_name: z.string(), expert_id: z.uuid() }),
    ),
    records_to_confirm: z.array(recordSchema),
  })
  .openapi('MyStations');
