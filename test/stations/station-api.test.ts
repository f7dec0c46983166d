import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jsonRequest } from '../support/account-factories.js';
import {
  newExpertProfile,
  newHostPersona,
  newSocietyPersona,
  newStation,
  personaWithSession as signedIn,
  stationApplication,
} from '../support/station-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});
const url = (path: string) => `http://localhost${path}`;
const get = (path: string, cookie?: string) =>
  ctx.app.request(url(path), cookie ? { headers: { Cookie: cookie } } : {});
const post = (path: string, body: unknown, cookie?: string, method = 'POST') =>
  ctx.app.request(url(path), jsonRequest(method, body, cookie));
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('the station journey over the API', () => {
  test('省茶叶学会 applies, 黔茶科技 confirms, the operator approves; every step is an event and the registry shows it', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const expertUser = await signedIn(ctx.db, ctx.app, 'expert');
    const wang = await newExpertProfile(ctx.db, { userId: expertUser.user.id });

    const applied = await post(
      '/api/v1/stations',
      stationApplication(society.org.id, host.org.id, { expert_ids: [wang.id], term_start: '2026-01-01' }),
      society.cookie,
    );
    expect(applied.status).toBe(201);
    const station = await applied.json();
    expect(station).toMatchObject({ status: 'applied', my_parties: ['society'] });
    expect(station.experts).toEqual([expect.objectContaining({ id: wang.id, consent: 'pending' })]);
    // Not public yet: an outsider does not learn it exists.
    expect((await get(`/api/v1/stations/${station.id}`)).status).toBe(404);
    // The host's admin was mailed to confirm, the expert to consent.
    const mails = await ctx.db.selectFrom('outbound_emails').select(['to_address', 'kind']).execute();
    expect(mails).toEqual(
      expect.arrayContaining([
        { to_address: host.user.email, kind: 'station_applied' },
        { to_address: expertUser.user.email, kind: 'station_consent' },
      ]),
    );

    const confirmed = await post(
      `/api/v1/stations/${station.id}/transitions`,
      { action: 'confirm_host' },
      host.cookie,
    );
    expect(confirmed.status).toBe(200);
    expect((await confirmed.json()).status).toBe('host_confirmed');

    const consent = await post(
      `/api/v1/stations/${station.id}/experts/${wang.id}/consent`,
      { consent: 'given' },
      expertUser.cookie,
      'PUT',
    );
    expect(consent.status).toBe(200);

    const queue = await (await get('/api/v1/admin/stations', operator.cookie)).json();
    expect(queue.data.map((s: { id: string }) => s.id)).toContain(station.id);

    const approved = await post(
      `/api/v1/stations/${station.id}/transitions`,
      { action: 'approve', reason: '材料齐全' },
      operator.cookie,
    );
    expect(approved.status).toBe(200);
    const view = await approved.json();
    expect(view.status).toBe('active');
    expect(view.events.map((e: { action: string }) => e.action)).toEqual([
      'apply',
      'confirm_host',
      'approve',
    ]);
    expect(view.events[2]).toMatchObject({
      from_status: 'host_confirmed',
      to_status: 'active',
      reason: '材料齐全',
    });

    const events = await ctx.db
      .selectFrom('station_status_events')
      .select(['action', 'actor_user_id'])
      .where('station_id', '=', station.id)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { action: 'apply', actor_user_id: society.user.id },
      { action: 'confirm_host', actor_user_id: host.user.id },
      { action: 'approve', actor_user_id: operator.user.id },
    ]);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', station.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'station.applied',
      'station.confirm_host',
      'station.expert_consent_given',
      'station.approve',
    ]);

    // Public now: page, and the registry after the outbox ran.
    const publicView = await (await get(`/api/v1/stations/${station.id}`)).json();
    expect(publicView.events).toEqual([]);
    expect(publicView.experts).toEqual([expect.objectContaining({ name: '王教授', consent: 'given' })]);
    await ctx.drainOutbox();
    const registry = await (await get('/api/v1/stations?county=520328')).json();
    expect(registry.data.map((s: { id: string }) => s.id)).toContain(station.id);
    expect(registry.facets.prefecture).toEqual([
      expect.objectContaining({ value: '520300', label: '遵义市' }),
    ]);
    expect(registry.facets.industry[0]).toMatchObject({ value: 'rural-tea', label: '茶叶' });
    // The map's counts ignore the place filter: other prefectures keep theirs (none here).
    expect(registry.prefecture_counts['520300']).toBeGreaterThanOrEqual(1);
  });

  test('a service record is logged by the society and confirmed by the host; only confirmed ones are public', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const wang = await newExpertProfile(ctx.db);
    const station = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      expertIds: [wang.id],
    });
    const logged = await post(
      `/api/v1/stations/${station.id}/records`,
      {
        kind: 'training',
        title: '茶园绿色防控现场培训',
        served_on: today(),
        beneficiaries: 42,
        expert_ids: [wang.id],
      },
      society.cookie,
    );
    expect(logged.status).toBe(201);
    const record = await logged.json();
    expect(record).toMatchObject({
      status: 'submitted',
      beneficiaries: 42,
      experts: [{ id: wang.id, name: '王教授' }],
    });
    expect((await (await get(`/api/v1/stations/${station.id}/records`)).json()).data).toEqual([]);

    const mine = await (await get('/api/v1/me/stations', host.cookie)).json();
    expect(mine.records_to_confirm.map((r: { id: string }) => r.id)).toEqual([record.id]);

    const confirmed = await post(
      `/api/v1/service-records/${record.id}/confirmation`,
      { decision: 'confirmed' },
      host.cookie,
    );
    expect(confirmed.status).toBe(200);
    expect((await confirmed.json()).status).toBe('confirmed');
    const again = await post(
      `/api/v1/service-records/${record.id}/confirmation`,
      { decision: 'confirmed' },
      host.cookie,
    );
    expect(again.status).toBe(409);

    const publicRecords = (await (await get(`/api/v1/stations/${station.id}/records`)).json()).data;
    expect(publicRecords.map((r: { id: string }) => r.id)).toEqual([record.id]);
    await ctx.drainOutbox();
    const registry = await (await get(`/api/v1/stations?q=${encodeURIComponent('湄潭工作站')}`)).json();
    expect(registry.data.find((s: { id: string }) => s.id === station.id)?.confirmed_records).toBe(1);
  });

  test('the host disputes a record with a reason; without one it is a 422', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const station = await newStation(ctx.db, { societyId: society.org.id, hostId: host.org.id });
    const record = await (
      await post(
        `/api/v1/stations/${station.id}/records`,
        { kind: 'visit', title: '走访茶企', served_on: today(), beneficiaries: 5 },
        society.cookie,
      )
    ).json();
    const noReason = await post(
      `/api/v1/service-records/${record.id}/confirmation`,
      { decision: 'disputed' },
      host.cookie,
    );
    expect(noReason.status).toBe(422);
    const disputed = await post(
      `/api/v1/service-records/${record.id}/confirmation`,
      { decision: 'disputed', reason: '当天未见专家到场' },
      host.cookie,
    );
    expect(await disputed.json()).toMatchObject({ status: 'disputed', dispute_reason: '当天未见专家到场' });
  });

  test('renewal moves the term end and is recorded; suspension needs a reason and hides the station', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const station = await newStation(ctx.db, { societyId: society.org.id, hostId: host.org.id });
    const earlier = await post(
      `/api/v1/stations/${station.id}/transitions`,
      { action: 'renew', term_end: '2027-01-01' },
      operator.cookie,
    );
    expect(earlier.status).toBe(422);
    const renewed = await post(
      `/api/v1/stations/${station.id}/transitions`,
      { action: 'renew', term_end: '2031-12-31', reason: '年度考核合格，续期三年' },
      operator.cookie,
    );
    expect(await renewed.json()).toMatchObject({ status: 'active', term_end: '2031-12-31' });

    const noReason = await post(
      `/api/v1/stations/${station.id}/transitions`,
      { action: 'suspend' },
      operator.cookie,
    );
    expect(noReason.status).toBe(422);
    expect((await noReason.json()).errors[0].field).toBe('reason');
    const suspended = await post(
      `/api/v1/stations/${station.id}/transitions`,
      { action: 'suspend', reason: '全年无服务记录' },
      operator.cookie,
    );
    expect((await suspended.json()).status).toBe('suspended');
    expect((await get(`/api/v1/stations/${station.id}`)).status).toBe(404);
    // A move the life cycle does not allow is a 409 with the state named.
    const approveAgain = await post(
      `/api/v1/stations/${station.id}/transitions`,
      { action: 'approve' },
      operator.cookie,
    );
    expect(approveAgain.status).toBe(409);
    expect((await approveAgain.json()).code).toBe('STATION_STATE_CONFLICT');
  });
});

