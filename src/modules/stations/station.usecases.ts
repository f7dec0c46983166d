import type { Transaction } from 'kysely';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldProblem } from '../../http/errors.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import { mailerOf, type RequestMeta } from '../auth/account.usecases.js';
import {
  type ActorRef,
  canActOnStation,
  canApplyForStation,
  canConfirmServiceRecord,
  canGradeStations,
  canLogServiceRecord,
  canViewStation,
  canViewStationInternals,
  type StationParty,
} from '../auth/policy.js';
import {
  chinaDay,
  type StationAction,
  type StationStatus,
  stationTransitions,
  transitionStation,
} from './station.lifecycle.js';
import {
  findMembershipRole,
  findRecord,
  findStation,
  findStationParties,
  listAdminEmails,
  listStationEvents,
  listStationExperts,
  listStationGrades,
  type RecordRow,
  type StationRow,
} from './station.queries.js';
import type { RecordInput, StationInput } from './station.schemas.js';

/** Station use cases: each loads what it needs, checks policy, and owns its transaction (with audit row). */
const m = messages.station;

/** The acting user, with the name the status history shows. */
export interface StationActorRef extends ActorRef {
  displayName: string;
}

const invalid = (fields: FieldProblem[]) => new AppError('VALIDATION_FAILED', { fields });

/** 404 (not 403) for a station the actor may not know exists; returns the station and the actor's parties. */
export async function loadVisibleStation(db: Database, id: string, actor: ActorRef | null) {
  const station = await findStation(db, id);
  if (!station) throw new AppError('STATION_NOT_FOUND');
  const parties = await findStationParties(db, station, actor);
  if (!canViewStation(station, parties)) throw new AppError('STATION_NOT_FOUND');
  return { station, parties };
}

/** The API/page view of a station: parties also see history, pending experts and grades' reasons. */
export async function stationView(
  deps: Pick<AppDeps, 'db' | 'reference'>,
  station: StationRow,
  parties: StationParty[],
) {
  const internals = canViewStationInternals(parties);
  const reference = await deps.reference.get();
  const [experts, events, grades, disciplines] = await Promise.all([
    listStationExperts(deps.db, station.id, !internals),
    internals ? listStationEvents(deps.db, station.id) : Promise.resolve([]),
    listStationGrades(deps.db, station.id),
    station.discipline_codes.length > 0
      ? deps.db
          .selectFrom('disciplines')
          .select(['code', 'name'])
          .where('code', 'in', station.discipline_codes)
          .execute()
      : Promise.resolve([]),
  ]);
  return {
    id: station.id,
    name: station.name,
    kind: { code: station.kind_code, name: station.kind_name },
    level: station.level as 'national' | 'provincial',
    status: station.status as StationStatus,
    society: { id: station.society_id, name: station.society_name },
    host: {
      id: station.host_organisation_id,
      name: station.host_name,
      kind: station.host_kind as 'enterprise' | 'park' | 'county_government',
    },
    region: { code: station.region_code, name: station.region_name },
    prefecture: station.prefecture_code
      ? { code: station.prefecture_code, name: station.prefecture_name ?? '' }
      : null,
    address: station.address,
    industries: station.industry_codes.map((code) => ({
      code,
      name: reference.industryName.get(code) ?? code,
    })),
    disciplines: station.discipline_codes.map((code) => ({
      code,
      name: disciplines.find((d) => d.code === code)?.name ?? code,
    })),
    description: station.description,
    term_start: station.term_start,
    term_end: station.term_end,
    approved_at: station.approved_at?.toISOString() ?? null,
    experts: experts.map((e) => ({
      id: e.id,
      name: e.name,
      title: e.title,
      consent: e.consent as 'pending' | 'given' | 'declined',
    })),
    grades: grades.map((g) => ({
      year: g.year,
      grade: g.grade as 'excellent' | 'good' | 'pass',
      reason: g.reason,
    })),
    my_parties: parties.filter((p): p is 'society' | 'host' | 'operator' => p !== 'expert'),
    events: events.map((e) => ({
      action: e.action,
      from_status: e.from_status,
      to_status: e.to_status,
      actor: e.actor_label,
      reason: e.reason,
      at: e.created_at.toISOString(),
    })),
  };
}

