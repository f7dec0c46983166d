import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formRequest } from '../support/account-factories.js';
import {
  newHostPersona,
  newServiceRecord,
  newSocietyPersona,
  newStation,
  personaWithSession,
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
const page = async (path: string, cookie?: string) => {
  const res = await ctx.app.request(url(path), cookie ? { headers: { Cookie: cookie } } : {});
  return { status: res.status, html: await res.text() };
};
const submit = (path: string, values: Record<string, string>, cookie: string) =>
  ctx.app.request(url(path), formRequest(values, cookie));
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('the station journey in the web UI (no JavaScript)', () => {
  test('a society registers a station at a county, the host confirms, the operator approves, services are logged and confirmed, and the figures show it', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const operator = await personaWithSession(ctx.db, ctx.app, 'operator');
    const year = today().slice(0, 4);

    const form = await page('/stations/new', society.cookie);
    expect(form.status).toBe(200);
    expect(form.html).toContain('申请设立工作站');
    expect(form.html).toContain(society.org.name);
    // The pickers' filter script is one first-party file: allowed on station forms, never inline,
    // and the rest of the site keeps script-src 'none'.
    expect(form.html).toContain('<script src="/assets/picker.js" defer');
    const csp = async (path: string) =>
      (await ctx.app.request(url(path), { headers: { Cookie: society.cookie } })).headers.get(
        'content-security-policy',
      );
    expect(await csp('/stations/new')).toContain("script-src 'self';");
    expect(await csp('/stations/new')).not.toContain('unsafe-inline');
    expect(await csp('/stations')).toContain("script-src 'none'");
    const script = await ctx.app.request(url('/assets/picker.js'));
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain('data-picker-filter');

    const values = {
      society_id: society.org.id,
      kind_code: 'expert-service-station',
      level: 'provincial',
      name: '贵州省茶叶学会湄潭专家服务站',
      host_organisation_id: host.org.id,
      host_kind: 'enterprise',
      region_code: '520300',
      address: '湄潭县茶城大道 1 号',
      industry_codes: 'rural-tea，rural-chilli',
      term_start: `${year}-01-01`,
      term_end: `${Number(year) + 3}-12-31`,
    };
    // A prefecture code where a county is required: the form comes back with a Chinese field error.
    const bad = await submit('/stations/new', values, society.cookie);
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('data-field-error="region_code"');
    expect(badHtml).toContain('请选择贵州省内的区县');
    expect(badHtml).toContain('湄潭县茶城大道 1 号');

    const unknownDiscipline = await submit(
      '/stations/new',
      { ...values, region_code: '520328', discipline_codes: '园艺学、茶叶玄学' },
      society.cookie,
    );
    expect(unknownDiscipline.status).toBe(422);
    expect(await unknownDiscipline.text()).toMatch(
      /data-field-error="discipline_codes"[^>]*>学科「茶叶玄学」不在可选范围/,
    );

    const created = await submit(
      '/stations/new',
      // Disciplines by name, as a secretary knows them; the record keeps GB/T 13745 codes.
      { ...values, region_code: '520328', discipline_codes: '园艺学、食品科学技术' },
      society.cookie,
    );
    expect(created.status).toBe(303);
    const stationPath = created.headers.get('location')!;
    const id = stationPath.split('/').pop()!;
    const station = await ctx.db
      .selectFrom('stations')
      .select(['status', 'industry_codes', 'discipline_codes'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(station).toEqual({
      status: 'applied',
      industry_codes: ['rural-tea', 'rural-chilli'],
      discipline_codes: ['210.40', '550'],
    });

    expect((await submit(`${stationPath}/transitions`, { action: 'confirm_host' }, host.cookie)).status).toBe(
      303,
    );
    // Rejecting without a reason re-renders the page with the error instead of changing anything.
    const noReason = await submit(`${stationPath}/transitions`, { action: 'reject' }, operator.cookie);
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain('该操作必须填写原因');
    expect((await submit(`${stationPath}/transitions`, { action: 'approve' }, operator.cookie)).status).toBe(
      303,
    );
    const approved = await page(stationPath);
    expect(approved.html).toContain('运行中');
    expect(approved.html).not.toContain('<script');

    const logged = await submit(
      `${stationPath}/records`,
      { kind: 'training', title: '茶园绿色防控现场培训', served_on: today(), beneficiaries: '40' },
      society.cookie,
    );
    expect(logged.status).toBe(303);
    const record = await ctx.db
      .selectFrom('service_records')
      .select('id')
      .where('station_id', '=', id)
      .executeTakeFirstOrThrow();
    const hostView = await page(stationPath, host.cookie);
    expect(hostView.html).toContain(`/service-records/${record.id}/confirmation`);
    expect(
      (await submit(`/service-records/${record.id}/confirmation`, { decision: 'confirmed' }, host.cookie))
        .status,
    ).toBe(303);
    const publicView = await page(stationPath);
    expect(publicView.html).toContain('茶园绿色防控现场培训');
    expect(publicView.html).toContain('已确认');

    // The public registry, after the outbox ran.
    await ctx.drainOutbox();
    const registry = await page('/stations?prefecture=520300');
    expect(registry.html).toContain('贵州省茶叶学会湄潭专家服务站');
    expect(registry.html).toContain('data-facet="county"');

    // The society's yearly figures and their drill-down.
    const figures = await page(`/evaluation/${year}/societies/${society.org.id}`, society.cookie);
    expect(figures.status).toBe(200);
    const recordsRow = /data-indicator="records_confirmed"[\s\S]*?<td class="value">(\d+)/.exec(figures.html);
    expect(recordsRow?.[1]).toBe('1');
    const beneficiaries = /data-indicator="beneficiaries"[\s\S]*?<td class="value">(\d+)/.exec(figures.html);
    expect(beneficiaries?.[1]).toBe('40');
    const drill = await page(
      `/evaluation/${year}/societies/${society.org.id}/indicators/records_confirmed`,
      society.cookie,
    );
    expect(drill.html).toContain('茶园绿色防控现场培训');

    // The operator's dashboard: the county × industry cell is covered, the map counts the station.
    const dashboard = await page('/admin/dashboard', operator.cookie);
    expect(dashboard.status).toBe(200);
    expect(dashboard.html).not.toContain('<script');
    const county = /<g data-county="520328">([\s\S]*?)<\/g>/.exec(dashboard.html)![1]!;
    expect((county.match(/data-state="station"/g) ?? []).length).toBe(2);
    const zunyi = /<a [^>]*data-prefecture="520300"[^>]*>([\s\S]*?)<\/a>/.exec(dashboard.html)![0]!;
    expect(zunyi).toContain('data-count="1"');
    expect(zunyi).toContain('运行站点 1');
    expect(zunyi).toContain('href="/stations?prefecture=520300"');
    const all = await page(`/evaluation?year=${year}`, operator.cookie);
    expect(all.html).toContain('data-testid="evaluation-table"');
  });

  test('the host disputes one of two submitted records from its own row; a missing reason reopens that row', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const station = await newStation(ctx.db, { societyId: society.org.id, hostId: host.org.id });
    const first = await newServiceRecord(ctx.db, {
      stationId: station.id,
      served_on: '2026-03-01',
      status: 'submitted',
    });
    const second = await newServiceRecord(ctx.db, {
      stationId: station.id,
      served_on: '2026-04-01',
      status: 'submitted',
    });
    const stationPath = `/stations/${station.id}`;

    const view = await page(stationPath, host.cookie);
    for (const record of [first, second])
      expect(view.html).toMatch(
        new RegExp(
          `<details class="dispute"><summary>有异议</summary><form method="post" action="/service-records/${record.id}/confirmation">`,
        ),
      );

    const refused = await submit(
      `/service-records/${second.id}/confirmation`,
      { decision: 'disputed' },
      host.cookie,
    );
    expect(refused.status).toBe(422);
    const html = await refused.text();
    // Only the second row's form is open again, with the reason's error in it.
    expect(html).toMatch(
      new RegExp(
        `<details class="dispute" open=""><summary>有异议</summary><form method="post" action="/service-records/${second.id}/confirmation">`,
      ),
    );
    expect(html.match(/<details class="dispute" open="">/g)).toHaveLength(1);

    const disputed = await submit(
      `/service-records/${second.id}/confirmation`,
      { decision: 'disputed', reason: '当天未见专家到场' },
      host.cookie,
    );
    expect(disputed.status).toBe(303);
    const rows = await ctx.db
      .selectFrom('service_records')
      .select(['id', 'status', 'dispute_reason'])
      .where('station_id', '=', station.id)
      .execute();
    expect(rows.find((r) => r.id === first.id)).toMatchObject({ status: 'submitted', dispute_reason: null });
    expect(rows.find((r) => r.id === second.id)).toMatchObject({
      status: 'disputed',
      dispute_reason: '当天未见专家到场',
    });
  });

  test('outsiders: an application is 404 to the public; the dashboard and evaluation are refused to other roles', async () => {
    const society = await newSocietyPersona(ctx.db, ctx.app);
    const host = await newHostPersona(ctx.db, ctx.app);
    const { stationApplication } = await import('../support/station-factories.js');
    const res = await ctx.app.request(url('/api/v1/stations'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: society.cookie, Origin: 'http://localhost' },
      body: JSON.stringify(stationApplication(society.org.id, host.org.id)),
    });
    const { id } = await res.json();
    expect((await page(`/stations/${id}`)).status).toBe(404);
    expect((await page(`/stations/${id}`, host.cookie)).status).toBe(200);
    expect((await page('/admin/dashboard', society.cookie)).status).toBe(403);
    expect((await page(`/evaluation/2026/societies/${society.org.id}`, host.cookie)).status).toBe(403);
    const other = await newSocietyPersona(ctx.db, ctx.app, '贵州省农学会');
    expect((await page(`/evaluation/2026/societies/${society.org.id}`, other.cookie)).status).toBe(403);
  });
});
