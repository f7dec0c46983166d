import { z } from '@hono/zod-openapi';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    detail: z.string(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** The error statuses every route may answer, listed in the contract. */
export const commonErrorResponses = {
  400: problem('请求格式错误（非法 JSON、非法编号等）'),
  413: problem('请求体过大'),
  415: problem('不支持的内容类型'),
  422: problem('字段校验失败，errors 列出每个字段与原因'),
  503: problem('数据库或搜索服务暂不可用（带 Retry-After）'),
} as const;

export const notFoundResponse = { 404: problem('资源不存在') } as const;
