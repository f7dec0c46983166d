import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AuditActor } from '../audit/audit.js';
import { type ApiTokenScope, validateApiToken } from './api-tokens.js';
import { decideRouteAccess, type Principal, routeAccess } from './policy.js';
import { type SessionUser, type SessionView, validateSessionToken } from './session.js';

/** The signed-in user of a request and how they proved it. */
export interface Auth {
  user: SessionUser;
  via: 'session' | 'token';
  session: SessionView | null;
  token: { id: string; scope: ApiTokenScope } | null;
}

declare module 'hono' {
  interface ContextVariableMap {
    auth: Auth | null;
  }
}

/** `__Host-` pins the cookie to this exact origin and path `/` (browsers refuse it without Secure). */
export function sessionCookieName(deps: Pick<AppDeps, 'environment'>): string {
  return deps.environment === 'development' ? 'jb_session' : '__Host-jb_session';
}

export function setSessionCookie(c: Context, deps: AppDeps, token: string, expiresAt: Date): void {
  setCookie(c, sessionCookieName(deps), token, {
    httpOnly: true, // no script can read the token
    sameSite: 'Lax', // not sent on cross-site POSTs; top-level links still work
    secure: deps.environment !== 'development',
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context, deps: AppDeps): void {
  deleteCookie(c, sessionCookieName(deps), { path: '/', secure: deps.environment !== 'development' });
}

/** The client address, for rate limits and the audit log (the entry point decides which header to trust). */
export function clientIp(c: Context, deps: AppDeps): string {
  if (deps.clientIp) return deps.clientIp(c) ?? 'unknown';
  const nodeSocket = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
    ?.socket;
  // Headers such as X-Forwarded-For are trusted only through deps.clientIp (TRUST_PROXY / Workers):
  // a client could otherwise pick its own address and dodge per-IP limits.
  return nodeSocket?.remoteAddress ?? 'unknown';
}

export function auditActorOf(c: Context, deps: AppDeps): AuditActor {
  const auth = c.get('auth');
  return { userId: auth?.user.id ?? null, role: auth?.user.role ?? null, ip: clientIp(c, deps) };
}

/** The signed-in user; the route matrix already refused anonymous callers on non-public routes. */
export function requireAuth(c: Context): Auth {
  const auth = c.get('auth');
  if (!auth) throw new AppError('UNAUTHENTICATED');
  return auth;
}

const unsafe = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/**
 * Same-origin check for unsafe requests a browser could forge: those carrying the session cookie,
 * and every form post to a page (which also stops login CSRF). Sec-Fetch-Site is sent by every
 * current browser; Origin is the fallback. A request with neither is refused: browsers always send
 * one of them on a POST, and non-browser clients use API tokens or no cookie.
 */
function isSameOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = c.req.header('origin');
  return origin !== undefined && origin === new URL(c.req.url).origin;
}

/**
 * Resolves who is calling (Bearer API token, else session cookie), applies CSRF protection, then the
 * route-level policy for the matched route. Runs before every route's own validators.
 */
export function authenticate(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    const now = deps.clock();
    let auth: Auth | null = null;
    const authorization = c.req.header('authorization');
    const cookieToken = getCookie(c, sessionCookieName(deps));
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const validated = match ? await validateApiToken(deps.db, match[1]!, now) : null;
      // A wrong token is an error, not "anonymous": the program should learn its token is bad.
      if (!validated) throw new AppError('UNAUTHENTICATED', { detail: 'API 令牌无效或已吊销' });
      auth = { user: validated.user, via: 'token', session: null, token: validated.token };
    } else if (cookieToken !== undefined) {
      if (unsafe(c.req.method) && !isSameOrigin(c)) throw new AppError('CSRF_REJECTED');
      const validated = await validateSessionToken(deps.db, cookieToken, now);
      if (validated) {
        auth = { user: validated.user, via: 'session', session: validated.session, token: null };
        if (validated.refreshed) setSessionCookie(c, deps, cookieToken, validated.session.expires_at);
      } else {
        clearSessionCookie(c, deps);
      }
    } else if (unsafe(c.req.method) && !c.req.path.startsWith('/api/') && !isSameOrigin(c)) {
      throw new AppError('CSRF_REJECTED');
    }
    c.set('auth', auth);
    const loginRedirect = enforceRouteAccess(c, auth);
    if (loginRedirect) return c.redirect(loginRedirect, 303);
    await next();
  };
}

/**
 * The route a request matched (method and Hono path), or null when none did (a 404). Middleware is
 * registered as ALL; the first method-specific route is the handler that answers (ours always do).
 */
export function matchedRouteKey(c: Context): string | null {
  const handler = matchedRoutes(c).find((r) => r.method !== 'ALL');
  return handler ? `${handler.method} ${handler.path}` : null;
}

/** Throws for a refused request; returns a login URL when a person should sign in first. */
function enforceRouteAccess(c: Context, auth: Auth | null): string | null {
  const key = matchedRouteKey(c);
  if (key === null) return null;
  const access = routeAccess[key];
  // Fail closed: a route nobody classified is refused (the route inventory test names it).
  if (!access) throw new AppError('FORBIDDEN', { detail: `未登记权限的路由：${key}` });
  const principal: Principal | null = auth
    ? { role: auth.user.role, via: auth.via, ...(auth.token ? { scope: auth.token.scope } : {}) }
    : null;
  const decision = decideRouteAccess(access, principal, c.req.method);
  if (decision === 'unauthenticated') {
    // People get the login page; programs get 401.
    if (!c.req.path.startsWith('/api/') && c.req.method === 'GET') {
      const next = c.req.path + new URL(c.req.url).search;
      return `/login?next=${encodeURIComponent(next)}`;
    }
    throw new AppError('UNAUTHENTICATED');
  }
  if (decision === 'forbidden') throw new AppError('FORBIDDEN');
  if (decision === 'insufficient_scope') throw new AppError('INSUFFICIENT_SCOPE');
  return null;
}
