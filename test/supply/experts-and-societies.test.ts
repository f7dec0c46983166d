import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImportFile } from '../../src/modules/imports/import.files.js';
import { importDataset } from '../../src/modules/imports/import.usecases.js';
import { formRequest, jsonRequest, newOrganisationFor, signedIn } from '../support/account-factories.js';
import { teaDataset } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let ids: { wang: string; li: string; zhao: string; teaSociety: string; foodSociety: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const { dataset, format } = await readImportFile(
    new TextEncoder().encode(JSON.stringify(teaDataset())),
    'tea.json',
  );
  const result = await importDataset(ctx.db, dataset, {
    fileName: 'tea.json',
    format,
    actor: { userId: null, label: '测试' },
  });
  if (!result.ok) throw new Error(result.messages.join('\n'));
  // 王教授 agreed to show his contact; 李研究员 did not.
  await ctx.db
    .updateTable('expert_profiles')
    .set({ contact_consent: true, discipline: '茶学' })
    .where('external_key', '=', 'EXP-WANG')
    .execute();
  await ctx.db
    .updateTable('expert_profiles')
    .set({ discipline: '食品科学与工程' })
    .where('external_key', '=', 'EXP-LI')
    .execute();
  await ctx.db
    .insertInto('search_outbox')
    .values([
      { entity: 'expert', entity_id: await expertId('EXP-WANG') },
      { entity: 'expert', entity_id: await expertId('EXP-LI') },
    ])
    .execute();
  await ctx.drainOutbox();
  const org = async (key: string) =>
    (
      await ctx.db
        .selectFrom('organisations')
        .select('id')
        .where('external_key', '=', key)
        .executeTakeFirstOrThrow()
    ).id;
  ids = {
    wang: await expertId('EXP-WANG'),
    li: await expertId('EXP-LI'),
    zhao: await expertId('EXP-ZHAO'),
    teaSociety: await org('SOC-TEA'),
    foodSociety: await org('SOC-FOOD'),
  };
}, 60_000);
afterAll(async () => {
  await ctx.close();
});

async function expertId(key: string) {
  return (
    await ctx.db
      .selectFrom('expert_profiles')
      .select('id')
      .where('external_key', '=', key)
      .executeTakeFirstOrThrow()
  ).id;
}

describe('expert listing and search', () => {
  it('searches experts in Chinese with discipline, region and title facets', async () => {
    const res = await ctx.app.request('/api/v1/experts?q=干燥');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data.map((e: { name: string }) => e.name)).toContain('李研究员');
    const all = await (await ctx.app.request('/api/v1/experts')).json();
    expect(all.pagination.total).toBe(3);
    expect(all.facets.title.map((f: { value: string }) => f.value).sort()).toEqual(
      ['教授', '研究员', '高级工程师'].sort(),
    );
    expect(all.facets.region).toContainEqual({ value: '520300', label: '遵义市', count: 2 });
    expect(all.facets.discipline).toContainEqual({ value: '茶学', label: '茶学', count: 1 });
  });

  it('narrows by a facet, and the region facet takes a prefecture', async () => {
    const byTitle = await (
      await ctx.app.request(`/api/v1/experts?title=${encodeURIComponent('研究员')}`)
    ).json();
    expect(byTitle.data.map((e: { name: string }) => e.name)).toEqual(['李研究员']);
    const byRegion = await (await ctx.app.request('/api/v1/experts?region=520300')).json();
    expect(byRegion.pagination.total).toBe(2);
  });

  it('never puts contact details in the listing', async () => {
    const text = await (await ctx.app.request('/api/v1/experts')).text();
    expect(text).not.toContain('13800000000');
  });

  it('renders the /experts page with cards, facet links and no export links for visitors', async () => {
    const res = await ctx.app.request('/experts?region=520300');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('共 2 位专家');
    expect(html).toContain('data-facet="title"');
    expect(html).not.toContain('export.xlsx');
  });

  it('refuses a bad filter with a Chinese 422', async () => {
    const res = await ctx.app.request('/api/v1/experts?region=abc');
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('VALIDATION_FAILED');
  });
});

