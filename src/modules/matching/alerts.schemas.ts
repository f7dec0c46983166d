import { z } from '@hono/zod-openapi';
import { challengeFilterQuery } from '../challenges/challenge.schemas.js';

/** The saved searches one user may keep: enough for every interest, few enough to check fast. */
export const MAX_SAVED_SEARCHES = 20;

const noNul = (s: string) => !s.includes('\u0000');

/**
 * A challenge search saved as an alert (保存为提醒): the search page's own query and filters, so the
 * button can post exactly what the page shows. At least one criterion: an alert on "everything" is
 * the profile alert's job.
 */
export const searchAlertBody = challengeFilterQuery
  .omit({ status: true })
  .extend({
    kind: z.literal('search').default('search'),
    q: z
      .string()
      .trim()
      .max(200)
      .refine(noNul, '包含不允许的空字符')
      .default('')
      .openapi({ description: '关键词（中文），与搜索页相同', example: '辣椒烘干' }),
  })
  .strict()
  .refine(
    (v) =>
      v.q !== '' ||
      v.industry !== undefined ||
      v.region !== undefined ||
      v.reward_min !== undefined ||
      v.reward_max !== undefined,
    { message: '请至少填写关键词或一项筛选条件', path: ['q'] },
  )
  .refine((v) => v.reward_min === undefined || v.reward_max === undefined || v.reward_min <= v.reward_max, {
    message: '最低悬赏不能高于最高悬赏',
    path: ['reward_min'],
  });

/** "Profile match" (按资料匹配): alert me when a new challenge recommends me (or my society). */
export const profileAlertBody = z.object({ kind: z.literal('profile') }).strict();

export const createAlertBody = z.union([profileAlertBody, searchAlertBody]).openapi('CreateSavedSearch', {
  description:
    '保存搜索为提醒（kind=search，关键词与筛选同搜索页），或订阅按资料匹配的新榜单提醒（kind=profile）',
});

export type CreateAlertInput = z.infer<typeof createAlertBody>;

export const savedSearchSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['search', 'profile']),
    q: z.string(),
    industry: z.string().nullable(),
    region: z.string().nullable(),
    reward_min: z.number().nullable(),
    reward_max: z.number().nullable(),
    summary: z.string().openapi({ description: '提醒条件的中文说明' }),
    created_at: z.iso.datetime(),
  })
  .openapi('SavedSearch');

export type SavedSearchView = z.infer<typeof savedSearchSchema>;

export const savedSearchListSchema = z
  .object({ data: z.array(savedSearchSchema), max: z.number().int() })
  .openapi('SavedSearchList');

export const savedSearchIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7b0c7f1e-8a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});
