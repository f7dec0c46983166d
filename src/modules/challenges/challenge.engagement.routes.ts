import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import type { ActorRef } from '../auth/policy.js';
import { requestMeta } from '../auth/request-meta.js';
import {
  answerBody,
  answerQuestion,
  askQuestion,
  invitationBody,
  invitationResponseBody,
  invitationSchema,
  invitationsOfChallenge,
  invitationsOfUser,
  inviteToChallenge,
  questionBody,
  questionParams,
  questionSchema,
  questionsFor,
  respondToInvitation,
} from './challenge.engagement.js';
import { challengeIdParam } from './challenge.schemas.js';
import { actorWithName } from './challenge.workflow.routes.js';

const tags = ['答疑与邀请 Q&A & invitations'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse, ...conflictResponse };
const optionalActor = (c: Context): ActorRef | null => {
  const auth = c.get('auth');
  return auth ? { userId: auth.user.id, role: auth.user.role } : null;
};

const listQuestions = createRoute({
  method: 'get',
  path: '/challenges/{id}/questions',
  tags,
  summary: '答疑：已回答的问题公开；未回答的仅提问人与发榜企业可见',
  request: { params: challengeIdParam },
  responses: {
    200: { description: '问答', ...json(z.object({ data: z.array(questionSchema) })) },
    ...errors,
  },
});
const ask = createRoute({
  method: 'post',
  path: '/challenges/{id}/questions',
  tags,
  summary: '提问（登录用户，揭榜中或截止后）',
  request: { params: challengeIdParam, ...body(questionBody) },
  responses: { 201: { description: '已提问', ...json(questionSchema) }, ...errors },
});
const answer = createRoute({
  method: 'put',
  path: '/challenges/{id}/questions/{questionId}/answer',
  tags,
  summary: '公开回答（发榜企业）；提问人与全部揭榜方收到通知',
  request: { params: questionParams, ...body(answerBody) },
  responses: { 200: { description: '已回答', ...json(questionSchema) }, ...errors },
});
const invite = createRoute({
  method: 'post',
  path: '/challenges/{id}/invitations',
  tags,
  summary: '邀请专家或学会揭榜（发榜企业，揭榜中）',
  request: { params: challengeIdParam, ...body(invitationBody) },
  responses: { 201: { description: '已邀请', ...json(invitationSchema) }, ...errors },
});
const listInvitations = createRoute({
  method: 'get',
  path: '/challenges/{id}/invitations',
  tags,
  summary: '本榜单发出的邀请（发榜企业、科协管理员）',
  request: { params: challengeIdParam },
  responses: {
    200: { description: '邀请', ...json(z.object({ data: z.array(invitationSchema) })) },
    ...errors,
  },
});
const myInvitations = createRoute({
  method: 'get',
  path: '/me/challenge-invitations',
  tags,
  summary: '我收到的揭榜邀请（本人专家资料，或所在学会）',
  responses: {
    200: { description: '邀请', ...json(z.object({ data: z.array(invitationSchema) })) },
    ...errors,
  },
});
const respond = createRoute({
  method: 'post',
  path: '/challenge-invitations/{id}/response',
  tags,
  summary: '接受或婉拒邀请',
  request: { params: challengeIdParam, ...body(invitationResponseBody) },
  responses: { 200: { description: '已回复', ...json(invitationSchema) }, ...errors },
});

export function challengeEngagementApi(deps: AppDeps) {
  return createRouter()
    .openapi(listQuestions, async (c) => {
      return c.json({ data: await questionsFor(deps.db, c.req.valid('param').id, optionalActor(c)) }, 200);
    })
    .openapi(ask, async (c) => {
      const q = await askQuestion(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json').question,
        requestMeta(c, deps),
      );
      return c.json(q, 201);
    })
    .openapi(answer, async (c) => {
      const { id, questionId } = c.req.valid('param');
      const q = await answerQuestion(
        deps,
        actorWithName(c),
        id,
        questionId,
        c.req.valid('json').answer,
        requestMeta(c, deps),
      );
      return c.json(q, 200);
    })
    .openapi(invite, async (c) => {
      const input = c.req.valid('json') as z.infer<typeof invitationBody>;
      const i = await inviteToChallenge(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        input,
        requestMeta(c, deps),
      );
      return c.json(i, 201);
    })
    .openapi(listInvitations, async (c) => {
      return c.json(
        { data: await invitationsOfChallenge(deps.db, c.req.valid('param').id, actorWithName(c)) },
        200,
      );
    })
    .openapi(myInvitations, async (c) => {
      return c.json({ data: await invitationsOfUser(deps.db, actorWithName(c).userId) }, 200);
    })
    .openapi(respond, async (c) => {
      const i = await respondToInvitation(
        deps,
        actorWithName(c),
        c.req.valid('param').id,
        c.req.valid('json').decision,
        requestMeta(c, deps),
      );
      return c.json(i, 200);
    });
}
