import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import {
  apiTokenBody,
  apiTokenIdParam,
  apiTokenSchema,
  changePasswordBody,
  createdApiTokenSchema,
  loginBody,
  profileBody,
  resetConfirmBody,
  resetRequestBody,
  sessionIdParam,
  sessionListEntrySchema,
  sessionResponseSchema,
  sessionSchema,
  signupBody,
  userSchema,
} from './account.schemas.js';
import {
  changePassword,
  completePasswordReset,
  endOwnSession,
  findUserView,
  issueApiToken,
  logIn,
  logOut,
  logOutEverywhere,
  requestPasswordReset,
  signUp,
  updateProfile,
  withdrawApiToken,
} from './account.usecases.js';
import { listApiTokens } from './api-tokens.js';
import { clearSessionCookie, requireAuth, setSessionCookie } from './auth.middleware.js';
import { authErrorResponses, conflictResponse, rateLimitedResponse } from './auth.openapi.js';
import { requestMeta } from './request-meta.js';
import { listUserSessions, type SessionListEntry } from './session.js';

const tags = ['账号 Accounts'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });

const iso = (d: Date) => d.toISOString();
type UserRow = {
  id: string;
  email: string;
  display_name: string;
  role: string;
  phone: string | null;
  created_at: Date;
};
const userView = (u: UserRow) => ({
  ...u,
  role: u.role as z.infer<typeof userSchema>['role'],
  created_at: iso(u.created_at),
});
const sessionView = (s: { id: string; created_at: Date; expires_at: Date }) => ({
  id: s.id,
  created_at: iso(s.created_at),
  expires_at: iso(s.expires_at),
});
const sessionListView = (s: SessionListEntry, currentId: string | undefined) => ({
  id: s.id,
  created_at: iso(s.created_at),
  last_seen_at: iso(s.last_seen_at),
  expires_at: iso(s.expires_at),
  ip: s.ip,
  user_agent: s.user_agent,
  current: s.id === currentId,
});
const tokenView = (t: {
  id: string;
  name: string;
  scope: 'read' | 'write';
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}) => ({
  ...t,
  created_at: iso(t.created_at),
  last_used_at: t.last_used_at ? iso(t.last_used_at) : null,
  revoked_at: t.revoked_at ? iso(t.revoked_at) : null,
});

