import { afterAll, beforeAll, expect, test } from 'vitest';
import { formRequest } from '../support/account-factories.js';
import { type FlowWorld, newFlowWorld, publishedChallenge } from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let w: FlowWorld;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await newFlowWorld(ctx.db, ctx.app);
});
afterAll(async () => {
  await ctx.close();
});

const page = (path: string, cookie: string) =>
  ctx.app.request(`http://localhost${path}`, { headers: { Cookie: cookie } });
const post = (path: string, values: Record<string, string>, cookie: string) =>
  ctx.app.request(`http://localhost${path}`, formRequest(values, cookie));
const futureDate = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const form = {
  title: '茶园小绿叶蝉绿色防控',
  background: '湄潭县茶园面积大，近年小绿叶蝉危害加重，农残风险高，出口检测压力大，需要绿色防控方案。',
  problem: '需要在不增加农残的前提下把虫口密度控制住，现有黄板和生物农药效果不稳定，成本也高。',
  targets: '虫口减退率不低于 80%，出口检测合格。',
  industry_code: 'rural-tea',
  region_code: '520328',
  reward_wan: '30',
  reward_tranches: '40/30/30',
  bid_deadline: futureDate(30),
  cooperation_mode: '技术开发',
  ip_terms: 'shared',
  confidentiality: 'none',
  award_mode: 'single',
  max_awards: '1',
};

test('the web journey: draft with Chinese field errors, submit, operator publishes, expert bids, enterprise sees it', async () => {
  const newPage = await page('/workspace/challenges/new', w.enterprise.cookie);
  expect(newPage.status).toBe(200);
  expect(await newPage.text()).toContain('发布新榜单');

  const bad = await post(
    '/workspace/challenges/new',
    { ...form, reward_tranches: '50/30', bid_deadline: futureDate(-2) },
    w.enterprise.cookie,
  );
  expect(bad.status).toBe(422);
  const badHtml = await bad.text();
  expect(badHtml).toContain('分期比例应为');
  expect(badHtml).toContain('茶园小绿叶蝉绿色防控');

  const created = await post('/workspace/challenges/new', form, w.enterprise.cookie);
  expect(created.status).toBe(303);
  const manageUrl = created.headers.get('location')!;
  const id = manageUrl.split('/').at(-1)!;
  const manage = await (await page(manageUrl, w.enterprise.cookie)).text();
  expect(manage).toContain('草稿');
  expect(manage).toContain('data-testid="completeness"');

  const edited = await post(
    `${manageUrl}/edit`,
    { ...form, version: '1', reward_wan: '35' },
    w.enterprise.cookie,
  );
  expect(edited.status).toBe(303);
  const stale = await post(
    `${manageUrl}/edit`,
    { ...form, version: '1', reward_wan: '40' },
    w.enterprise.cookie,
  );
  expect(stale.status).toBe(409);
  expect(await stale.text()).toContain('当前版本 2');

  expect((await post(`${manageUrl}/submit`, {}, w.enterprise.cookie)).status).toBe(303);
  const queue = await (await page('/workspace', w.operator.cookie)).text();
  expect(queue).toContain(form.title);
  const noReason = await post(`${manageUrl}/review`, { decision: 'return' }, w.operator.cookie);
  expect(noReason.status).toBe(422);
  expect(await noReason.text()).toContain('必须填写原因');
  expect((await post(`${manageUrl}/review`, { decision: 'publish' }, w.operator.cookie)).status).toBe(303);

  const publicPage = await (await page(`/challenges/${id}`, w.expertA.cookie)).text();
  expect(publicPage).toContain('我要揭榜');
  const bidForm = await page(`/challenges/${id}/bid`, w.expertA.cookie);
  expect(bidForm.status).toBe(200);
  const badBid = await post(
    `/challenges/${id}/bid`,
    { kind: 'expert', approach: '短', price_wan: '20', duration_days: '90' },
    w.expertA.cookie,
  );
  expect(badBid.status).toBe(422);
  const bid = await post(
    `/challenges/${id}/bid`,
    {
      kind: 'expert',
      approach: '性诱剂结合天敌释放与精准施药的综合防控方案。',
      promised_indicators: '减退率 85%',
      price_wan: '28',
      duration_days: '240',
    },
    w.expertA.cookie,
  );
  expect(bid.status).toBe(303);
  const bidUrl = bid.headers.get('location')!;
  expect((await page(bidUrl, w.expertA.cookie)).status).toBe(200);
  expect((await page(bidUrl, w.expertB.cookie)).status).toBe(404);

  const asEnterprise = await (await page(manageUrl, w.enterprise.cookie)).text();
  expect(asEnterprise).toContain('性诱剂结合天敌释放');
  const question = await post(
    `/challenges/${id}/questions`,
    { question: '茶园面积多大？' },
    w.expertB.cookie,
  );
  expect(question.status).toBe(303);

  const notifications = await (await page('/notifications', w.enterprise.cookie)).text();
  expect(notifications).toContain('收到新的揭榜申请');
  expect((await post('/notifications/read-all', {}, w.enterprise.cookie)).status).toBe(303);
  expect(await (await page('/notifications', w.enterprise.cookie)).text()).toContain('0 条未读');
});

