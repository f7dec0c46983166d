import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formRequest, jsonRequest, newOrganisationFor, signedIn } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let wang: { user: { id: string }; cookie: string };
let operator: { user: { id: string }; cookie: string };

beforeAll(async () => {
  ctx = await createTestContext();
  wang = await signedIn(ctx.db, ctx.app, 'expert');
  operator = await signedIn(ctx.db, ctx.app, 'operator');
  const res = await ctx.app.request(
    '/api/v1/me/expert-profile',
    jsonRequest(
      'PUT',
      { name: '王教授', title: '教授', region_code: '520300', fields: ['热泵干燥'] },
      wang.cookie,
    ),
  );
  if (res.status !== 200) throw new Error(await res.text());
}, 60_000);
afterAll(async () => {
  await ctx.close();
});

const chiliDryer = {
  kind: 'achievement',
  title: '辣椒热泵低温干燥护色技术',
  description: '热泵分段变温干燥，色价保留率高，适合合作社烘干房改造。',
  fields: ['热泵干燥', '辣椒加工'],
  industry_code: 'rural-chilli',
  trl: 7,
  cooperation_modes: ['转让', '技术服务'],
  price_negotiable: false,
  price_min_wan: 5,
  price_max_wan: 20,
  region_code: '520304',
};

async function draftOf(cookie: string, body: Record<string, unknown> = chiliDryer) {
  const res = await ctx.app.request('/api/v1/capabilities', jsonRequest('POST', body, cookie));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; status: string };
}

describe('an expert publishes a capability', () => {
  it('creates a draft that only its owner sees', async () => {
    const draft = await draftOf(wang.cookie);
    expect(draft.status).toBe('draft');
    expect((await ctx.app.request(`/api/v1/capabilities/${draft.id}`)).status).toBe(404);
    const mine = await ctx.app.request(`/api/v1/capabilities/${draft.id}`, {
      headers: { Cookie: wang.cookie },
    });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({
      can_edit: true,
      price: { negotiable: false, min_wan: 5, max_wan: 20 },
    });
  });

  it('publishes it into search with kind, TRL, cooperation, industry and region facets', async () => {
    const draft = await draftOf(wang.cookie);
    const res = await ctx.app.request(
      `/api/v1/capabilities/${draft.id}/publish`,
      jsonRequest('POST', {}, wang.cookie),
    );
    expect(res.status).toBe(200);
    await ctx.drainOutbox();
    const found = await (
      await ctx.app.request(
        `/api/v1/capabilities?q=${encodeURIComponent('辣椒干燥')}&trl=7&cooperation=${encodeURIComponent('转让')}`,
      )
    ).json();
    expect(found.data.map((c: { id: string }) => c.id)).toContain(draft.id);
    expect(found.facets.kind).toContainEqual(
      expect.objectContaining({ value: 'achievement', label: '科技成果' }),
    );
    expect(found.facets.region).toContainEqual(expect.objectContaining({ value: '520300', label: '遵义市' }));
    expect(found.facets.industry[0].value).toBe('rural-chilli');
    const page = await (await ctx.app.request('/capabilities?kind=achievement')).text();
    expect(page).toContain('辣椒热泵低温干燥护色技术');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', draft.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['capability.created', 'capability.published']);
  });

  it('refuses edits by someone else (403) and an inconsistent price (422)', async () => {
    const draft = await draftOf(wang.cookie);
    const other = await signedIn(ctx.db, ctx.app, 'expert');
    expect(
      (
        await ctx.app.request(
          `/api/v1/capabilities/${draft.id}`,
          jsonRequest('PUT', chiliDryer, other.cookie),
        )
      ).status,
    ).toBe(404);
    await ctx.app.request(`/api/v1/capabilities/${draft.id}/publish`, jsonRequest('POST', {}, wang.cookie));
    expect(
      (
        await ctx.app.request(
          `/api/v1/capabilities/${draft.id}`,
          jsonRequest('PUT', chiliDryer, other.cookie),
        )
      ).status,
    ).toBe(403);
    const bad = await ctx.app.request(
      `/api/v1/capabilities/${draft.id}`,
      jsonRequest('PUT', { ...chiliDryer, price_min_wan: 30, price_max_wan: 10 }, wang.cookie),
    );
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors).toEqual([
      { field: 'price_max_wan', reason: '最高价格不能低于最低价格' },
    ]);
  });

  it('asks a user with neither an expert profile nor an organisation to create one first', async () => {
    const enterprise = await signedIn(ctx.db, ctx.app, 'enterprise');
    const res = await ctx.app.request(
      '/api/v1/capabilities',
      jsonRequest('POST', chiliDryer, enterprise.cookie),
    );
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0].field).toBe('organisation_id');
  });
});