const signupRoute = createRoute({
  method: 'post',
  path: '/accounts',
  tags,
  summary: '注册账号（企业、专家或学会），成功后即登录（设置会话 Cookie）',
  request: body(signupBody),
  responses: {
    201: { description: '已注册并登录', ...json(sessionResponseSchema) },
    ...commonErrorResponses,
    ...conflictResponse,
    ...rateLimitedResponse,
  },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/session',
  tags,
  summary: '登录（邮箱 + 密码），设置会话 Cookie。账号不存在与密码错误的回答相同',
  request: body(loginBody),
  responses: {
    200: { description: '已登录', ...json(sessionResponseSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
    ...rateLimitedResponse,
  },
});

const currentRoute = createRoute({
  method: 'get',
  path: '/session',
  tags,
  summary: '当前登录用户与会话（用 API 令牌调用时 session 为 null）',
  responses: {
    200: { description: '当前用户', ...json(sessionResponseSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const logoutRoute = createRoute({
  method: 'delete',
  path: '/session',
  tags,
  summary: '退出登录（结束当前会话）',
  responses: { 204: { description: '已退出' }, ...commonErrorResponses, ...authErrorResponses },
});

const logoutAllRoute = createRoute({
  method: 'delete',
  path: '/sessions',
  tags,
  summary: '退出所有设备（结束本账号的全部会话）',
  responses: {
    200: { description: '已结束的会话数', ...json(z.object({ sessions_ended: z.number().int() })) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const meRoute = createRoute({
  method: 'get',
  path: '/me',
  tags,
  summary: '我的账号资料',
  responses: {
    200: { description: '账号资料', ...json(userSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const updateMeRoute = createRoute({
  method: 'patch',
  path: '/me',
  tags,
  summary: '修改姓名或手机号',
  request: body(profileBody),
  responses: {
    200: { description: '已更新', ...json(userSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const passwordRoute = createRoute({
  method: 'put',
  path: '/me/password',
  tags,
  summary: '修改密码：其他所有会话随之失效，当前设备获得新会话',
  request: body(changePasswordBody),
  responses: {
    200: { description: '已修改', ...json(z.object({ session: sessionSchema })) },
    ...commonErrorResponses,
    ...authErrorResponses,
    ...rateLimitedResponse,
  },
});

const listTokensRoute = createRoute({
  method: 'get',
  path: '/me/api-tokens',
  tags,
  summary: '我的 API 令牌（不含令牌本身）',
  responses: {
    200: { description: '令牌列表', ...json(z.object({ data: z.array(apiTokenSchema) })) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const createTokenRoute = createRoute({
  method: 'post',
  path: '/me/api-tokens',
  tags,
  summary: '创建个人 API 令牌（令牌只在此响应中出现一次）',
  request: body(apiTokenBody),
  responses: {
    201: { description: '已创建', ...json(createdApiTokenSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const revokeTokenRoute = createRoute({
  method: 'delete',
  path: '/me/api-tokens/{id}',
  tags,
  summary: '吊销 API 令牌',
  request: { params: apiTokenIdParam },
  responses: {
    200: { description: '已吊销', ...json(apiTokenSchema) },
    ...commonErrorResponses,
    ...authErrorResponses,
    ...notFoundResponse,
  },
});

const listSessionsRoute = createRoute({
  method: 'get',
  path: '/me/sessions',
  tags,
  summary: '我的登录设备（有效会话：创建时间、最近活动、IP、浏览器；不含令牌）',
  responses: {
    200: { description: '会话列表', ...json(z.object({ data: z.array(sessionListEntrySchema) })) },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const revokeSessionRoute = createRoute({
  method: 'delete',
  path: '/me/sessions/{id}',
  tags,
  summary: '退出某一台设备（结束本人的一个会话；他人的会话回答 404）',
  request: { params: sessionIdParam },
  responses: {
    204: { description: '已结束' },
    ...commonErrorResponses,
    ...authErrorResponses,
    ...notFoundResponse,
  },
});

const resetRequestRoute = createRoute({
  method: 'post',
  path: '/password-resets',
  tags,
  summary: '申请重置密码：若账号存在则发送一次性链接；无论是否存在回答都相同',
  request: body(resetRequestBody),
  responses: {
    202: { description: '已受理', ...json(z.object({ status: z.literal('accepted') })) },
    ...commonErrorResponses,
    ...rateLimitedResponse,
  },
});

const resetConfirmRoute = createRoute({
  method: 'post',
  path: '/password-resets/confirm',
  tags,
  summary: '用一次性令牌设置新密码（所有会话随之失效）',
  request: body(resetConfirmBody),
  responses: { 204: { description: '密码已重置' }, ...commonErrorResponses, ...rateLimitedResponse },
});

export function accountApi(deps: AppDeps) {
  return createRouter()
    .openapi(signupRoute, async (c) => {
      const result = await signUp(deps, c.req.valid('json'), requestMeta(c, deps));
      setSessionCookie(c, deps, result.token, result.session.expires_at);
      return c.json({ user: userView(result.user), session: sessionView(result.session) }, 201);
    })
    .openapi(loginRoute, async (c) => {
      const result = await logIn(deps, c.req.valid('json'), requestMeta(c, deps));
      setSessionCookie(c, deps, result.token, result.session.expires_at);
      return c.json({ user: userView(result.user), session: sessionView(result.session) }, 200);
    })
    .openapi(currentRoute, async (c) => {
      const auth = requireAuth(c);
      const user = await findUserView(deps.db, auth.user.id);
      return c.json({ user: userView(user), session: auth.session ? sessionView(auth.session) : null }, 200);
    })
    .openapi(logoutRoute, async (c) => {
      const auth = requireAuth(c);
      if (auth.session) await logOut(deps, auth.session, requestMeta(c, deps));
      clearSessionCookie(c, deps);
      return c.body(null, 204);
    })
    .openapi(logoutAllRoute, async (c) => {
      const auth = requireAuth(c);
      const count = await logOutEverywhere(deps, auth.user.id, requestMeta(c, deps));
      clearSessionCookie(c, deps);
      return c.json({ sessions_ended: count }, 200);
    })
    .openapi(meRoute, async (c) => c.json(userView(await findUserView(deps.db, requireAuth(c).user.id)), 200))
    .openapi(updateMeRoute, async (c) => {
      const user = await updateProfile(
        deps,
        requireAuth(c).user.id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(userView(user), 200);
    })
    .openapi(passwordRoute, async (c) => {
      const auth = requireAuth(c);
      const { token, session } = await changePassword(
        deps,
        auth.user.id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      setSessionCookie(c, deps, token, session.expires_at);
      return c.json({ session: sessionView(session) }, 200);
    })
    .openapi(listTokensRoute, async (c) => {
      const tokens = await listApiTokens(deps.db, requireAuth(c).user.id);
      return c.json({ data: tokens.map(tokenView) }, 200);
    })
    .openapi(createTokenRoute, async (c) => {
      const created = await issueApiToken(
        deps,
        requireAuth(c).user.id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json({ ...tokenView(created.view), token: created.token }, 201);
    })
    .openapi(revokeTokenRoute, async (c) => {
      const revoked = await withdrawApiToken(
        deps,
        requireAuth(c).user.id,
        c.req.valid('param').id,
        requestMeta(c, deps),
      );
      return c.json(tokenView(revoked), 200);
    })
    .openapi(listSessionsRoute, async (c) => {
      const auth = requireAuth(c);
      const sessions = await listUserSessions(deps.db, auth.user.id, deps.clock());
      return c.json({ data: sessions.map((s) => sessionListView(s, auth.session?.id)) }, 200);
    })
    .openapi(revokeSessionRoute, async (c) => {
      await endOwnSession(deps, requireAuth(c).user.id, c.req.valid('param').id, requestMeta(c, deps));
      return c.body(null, 204);
    })
    .openapi(resetRequestRoute, async (c) => {
      await requestPasswordReset(deps, c.req.valid('json').email, requestMeta(c, deps));
      return c.json({ status: 'accepted' as const }, 202);
    })
    .openapi(resetConfirmRoute, async (c) => {
      await completePasswordReset(deps, c.req.valid('json'), requestMeta(c, deps));
      return c.body(null, 204);
    });
}
