import type { UserRole } from './session.js';

/**
 * The one place that decides permissions.
 *
 * 1. Route level ({@link routeAccess}): who may reach each route at all: everyone, any signed-in
 *    user, or some roles; `sessionOnly` keeps account-security routes (password, API tokens) out of
 *    reach of API tokens, so a leaked token cannot mint more tokens or lock the owner out. Enforced
 *    for every request by `enforceRouteAccess`; a route missing here is refused (fail closed) and
 *    the route inventory test names it.
 * 2. Object level (the `can*` functions): ownership and object state, called by the use cases,
 *    which answer 404 for objects the actor may not know exist and 403 for ones it may see but not
 *    change.
 */
export type Access =
  | { who: 'public' }
  | { who: 'signed-in'; sessionOnly?: boolean }
  | { who: readonly UserRole[]; sessionOnly?: boolean };

const everyone: Access = { who: 'public' };
const signedIn: Access = { who: 'signed-in' };
const sessionOnly: Access = { who: 'signed-in', sessionOnly: true };
const roles = (...who: UserRole[]): Access => ({ who });
const operator = roles('operator');

/** Every route of the app, as `METHOD path` in Hono's path syntax. */
export const routeAccess: Record<string, Access> = {
  // Platform
  'GET /healthz': everyone,
  'GET /readyz': everyone,
  'GET /assets/site.css': everyone,
  'GET /assets/favicon.svg': everyone,
  'GET /api/openapi.json': everyone,
  'GET /api/docs': everyone,
  // Public catalogue
  'GET /': everyone,
  'GET /challenges': everyone,
  'GET /challenges/:id': everyone,
  'GET /api/v1/challenges': everyone,
  'GET /api/v1/challenges/:id': everyone,
  'GET /api/v1/search/challenges': everyone,
  'POST /api/v1/search/challenges': everyone,
  'GET /api/v1/regions': everyone,
  'GET /api/v1/industries': everyone,

  // Accounts (API)
  'POST /api/v1/accounts': everyone,
  'POST /api/v1/session': everyone,
  'GET /api/v1/session': signedIn,
  'DELETE /api/v1/session': sessionOnly,
  'DELETE /api/v1/sessions': sessionOnly,
  'GET /api/v1/me': signedIn,
  'PATCH /api/v1/me': signedIn,
  'PUT /api/v1/me/password': sessionOnly,
  'GET /api/v1/me/api-tokens': sessionOnly,
  'POST /api/v1/me/api-tokens': sessionOnly,
  'DELETE /api/v1/me/api-tokens/:id': sessionOnly,
  'POST /api/v1/password-resets': everyone,
  'POST /api/v1/password-resets/confirm': everyone,
  // Accounts (pages)
  'GET /signup': everyone,
  'POST /signup': everyone,
  'GET /login': everyone,
  'POST /login': everyone,
  'POST /logout': signedIn,
  'POST /logout/all': signedIn,
  'GET /account': signedIn,
  'POST /account/profile': signedIn,
  'POST /account/password': signedIn,
  'POST /account/tokens': signedIn,
  'POST /account/tokens/:id/revoke': signedIn,
  'GET /password/forgot': everyone,
  'POST /password/forgot': everyone,
  'GET /password/reset': everyone,
  'POST /password/reset': everyone,

  // Organisations (API)
  'POST /api/v1/organisations': roles('enterprise', 'society'),
  'GET /api/v1/organisations/:id': everyone,
  'PATCH /api/v1/organisations/:id': roles('enterprise', 'society'),
  'GET /api/v1/me/organisations': signedIn,
  'GET /api/v1/organisations/:id/members': signedIn,
  'PUT /api/v1/organisations/:id/members/:userId': roles('enterprise', 'society'),
  'DELETE /api/v1/organisations/:id/members/:userId': roles('enterprise', 'society'),
  'POST /api/v1/organisations/:id/invitations': roles('enterprise', 'society'),
  'POST /api/v1/invitations/accept': signedIn,
  'GET /api/v1/admin/organisations': operator,
  'POST /api/v1/admin/organisations/:id/verification': operator,
  // Organisations (pages)
  'GET /organisations/new': roles('enterprise', 'society'),
  'POST /organisations/new': roles('enterprise', 'society'),
  'GET /organisations/:id{[0-9a-fA-F-]{36}}': everyone,
  'POST /organisations/:id{[0-9a-fA-F-]{36}}/invitations': roles('enterprise', 'society'),
  'POST /organisations/:id{[0-9a-fA-F-]{36}}/members/:userId{[0-9a-fA-F-]{36}}/role': roles(
    'enterprise',
    'society',
  ),
  'GET /invitations/accept': signedIn,
  'POST /invitations/accept': signedIn,
  'GET /admin/verifications': operator,
  'POST /admin/organisations/:id{[0-9a-fA-F-]{36}}/verification': operator,
};

export type Decision = 'allow' | 'unauthenticated' | 'forbidden' | 'insufficient_scope';

export interface Principal {
  role: UserRole;
  via: 'session' | 'token';
  scope?: 'read' | 'write';
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Route-level decision for one request. Pure: the middleware and the matrix test both call it. */
export function decideRouteAccess(access: Access, principal: Principal | null, method: string): Decision {
  if (access.who === 'public') {
    if (principal?.via === 'token' && principal.scope === 'read' && !safeMethods.has(method))
      return 'insufficient_scope';
    return 'allow';
  }
  if (!principal) return 'unauthenticated';
  if (access.sessionOnly && principal.via !== 'session') return 'forbidden';
  if (access.who !== 'signed-in' && !access.who.includes(principal.role)) return 'forbidden';
  if (principal.via === 'token' && principal.scope === 'read' && !safeMethods.has(method))
    return 'insufficient_scope';
  return 'allow';
}

// ---- Object level ---------------------------------------------------------------------------------

export type MemberRole = 'admin' | 'member';
export type VerificationStatus = 'pending' | 'verified' | 'rejected';

export interface ActorRef {
  userId: string;
  role: UserRole;
}

/** Which organisation kind a user role may create (experts act as themselves, operators as the platform). */
export function organisationKindFor(role: UserRole): 'enterprise' | 'society' | null {
  if (role === 'enterprise') return 'enterprise';
  if (role === 'society') return 'society';
  return null;
}

/** Verified organisations are public; others are known only to their members and operators. */
export function canViewOrganisation(
  actor: ActorRef | null,
  org: { verification_status: string },
  membership: MemberRole | null,
): boolean {
  return org.verification_status === 'verified' || membership !== null || actor?.role === 'operator';
}

/** Members (and operators) see the member list and the verification details. */
export function canViewOrganisationInternals(actor: ActorRef | null, membership: MemberRole | null): boolean {
  return membership !== null || actor?.role === 'operator';
}

/** Only an organisation's own admins change it, its members and its invitations. */
export function canManageOrganisation(membership: MemberRole | null): boolean {
  return membership === 'admin';
}

export function canVerifyOrganisations(actor: ActorRef | null): boolean {
  return actor?.role === 'operator';
}

/**
 * What an organisation may do by verification state: unverified ones may draft, but only a verified
 * one may publish a challenge or bid as an organisation (the challenge and bid use cases call this).
 */
export function canOrganisationAct(
  org: { verification_status: string },
  action: 'draft' | 'publish' | 'bid',
): boolean {
  return action === 'draft' || org.verification_status === 'verified';
}
