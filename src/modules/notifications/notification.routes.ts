import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { pageWindow, paginationOf, paginationQuery, paginationSchema } from '../../http/pagination.js';
import { createRouter } from '../../http/router.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses } from '../auth/auth.openapi.js';
import {
  countNotifications,
  emailModeOf,
  emailModes,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  setEmailMode,
} from './notification.js';

const tags = ['通知 Notifications'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };

export const notificationSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    link: z.string().nullable(),
    challenge_id: z.uuid().nullable(),
    read: z.boolean(),
    created_at: z.iso.datetime(),
  })
  .openapi('Notification');

export const notificationIdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/me/notifications',
  tags,
  summary: '我的站内通知（新的在前），含未读数',
  request: { query: paginationQuery.strict() },
  responses: {
    200: {
      description: '通知',
      ...json(
        z.object({
          data: z.array(notificationSchema),
          unread: z.number().int(),
          pagination: paginationSchema,
        }),
      ),
    },
    ...errors,
  },
});
const countRoute = createRoute({
  method: 'get',
  path: '/me/notifications/unread-count',
  tags,
  summary: '未读通知数',
  responses: { 200: { description: '未读数', ...json(z.object({ unread: z.number().int() })) }, ...errors },
});
const readRoute = createRoute({
  method: 'post',
  path: '/me/notifications/{id}/read',
  tags,
  summary: '标为已读',
  request: { params: notificationIdParam },
  responses: { 204: { description: '已读' }, ...errors },
});
const readAllRoute = createRoute({
  method: 'post',
  path: '/me/notifications/read-all',
  tags,
  summary: '全部标为已读',
  responses: { 200: { description: '已读', ...json(z.object({ marked: z.number().int() })) }, ...errors },
});

export const notificationPreferencesSchema = z
  .object({
    email: z.enum(emailModes).openapi({
      description: 'immediate 每条通知即时发邮件；daily_digest 每日汇总一封；none 不发邮件（仍有站内通知）',
      example: 'daily_digest',
    }),
  })
  .strict()
  .openapi('NotificationPreferences');

const getPreferencesRoute = createRoute({
  method: 'get',
  path: '/me/notification-preferences',
  tags,
  summary: '我的通知邮件方式',
  responses: {
    200: { description: '通知偏好', ...json(notificationPreferencesSchema) },
    ...errors,
  },
});
const putPreferencesRoute = createRoute({
  method: 'put',
  path: '/me/notification-preferences',
  tags,
  summary: '设置通知邮件方式（即时 / 每日汇总 / 不发邮件）',
  request: { body: { required: true, ...json(notificationPreferencesSchema) } },
  responses: {
    200: { description: '已保存', ...json(notificationPreferencesSchema) },
    ...errors,
  },
});

export function notificationApi(deps: AppDeps) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const userId = requireAuth(c).user.id;
      const query = c.req.valid('query');
      const { rows, total, unread } = await listNotifications(
        deps.db,
        userId,
        pageWindow(query.page, query.per_page),
      );
      return c.json(
        {
          data: rows.map((n) => ({
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            challenge_id: n.challenge_id,
            read: n.read_at !== null,
            created_at: n.created_at.toISOString(),
          })),
          unread,
          pagination: paginationOf(query.page, query.per_page, total),
        },
        200,
      );
    })
    .openapi(countRoute, async (c) => {
      const { unread } = await countNotifications(deps.db, requireAuth(c).user.id);
      return c.json({ unread }, 200);
    })
    .openapi(readAllRoute, async (c) => {
      // Read marks are the user's own view state, not a business change: no audit row.
      const marked = await markAllNotificationsRead(deps.db, requireAuth(c).user.id, deps.clock());
      return c.json({ marked }, 200);
    })
    .openapi(getPreferencesRoute, async (c) => {
      return c.json({ email: await emailModeOf(deps.db, requireAuth(c).user.id) }, 200);
    })
    .openapi(putPreferencesRoute, async (c) => {
      // The user's own delivery setting, like read marks: no audit row.
      const email = await setEmailMode(
        deps.db,
        requireAuth(c).user.id,
        c.req.valid('json').email,
        deps.clock(),
      );
      return c.json({ email }, 200);
    })
    .openapi(readRoute, async (c) => {
      await markNotificationRead(deps.db, requireAuth(c).user.id, c.req.valid('param').id, deps.clock());
      return c.body(null, 204);
    });
}
