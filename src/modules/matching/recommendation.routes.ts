import { createRoute } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { commonErrorResponses, notFoundResponse } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses } from '../auth/auth.openapi.js';
import type { SessionUser } from '../auth/session.js';
import { challengeIdParam } from '../challenges/challenge.schemas.js';
import { FEW_BIDS, inviteSuggestions, recommendChallengesForUser } from './for-you.js';
import {
  type InviteSuggestionsResponse,
  inviteSuggestionsQuery,
  inviteSuggestionsSchema,
  type RecommendationsResponse,
  type RecommendedChallengesResponse,
  recommendationQuery,
  recommendationsSchema,
  recommendedChallengesQuery,
  recommendedChallengesSchema,
} from './recommendation.schemas.js';
import { loadChallengeMatchInput, recommendForChallenge } from './recommendation.usecases.js';

const recommendationsRoute = createRoute({
  method: 'get',
  path: '/challenges/{id}/recommendations',
  tags: ['匹配 Matching'],
  summary: '榜单的推荐专家、推荐学会/服务团与相关成果（含匹配分与推荐理由）',
  request: { params: challengeIdParam, query: recommendationQuery },
  responses: {
    200: { description: '推荐结果', content: { 'application/json': { schema: recommendationsSchema } } },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});

/** Recommendations of a public challenge; the same function the challenge page and the benchmark use. */
export async function challengeRecommendations(
  deps: AppDeps,
  challengeId: string,
  limit: number,
): Promise<RecommendationsResponse> {
  const input = await loadChallengeMatchInput(deps.db, challengeId, { publicOnly: true });
  if (!input) throw new AppError('CHALLENGE_NOT_FOUND');
  if (!deps.matcher) throw new AppError('MATCHING_UNAVAILABLE', { retryAfterSeconds: 60 });
  // Search errors become 503 SEARCH_UNAVAILABLE in the app's error handler (toAppError).
  const result = await recommendForChallenge({ ...deps, matcher: deps.matcher }, input, limit);
  return {
    challenge_id: challengeId,
    experts: result.experts.map((e) => ({
      ...e,
      availability: e.availability as RecommendationsResponse['experts'][number]['availability'],
    })),
    societies: result.societies,
    capabilities: result.capabilities,
  };
}

const recommendedChallengesRoute = createRoute({
  method: 'get',
  path: '/me/recommended-challenges',
  tags: ['匹配 Matching'],
  summary: '为你推荐：按本人专家资料（或所在学会）匹配正在揭榜的榜单，含匹配分与推荐理由',
  request: { query: recommendedChallengesQuery },
  responses: {
    200: {
      description: '推荐榜单',
      content: { 'application/json': { schema: recommendedChallengesSchema } },
    },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

const inviteSuggestionsRoute = createRoute({
  method: 'get',
  path: '/admin/challenges/invite-suggestions',
  tags: ['匹配 Matching'],
  summary: `待邀请：揭榜申请少于 ${FEW_BIDS} 份的在榜榜单，及各自值得邀请的专家与学会（科协管理员）`,
  request: { query: inviteSuggestionsQuery },
  responses: {
    200: { description: '待邀请', content: { 'application/json': { schema: inviteSuggestionsSchema } } },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

/** 为你推荐 of the signed-in user; the same function the /me/recommendations page uses. */
export async function recommendedChallenges(
  deps: AppDeps,
  user: Pick<SessionUser, 'id' | 'role'>,
  limit: number,
): Promise<RecommendedChallengesResponse> {
  return recommendChallengesForUser(deps, user, limit);
}

/** 待邀请 for operators; the same function the /admin/invite-suggestions page uses. */
export async function invitationSuggestions(
  deps: AppDeps,
  limit: number,
): Promise<InviteSuggestionsResponse> {
  const data = await inviteSuggestions(deps, { challenges: limit, perChallenge: 5 });
  return {
    few_bids_below: FEW_BIDS,
    data: data.map((challenge) => ({
      ...challenge,
      experts: challenge.experts.map((e) => ({
        ...e,
        availability:
          e.availability as InviteSuggestionsResponse['data'][number]['experts'][number]['availability'],
      })),
    })),
  };
}

export function recommendationApi(deps: AppDeps) {
  return createRouter()
    .openapi(recommendationsRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      return c.json(await challengeRecommendations(deps, id, limit), 200);
    })
    .openapi(recommendedChallengesRoute, async (c) => {
      const { limit } = c.req.valid('query');
      return c.json(await recommendedChallenges(deps, requireAuth(c).user, limit), 200);
    })
    .openapi(inviteSuggestionsRoute, async (c) => {
      const { limit } = c.req.valid('query');
      return c.json(await invitationSuggestions(deps, limit), 200);
    });
}
