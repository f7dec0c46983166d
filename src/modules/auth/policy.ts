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
/** Experts publish their own capabilities; enterprises and societies publish as their organisation. */
const capabilityAuthors = roles('expert', 'society', 'enterprise');
/** Lists leave the platform (export) only for operators and society staff, who report on them. */
const listExporters = roles('operator', 'society');
/** Bulk imports write many records at once: operators and society staff only. */
const importers = roles('operator', 'society');

/** Every route of the app, as `METHOD path` in Hono's path syntax. */
export const routeAccess: Record<string, Access> = {
  // Platform
  'GET /healthz': everyone,
  'GET /readyz': everyone,
  'GET /assets/site.css': everyone,
  'GET /assets/favicon.svg': everyone,
  'GET /assets/picker.js': everyone,
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
  'GET /api/v1/challenges/:id/recommendations': everyone,
  // Matching: 为你推荐 (experts, society staff) and 待邀请 (operators).
  'GET /api/v1/me/recommended-challenges': roles('expert', 'society'),
  'GET /me/recommendations': roles('expert', 'society'),
  'GET /api/v1/admin/challenges/invite-suggestions': operator,
  'GET /admin/invite-suggestions': operator,
  // Matching: 新榜单提醒 (saved searches and profile-match alerts) of experts and society staff.
  'GET /api/v1/me/alerts': roles('expert', 'society'),
  'POST /api/v1/me/alerts': roles('expert', 'society'),
  'DELETE /api/v1/me/alerts/:id': roles('expert', 'society'),
  'GET /me/alerts': roles('expert', 'society'),
  'POST /me/alerts': roles('expert', 'society'),
  'POST /me/alerts/:id{[0-9a-fA-F-]{36}}/delete': roles('expert', 'society'),

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
  'GET /api/v1/me/sessions': sessionOnly,
  'DELETE /api/v1/me/sessions/:id': sessionOnly,
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
  'POST /account/sessions/:id/revoke': signedIn,
  'GET /password/forgot': everyone,
  'POST /password/forgot': everyone,
  'GET /password/reset': everyone,
  'POST /password/reset': everyone,

  // 揭榜挂帅 (API): authoring, review, Q&A, invitations, bids, award, delivery, notifications
  'POST /api/v1/challenges': roles('enterprise'),
  'GET /api/v1/challenges/:id/work': roles('enterprise', 'operator'),
  'PATCH /api/v1/challenges/:id': roles('enterprise'),
  'GET /api/v1/me/challenges': roles('enterprise'),
  'GET /api/v1/admin/challenges/review-queue': operator,
  'POST /api/v1/challenges/:id/submit': roles('enterprise'),
  'POST /api/v1/challenges/:id/review': operator,
  'POST /api/v1/challenges/:id/withdraw': roles('enterprise', 'operator'),
  'POST /api/v1/challenges/:id/close': roles('enterprise'),
  'POST /api/v1/challenges/:id/fail': roles('enterprise', 'operator'),
  'GET /api/v1/challenges/:id/questions': everyone,
  'POST /api/v1/challenges/:id/questions': signedIn,
  'PUT /api/v1/challenges/:id/questions/:questionId/answer': roles('enterprise'),
  'POST /api/v1/challenges/:id/invitations': roles('enterprise'),
  'GET /api/v1/challenges/:id/invitations': roles('enterprise', 'operator'),
  'GET /api/v1/me/challenge-invitations': signedIn,
  'POST /api/v1/challenge-invitations/:id/response': roles('expert', 'society'),
  'POST /api/v1/challenges/:id/bids': roles('expert', 'society'),
  'GET /api/v1/challenges/:id/bids': signedIn,
  'GET /api/v1/bids/:id': signedIn,
  'PATCH /api/v1/bids/:id': roles('expert', 'society'),
  'POST /api/v1/bids/:id/withdraw': roles('expert', 'society'),
  'POST /api/v1/bids/:id/team-response': roles('expert'),
  'PUT /api/v1/bids/:id/evaluation': roles('enterprise'),
  'GET /api/v1/me/bids': roles('expert', 'society'),
  'POST /api/v1/challenges/:id/award': roles('enterprise'),
  'GET /api/v1/challenges/:id/milestones': signedIn,
  'POST /api/v1/milestones/:id/submissions': roles('expert', 'society'),
  'POST /api/v1/milestones/:id/decision': roles('enterprise'),
  'POST /api/v1/challenges/:id/acceptance': roles('enterprise'),
  'POST /api/v1/challenges/:id/ratings': signedIn,
  'GET /api/v1/me/notifications': signedIn,
  'GET /api/v1/me/notifications/unread-count': signedIn,
  'POST /api/v1/me/notifications/:id/read': signedIn,
  'POST /api/v1/me/notifications/read-all': signedIn,
  'GET /api/v1/me/notification-preferences': signedIn,
  'PUT /api/v1/me/notification-preferences': signedIn,

  // 揭榜挂帅 (pages)
  'GET /workspace': signedIn,
  'GET /workspace/challenges/new': roles('enterprise'),
  'POST /workspace/challenges/new': roles('enterprise'),
  'GET /workspace/challenges/:id{[0-9a-fA-F-]{36}}': roles('enterprise', 'operator'),
  'GET /workspace/challenges/:id{[0-9a-fA-F-]{36}}/edit': roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/edit': roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/submit': roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/review': operator,
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/withdraw': roles('enterprise', 'operator'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/close': roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/fail': roles('enterprise', 'operator'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/award': roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/acceptance': roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/invitations': roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/questions/:questionId{[0-9a-fA-F-]{36}}/answer':
    roles('enterprise'),
  'POST /workspace/challenges/:id{[0-9a-fA-F-]{36}}/ratings': signedIn,
  'POST /workspace/bids/:id{[0-9a-fA-F-]{36}}/evaluation': roles('enterprise'),
  'POST /workspace/milestones/:id{[0-9a-fA-F-]{36}}/decision': roles('enterprise'),
  'GET /challenges/:id{[0-9a-fA-F-]{36}}/bid': roles('expert', 'society'),
  'POST /challenges/:id{[0-9a-fA-F-]{36}}/bid': roles('expert', 'society'),
  'POST /challenges/:id{[0-9a-fA-F-]{36}}/questions': signedIn,
  'GET /workspace/bids/:id{[0-9a-fA-F-]{36}}': signedIn,
  'POST /workspace/bids/:id{[0-9a-fA-F-]{36}}/edit': roles('expert', 'society'),
  'POST /workspace/bids/:id{[0-9a-fA-F-]{36}}/withdraw': roles('expert', 'society'),
  'POST /workspace/bids/:id{[0-9a-fA-F-]{36}}/team-response': roles('expert'),
  'POST /workspace/milestones/:id{[0-9a-fA-F-]{36}}/submissions': roles('expert', 'society'),
  'POST /workspace/invitations/:id{[0-9a-fA-F-]{36}}/response': roles('expert', 'society'),
  'GET /notifications': signedIn,
  'POST /notifications/:id/read': signedIn,
  'POST /notifications/read-all': signedIn,
  'POST /notifications/preferences': signedIn,

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

  // Stations (API)
  'GET /api/v1/station-kinds': everyone,
  'GET /api/v1/stations': everyone,
  'POST /api/v1/stations': roles('society'),
  'GET /api/v1/stations/:id': everyone,
  'POST /api/v1/stations/:id/transitions': signedIn,
  'PUT /api/v1/stations/:id/experts/:expertId/consent': signedIn,
  'GET /api/v1/stations/:id/records': everyone,
  'POST /api/v1/stations/:id/records': roles('society'),
  'POST /api/v1/service-records/:id/confirmation': signedIn,
  'PUT /api/v1/stations/:id/grades/:year': operator,
  'GET /api/v1/me/stations': signedIn,
  'GET /api/v1/admin/stations': operator,
  // Yearly evaluation (API)
  'GET /api/v1/evaluation/:year': operator,
  'GET /api/v1/evaluation/:year/societies/:id': roles('society', 'operator'),
  'GET /api/v1/evaluation/:year/societies/:id/indicators/:key': roles('society', 'operator'),
  'GET /api/v1/evaluation/:year/export': roles('society', 'operator'),
  // Stations (pages)
  'GET /stations': everyone,
  'GET /stations/mine': signedIn,
  'GET /stations/new': roles('society'),
  'POST /stations/new': roles('society'),
  'GET /stations/:id{[0-9a-fA-F-]{36}}': everyone,
  'POST /stations/:id{[0-9a-fA-F-]{36}}/transitions': signedIn,
  'POST /stations/:id{[0-9a-fA-F-]{36}}/records': roles('society'),
  'POST /stations/:id{[0-9a-fA-F-]{36}}/experts/:expertId{[0-9a-fA-F-]{36}}/consent': signedIn,
  'POST /stations/:id{[0-9a-fA-F-]{36}}/grades': operator,
  'POST /service-records/:id{[0-9a-fA-F-]{36}}/confirmation': signedIn,
  // Supply side (issue 5): experts, societies, capabilities, service teams, import and export
  'GET /experts': everyone,
  'GET /experts/:id{[0-9a-fA-F-]{36}}': everyone,
  'GET /societies': everyone,
  'GET /societies/:id{[0-9a-fA-F-]{36}}': everyone,
  'GET /capabilities': everyone,
  'GET /capabilities/:id{[0-9a-fA-F-]{36}}': everyone,
  'GET /api/v1/experts': everyone,
  'GET /api/v1/experts/:id': everyone,
  'GET /api/v1/societies': everyone,
  'GET /api/v1/societies/:id': everyone,
  'GET /api/v1/capabilities': everyone,
  'GET /api/v1/capabilities/:id': everyone,
  'GET /api/v1/me/expert-profile': roles('expert'),
  'PUT /api/v1/me/expert-profile': roles('expert'),
  'GET /me/expert-profile': roles('expert'),
  'POST /me/expert-profile': roles('expert'),
  // 认领专家资料 (claims of imported profiles): experts ask, operators decide.
  'POST /api/v1/experts/:id/claims': roles('expert'),
  'GET /api/v1/me/expert-profile-claims': roles('expert'),
  'GET /api/v1/admin/expert-profile-claims': operator,
  'POST /api/v1/admin/expert-profile-claims/:id/decision': operator,
  'GET /experts/:id{[0-9a-fA-F-]{36}}/claim': roles('expert'),
  'POST /experts/:id{[0-9a-fA-F-]{36}}/claim': roles('expert'),
  'GET /admin/expert-claims': operator,
  'POST /admin/expert-claims/:id{[0-9a-fA-F-]{36}}/decision': operator,
  'GET /api/v1/me/capabilities': capabilityAuthors,
  'POST /api/v1/capabilities': capabilityAuthors,
  'PUT /api/v1/capabilities/:id': capabilityAuthors,
  'POST /api/v1/capabilities/:id/publish': capabilityAuthors,
  'POST /api/v1/capabilities/:id/takedown': operator,
  'GET /capabilities/new': capabilityAuthors,
  'POST /capabilities/new': capabilityAuthors,
  'GET /capabilities/:id{[0-9a-fA-F-]{36}}/edit': capabilityAuthors,
  'POST /capabilities/:id{[0-9a-fA-F-]{36}}/edit': capabilityAuthors,
  'POST /capabilities/:id{[0-9a-fA-F-]{36}}/publish': capabilityAuthors,
  'POST /capabilities/:id{[0-9a-fA-F-]{36}}/takedown': operator,
  'POST /api/v1/societies/:id/service-teams': roles('society'),
  'GET /societies/:id{[0-9a-fA-F-]{36}}/service-teams/new': roles('society'),
  'POST /societies/:id{[0-9a-fA-F-]{36}}/service-teams/new': roles('society'),
  'GET /experts/export.xlsx': listExporters,
  'GET /experts/export.csv': listExporters,
  'GET /capabilities/export.xlsx': listExporters,
  'GET /capabilities/export.csv': listExporters,
  'GET /challenges/export.xlsx': listExporters,
  'GET /challenges/export.csv': listExporters,
  // Bids for their owner: the posting enterprise (or an operator) for a challenge; a bidder its own.
  'GET /workspace/challenges/:id{[0-9a-fA-F-]{36}}/bids/export.xlsx': roles('enterprise', 'operator'),
  'GET /workspace/challenges/:id{[0-9a-fA-F-]{36}}/bids/export.csv': roles('enterprise', 'operator'),
  'GET /workspace/bids/export.xlsx': roles('expert', 'society'),
  'GET /workspace/bids/export.csv': roles('expert', 'society'),
  'GET /imports/template.xlsx': everyone,
  'GET /imports/template.csv': everyone,
  'GET /imports': importers,
  'POST /imports': importers,
  'GET /imports/runs/:id{[0-9a-fA-F-]{36}}': importers,
  'GET /imports/runs/:id{[0-9a-fA-F-]{36}}/progress': importers,
  // Operator dashboard
  'GET /api/v1/admin/dashboard': operator,
  'GET /admin/dashboard': operator,
  // Yearly evaluation (pages)
  'GET /evaluation': roles('society', 'operator'),
  'GET /evaluation/:year/societies/:id{[0-9a-fA-F-]{36}}': roles('society', 'operator'),
  'GET /evaluation/:year/societies/:id{[0-9a-fA-F-]{36}}/indicators/:key': roles('society', 'operator'),
  // Attachments (附件): who sees or changes them is decided per owner in the use case (404/403/409).
  'POST /api/v1/challenges/:id/attachments': roles('enterprise'),
  'GET /api/v1/challenges/:id/attachments': everyone,
  'POST /api/v1/bids/:id/attachments': roles('expert', 'society'),
  'GET /api/v1/bids/:id/attachments': signedIn,
  'POST /api/v1/capabilities/:id/attachments': capabilityAuthors,
  'GET /api/v1/capabilities/:id/attachments': everyone,
  'POST /api/v1/service-records/:id/attachments': roles('society'),
  'GET /api/v1/service-records/:id/attachments': signedIn,
  'GET /api/v1/attachments/:id': everyone,
  'DELETE /api/v1/attachments/:id': signedIn,
  'POST /attachments': signedIn,
  'GET /attachments/:id{[0-9a-fA-F-]{36}}': everyone,
  'POST /attachments/:id{[0-9a-fA-F-]{36}}/delete': signedIn,
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

// ---- Stations (工作站 / 服务站), service records, yearly evaluation ---------------------------------

/** How the actor relates to a station: member of the applying society, of the host, an operator, or a listed expert. */
export type StationParty = 'society' | 'host' | 'operator' | 'expert';

/** Statuses whose station page is public: running ones and those whose term ended (their record stays). */
const publicStationPageStatuses = new Set(['active', 'expired']);

/** Parties see a station in every state; others only a running or expired one (404 otherwise). */
export function canViewStation(station: { status: string }, parties: readonly StationParty[]): boolean {
  return publicStationPageStatuses.has(station.status) || parties.length > 0;
}

/** History, pending experts and unconfirmed records are for the parties, not for experts merely asked to join. */
export function canViewStationInternals(parties: readonly StationParty[]): boolean {
  return parties.some((p) => p !== 'expert');
}

/** A life-cycle action is done by the party the transition names (society, host or operator). */
export function canActOnStation(
  parties: readonly StationParty[],
  by: 'society' | 'host' | 'operator' | 'system',
) {
  return by !== 'system' && parties.includes(by);
}

/** Only a member of the society applies in its name (and the society must be verified: checked by the use case). */
export function canApplyForStation(societyMembership: MemberRole | null, society: { kind: string }): boolean {
  return society.kind === 'society' && societyMembership !== null;
}

/** The applying society logs what its station delivered... */
export function canLogServiceRecord(parties: readonly StationParty[]): boolean {
  return parties.includes('society');
}

/** ...and the host, who received it, confirms or disputes it. */
export function canConfirmServiceRecord(parties: readonly StationParty[]): boolean {
  return parties.includes('host');
}

export function canGradeStations(actor: ActorRef | null): boolean {
  return actor?.role === 'operator';
}

/** A society's yearly figures: its own members and operators; the all-societies view: operators. */
export function canViewEvaluation(actor: ActorRef | null, societyMembership: MemberRole | null): boolean {
  return actor?.role === 'operator' || societyMembership !== null;
}

// ---- Challenges, bids, delivery (揭榜挂帅) --------------------------------------------------------

/** How the actor relates to one challenge; computed once by the use case that loaded it. */
export interface ChallengeRelation {
  /** A member of the posting enterprise. */
  enterpriseMember: boolean;
  /** Party to a live or awarded bid on it (lead, team member, member of the bidding organisation). */
  bidder: boolean;
}

const publicStatuses = new Set(['published', 'bidding_closed', 'awarded', 'in_delivery', 'accepted']);

/** Drafts and challenges under review are known only to their enterprise and operators (else 404). */
export function canViewChallenge(
  actor: ActorRef | null,
  challenge: { status: string },
  relation: ChallengeRelation,
): boolean {
  return publicStatuses.has(challenge.status) || relation.enterpriseMember || actor?.role === 'operator';
}

/** The enterprise's own view (private fields, bids list, evaluation): members and operators. */
export function canManageChallenge(actor: ActorRef | null, relation: ChallengeRelation): boolean {
  return relation.enterpriseMember || actor?.role === 'operator';
}

/** Content edits by the enterprise: before review, during review (back to draft) and while published. */
export function canEditChallenge(relation: ChallengeRelation, challenge: { status: string }): boolean {
  return (
    relation.enterpriseMember && ['draft', 'returned', 'under_review', 'published'].includes(challenge.status)
  );
}

/** Only the enterprise acts on its challenge (submit, close early, award, accept); operators review. */
export function canActForEnterprise(relation: ChallengeRelation): boolean {
  return relation.enterpriseMember;
}

export function canReviewChallenges(actor: ActorRef | null): boolean {
  return actor?.role === 'operator';
}

/** Withdrawal: the enterprise, or an operator (e.g. a complaint), while no one has been appointed. */
export function canWithdrawChallenge(actor: ActorRef, relation: ChallengeRelation): boolean {
  return relation.enterpriseMember || actor.role === 'operator';
}

/**
 * Bids are confidential: the bidder's parties, the posting enterprise and operators. Everyone else,
 * other bidders included, gets 404 (they may not learn the bid exists).
 */
export function canViewBid(
  actor: ActorRef | null,
  relation: { enterpriseMember: boolean; bidParty: boolean },
) {
  return relation.bidParty || relation.enterpriseMember || actor?.role === 'operator';
}

/** Who may bid in which form: experts alone or leading a team, societies as their organisation. */
export function bidKindsFor(role: UserRole): readonly ('expert' | 'team' | 'organisation')[] {
  if (role === 'expert') return ['expert', 'team'];
  if (role === 'society') return ['organisation'];
  return [];
}

// ---- Supply side: expert profiles, capabilities (成果), service teams, imports --------------------

/** Hidden profiles are known only to their owner and operators (404 for everyone else). */
export function canViewExpertProfile(
  actor: ActorRef | null,
  expert: { visibility: string; user_id: string | null },
): boolean {
  return (
    expert.visibility === 'public' ||
    (actor !== null && actor.userId === expert.user_id) ||
    actor?.role === 'operator'
  );
}

/**
 * Contact details: only when the expert agreed AND the viewer is a member of a verified enterprise
 * (an unverified account could be anyone; the consent is the expert's, not the platform's).
 */
export function canSeeExpertContact(
  expert: { contact_consent: boolean },
  viewerInVerifiedEnterprise: boolean,
): boolean {
  return expert.contact_consent && viewerInVerifiedEnterprise;
}

/** How the actor relates to one capability: its expert, or a member of its organisation. */
export interface CapabilityRelation {
  owner: boolean;
}

/** Published ones are public; drafts and taken-down ones only for their owner and operators (else 404). */
export function canViewCapability(
  actor: ActorRef | null,
  capability: { status: string },
  relation: CapabilityRelation,
): boolean {
  return capability.status === 'published' || relation.owner || actor?.role === 'operator';
}

/** Owners edit drafts and published capabilities; a taken-down one stays as the operator left it. */
export function canEditCapability(relation: CapabilityRelation, capability: { status: string }): boolean {
  return relation.owner && (capability.status === 'draft' || capability.status === 'published');
}

/** Authoring for an organisation needs membership; publishing as one also needs it verified (use case). */
export function canAuthorCapabilityFor(membership: MemberRole | null): boolean {
  return membership !== null;
}

export function canTakeDownCapability(actor: ActorRef | null): boolean {
  return actor?.role === 'operator';
}

/** Any member of a society forms service teams of its member experts. */
export function canFormServiceTeam(societyMembership: MemberRole | null, society: { kind: string }): boolean {
  return society.kind === 'society' && societyMembership !== null;
}

/** An import run's report: the person who ran it and operators (404 for others: it names people). */
export function canViewImportRun(actor: ActorRef, run: { actor_user_id: string | null }): boolean {
  return actor.role === 'operator' || run.actor_user_id === actor.userId;
}

/**
 * A society's public page follows the search index (society.search-documents.ts): every society not
 * rejected, since imported ones from the association's own lists wait for verification; a rejected
 * one only for its members and operators.
 */
export function canViewSocietyProfile(
  actor: ActorRef | null,
  society: { kind: string; verification_status: string },
  membership: MemberRole | null,
): boolean {
  if (society.kind !== 'society') return false;
  return society.verification_status !== 'rejected' || membership !== null || actor?.role === 'operator';
}

// ---- Attachments (附件) ------------------------------------------------------------------------------
// Reading an attachment follows its owner (a challenge's, a bid's, a capability's visibility), except
// for service-record evidence, which is narrower than the record itself.

/** Service-record evidence: the society that logged it, the host that received it, operators; else 404. */
export function canViewServiceRecordEvidence(parties: readonly StationParty[]): boolean {
  return parties.some((p) => p === 'society' || p === 'host' || p === 'operator');
}

/** The enterprise adds or removes challenge attachments while it is a draft or returned for changes. */
export function canAttachToChallenge(relation: ChallengeRelation, challenge: { status: string }): boolean {
  return relation.enterpriseMember && (challenge.status === 'draft' || challenge.status === 'returned');
}

/** The bid's author (lead, or a member of the bidding organisation) while the bid may still be edited. */
export function canAttachToBid(
  author: boolean,
  bid: { status: string; challenge_status: string; bid_deadline: Date },
  now: Date,
): boolean {
  return (
    author &&
    bid.status === 'submitted' &&
    bid.challenge_status === 'published' &&
    bid.bid_deadline.getTime() > now.getTime()
  );
}

/** The society that logged a service record, until the host has confirmed it. */
export function canAttachToServiceRecord(
  parties: readonly StationParty[],
  record: { status: string },
): boolean {
  return parties.includes('society') && record.status !== 'confirmed';
}

/**
 * Who uploaded a file is shown to the owner's side and operators only: publicly it could name an
 * enterprise that chose to hide its name on the challenge.
 */
export function canSeeAttachmentUploader(ownerSide: boolean, actor: ActorRef | null): boolean {
  return ownerSide || actor?.role === 'operator';
}
