import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import type { RequestMeta } from './account.usecases.js';
import { auditActorOf, clientIp } from './auth.middleware.js';

/** Who, from where, and the origin for mailed links: gathered once per request for the use cases. */
export function requestMeta(c: Context, deps: AppDeps): RequestMeta {
  return {
    actor: auditActorOf(c, deps),
    ip: clientIp(c, deps),
    userAgent: c.req.header('user-agent') ?? null,
    origin: publicOrigin(c, deps),
  };
}

function publicOrigin(c: Context, deps: AppDeps): string {
  if (deps.publicUrl) return deps.publicUrl.replace(/\/+$/, '');
  // Never trust the Host header for mailed links in production (reset-link poisoning).
  if (deps.environment === 'production') throw new Error('publicUrl is required in production');
  return new URL(c.req.url).origin;
}