test('pages of a draft are 404 for other enterprises', async () => {
  const created = await post('/workspace/challenges/new', form, w.enterprise.cookie);
  const manageUrl = created.headers.get('location')!;
  const other = await newFlowWorld(ctx.db, ctx.app);
  expect((await page(manageUrl, other.enterprise.cookie)).status).toBe(404);
  expect((await page(`${manageUrl.replace('/workspace', '')}`, other.enterprise.cookie)).status).toBe(404);
});

test('disciplines are typed by name (codes still work), kept as codes, and shown by name when editing', async () => {
  const unknown = await post(
    '/workspace/challenges/new',
    { ...form, disciplines: '食品科学技术、茶叶玄学' },
    w.enterprise.cookie,
  );
  expect(unknown.status).toBe(422);
  expect(await unknown.text()).toMatch(/data-field-error="disciplines"[^>]*>学科「茶叶玄学」不在可选范围/);

  const created = await post(
    '/workspace/challenges/new',
    { ...form, disciplines: '食品科学技术、园艺学，210.40' },
    w.enterprise.cookie,
  );
  expect(created.status).toBe(303);
  const id = created.headers.get('location')!.split('/').at(-1)!;
  const row = await ctx.db
    .selectFrom('challenges')
    .select('disciplines')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(row.disciplines).toEqual(['550', '210.40']);
  const edit = await (await page(`/workspace/challenges/${id}/edit`, w.enterprise.cookie)).text();
  expect(edit).toMatch(/name="disciplines"[^>]*value="食品科学技术、园艺学"/);
});

test('the manage page offers only what applies: no empty 管理 panel or completeness hints once bidding has closed', async () => {
  // Few optional fields filled, so the completeness hints have something to say.
  const id = await publishedChallenge(ctx.app, w, { disciplines: [], bidder_requirements: '' });
  const open = await (await page(`/workspace/challenges/${id}`, w.enterprise.cookie)).text();
  expect(open).toContain('<h2>管理</h2>');
  expect(open).toContain('还可以完善：');

  expect((await post(`/workspace/challenges/${id}/close`, {}, w.enterprise.cookie)).status).toBe(303);
  const closed = await (await page(`/workspace/challenges/${id}`, w.enterprise.cookie)).text();
  expect(closed).toContain('揭榜截止');
  expect(closed).not.toContain('<h2>管理</h2>');
  expect(closed).not.toContain('还可以完善：');
  expect(closed).not.toContain(`/workspace/challenges/${id}/edit`);
  // The actions that still apply keep their own panels.
  expect(closed).toContain(`/workspace/challenges/${id}/withdraw`);
});