describe('bad applications get specific errors', () => {
  test('a prefecture instead of a county, an unknown industry and the society as its own host', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const res = await post(
      '/api/v1/stations',
      stationApplication(society.org.id, society.org.id, {
        region_code: '520300',
        industry_codes: ['no-such'],
      }),
      society.cookie,
    );
    expect(res.status).toBe(422);
    const fields = (await res.json()).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['region_code', 'industry_codes', 'host_organisation_id']));
  });

  test('term end before term start is refused by the schema', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const res = await post(
      '/api/v1/stations',
      stationApplication(society.org.id, host.org.id, { term_start: '2027-01-01', term_end: '2026-01-01' }),
      society.cookie,
    );
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual([expect.objectContaining({ field: 'term_end' })]);
  });

  test('a service record dated in the future or with an expert not stationed is refused', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const stranger = await newExpertProfile(ctx.db, { name: '李研究员' });
    const station = await newStation(ctx.db, { societyId: society.org.id, hostId: host.org.id });
    const res = await post(
      `/api/v1/stations/${station.id}/records`,
      {
        kind: 'consulting',
        title: '咨询',
        served_on: '2099-01-01',
        beneficiaries: 1,
        expert_ids: [stranger.id],
      },
      society.cookie,
    );
    expect(res.status).toBe(422);
    const fields = (await res.json()).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(['served_on', 'expert_ids']);
  });
});

