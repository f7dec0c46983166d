import type { Database } from '../../db/database.js';
import type { MemberRole } from '../auth/policy.js';

export const organisationColumns = [
  'organisations.id',
  'organisations.kind',
  'organisations.name',
  'organisations.credit_code',
  'organisations.region_code',
  'organisations.description',
  'organisations.verification_status',
  'organisations.verification_reason',
  'organisations.created_at',
] as const;

export async function findOrganisation(db: Database, id: string) {
  return db.selectFrom('organisations').select(organisationColumns).where('id', '=', id).executeTakeFirst();
}

export async function findMembership(
  db: Database,
  organisationId: string,
  userId: string | null,
): Promise<MemberRole | null> {
  if (!userId) return null;
  const row = await db
    .selectFrom('organisation_members')
    .select('role')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (row?.role as MemberRole | undefined) ?? null;
}

export async function listMyOrganisations(db: Database, userId: string) {
  const rows = await db
    .selectFrom('organisation_members')
    .innerJoin('organisations', 'organisations.id', 'organisation_members.organisation_id')
    .select([...organisationColumns, 'organisation_members.role as member_role'])
    .where('organisation_members.user_id', '=', userId)
    .orderBy('organisations.name')
    .execute();
  return rows.map((r) => ({ ...r, member_role: r.member_role as MemberRole }));
}

export async function listMembers(db: Database, organisationId: string) {
  return db
    .selectFrom('organisation_members')
    .innerJoin('users', 'users.id', 'organisation_members.user_id')
    .select(['users.id as user_id', 'users.display_name', 'users.email', 'organisation_members.role'])
    .where('organisation_members.organisation_id', '=', organisationId)
    .orderBy('organisation_members.created_at')
    .execute();
}

/** The operator's queue: oldest first, so nobody waits behind newer requests. */
export async function listOrganisationsByVerification(db: Database, status: string) {
  return db
    .selectFrom('organisations')
    .select(organisationColumns)
    .where('verification_status', '=', status)
    .orderBy('created_at')
    .limit(200)
    .execute();
}