export function recordView(record: RecordRow) {
  return {
    ...record,
    kind: record.kind as RecordInput['kind'],
    status: record.status as 'submitted' | 'confirmed' | 'disputed',
    confirmed_at: record.confirmed_at?.toISOString() ?? null,
  };
}

async function notifyParties(
  trx: Transaction<DB>,
  deps: AppDeps,
  station: { society_id: string; host_organisation_id: string },
  mail: { subject: string; text: string; kind: string },
) {
  for (const to of await listAdminEmails(trx, [station.society_id, station.host_organisation_id])) {
    await mailerOf(deps).send(trx, { to, ...mail });
  }
}

/** Checks every reference of an application against the database; all problems at once. */
async function validateApplication(deps: AppDeps, input: StationInput): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const reference = await deps.reference.get();
  const kind = await deps.db
    .selectFrom('station_kinds')
    .select('code')
    .where('code', '=', input.kind_code)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  if (!kind) problems.push({ field: 'kind_code', reason: m.unknownKind });
  const region = reference.regions.find((r) => r.code === input.region_code);
  if (region?.level !== 'county') problems.push({ field: 'region_code', reason: m.notCounty });
  for (const code of input.industry_codes)
    if (!reference.industryName.has(code))
      problems.push({ field: 'industry_codes', reason: m.unknownIndustry(code) });
  if (input.discipline_codes.length > 0) {
    const known = new Set(
      (
        await deps.db
          .selectFrom('disciplines')
          .select('code')
          .where('code', 'in', input.discipline_codes)
          .where('retired_at', 'is', null)
          .execute()
      ).map((d) => d.code),
    );
    for (const code of input.discipline_codes)
      if (!known.has(code)) problems.push({ field: 'discipline_codes', reason: m.unknownDiscipline(code) });
  }
  const host = await deps.db
    .selectFrom('organisations')
    .select(['id', 'verification_status'])
    .where('id', '=', input.host_organisation_id)
    .executeTakeFirst();
  if (input.host_organisation_id === input.society_id)
    problems.push({ field: 'host_organisation_id', reason: m.hostIsSociety });
  else if (host?.verification_status !== 'verified')
    problems.push({ field: 'host_organisation_id', reason: m.hostNotFound });
  if (input.expert_ids.length > 0) {
    const found = await deps.db
      .selectFrom('expert_profiles')
      .select('id')
      .where('id', 'in', input.expert_ids)
      .execute();
    if (found.length !== new Set(input.expert_ids).size)
      problems.push({ field: 'expert_ids', reason: m.unknownExpert });
  }
  return problems;
}

