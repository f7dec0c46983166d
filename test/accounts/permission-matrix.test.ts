import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decideRouteAccess, type Principal, routeAccess } from '../../src/modules/auth/policy.js';
import { createSession, type UserRole, userRoles } from '../../src/modules/auth/session.js';
import { newUser } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
const users = {} as Record<UserRole, { id: string }>;
beforeAll(async () => {
  ctx = await createTestContext();
  for (const role of userRoles) users[role] = await newUser(ctx.db, role);
});
afterAll(async () => {
  await ctx.close();
});

/** Every handler route of the app as `METHOD path` (middleware is registered as ALL). */
function appRoutes(): string[] {
  return [...new Set(ctx.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
}

test('every route of the app has an entry in the permission matrix', () => {
  const missing = appRoutes().filter((key) => !(key in routeAccess));
  expect(missing, 'add these routes to routeAccess in src/modules/auth/policy.ts').toEqual([]);
});

test('the permission matrix names no route that does not exist', () => {
  const routes = new Set(appRoutes());
  expect(Object.keys(routeAccess).filter((key) => !routes.has(key))).toEqual([]);
});

/** A concrete URL for a route pattern: unknown ids, so allowed callers meet 404/422, never data. */
function concretePath(pattern: string): string {
  return pattern
    .replaceAll('{[0-9a-fA-F-]{36}}', '')
    .replace(/\/me\/(api-tokens|sessions)\/:id/, '/me/$1/aaaaaaaaaaaaaaaaaaaaaaaa')
    .replace(/:(\w+)/g, () => randomUUID());
}

async function requestAs(method: string, path: string, role: UserRole | null) {
  const headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin' };
  if (role) {
    // A fresh session per request: some routes (logout) end the session they are called with.
    const { token } = await createSession(ctx.db, users[role].id, new Date(), { ip: null, userAgent: null });
    headers.Cookie = `__Host-jb_session=${token}`;
  }
  const api = path.startsWith('/api/');
  const hasBody = !['GET', 'HEAD'].includes(method);
  if (hasBody) headers['Content-Type'] = api ? 'application/json' : 'application/x-www-form-urlencoded';
  return ctx.app.request(`http://localhost${path}`, {
    method,
    headers,
    ...(hasBody ? { body: api ? '{}' : '' } : {}),
  });
}

const callers: Array<UserRole | null> = [null, ...userRoles];

describe.each(Object.entries(routeAccess))('%s', (key, access) => {
  const [method, pattern] = key.split(' ') as [string, string];
  test.each(callers.map((role) => [role ?? 'anonymous', role] as const))('as %s', async (_label, role) => {
    const path = concretePath(pattern);
    const principal: Principal | null = role ? { role, via: 'session' } : null;
    const decision = decideRouteAccess(access, principal, method);
    const res = await requestAs(method, path, role);
    if (decision === 'unauthenticated') {
      if (!path.startsWith('/api/') && method === 'GET') {
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
      } else {
        expect(res.status).toBe(401);
      }
    } else if (decision === 'forbidden') {
      expect(res.status).toBe(403);
    } else {
      expect([401, 403], `${key} as ${role ?? 'anonymous'}`).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    }
  });
});