describe('permissions per role and owner', () => {
  test('a society member applies only in the name of their own society', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const other = await newSocietyPersona(ctx.db, ctx.app, '贵州省辣椒学会');
    const host = await newHostPersona(ctx.db, ctx.app);
    const res = await post('/api/v1/stations', stationApplication(society.org.id, host.org.id), other.cookie);
    expect(res.status).toBe(403);
    const asEnterprise = await post(
      '/api/v1/stations',
      stationApplication(society.org.id, host.org.id),
      host.cookie,
    );
    expect(asEnterprise.status).toBe(403);
  });

  test('only the host confirms, only an operator approves, outsiders do not see an application', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const outsider = await newHostPersona(ctx.db, ctx.app, '贵州另一家公司');
    const station = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      status: 'applied',
    });
    const transition = (action: string, cookie: string) =>
      post(`/api/v1/stations/${station.id}/transitions`, { action, reason: '测试' }, cookie);
    expect((await transition('confirm_host', society.cookie)).status).toBe(403);
    expect((await transition('confirm_host', outsider.cookie)).status).toBe(404);
    expect((await transition('confirm_host', host.cookie)).status).toBe(200);
    expect((await transition('approve', host.cookie)).status).toBe(403);
    expect((await transition('approve', society.cookie)).status).toBe(403);
  });

  test('the society logs records, the host does not; the society cannot confirm its own record', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const station = await newStation(ctx.db, { societyId: society.org.id, hostId: host.org.id });
    const body = { kind: 'visit', title: '走访', served_on: today(), beneficiaries: 3 };
    // Enterprise accounts are refused by the route matrix; a society account of another society by ownership.
    expect((await post(`/api/v1/stations/${station.id}/records`, body, host.cookie)).status).toBe(403);
    const other = await newSocietyPersona(ctx.db, ctx.app, '贵州省农学会');
    expect((await post(`/api/v1/stations/${station.id}/records`, body, other.cookie)).status).toBe(403);
    const record = await (await post(`/api/v1/stations/${station.id}/records`, body, society.cookie)).json();
    const selfConfirm = await post(
      `/api/v1/service-records/${record.id}/confirmation`,
      { decision: 'confirmed' },
      society.cookie,
    );
    expect(selfConfirm.status).toBe(403);
    expect(
      (
        await post(
          `/api/v1/service-records/${record.id}/confirmation`,
          { decision: 'confirmed' },
          other.cookie,
        )
      ).status,
    ).toBe(404);
  });

  test('an expert consents only for themself', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const expertUser = await signedIn(ctx.db, ctx.app, 'expert');
    const wang = await newExpertProfile(ctx.db, { userId: expertUser.user.id });
    const res = await post(
      '/api/v1/stations',
      stationApplication(society.org.id, host.org.id, { expert_ids: [wang.id] }),
      society.cookie,
    );
    const station = await res.json();
    const bySociety = await post(
      `/api/v1/stations/${station.id}/experts/${wang.id}/consent`,
      { consent: 'given' },
      society.cookie,
      'PUT',
    );
    expect(bySociety.status).toBe(403);
    const mine = await (await get('/api/v1/me/stations', expertUser.cookie)).json();
    expect(mine.consent_requests).toEqual([
      { station_id: station.id, station_name: station.name, expert_id: wang.id },
    ]);
  });

  test('grading is for operators only and needs a reason', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const station = await newStation(ctx.db, { societyId: society.org.id, hostId: host.org.id });
    const path = `/api/v1/stations/${station.id}/grades/2026`;
    expect(
      (await post(path, { grade: 'excellent', reason: '服务记录多' }, society.cookie, 'PUT')).status,
    ).toBe(403);
    expect((await post(path, { grade: 'excellent' }, operator.cookie, 'PUT')).status).toBe(422);
    const graded = await post(path, { grade: 'excellent', reason: '全年服务 24 次' }, operator.cookie, 'PUT');
    expect(graded.status).toBe(200);
    const regraded = await post(path, { grade: 'good', reason: '复核后调整' }, operator.cookie, 'PUT');
    expect(regraded.status).toBe(200);
    const rows = await ctx.db
      .selectFrom('station_grades')
      .selectAll()
      .where('station_id', '=', station.id)
      .execute();
    expect(rows).toEqual([expect.objectContaining({ year: 2026, grade: 'good', reason: '复核后调整' })]);
  });
});