/** A society member applies for a station at a host; the host's admins are asked to confirm. */
export async function applyForStation(
  deps: AppDeps,
  actor: StationActorRef,
  input: StationInput,
  meta: RequestMeta,
) {
  const society = await deps.db
    .selectFrom('organisations')
    .select(['id', 'kind', 'verification_status'])
    .where('id', '=', input.society_id)
    .executeTakeFirst();
  const membership = society ? await findMembershipRole(deps.db, society.id, actor.userId) : null;
  if (!society || !canApplyForStation(membership, society))
    throw new AppError('FORBIDDEN', { fields: [{ field: 'society_id', reason: m.notYourSociety }] });
  if (society.verification_status !== 'verified')
    throw invalid([{ field: 'society_id', reason: m.societyNotVerified }]);
  const problems = await validateApplication(deps, input);
  if (problems.length > 0) throw invalid(problems);
  const now = deps.clock();
  const id = await deps.db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('stations')
      .values({
        kind_code: input.kind_code,
        level: input.level,
        name: input.name,
        society_id: input.society_id,
        host_organisation_id: input.host_organisation_id,
        host_kind: input.host_kind,
        region_code: input.region_code,
        address: input.address,
        industry_codes: input.industry_codes,
        discipline_codes: input.discipline_codes,
        description: input.description ?? '',
        term_start: input.term_start,
        term_end: input.term_end,
        created_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('station_status_events')
      .values({
        station_id: id,
        action: 'apply',
        from_status: null,
        to_status: 'applied',
        actor_user_id: actor.userId,
        actor_label: actor.displayName,
        created_at: now,
      })
      .execute();
    const expertIds = [...new Set(input.expert_ids)];
    if (expertIds.length > 0) {
      await trx
        .insertInto('station_experts')
        .values(expertIds.map((expert_id) => ({ station_id: id, expert_id })))
        .execute();
      const accounts = await trx
        .selectFrom('expert_profiles as e')
        .innerJoin('users as u', 'u.id', 'e.user_id')
        .select('u.email')
        .where('e.id', 'in', expertIds)
        .execute();
      for (const { email } of accounts)
        await mailerOf(deps).send(trx, {
          to: email,
          subject: m.consentSubject(input.name),
          text: m.consentBody(input.name, `${meta.origin}/stations/${id}`),
          kind: 'station_consent',
        });
    }
    for (const to of await listAdminEmails(trx, [input.host_organisation_id]))
      await mailerOf(deps).send(trx, {
        to,
        subject: m.transitionSubject(input.name, m.newTitle),
        text: m.transitionBody(
          input.name,
          m.newTitle,
          m.statuses.applied!,
          null,
          `${meta.origin}/stations/${id}`,
        ),
        kind: 'station_applied',
      });
    await recordAudit(trx, meta.actor, {
      action: 'station.applied',
      targetType: 'station',
      targetId: id,
      after: { ...input, status: 'applied' },
    });
    return id;
  });
  const station = (await findStation(deps.db, id))!;
  return stationView(deps, station, await findStationParties(deps.db, station, actor));
}

/** Any life-cycle action a person may take (confirm, approve, reject, renew, suspend, revoke, ...). */
export async function actOnStation(
  deps: AppDeps,
  actor: StationActorRef,
  id: string,
  input: { action: StationAction; reason?: string | undefined; term_end?: string | undefined },
  meta: RequestMeta,
) {
  const { station, parties } = await loadVisibleStation(deps.db, id, actor);
  const transition = stationTransitions[input.action];
  if (!canActOnStation(parties, transition.by)) throw new AppError('FORBIDDEN');
  if (input.action === 'renew' && input.term_end && input.term_end <= station.term_end)
    throw invalid([{ field: 'term_end', reason: m.termEndNotLater }]);
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const to = await transitionStation(trx, {
      stationId: id,
      from: station.status as StationStatus,
      action: input.action,
      actor: { userId: actor.userId, label: actor.displayName },
      reason: input.reason ?? null,
      at: now,
      termEnd: input.action === 'renew' ? input.term_end : undefined,
    });
    const action = m.actions[input.action]!;
    await notifyParties(trx, deps, station, {
      subject: m.transitionSubject(station.name, action),
      text: m.transitionBody(
        station.name,
        action,
        m.statuses[to]!,
        input.reason ?? null,
        `${meta.origin}/stations/${id}`,
      ),
      kind: `station_${input.action}`,
    });
    await recordAudit(trx, meta.actor, {
      action: `station.${input.action}`,
      targetType: 'station',
      targetId: id,
      before: { status: station.status, term_end: station.term_end },
      after: { status: to, ...(input.term_end ? { term_end: input.term_end } : {}) },
      reason: input.reason ?? null,
    });
  });
  const after = (await findStation(deps.db, id))!;
  return stationView(deps, after, parties);
}

