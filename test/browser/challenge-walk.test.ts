import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueSearchSync } from '../../src/search/outbox.js';
import { PERSONA_PASSWORD } from '../support/account-factories.js';
import { hasChromium, launchBrowser, serveOverHttp } from '../support/browser.js';
import { type FlowWorld, newFlowWorld } from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * The "done when", in the web UI only: 黔茶科技 (enterprise), 王教授 and 刘研究员 (experts),
 * 省茶叶学会 (society) and 陈老师 (operator), each in their own browser, walk one challenge from
 * draft to accepted. Accounts and organisations come from the factories; every step after that is
 * a click or a typed field, and each step asserts what that person sees.
 */
let ctx: TestContext;
let browser: Browser;
let http: Awaited<ReturnType<typeof serveOverHttp>>;
let w: FlowWorld;
const errors: string[] = [];

beforeAll(async () => {
  if (!hasChromium && process.env.CI) throw new Error('chromium is missing: .ci/run installs it with apt');
  ctx = await createTestContext();
  w = await newFlowWorld(ctx.db, ctx.app);
  // The society is findable in the society search index, as it is once verified on the platform.
  await enqueueSearchSync(ctx.db, 'society', [w.society.org.id]);
  await enqueueSearchSync(ctx.db, 'expert', [w.expertA.profileId, w.expertB.profileId]);
  await ctx.drainOutbox();
  http = await serveOverHttp(ctx);
  if (hasChromium) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await ctx?.close();
});