describe('expert profile and the contact rule', () => {
  it('hides contact details from visitors and says why', async () => {
    const body = await (await ctx.app.request(`/api/v1/experts/${ids.wang}`)).json();
    expect(body.contact).toBeNull();
    expect(body.contact_withheld).toBe('verified_enterprise_only');
    expect(body.societies.map((s: { name: string }) => s.name)).toEqual(['贵州省茶叶学会']);
  });

  it('shows consented contact details to a member of a verified enterprise only', async () => {
    const verified = await signedIn(ctx.db, ctx.app, 'enterprise');
    await newOrganisationFor(ctx.db, verified.user.id, { verification_status: 'verified' });
    const pending = await signedIn(ctx.db, ctx.app, 'enterprise');
    await newOrganisationFor(ctx.db, pending.user.id, { verification_status: 'pending' });

    const seen = await (
      await ctx.app.request(`/api/v1/experts/${ids.wang}`, { headers: { Cookie: verified.cookie } })
    ).json();
    expect(seen.contact).toEqual({ phone: '13800000000', email: null });
    const page = await (
      await ctx.app.request(`/experts/${ids.wang}`, { headers: { Cookie: verified.cookie } })
    ).text();
    expect(page).toContain('13800000000');

    const notYet = await (
      await ctx.app.request(`/api/v1/experts/${ids.wang}`, { headers: { Cookie: pending.cookie } })
    ).json();
    expect(notYet.contact).toBeNull();
  });

  it('never shows contact details the expert did not agree to, even to a verified enterprise', async () => {
    await ctx.db
      .updateTable('expert_profiles')
      .set({ contact_phone: '13900000000' })
      .where('id', '=', ids.li)
      .execute();
    const verified = await signedIn(ctx.db, ctx.app, 'enterprise');
    await newOrganisationFor(ctx.db, verified.user.id, { verification_status: 'verified' });
    const body = await (
      await ctx.app.request(`/api/v1/experts/${ids.li}`, { headers: { Cookie: verified.cookie } })
    ).json();
    expect(body.contact).toBeNull();
    expect(body.contact_withheld).toBe('not_consented');
  });

  it('answers 404 for a hidden profile', async () => {
    await ctx.db
      .updateTable('expert_profiles')
      .set({ visibility: 'hidden' })
      .where('id', '=', ids.zhao)
      .execute();
    expect((await ctx.app.request(`/api/v1/experts/${ids.zhao}`)).status).toBe(404);
    expect((await ctx.app.request(`/experts/${ids.zhao}`)).status).toBe(404);
  });
});

describe('an expert keeps their own profile', () => {
  it('creates the profile on first save, indexes it and records an audit row', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    expect(
      (await ctx.app.request('/api/v1/me/expert-profile', { headers: { Cookie: expert.cookie } })).status,
    ).toBe(404);
    const res = await ctx.app.request(
      '/api/v1/me/expert-profile',
      jsonRequest(
        'PUT',
        {
          name: '周博士',
          title: '副研究员',
          affiliation: '贵州省山地资源研究所',
          region_code: '520500',
          fields: ['刺梨加工', '维生素C稳定'],
          bio: '研究刺梨果汁加工中维生素C的保持。',
          contact_email: 'zhou@example.cn',
          contact_consent: true,
        },
        expert.cookie,
      ),
    );
    expect(res.status).toBe(200);
    const saved = await res.json();
    expect(saved).toMatchObject({
      name: '周博士',
      fields: ['刺梨加工', '维生素C稳定'],
      contact_consent: true,
    });
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', saved.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['expert_profile.created']);
    await ctx.drainOutbox();
    const found = await (await ctx.app.request(`/api/v1/experts?q=${encodeURIComponent('刺梨')}`)).json();
    expect(found.data.map((e: { id: string }) => e.id)).toContain(saved.id);
  });

  it('re-renders the profile form with Chinese field errors on 422', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(
      '/me/expert-profile',
      formRequest({ name: '周', contact_phone: 'abc', region_code: '999999' }, expert.cookie),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('data-field-error="name"');
    expect(html).toContain('电话格式不正确');
  });

  it('saves from the form with the checkbox and a 、-separated field list', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(
      '/me/expert-profile',
      formRequest(
        { name: '吴教授', fields: '茶叶加工、红茶发酵', contact_consent: 'on', availability: 'limited' },
        expert.cookie,
      ),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('资料已保存');
    const row = await ctx.db
      .selectFrom('expert_profiles')
      .selectAll()
      .where('user_id', '=', expert.user.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      fields: ['茶叶加工', '红茶发酵'],
      contact_consent: true,
      availability: 'limited',
    });
  });
});

