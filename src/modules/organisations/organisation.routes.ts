import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import type { ActorRef } from '../auth/policy.js';
import { requestMeta } from '../auth/request-meta.js';
import { listMyOrganisations, listOrganisationsByVerification } from './organisation.queries.js';
import {
  acceptInvitationBody,
  invitationBody,
  invitationSchema,
  memberParams,
  memberRoleBody,
  memberSchema,
  organisationBody,
  organisationIdParam,
  organisationPatch,
  organisationSchema,
  queueQuery,
  verificationBody,
} from './organisation.schemas.js';
import {
  acceptInvitation,
  createOrganisation,
  decideVerification,
  inviteMember,
  loadVisibleOrganisation,
  membersOf,
  organisationView,
  setMemberRole,
  updateOrganisation,
} from './organisation.usecases.js';

const tags = ['机构 Organisations'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse };

export function actorRef(c: Context): ActorRef {
  const auth = requireAuth(c);
  return { userId: auth.user.id, role: auth.user.role };
}
function optionalActor(c: Context): ActorRef | null {
  const auth = c.get('auth');
  return auth ? { userId: auth.user.id, role: auth.user.role } : null;
}

const createOrgRoute = createRoute({
  method: 'post',
  path: '/organisations',
  tags,
  summary: '登记机构（企业账号登记企业、学会账号登记学会），登记人成为管理员，状态为待认证',
  request: body(organisationBody),
  responses: { 201: { description: '已登记', ...json(organisationSchema) }, ...errors, ...conflictResponse },
});
const getOrgRoute = createRoute({
  method: 'get',
  path: '/organisations/{id}',
  tags,
  summary: '机构详情：已认证机构公开；未认证的仅成员与科协管理员可见（其他人得到 404）',
  request: { params: organisationIdParam },
  responses: { 200: { description: '机构', ...json(organisationSchema) }, ...errors },
});
const patchOrgRoute = createRoute({
  method: 'patch',
  path: '/organisations/{id}',
  tags,
  summary: '修改机构信息（机构管理员）。未通过认证的机构修改后重新进入认证队列',
  request: { params: organisationIdParam, ...body(organisationPatch) },
  responses: { 200: { description: '已修改', ...json(organisationSchema) }, ...errors, ...conflictResponse },
});
const myOrgsRoute = createRoute({
  method: 'get',
  path: '/me/organisations',
  tags,
  summary: '我所在的机构',
  responses: {
    200: { description: '机构列表', ...json(z.object({ data: z.array(organisationSchema) })) },
    ...errors,
  },
});
const membersRoute = createRoute({
  method: 'get',
  path: '/organisations/{id}/members',
  tags,
  summary: '机构成员（成员与科协管理员可见）',
  request: { params: organisationIdParam },
  responses: { 200: { description: '成员', ...json(z.object({ data: z.array(memberSchema) })) }, ...errors },
});
const setRoleRoute = createRoute({
  method: 'put',
  path: '/organisations/{id}/members/{userId}',
  tags,
  summary: '设置成员身份（管理员/成员）；不能撤下最后一名管理员',
  request: { params: memberParams, ...body(memberRoleBody) },
  responses: { 204: { description: '已设置' }, ...errors, ...conflictResponse },
});
const removeMemberRoute = createRoute({
  method: 'delete',
  path: '/organisations/{id}/members/{userId}',
  tags,
  summary: '移出成员；不能移出最后一名管理员',
  request: { params: memberParams },
  responses: { 204: { description: '已移出' }, ...errors, ...conflictResponse },
});
const inviteRoute = createRoute({
  method: 'post',
  path: '/organisations/{id}/invitations',
  tags,
  summary: '邀请同事加入（邮件发送一次性链接，7 天有效）',
  request: { params: organisationIdParam, ...body(invitationBody) },
  responses: { 201: { description: '已邀请', ...json(invitationSchema) }, ...errors },
});
const acceptRoute = createRoute({
  method: 'post',
  path: '/invitations/accept',
  tags,
  summary: '接受邀请（登录账号的邮箱须与受邀邮箱一致）',
  request: body(acceptInvitationBody),
  responses: { 200: { description: '已加入', ...json(organisationSchema) }, ...errors },
});
const queueRoute = createRoute({
  method: 'get',
  path: '/admin/organisations',
  tags,
  summary: '机构认证队列（科协管理员），默认待认证、最早提交的在前',
  request: { query: queueQuery },
  responses: {
    200: { description: '机构列表', ...json(z.object({ data: z.array(organisationSchema) })) },
    ...errors,
  },
});
const decideRoute = createRoute({
  method: 'post',
  path: '/admin/organisations/{id}/verification',
  tags,
  summary: '认证通过或不通过（不通过须填写原因），结果邮件通知机构管理员',
  request: { params: organisationIdParam, ...body(verificationBody) },
  responses: { 200: { description: '已处理', ...json(organisationSchema) }, ...errors, ...conflictResponse },
});