async function signIn(email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${http.baseUrl}/login?next=${encodeURIComponent('/workspace')}`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(PERSONA_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/workspace$/);
  return page;
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();
const body = (page: Page) => page.locator('body').textContent();

describe.skipIf(!hasChromium && !process.env.CI)('揭榜挂帅 in the browser', () => {
  it('five people walk one challenge from draft to accepted', { timeout: 240_000 }, async () => {
    const enterprise = await signIn(w.enterprise.user.email);
    const operator = await signIn(w.operator.user.email);
    const wang = await signIn(w.expertA.user.email);
    const liu = await signIn(w.expertB.user.email);
    const society = await signIn(w.society.user.email);

    // 发榜: the enterprise fills the whole form and saves a draft.
    await enterprise.getByRole('link', { name: '发布新榜单' }).click();
    await enterprise.getByLabel('榜单名称').fill('线椒烘干后色泽发暗的工艺改进');
    await enterprise
      .getByLabel('需求背景')
      .fill(
        '我们是遵义的辣椒加工企业，年加工干辣椒三千吨。近两年烘干后的辣椒颜色发暗、发褐，收购商压价，客户投诉多，自己试过调温度效果不明显。',
      );
    await enterprise
      .getByLabel('需解决的主要技术难题')
      .fill(
        '现有燃煤热风烘干房温度不均，烘干时间长达二十小时，辣椒红色素损失大，成品色价低；需要在不大幅增加设备投入的前提下改进烘干工艺。',
      );
    await enterprise.getByLabel('期望技术目标').fill('成品色价提高 15% 以上，烘干时间缩短到 12 小时以内。');
    await enterprise.getByLabel('所属产业').selectOption({ label: '辣椒' });
    await enterprise.getByLabel('涉及学科').fill('210');
    await enterprise.getByLabel('所在地区').selectOption('520328');
    await enterprise.getByLabel('悬赏金额（万元）').fill('50');
    await enterprise.getByLabel('支付方式').fill('50/50');
    await enterprise.getByLabel('揭榜截止日期').fill(dayFromNow(30));
    await enterprise.getByLabel('交付期限').fill(dayFromNow(200));
    await enterprise.getByLabel('揭榜方资质要求').fill('具有果蔬干燥研究经验的团队，有中试条件者优先。');
    await enterprise.getByLabel('合作方式').selectOption('技术开发');
    await enterprise.getByLabel('知识产权归属').selectOption({ label: '双方共有' });
    await enterprise.getByLabel('保密要求').selectOption({ label: '挂帅后签订保密协议' });
    await enterprise.getByLabel('其他条款说明').fill('工艺参数归双方共有，企业享有独家使用权。');
    await enterprise.getByLabel('挂帅方式').selectOption({ label: '单一揭榜方挂帅' });
    await enterprise.getByRole('button', { name: '保存草稿' }).click();
    await enterprise.waitForURL(/\/workspace\/challenges\/[0-9a-f-]{36}$/);
    const manageUrl = enterprise.url();
    const id = manageUrl.split('/').pop()!;
    expect(await text(enterprise, 'challenge-status')).toBe('草稿');
    expect(Number(await text(enterprise, 'completeness'))).toBeGreaterThanOrEqual(90);
    await enterprise.getByRole('button', { name: '提交审核' }).click();
    await enterprise.waitForURL(manageUrl);
    expect(await text(enterprise, 'challenge-status')).toBe('审核中');

    // 审核: the operator finds it in the queue and returns it with a reason.
    await operator.reload();
    await operator
      .getByTestId('review-queue')
      .getByRole('link', { name: '线椒烘干后色泽发暗的工艺改进' })
      .click();
    await operator.getByTestId('review-form').getByLabel('原因 / 说明').fill('请补充现有烘房的规模和热源');
    await operator.getByRole('button', { name: '退回整改' }).click();
    await operator.waitForURL(manageUrl);
    expect(await text(operator, 'challenge-status')).toBe('退回整改');

    // 整改: the enterprise sees the reason, edits the background and resubmits.
    await enterprise.reload();
    expect(await text(enterprise, 'challenge-status')).toBe('退回整改');
    expect(await enterprise.locator('.history').textContent()).toContain('请补充现有烘房的规模和热源');
    await enterprise.getByRole('link', { name: '编辑' }).click();
    const background = enterprise.getByLabel('需求背景');
    await background.fill(`${await background.inputValue()}现有燃煤热风烘房 6 间，每间一次可烘鲜椒 2 吨。`);
    await enterprise.getByRole('button', { name: '保存', exact: true }).click();
    await enterprise.waitForURL(manageUrl);
    await enterprise.getByRole('button', { name: '提交审核' }).click();
    await enterprise.waitForURL(manageUrl);
    expect(await text(enterprise, 'challenge-status')).toBe('审核中');

    // The operator publishes.
    await operator.reload();
    await operator.getByRole('button', { name: '审核通过并发布' }).click();
    await operator.waitForURL(manageUrl);
    expect(await text(operator, 'challenge-status')).toBe('揭榜中');
    await ctx.drainOutbox();

    // The public page shows the newer fields.
    await liu.goto(`${http.baseUrl}/challenges/${id}`);
    const facts = await liu.locator('.facts').textContent();
    expect(facts).toContain('双方共有');
    expect(facts).toContain('挂帅后签订保密协议');
    expect(facts).toContain('单一揭榜方挂帅');
    expect(facts).toContain('50% / 50%');
    expect(await body(liu)).toContain('具有果蔬干燥研究经验的团队');
    expect(await body(liu)).toContain('贵州黔茶科技有限公司');

    // 答疑: 刘研究员 asks; the enterprise answers publicly; everyone sees the answer.
    await liu.getByLabel('提问').fill('现有烘房的热源是燃煤还是电？');
    await liu.getByRole('button', { name: '提交问题' }).click();
    await liu.waitForURL(new RegExp(`/challenges/${id}#qa$`));
    expect(await liu.locator('#qa').textContent()).toContain('（待回答）');
    await enterprise.reload();
    await enterprise.getByLabel('回答').fill('燃煤热风炉，计划改生物质。');
    await enterprise.getByRole('button', { name: '公开回答' }).click();
    await enterprise.waitForURL(manageUrl);
    await wang.goto(`${http.baseUrl}/challenges/${id}`);
    expect(await wang.locator('#qa').textContent()).toContain('答：燃煤热风炉，计划改生物质。');

    // 邀请: the enterprise searches for the society by name and invites it from the results.
    await enterprise.getByLabel('搜索专家或学会').fill('茶叶学会');
    await enterprise.getByRole('button', { name: '搜索', exact: true }).click();
    await enterprise.getByLabel('邀请说明').fill('欢迎学会组织专家揭榜');
    await enterprise.getByRole('button', { name: '邀请：贵州省茶叶学会' }).click();
    await enterprise.waitForURL(manageUrl);
    expect(await enterprise.getByTestId('invitations-sent').textContent()).toContain('贵州省茶叶学会');

    // The society sees the invitation, accepts and bids as an organisation.
    await society.reload();
    const invitation = society.getByTestId('my-invitations');
    expect(await invitation.textContent()).toContain('线椒烘干后色泽发暗的工艺改进');
    await invitation.getByRole('button', { name: '接受' }).click();
    await society.waitForURL(/\/workspace$/);
    expect(await society.getByTestId('my-invitations').textContent()).toContain('已接受');
    await society.goto(`${http.baseUrl}/challenges/${id}`);
    await society.getByTestId('bid-link').click();
    await society
      .getByLabel('技术方案与思路')
      .fill('学会组织干燥与色素两个方向的专家，先做烘房温场测试再改工艺。');
    await society.getByLabel('承诺达到的指标').fill('色价提高 15%');
    await society.getByLabel('报价（万元）').fill('48');
    await society.getByLabel('工期（天）').fill('150');
    await society.getByRole('button', { name: '提交申请' }).click();
    await society.waitForURL(/\/workspace\/bids\/[0-9a-f-]{36}$/);
    expect(await text(society, 'bid-status')).toBe('已提交');

    // 揭榜: 王教授 leads a team with 刘研究员.
    await wang.getByTestId('bid-link').click();
    await wang.getByLabel('揭榜方式').selectOption({ label: '团队揭榜' });
    await wang.getByLabel('团队成员').fill(`${w.expertB.user.email} 色素分析`);
    await wang
      .getByLabel('技术方案与思路')
      .fill('采用低温分段热风干燥，结合护色预处理与湿度控制，先在企业现有烘房做中试。');
    await wang.getByLabel('承诺达到的指标').fill('色价提高 20%，烘干时间 10 小时');
    await wang.getByLabel('报价（万元）').fill('45');
    await wang.getByLabel('工期（天）').fill('180');
    await wang.getByRole('button', { name: '提交申请' }).click();
    await wang.waitForURL(/\/workspace\/bids\/[0-9a-f-]{36}$/);
    const winningBidUrl = wang.url();
    expect(await body(wang)).toContain('刘研究员（色素分析）：待确认');

    // 刘研究员 confirms from the notification.
    await liu.goto(`${http.baseUrl}/notifications`);
    await liu.getByRole('link', { name: /邀请您加入榜单「线椒烘干后色泽发暗的工艺改进」的揭榜团队/ }).click();
    await liu.getByRole('button', { name: '确认加入' }).click();
    await liu.waitForURL(winningBidUrl);
    expect(await body(liu)).toContain('刘研究员（色素分析）：已确认');

    // The other bidder cannot open the winning bid: a 404 page.
    const response = await society.goto(winningBidUrl);
    expect(response?.status()).toBe(404);
    expect(await body(society)).toContain('揭榜申请不存在');

    // Bidding closes early; the enterprise evaluates and awards.
    await enterprise.reload();
    await enterprise.getByRole('button', { name: '提前截止揭榜' }).click();
    await enterprise.waitForURL(manageUrl);
    expect(await text(enterprise, 'challenge-status')).toBe('揭榜截止');
    const teamBid = enterprise.locator('section[data-bid-id]', { hasText: '团队揭榜' });
    await teamBid.getByLabel('入围').check();
    await teamBid.getByLabel('评分（0-100）').fill('92');
    await teamBid.getByLabel('内部备注').fill('方案扎实，有中试条件');
    await teamBid.getByRole('button', { name: '保存评审' }).click();
    await enterprise.waitForURL(manageUrl);
    const savedTeamBid = enterprise.locator('section[data-bid-id]', { hasText: '团队揭榜' });
    expect(await savedTeamBid.getByLabel('评分（0-100）').inputValue()).toBe('92');
    expect(await savedTeamBid.getByLabel('内部备注').inputValue()).toBe('方案扎实，有中试条件');
    await enterprise
      .locator('#award-form')
      .getByLabel(/王教授/)
      .check();
    await enterprise.getByRole('button', { name: '挂帅', exact: true }).click();
    await enterprise.waitForURL(manageUrl);
    expect(await text(enterprise, 'challenge-status')).toBe('已挂帅');
    // The private note is the enterprise's alone.
    await wang.goto(winningBidUrl);
    expect(await body(wang)).not.toContain('方案扎实');
    expect(await text(wang, 'bid-status')).toBe('已挂帅');

    // The losing society sees a notification and its bid marked 未入选.
    await society.goto(`${http.baseUrl}/workspace`);
    expect(await text(society, 'notifications-link')).toMatch(/消息通知（\d+ 条未读）/);
    await society.getByTestId('notifications-link').click();
    await society.waitForURL(/\/notifications$/);
    expect(await body(society)).toContain('您的申请未入选');
    expect(Number((await text(society, 'unread-count'))?.match(/\d+/)?.[0])).toBeGreaterThan(0);
    await society.goto(`${http.baseUrl}/workspace`);
    expect(await body(society)).toContain('未入选');

    // 交付: milestones in their order; the first is returned once, then accepted.
    await wang.reload();
    const milestoneTitles = await wang.locator('section[data-milestone-id] h3').allTextContents();
    expect(milestoneTitles.map((t) => t.split(' · ')[0])).toEqual([
      '第 1 阶段（付款 50%）',
      '第 2 阶段（付款 50%）',
    ]);
    const firstMilestone = () => wang.locator('section[data-milestone-id]').first();
    await firstMilestone().getByLabel('成果说明与证明材料').fill('中试报告：色价提高 12%');
    await firstMilestone().getByRole('button', { name: '提交成果' }).click();
    await wang.waitForURL(winningBidUrl);
    expect(await firstMilestone().locator('h3').textContent()).toContain('待验收');

    await enterprise.reload();
    expect(await text(enterprise, 'challenge-status')).toBe('攻关中');
    const enterpriseFirst = enterprise.locator('section[data-milestone-id]').first();
    await enterpriseFirst.getByLabel('原因 / 说明').fill('色价未达 15%');
    await enterpriseFirst.getByRole('button', { name: '退回修改' }).click();
    await enterprise.waitForURL(manageUrl);
    expect(await enterprise.locator('section[data-milestone-id]').first().textContent()).toContain(
      '已退回：色价未达 15%',
    );

    await liu.goto(winningBidUrl);
    const liuFirst = liu.locator('section[data-milestone-id]').first();
    expect(await liuFirst.textContent()).toContain('色价未达 15%');
    await liuFirst.getByLabel('成果说明与证明材料').fill('第二轮中试：色价提高 18%');
    await liuFirst.getByRole('button', { name: '提交成果' }).click();
    await liu.waitForURL(winningBidUrl);

    await enterprise.reload();
    await enterprise
      .locator('section[data-milestone-id]')
      .first()
      .getByRole('button', { name: '验收通过' })
      .click();
    await enterprise.waitForURL(manageUrl);

    await wang.reload();
    const second = wang.locator('section[data-milestone-id]').nth(1);
    await second.getByLabel('成果说明与证明材料').fill('生产线改造完成，连续运行一个月数据');
    await second.getByRole('button', { name: '提交成果' }).click();
    await wang.waitForURL(winningBidUrl);
    await enterprise.reload();
    await enterprise
      .locator('section[data-milestone-id]')
      .nth(1)
      .getByRole('button', { name: '验收通过' })
      .click();
    await enterprise.waitForURL(manageUrl);
    expect(await enterprise.locator('section[data-milestone-id] h3').allTextContents()).toEqual([
      '第 1 阶段（付款 50%） · 已通过',
      '第 2 阶段（付款 50%） · 已通过',
    ]);

    // 验收 closes it as solved.
    await enterprise.getByRole('button', { name: '最终验收（结题）' }).click();
    await enterprise.waitForURL(manageUrl);
    expect(await text(enterprise, 'challenge-status')).toBe('已验收');

    // 互评: both sides rate each other from the winning bid's page.
    await enterprise.goto(winningBidUrl);
    await enterprise.getByLabel('评分（1-5）').fill('5');
    await enterprise.getByLabel('评语').fill('专业高效');
    await enterprise.getByRole('button', { name: '评价' }).click();
    await enterprise.waitForURL(winningBidUrl);
    expect(await enterprise.getByTestId('ratings').textContent()).toContain('专业高效');
    await wang.reload();
    await wang.getByLabel('评分（1-5）').fill('5');
    await wang.getByLabel('评语').fill('配合积极');
    await wang.getByRole('button', { name: '评价' }).click();
    await wang.waitForURL(winningBidUrl);
    const ratings = await wang.getByTestId('ratings').textContent();
    expect(ratings).toContain('配合积极');
    expect(ratings).toContain('专业高效');

    // The public page tells the story; the winner got the award and acceptance notices.
    await liu.goto(`${http.baseUrl}/challenges/${id}`);
    expect(await liu.locator('.history').textContent()).toContain('已验收');
    await wang.goto(`${http.baseUrl}/notifications`);
    const notices = await body(wang);
    expect(notices).toContain('恭喜！您在榜单「线椒烘干后色泽发暗的工艺改进」中挂帅');
    expect(notices).toContain('已通过最终验收');

    const dbRow = await ctx.db
      .selectFrom('challenges')
      .select(['status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(dbRow.status).toBe('accepted');
    const ratingRows = await ctx.db
      .selectFrom('challenge_ratings')
      .select('score')
      .where('challenge_id', '=', id)
      .execute();
    expect(ratingRows).toHaveLength(2);
    expect(errors).toEqual([]);
  });
});

/** A calendar day n days from now, as a date input takes it. */
function dayFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
}
