import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.js';
import { hashPassword } from '../../src/modules/auth/password.js';
import type { UserRole } from '../../src/modules/auth/session.js';
import { newCreditCode } from './factories.js';

type App = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

/** A password that passes every rule; each persona gets its own account and email. */
export const PERSONA_PASSWORD = '湄潭翠芽-明前采摘2026';

const personaNames: Record<UserRole, string> = {
  enterprise: '黔茶科技 张经理',
  expert: '王教授',
  society: '省茶叶学会 李秘书长',
  operator: '科协管理员 陈老师',
};

let passwordHash: Promise<string> | undefined;

/** A user of `role` with a unique email; argon2 runs once per test file, not once per user. */
export async function newUser(
  db: Database,
  role: UserRole,
  overrides: Partial<{ email: string; display_name: string }> = {},
) {
  passwordHash ??= hashPassword(PERSONA_PASSWORD);
  return db
    .insertInto('users')
    .values({
      email: overrides.email ?? `${role}-${randomUUID().slice(0, 8)}@example.cn`,
      display_name: overrides.display_name ?? personaNames[role],
      role,
      password_hash: await passwordHash,
    })
    .returning(['id', 'email', 'display_name', 'role'])
    .executeTakeFirstOrThrow();
}

export const sameOrigin = { Origin: 'http://localhost' };

/** Logs in over the API and returns the Cookie header value to send with later requests. */
export async function logInAs(app: App, email: string, password = PERSONA_PASSWORD): Promise<string> {
  const res = await app.request('http://localhost/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return cookieFrom(res);
}

export function cookieFrom(res: Response): string {
  const setCookie = res.headers.get('set-cookie') ?? '';
  const match = /((?:__Host-)?jb_session)=([^;]+)/.exec(setCookie);
  if (!match) throw new Error(`no session cookie in: ${setCookie}`);
  return `${match[1]}=${match[2]}`;
}

/** A signed-in persona: user row plus a Cookie header. */
export async function signedIn(db: Database, app: App, role: UserRole) {
  const user = await newUser(db, role);
  return { user, cookie: await logInAs(app, user.email) };
}

/** An organisation with `adminUserId` as its admin (status as given; pending by default). */
export async function newOrganisationFor(
  db: Database,
  adminUserId: string,
  overrides: Partial<{ kind: 'enterprise' | 'society'; name: string; verification_status: string }> = {},
) {
  const org = await db
    .insertInto('organisations')
    .values({
      kind: overrides.kind ?? 'enterprise',
      name: overrides.name ?? '贵州黔茶科技有限公司',
      credit_code: newCreditCode('520300'),
      region_code: '520328',
      verification_status: overrides.verification_status ?? 'pending',
      created_by: adminUserId,
    })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('organisation_members')
    .values({ organisation_id: org.id, user_id: adminUserId, role: 'admin' })
    .execute();
  return org;
}

/** JSON request helper with same-origin headers (as a browser on this site would send). */
export function jsonRequest(method: string, body: unknown, cookie?: string): RequestInit {
  return {
    method,
    headers: { 'Content-Type': 'application/json', ...sameOrigin, ...(cookie ? { Cookie: cookie } : {}) },
    body: JSON.stringify(body),
  };
}

/** URL-encoded form post as a browser on this site would send it. */
export function formRequest(values: Record<string, string>, cookie?: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Sec-Fetch-Site': 'same-origin',
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams(values).toString(),
  };
}