/** The listed expert (through their own account) agrees to be stationed, or declines. */
export async function setExpertConsent(
  deps: AppDeps,
  actor: ActorRef,
  stationId: string,
  expertId: string,
  consent: 'given' | 'declined',
  meta: RequestMeta,
) {
  const { station } = await loadVisibleStation(deps.db, stationId, actor);
  const row = await deps.db
    .selectFrom('station_experts as se')
    .innerJoin('expert_profiles as e', 'e.id', 'se.expert_id')
    .select(['se.consent', 'e.user_id'])
    .where('se.station_id', '=', stationId)
    .where('se.expert_id', '=', expertId)
    .executeTakeFirst();
  if (!row) throw new AppError('EXPERT_NOT_FOUND');
  // Only the expert themself says yes for themself: a society cannot consent on their behalf.
  if (row.user_id !== actor.userId) throw new AppError('FORBIDDEN');
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('station_experts')
      .set({ consent, consent_at: deps.clock() })
      .where('station_id', '=', stationId)
      .where('expert_id', '=', expertId)
      .execute();
    await enqueueSearchSync(trx, 'station', [stationId]);
    await recordAudit(trx, meta.actor, {
      action: `station.expert_consent_${consent}`,
      targetType: 'station',
      targetId: stationId,
      before: { expert_id: expertId, consent: row.consent },
      after: { expert_id: expertId, consent },
    });
  });
  return stationView(
    deps,
    (await findStation(deps.db, station.id))!,
    await findStationParties(deps.db, station, actor),
  );
}

/** The society logs a service its running station delivered; the host is asked to confirm it. */
export async function logServiceRecord(
  deps: AppDeps,
  actor: ActorRef,
  stationId: string,
  input: RecordInput,
  meta: RequestMeta,
) {
  const { station, parties } = await loadVisibleStation(deps.db, stationId, actor);
  if (!canLogServiceRecord(parties)) throw new AppError('FORBIDDEN');
  if (station.status !== 'active') throw new AppError('STATION_STATE_CONFLICT', { detail: m.notActive });
  const problems: FieldProblem[] = [];
  const now = deps.clock();
  if (input.served_on > chinaDay(now)) problems.push({ field: 'served_on', reason: m.servedOnFuture });
  else if (input.served_on < station.term_start || input.served_on > station.term_end)
    problems.push({ field: 'served_on', reason: m.servedOnOutsideTerm });
  const expertIds = [...new Set(input.expert_ids)];
  if (expertIds.length > 0) {
    const stationed = await deps.db
      .selectFrom('station_experts')
      .select('expert_id')
      .where('station_id', '=', stationId)
      .where('consent', '=', 'given')
      .where('expert_id', 'in', expertIds)
      .execute();
    if (stationed.length !== expertIds.length)
      problems.push({ field: 'expert_ids', reason: m.recordExpertNotStationed });
  }
  if (input.challenge_id) {
    const challenge = await deps.db
      .selectFrom('challenges')
      .select('id')
      .where('id', '=', input.challenge_id)
      .executeTakeFirst();
    if (!challenge) problems.push({ field: 'challenge_id', reason: m.unknownChallenge });
  }
  if (input.capability_id) {
    const capability = await deps.db
      .selectFrom('capabilities')
      .select('id')
      .where('id', '=', input.capability_id)
      .where('status', '=', 'published')
      .executeTakeFirst();
    if (!capability) problems.push({ field: 'capability_id', reason: m.unknownCapability });
  }
  if (input.beneficiary_organisation_id) {
    const org = await deps.db
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', input.beneficiary_organisation_id)
      .executeTakeFirst();
    if (!org) problems.push({ field: 'beneficiary_organisation_id', reason: m.unknownBeneficiary });
  }
  if (problems.length > 0) throw invalid(problems);
  const id = await deps.db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('service_records')
      .values({
        station_id: stationId,
        kind: input.kind,
        title: input.title,
        served_on: input.served_on,
        beneficiaries: input.beneficiaries,
        beneficiary_organisation_id: input.beneficiary_organisation_id ?? null,
        evidence: input.evidence ?? '',
        challenge_id: input.challenge_id ?? null,
        capability_id: input.capability_id ?? null,
        created_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (expertIds.length > 0)
      await trx
        .insertInto('service_record_experts')
        .values(expertIds.map((expert_id) => ({ record_id: id, expert_id })))
        .execute();
    for (const to of await listAdminEmails(trx, [station.host_organisation_id]))
      await mailerOf(deps).send(trx, {
        to,
        subject: m.transitionSubject(station.name, m.addRecord),
        text: m.transitionBody(
          station.name,
          m.addRecord,
          m.statuses.active!,
          input.title,
          `${meta.origin}/stations/${stationId}`,
        ),
        kind: 'service_record_submitted',
      });
    await recordAudit(trx, meta.actor, {
      action: 'service_record.created',
      targetType: 'service_record',
      targetId: id,
      after: { station_id: stationId, ...input },
    });
    return id;
  });
  return recordView((await findRecord(deps.db, id))!);
}

