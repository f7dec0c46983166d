import type { Database } from '../../src/db/database.js';
import { newOrganisationFor, signedIn } from './account-factories.js';

type App = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

/**
 * Personas for the 揭榜挂帅 journeys, each with a session cookie: the enterprise 黔茶科技 (verified),
 * two experts 王教授 and 刘研究员 (with expert profiles), the society 省茶叶学会 (verified) and an
 * operator 陈老师. Every call makes fresh accounts and organisations: no shared fixtures.
 */
export async function newFlowWorld(db: Database, app: App) {
  const enterprise = await signedIn(db, app, 'enterprise');
  const enterpriseOrg = await newOrganisationFor(db, enterprise.user.id, {
    kind: 'enterprise',
    name: '贵州黔茶科技有限公司',
    verification_status: 'verified',
  });
  const expertA = await signedIn(db, app, 'expert');
  const expertB = await signedIn(db, app, 'expert');
  await db.updateTable('users').set({ display_name: '刘研究员' }).where('id', '=', expertB.user.id).execute();
  const [profileA, profileB] = await Promise.all(
    [
      [expertA, '王教授', '贵州大学茶学院'],
      [expertB, '刘研究员', '贵州省农科院'],
    ].map(([persona, name, affiliation]) =>
      db
        .insertInto('expert_profiles')
        .values({
          user_id: (persona as typeof expertA).user.id,
          name: name as string,
          affiliation: affiliation as string,
          title: '教授',
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    ),
  );
  const society = await signedIn(db, app, 'society');
  const societyOrg = await newOrganisationFor(db, society.user.id, {
    kind: 'society',
    name: '贵州省茶叶学会',
    verification_status: 'verified',
  });
  const operator = await signedIn(db, app, 'operator');
  const outsider = await signedIn(db, app, 'expert');
  return {
    enterprise: { ...enterprise, org: enterpriseOrg },
    expertA: { ...expertA, profileId: profileA!.id },
    expertB: { ...expertB, profileId: profileB!.id },
    society: { ...society, org: societyOrg },
    operator,
    outsider,
  };
}

export type FlowWorld = Awaited<ReturnType<typeof newFlowWorld>>;

/** JSON call as a persona; returns status, parsed body and headers. */
export async function call(
  app: App,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: {
      Origin: 'http://localhost',
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(options.cookie ? { Cookie: options.cookie } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test helper returns untyped JSON
  const body: any = text ? JSON.parse(text) : null;
  return { status: res.status, body, headers: res.headers };
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** A complete challenge body as an enterprise would post it. */
export function challengeInput(overrides: Record<string, unknown> = {}) {
  return {
    title: '线椒烘干后色泽发暗的工艺改进',
    background:
      '我们是遵义的辣椒加工企业，年加工干辣椒三千吨。近两年烘干后的辣椒颜色发暗、发褐，收购商压价，客户投诉多，自己试过调温度效果不明显。',
    problem:
      '现有燃煤热风烘干房温度不均，烘干时间长达二十小时，辣椒红色素损失大，成品色价低；需要在不大幅增加设备投入的前提下改进烘干工艺。',
    targets: '成品色价提高 15% 以上，烘干时间缩短到 12 小时以内，能耗不增加。',
    industry_code: 'rural-chilli',
    region_code: '520328',
    reward_wan: 50,
    reward_tranches: [40, 30, 30],
    bid_deadline: inDays(30),
    delivery_deadline: inDays(200),
    bidder_requirements: '具有果蔬干燥研究经验的团队，有中试条件者优先。',
    cooperation_mode: '技术开发',
    ip_terms: 'shared',
    confidentiality: 'nda_on_award',
    terms_note: '工艺参数归双方共有，企业享有独家使用权。',
    ...overrides,
  };
}

/** A challenge walked to `published` over the API (create → submit → operator publishes). */
export async function publishedChallenge(
  app: App,
  world: FlowWorld,
  overrides: Record<string, unknown> = {},
) {
  const created = await call(app, 'POST', '/challenges', {
    cookie: world.enterprise.cookie,
    body: challengeInput(overrides),
  });
  if (created.status !== 201)
    throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id: string = created.body.id;
  const submitted = await call(app, 'POST', `/challenges/${id}/submit`, { cookie: world.enterprise.cookie });
  if (submitted.status !== 200)
    throw new Error(`submit failed: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const published = await call(app, 'POST', `/challenges/${id}/review`, {
    cookie: world.operator.cookie,
    body: { decision: 'publish' },
  });
  if (published.status !== 200)
    throw new Error(`publish failed: ${published.status} ${JSON.stringify(published.body)}`);
  return id;
}

export function bidInput(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'expert',
    approach: '采用低温分段热风干燥，结合护色预处理与湿度控制，先在企业现有烘房做中试。',
    promised_indicators: '色价提高 20%，烘干时间 10 小时',
    price_wan: 45,
    duration_days: 180,
    ...overrides,
  };
}
