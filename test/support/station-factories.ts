import type { Database } from '../../src/db/database.js';
import { createSession, type UserRole } from '../../src/modules/auth/session.js';
import { type StationAction, transitionStation } from '../../src/modules/stations/station.lifecycle.js';
import { newOrganisationFor, newUser } from './account-factories.js';

type App = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

/**
 * A signed-in persona whose session is created directly (not through the login route), so a test
 * file with many personas does not run into the per-IP login rate limit.
 */
export async function personaWithSession(db: Database, _app: App, role: UserRole) {
  const user = await newUser(db, role);
  const { token } = await createSession(db, user.id, new Date(), { ip: null, userAgent: null });
  return { user, cookie: `__Host-jb_session=${token}` };
}
const signedIn = personaWithSession;

/** Persona: 省茶叶学会 with its secretary-general signed in (verified, she is its admin). */
export async function newSocietyPersona(db: Database, app: App, name = '贵州省茶叶学会') {
  const person = await signedIn(db, app, 'society');
  const org = await newOrganisationFor(db, person.user.id, {
    kind: 'society',
    name,
    verification_status: 'verified',
  });
  return { ...person, org };
}

/** Persona: the host enterprise 黔茶科技 with its manager signed in (verified, admin). */
export async function newHostPersona(db: Database, app: App, name = '贵州黔茶科技有限公司') {
  const person = await signedIn(db, app, 'enterprise');
  const org = await newOrganisationFor(db, person.user.id, {
    kind: 'enterprise',
    name,
    verification_status: 'verified',
  });
  return { ...person, org };
}

/** An expert profile such as 王教授, optionally owned by a user account (who can then consent). */
export async function newExpertProfile(
  db: Database,
  overrides: Partial<{ name: string; userId: string }> = {},
) {
  return db
    .insertInto('expert_profiles')
    .values({
      name: overrides.name ?? '王教授',
      title: '研究员',
      affiliation: '贵州大学茶学院',
      fields: ['茶树栽培'],
      user_id: overrides.userId ?? null,
    })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

/** A valid application body; override what a test is about. */
export function stationApplication(
  societyId: string,
  hostId: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    kind_code: 'society-workstation',
    level: 'provincial',
    name: '贵州省茶叶学会湄潭工作站',
    society_id: societyId,
    host_organisation_id: hostId,
    host_kind: 'enterprise',
    region_code: '520328',
    address: '遵义市湄潭县湄江街道茶城大道 1 号',
    industry_codes: ['rural-tea'],
    discipline_codes: [],
    description: '服务湄潭茶产业的绿色防控与加工提质',
    term_start: '2026-01-01',
    term_end: '2028-12-31',
    expert_ids: [],
    ...overrides,
  };
}

const pathTo: Record<string, StationAction[]> = {
  applied: [],
  host_confirmed: ['confirm_host'],
  active: ['confirm_host', 'approve'],
  suspended: ['confirm_host', 'approve', 'suspend'],
  expired: ['confirm_host', 'approve', 'expire'],
  revoked: ['confirm_host', 'approve', 'revoke'],
};

/**
 * A station inserted directly and walked through the real life cycle to `status` (events and outbox
 * rows included), for tests that are not about the application journey.
 */
export async function newStation(
  db: Database,
  input: {
    societyId: string;
    hostId: string;
    status?: keyof typeof pathTo;
    region_code?: string;
    industry_codes?: string[];
    kind_code?: string;
    term_start?: string;
    term_end?: string;
    name?: string;
    approvedAt?: Date;
    expertIds?: string[];
  },
) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('stations')
      .values({
        kind_code: input.kind_code ?? 'society-workstation',
        level: 'provincial',
        name: input.name ?? '贵州省茶叶学会湄潭工作站',
        society_id: input.societyId,
        host_organisation_id: input.hostId,
        host_kind: 'enterprise',
        region_code: input.region_code ?? '520328',
        address: '湄潭县茶城大道 1 号',
        industry_codes: input.industry_codes ?? ['rural-tea'],
        term_start: input.term_start ?? '2025-01-01',
        term_end: input.term_end ?? '2028-12-31',
      })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
    if (input.expertIds?.length)
      await trx
        .insertInto('station_experts')
        .values(input.expertIds.map((expert_id) => ({ station_id: row.id, expert_id, consent: 'given' })))
        .execute();
    let from = 'applied' as Parameters<typeof transitionStation>[1]['from'];
    for (const action of pathTo[input.status ?? 'active']!) {
      from = await transitionStation(trx, {
        stationId: row.id,
        from,
        action,
        actor: { userId: null, label: '测试' },
        at: input.approvedAt ?? new Date('2025-01-01T00:00:00Z'),
      });
    }
    return row;
  });
}

/** A service record inserted directly (status as given), with its experts. */
export async function newServiceRecord(
  db: Database,
  input: {
    stationId: string;
    served_on: string;
    status?: 'submitted' | 'confirmed' | 'disputed';
    kind?: string;
    beneficiaries?: number;
    beneficiaryOrganisationId?: string;
    expertIds?: string[];
    challengeId?: string;
  },
) {
  const status = input.status ?? 'confirmed';
  const row = await db
    .insertInto('service_records')
    .values({
      station_id: input.stationId,
      kind: input.kind ?? 'training',
      title: '茶园绿色防控现场培训',
      served_on: input.served_on,
      beneficiaries: input.beneficiaries ?? 30,
      beneficiary_organisation_id: input.beneficiaryOrganisationId ?? null,
      challenge_id: input.challengeId ?? null,
      status,
      confirmed_at: status === 'confirmed' ? new Date(`${input.served_on}T12:00:00+08:00`) : null,
      dispute_reason: status === 'disputed' ? '未见培训签到表' : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.expertIds?.length)
    await db
      .insertInto('service_record_experts')
      .values(input.expertIds.map((expert_id) => ({ record_id: row.id, expert_id })))
      .execute();
  return row;
}
