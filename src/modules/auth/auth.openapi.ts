import { problemSchema } from '../../http/openapi-responses.js';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** Error statuses of signed-in routes, listed in the contract beside commonErrorResponses. */
export const authErrorResponses = {
  401: problem('未登录，或 API 令牌无效'),
  403: problem('无权限（角色不符、只读令牌写操作、跨站请求被拒）'),
} as const;

export const conflictResponse = { 409: problem('与当前状态冲突（如邮箱已注册）') } as const;
export const rateLimitedResponse = { 429: problem('尝试过于频繁（带 Retry-After）') } as const;