describe('society pages and service teams', () => {
  it('lists societies with discipline facets and shows a society with its member experts', async () => {
    const list = await (await ctx.app.request('/api/v1/societies')).json();
    expect(list.pagination.total).toBe(2);
    expect(list.facets.discipline.map((f: { value: string }) => f.value)).toContain('茶学');
    const detail = await (await ctx.app.request(`/api/v1/societies/${ids.teaSociety}`)).json();
    expect(detail.experts.map((e: { name: string }) => e.name)).toEqual(['王教授']);
    const page = await (await ctx.app.request(`/societies/${ids.teaSociety}`)).text();
    expect(page).toContain('王教授');
    expect(page).toContain('科技服务团');
  });

  it('lets a member of the society form a team of its own experts with a lead', async () => {
    const staff = await signedIn(ctx.db, ctx.app, 'society');
    await ctx.db
      .insertInto('organisation_members')
      .values({ organisation_id: ids.teaSociety, user_id: staff.user.id, role: 'member' })
      .execute();
    const res = await ctx.app.request(
      `/api/v1/societies/${ids.teaSociety}/service-teams`,
      jsonRequest(
        'POST',
        {
          name: '茶产业科技服务团',
          industry_code: 'rural-tea',
          region_codes: ['520300'],
          lead_expert_id: ids.wang,
        },
        staff.cookie,
      ),
    );
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const members = await ctx.db
      .selectFrom('service_team_members')
      .selectAll()
      .where('team_id', '=', id)
      .execute();
    expect(members).toEqual([expect.objectContaining({ expert_id: ids.wang, role: 'lead' })]);
    const audit = await ctx.db.selectFrom('audit_log').select('action').where('target_id', '=', id).execute();
    expect(audit.map((a) => a.action)).toEqual(['service_team.created']);
    const detail = await (await ctx.app.request(`/api/v1/societies/${ids.teaSociety}`)).json();
    expect(detail.service_teams[0]).toMatchObject({
      name: '茶产业科技服务团',
      lead: { id: ids.wang, name: '王教授' },
    });
  });

  it('refuses experts who are not members of the society, with a field error', async () => {
    const staff = await signedIn(ctx.db, ctx.app, 'society');
    await ctx.db
      .insertInto('organisation_members')
      .values({ organisation_id: ids.teaSociety, user_id: staff.user.id, role: 'member' })
      .execute();
    const res = await ctx.app.request(
      `/api/v1/societies/${ids.teaSociety}/service-teams`,
      jsonRequest(
        'POST',
        { name: '混编服务团', lead_expert_id: ids.wang, member_expert_ids: [ids.li] },
        staff.cookie,
      ),
    );
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual([
      { field: 'member_expert_ids', reason: '只能选择本学会的会员专家' },
    ]);
  });

  it('forbids staff of another society (403) and re-renders the team form with errors (422)', async () => {
    const outsider = await signedIn(ctx.db, ctx.app, 'society');
    const res = await ctx.app.request(
      `/api/v1/societies/${ids.teaSociety}/service-teams`,
      jsonRequest('POST', { name: '外来服务团', lead_expert_id: ids.wang }, outsider.cookie),
    );
    expect(res.status).toBe(403);
    const staff = await signedIn(ctx.db, ctx.app, 'society');
    await ctx.db
      .insertInto('organisation_members')
      .values({ organisation_id: ids.foodSociety, user_id: staff.user.id, role: 'member' })
      .execute();
    const form = await ctx.app.request(
      `/societies/${ids.foodSociety}/service-teams/new`,
      formRequest({ name: '辣' }, staff.cookie),
    );
    expect(form.status).toBe(422);
    const html = await form.text();
    expect(html).toContain('data-field-error="name"');
    expect(html).toContain('data-field-error="lead_expert_id"');

    // Service regions are typed by name; a name outside Guizhou is named in the error.
    const unknown = await ctx.app.request(
      `/societies/${ids.foodSociety}/service-teams/new`,
      formRequest(
        { name: '辣椒加工服务团', lead_expert_id: ids.wang, region_codes: '遵义市、杭州市' },
        staff.cookie,
      ),
    );
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('「杭州市」不是贵州省的地区代码或名称');
    const created = await ctx.app.request(
      `/societies/${ids.foodSociety}/service-teams/new`,
      formRequest(
        { name: '辣椒加工服务团', lead_expert_id: ids.li, region_codes: '遵义市、湄潭县、520328' },
        staff.cookie,
      ),
    );
    expect(created.status).toBe(303);
    const team = await ctx.db
      .selectFrom('service_teams')
      .select('region_codes')
      .where('name', '=', '辣椒加工服务团')
      .executeTakeFirstOrThrow();
    expect(team.region_codes).toEqual(['520300', '520328']);
  });
});
