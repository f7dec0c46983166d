import type { MiddlewareHandler } from 'hono';
import { messages } from '../web/messages.js';
import { AppError } from './errors.js';
import type { AppEnv } from './router.js';

export const MAX_JSON_BODY_BYTES = 256 * 1024;
const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

const bodiless = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs `middleware` only for methods that carry a body. hono's bodyLimit reads `c.req.raw.body`,
 * which makes @hono/node-server build a full web Request for every request: 4% of the public
 * listing's CPU in `npm run bench`, for GETs that have no body to limit.
 */
export function onlyWithBody(middleware: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (bodiless.has(c.req.method) ? next() : middleware(c, next));
}

/**
 * Guards every API request with a body before any handler runs: JSON only (415), size-capped (413,
 * checked on the bytes actually read, not the declared length), NUL-free (PostgreSQL text cannot hold
 * it) and well-formed (400). The parsed body stays cached for the route's validator.
 */
export const apiBodyGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (bodiless.has(c.req.method)) {
    if (c.req.url.includes('%00'))
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: '(query)', reason: messages.validation.nulByte }],
      });
    return next();
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_JSON_BODY_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
  if (c.req.raw.body === null) return next();
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (!jsonMediaType.test(mediaType)) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > MAX_JSON_BODY_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw new AppError('MALFORMED_JSON', { detail: '请求体不是合法的 UTF-8 文本' });
  }
  if (text.includes('\u0000') || /\\u0000/i.test(text)) {
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: '(body)', reason: messages.validation.nulByte }],
    });
  }
  try {
    c.req.bodyCache.json = Promise.resolve(JSON.parse(text));
  } catch {
    throw new AppError('MALFORMED_JSON');
  }
  return next();
};
