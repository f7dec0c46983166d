import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from './errors.js';
import { zodIssuesToFields } from './validation.js';

export type AppEnv = { Variables: { requestId: string } };

/**
 * Every API sub-app is made here so that one hook turns a failed zod validation (body, query or
 * path) into the same VALIDATION_FAILED problem with field-level Chinese reasons.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const fields = zodIssuesToFields(result.error.issues);
        const invalidId = result.target === 'param' && fields.every((f) => f.field === 'id');
        throw new AppError(invalidId ? 'INVALID_ID' : 'VALIDATION_FAILED', { fields });
      }
    },
  });
}
