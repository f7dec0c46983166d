import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import capabilitiesFile from '../../seeds/demo/capabilities.json' with { type: 'json' };
import { DEMO_PASSWORD, seedDemoAccounts } from '../../seeds/demo-accounts.js';
import { seedDemoCapabilities } from '../../seeds/demo-capabilities.js';
import { seedDemoContent } from '../../seeds/demo-content.js';
import { seedDemoStations } from '../../seeds/demo-stations.js';
import {
  capabilityBody,
  capabilitySearchResultSchema,
} from '../../src/modules/capabilities/capability.schemas.js';
import { logInAs } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const published = capabilitiesFile.capabilities.filter((c) => c.status === 'published');
const drafts = capabilitiesFile.capabilities.filter((c) => c.status === 'draft');

let ctx: TestContext;
beforeAll(async () => {
  // Matching on: the challenge page's 相关成果 come from the matcher.
  ctx = await createTestContext({ matching: true });
});
afterAll(async () => {
  await ctx.close();
});

describe('demo capabilities (development seeds)', () => {
  test('seed once, only after the demo societies and the demo experts exist', async () => {
    const now = new Date();
    // No demo owners yet: nothing seeded and nothing claimed, so a later start still seeds.
    expect(await seedDemoCapabilities(ctx.db, now)).toBe(false);
    expect(await seedDemoContent(ctx.db, now)).toBe(true);
    // The societies exist now, but the demo experts come with the stations.
    expect(await seedDemoCapabilities(ctx.db, now)).toBe(false);
    expect(await seedDemoStations(ctx.db, now)).toBe(true);
    expect(await seedDemoCapabilities(ctx.db, now)).toBe(true);
    expect(await seedDemoCapabilities(ctx.db, now)).toBe(false);

    const byStatus = await ctx.db
      .selectFrom('capabilities')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .orderBy('status')
      .execute();
    expect(byStatus.map((r) => [r.status, Number(r.n)])).toEqual([
      ['draft', drafts.length],
      ['published', published.length],
    ]);
    // Written the way the use cases write them: an audit row per step, an outbox row per capability.
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select(['action', (eb) => eb.fn.countAll<string>().as('n')])
      .where('target_type', '=', 'capability')
      .groupBy('action')
      .orderBy('action')
      .execute();
    expect(audits.map((r) => [r.action, Number(r.n)])).toEqual([
      ['capability.created', capabilitiesFile.capabilities.length],
      ['capability.published', published.length],
    ]);
    const outbox = await ctx.db
      .selectFrom('search_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('entity', '=', 'capability')
      .executeTakeFirstOrThrow();
    expect(Number(outbox.n)).toBe(capabilitiesFile.capabilities.length);
  });

  test('every seeded capability passes the module schema and has exactly its demo owner', async () => {
    const rows = await ctx.db
      .selectFrom('capabilities as c')
      .leftJoin('expert_profiles as e', 'e.id', 'c.owner_expert_id')
      .leftJoin('organisations as o', 'o.id', 'c.owner_organisation_id')
      .selectAll('c')
      .select(['e.external_key as expert_key', 'o.external_key as organisation_key', 'o.kind as org_kind'])
      .execute();
    expect(rows).toHaveLength(capabilitiesFile.capabilities.length);
    for (const seed of capabilitiesFile.capabilities) {
      const row = rows.find((r) => r.external_key === seed.key)!;
      expect(row, seed.key).toBeDefined();
      expect({
        expert: row.expert_key ?? undefined,
        organisation: row.organisation_key ?? undefined,
      }).toEqual({
        expert: seed.owner.expert,
        organisation: seed.owner.organisation,
      });
      if (row.organisation_key) expect(row.org_kind).toBe('society');
      // What an owner would submit to edit it is accepted as it stands.
      const body = capabilityBody.safeParse({
        kind: row.kind,
        title: row.title,
        description: row.description,
        fields: row.fields,
        industry_code: row.industry_code ?? undefined,
        trl: row.trl ?? undefined,
        cooperation_modes: row.cooperation_modes,
        price_negotiable: row.price_negotiable,
        price_min_wan: row.price_min_wan === null ? undefined : Number(row.price_min_wan),
        price_max_wan: row.price_max_wan === null ? undefined : Number(row.price_max_wan),
        region_code: row.region_code ?? undefined,
      });
      expect(body.error?.issues, seed.key).toBeUndefined();
      expect(row.status).toBe(seed.status);
      if (row.status === 'published') expect(row.published_at!.getTime()).toBeLessThan(Date.now());
      else expect(row.published_at).toBeNull();
    }
  });

  test('the published ones reach the public listing and capability search; the draft does not', async () => {
    await ctx.drainOutbox();
    const listing = await (await ctx.app.request('http://localhost/capabilities')).text();
    expect(listing).toContain(`共 ${published.length} 项成果`);
    expect(listing).toContain('辣椒低温热泵分段干燥与护色技术');
    expect(listing).toContain('罗志明');
    expect(listing).toContain('贵州省特色食品科学技术学会');
    for (const draft of drafts) expect(listing).not.toContain(draft.content.title);

    const res = await ctx.app.request(`/api/v1/capabilities?q=${encodeURIComponent('磷石膏')}`);
    expect(res.status).toBe(200);
    const found = capabilitySearchResultSchema.parse(await res.json());
    expect(found.data[0]).toMatchObject({
      title: '磷石膏低成本无害化预处理及大掺量胶凝材料制备技术',
      owner: { type: 'expert', name: '吴海涛' },
      industry: { code: 'ind-chemical' },
    });
    const all = capabilitySearchResultSchema.parse(
      await (await ctx.app.request('/api/v1/capabilities?per_page=50')).json(),
    );
    expect(all.pagination.total).toBe(published.length);
    expect(all.facets.kind.map((f) => f.value).sort()).toEqual([
      'achievement',
      'equipment',
      'patent',
      'service',
    ]);
  });

  test("a demo challenge's page now shows a related capability (相关成果)", async () => {
    const chilli = await ctx.db
      .selectFrom('challenges')
      .select('id')
      .where('external_key', '=', 'demo-c01')
      .executeTakeFirstOrThrow();
    const body = await (await ctx.app.request(`/api/v1/challenges/${chilli.id}/recommendations`)).json();
    expect(body.capabilities.map((c: { name: string }) => c.name)).toContain(
      '辣椒低温热泵分段干燥与护色技术',
    );
    expect(body.capabilities.map((c: { name: string }) => c.name)).not.toContain(
      '茶树病虫害拍照识别诊断小程序',
    );

    const page = await (await ctx.app.request(`http://localhost/challenges/${chilli.id}`)).text();
    expect(page).toContain('相关成果');
    expect(page).toContain('辣椒低温热泵分段干燥与护色技术');
  });

  test('the demo society account sees its draft among its own capabilities', async () => {
    await seedDemoAccounts(ctx.db);
    const cookie = await logInAs(ctx.app, 'society@demo.jiebang.cn', DEMO_PASSWORD);
    const mine = await (
      await ctx.app.request('http://localhost/api/v1/me/capabilities', { headers: { Cookie: cookie } })
    ).json();
    expect(mine.data).toContainEqual(
      expect.objectContaining({ title: '茶树病虫害拍照识别诊断小程序', status: 'draft' }),
    );
    expect(mine.data).toContainEqual(
      expect.objectContaining({ title: '农产品产地初加工干燥中试平台（共享设备）', status: 'published' }),
    );
  });
});