describe('organisations and operators', () => {
  it('lets a member publish for a verified organisation, but not for a pending one', async () => {
    const staff = await signedIn(ctx.db, ctx.app, 'society');
    const verified = await newOrganisationFor(ctx.db, staff.user.id, {
      kind: 'society',
      name: '贵州省食品学会',
      verification_status: 'verified',
    });
    const pending = await newOrganisationFor(ctx.db, staff.user.id, {
      kind: 'society',
      name: '新学会',
      verification_status: 'pending',
    });
    const ok = await draftOf(staff.cookie, { ...chiliDryer, kind: 'service', organisation_id: verified.id });
    expect(
      (await ctx.app.request(`/api/v1/capabilities/${ok.id}/publish`, jsonRequest('POST', {}, staff.cookie)))
        .status,
    ).toBe(200);
    const notYet = await draftOf(staff.cookie, { ...chiliDryer, organisation_id: pending.id });
    const res = await ctx.app.request(
      `/api/v1/capabilities/${notYet.id}/publish`,
      jsonRequest('POST', {}, staff.cookie),
    );
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('ORGANISATION_NOT_VERIFIED');
    const society = await (await ctx.app.request(`/api/v1/societies/${verified.id}`)).json();
    expect(society.capabilities.map((c: { id: string }) => c.id)).toEqual([ok.id]);
  });

  it('takes a capability down with a reason: out of search, reason shown to the owner, audited', async () => {
    const draft = await draftOf(wang.cookie, { ...chiliDryer, title: '虚假宣传的干燥设备' });
    await ctx.app.request(`/api/v1/capabilities/${draft.id}/publish`, jsonRequest('POST', {}, wang.cookie));
    await ctx.drainOutbox();
    const res = await ctx.app.request(
      `/api/v1/capabilities/${draft.id}/takedown`,
      jsonRequest('POST', { reason: '宣传内容与实际不符' }, operator.cookie),
    );
    expect(res.status).toBe(200);
    await ctx.drainOutbox();
    const found = await (
      await ctx.app.request(`/api/v1/capabilities?q=${encodeURIComponent('虚假宣传')}`)
    ).json();
    expect(found.data.map((c: { id: string }) => c.id)).not.toContain(draft.id);
    expect((await ctx.app.request(`/api/v1/capabilities/${draft.id}`)).status).toBe(404);
    const owner = await (
      await ctx.app.request(`/api/v1/capabilities/${draft.id}`, { headers: { Cookie: wang.cookie } })
    ).json();
    expect(owner).toMatchObject({
      status: 'taken_down',
      takedown_reason: '宣传内容与实际不符',
      can_edit: false,
    });
    const again = await ctx.app.request(
      `/api/v1/capabilities/${draft.id}`,
      jsonRequest('PUT', chiliDryer, wang.cookie),
    );
    expect(again.status).toBe(409);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'reason'])
      .where('target_id', '=', draft.id)
      .where('action', '=', 'capability.taken_down')
      .executeTakeFirstOrThrow();
    expect(audit.reason).toBe('宣传内容与实际不符');
  });

  it('refuses takedown by the owner (403)', async () => {
    const draft = await draftOf(wang.cookie);
    const res = await ctx.app.request(
      `/api/v1/capabilities/${draft.id}/takedown`,
      jsonRequest('POST', { reason: '自己下架' }, wang.cookie),
    );
    expect(res.status).toBe(403);
  });
});

describe('capability forms', () => {
  it('re-renders the form with Chinese field errors on 422', async () => {
    const res = await ctx.app.request(
      '/capabilities/new',
      formRequest({ title: '辣', kind: 'achievement' }, wang.cookie),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('data-field-error="title"');
    expect(html).toContain('data-field-error="cooperation_modes"');
    expect(html).toContain('data-field-error="price_min_wan"');
    // The title field says what it is, and the region is picked by name, not typed as a code.
    expect(html).toMatch(/<label for="f-title">成果名称<\/label>/);
    expect(html).toContain('<option value="520328">湄潭县</option>');
    expect(html).not.toContain('如 520300');
  });

  it('creates and publishes from the form with several cooperation modes', async () => {
    const body = new URLSearchParams([
      ['kind', 'patent'],
      ['title', '茶园小绿叶蝉色板诱杀装置'],
      ['fields', '茶园病虫害、绿色防控'],
      ['trl', '6'],
      ['cooperation_modes', '许可'],
      ['cooperation_modes', '合作开发'],
      ['price_negotiable', 'on'],
      ['intent', 'publish'],
    ]);
    const res = await ctx.app.request('/capabilities/new', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Sec-Fetch-Site': 'same-origin',
        Cookie: wang.cookie,
      },
      body: body.toString(),
    });
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('/').pop()!;
    const row = await ctx.db
      .selectFrom('capabilities')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'published',
      kind: 'patent',
      trl: 6,
      cooperation_modes: ['许可', '合作开发'],
      price_negotiable: true,
    });
    const page = await (await ctx.app.request(`/capabilities/${id}`)).text();
    expect(page).toContain('茶园小绿叶蝉色板诱杀装置');
    expect(page).toContain('面议');
  });

  it('lets the operator take down from the page', async () => {
    const draft = await draftOf(wang.cookie);
    await ctx.app.request(`/api/v1/capabilities/${draft.id}/publish`, jsonRequest('POST', {}, wang.cookie));
    const res = await ctx.app.request(
      `/capabilities/${draft.id}/takedown`,
      formRequest({ reason: '重复发布' }, operator.cookie),
    );
    expect(res.status).toBe(303);
    const row = await ctx.db
      .selectFrom('capabilities')
      .select(['status', 'takedown_reason'])
      .where('id', '=', draft.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'taken_down', takedown_reason: '重复发布' });
  });
});

describe('API contract', () => {
  it('documents the supply routes in the OpenAPI document', async () => {
    const res = await ctx.app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    for (const path of [
      '/api/v1/experts',
      '/api/v1/societies/{id}',
      '/api/v1/capabilities/{id}/takedown',
      '/api/v1/me/expert-profile',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});