/** The record and its station, for its host: 404 to those who may not see it, 403 to other parties. */
export async function loadRecordForDecision(db: Database, actor: ActorRef, recordId: string) {
  const record = await findRecord(db, recordId);
  if (!record) throw new AppError('SERVICE_RECORD_NOT_FOUND');
  const station = (await findStation(db, record.station_id))!;
  const parties = await findStationParties(db, station, actor);
  if (!canViewStationInternals(parties)) throw new AppError('SERVICE_RECORD_NOT_FOUND');
  if (!canConfirmServiceRecord(parties)) throw new AppError('FORBIDDEN');
  return { record, station };
}

/**
 * The host confirms (or disputes, with a reason) a record. Guarded update (`where status =
 * 'submitted'`): a second decision gets ALREADY_DECIDED instead of overwriting the first.
 */
export async function decideServiceRecord(
  deps: AppDeps,
  actor: ActorRef,
  recordId: string,
  input: { decision: 'confirmed' | 'disputed'; reason?: string | undefined },
  meta: RequestMeta,
) {
  const { record, station } = await loadRecordForDecision(deps.db, actor, recordId);
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('service_records')
      .set({
        status: input.decision,
        ...(input.decision === 'confirmed'
          ? { confirmed_at: now, confirmed_by: actor.userId }
          : { dispute_reason: input.reason ?? null }),
      })
      .where('id', '=', recordId)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n)
      throw new AppError('ALREADY_DECIDED', { detail: m.recordAlreadyDecided });
    // The public station document counts confirmed records.
    await enqueueSearchSync(trx, 'station', [station.id]);
    await recordAudit(trx, meta.actor, {
      action: `service_record.${input.decision}`,
      targetType: 'service_record',
      targetId: recordId,
      before: { status: record.status },
      after: { status: input.decision },
      reason: input.reason ?? null,
    });
  });
  return recordView((await findRecord(deps.db, recordId))!);
}

/** An operator's yearly grade (优秀/良好/合格) of an approved station, with the reason; re-grading replaces it. */
export async function gradeStation(
  deps: AppDeps,
  actor: ActorRef,
  stationId: string,
  year: number,
  input: { grade: 'excellent' | 'good' | 'pass'; reason: string },
  meta: RequestMeta,
) {
  if (!canGradeStations(actor)) throw new AppError('FORBIDDEN');
  const station = await findStation(deps.db, stationId);
  if (!station) throw new AppError('STATION_NOT_FOUND');
  if (!station.approved_at) throw new AppError('STATION_STATE_CONFLICT');
  await deps.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('station_grades')
      .select(['grade', 'reason'])
      .where('station_id', '=', stationId)
      .where('year', '=', year)
      .executeTakeFirst();
    await trx
      .insertInto('station_grades')
      .values({
        station_id: stationId,
        year,
        grade: input.grade,
        reason: input.reason,
        graded_by: actor.userId,
      })
      .onConflict((oc) =>
        oc.columns(['station_id', 'year']).doUpdateSet({
          grade: input.grade,
          reason: input.reason,
          graded_by: actor.userId,
          graded_at: deps.clock(),
        }),
      )
      .execute();
    await recordAudit(trx, meta.actor, {
      action: 'station.graded',
      targetType: 'station',
      targetId: stationId,
      before: before ?? null,
      after: { year, ...input },
      reason: input.reason,
    });
  });
  return { year, ...input };
}