export function organisationApi(deps: AppDeps) {
  return createRouter()
    .openapi(createOrgRoute, async (c) => {
      const actor = actorRef(c);
      const org = await createOrganisation(deps, actor, c.req.valid('json'), requestMeta(c, deps));
      return c.json(organisationView(org, actor, 'admin'), 201);
    })
    .openapi(getOrgRoute, async (c) => {
      const actor = optionalActor(c);
      const { org, membership } = await loadVisibleOrganisation(deps.db, c.req.valid('param').id, actor);
      return c.json(organisationView(org, actor, membership), 200);
    })
    .openapi(patchOrgRoute, async (c) => {
      const actor = actorRef(c);
      const org = await updateOrganisation(
        deps,
        actor,
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(organisationView(org, actor, 'admin'), 200);
    })
    .openapi(myOrgsRoute, async (c) => {
      const actor = actorRef(c);
      const rows = await listMyOrganisations(deps.db, actor.userId);
      return c.json(
        { data: rows.map(({ member_role, ...org }) => organisationView(org, actor, member_role)) },
        200,
      );
    })
    .openapi(membersRoute, async (c) => {
      const rows = await membersOf(deps, actorRef(c), c.req.valid('param').id);
      return c.json({ data: rows.map((r) => ({ ...r, role: r.role as 'admin' | 'member' })) }, 200);
    })
    .openapi(setRoleRoute, async (c) => {
      const { id, userId } = c.req.valid('param');
      await setMemberRole(deps, actorRef(c), id, userId, c.req.valid('json').role, requestMeta(c, deps));
      return c.body(null, 204);
    })
    .openapi(removeMemberRoute, async (c) => {
      const { id, userId } = c.req.valid('param');
      await setMemberRole(deps, actorRef(c), id, userId, null, requestMeta(c, deps));
      return c.body(null, 204);
    })
    .openapi(inviteRoute, async (c) => {
      const auth = requireAuth(c);
      const invitation = await inviteMember(
        deps,
        { ...actorRef(c), displayName: auth.user.display_name },
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(invitation, 201);
    })
    .openapi(acceptRoute, async (c) => {
      const auth = requireAuth(c);
      const actor = actorRef(c);
      const { organisationId } = await acceptInvitation(
        deps,
        { ...actor, email: auth.user.email },
        c.req.valid('json').token,
        requestMeta(c, deps),
      );
      const { org, membership } = await loadVisibleOrganisation(deps.db, organisationId, actor);
      return c.json(organisationView(org, actor, membership), 200);
    })
    .openapi(queueRoute, async (c) => {
      const actor = actorRef(c);
      const rows = await listOrganisationsByVerification(deps.db, c.req.valid('query').status);
      return c.json({ data: rows.map((org) => organisationView(org, actor, null)) }, 200);
    })
    .openapi(decideRoute, async (c) => {
      const actor = actorRef(c);
      const org = await decideVerification(
        deps,
        actor,
        c.req.valid('param').id,
        c.req.valid('json'),
        requestMeta(c, deps),
      );
      return c.json(organisationView(org, actor, null), 200);
    });
}
