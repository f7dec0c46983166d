import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  bidInput,
  call,
  challengeInput,
  type FlowWorld,
  newFlowWorld,
  publishedChallenge,
} from '../support/challenge-flow-factories.js';
import { newServiceRecord, newStation } from '../support/station-factories.js';
import { newCapability } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';
import { appWithStorage, files, sha256Hex } from './support.js';

let ctx: TestContext;
let env: Awaited<ReturnType<typeof appWithStorage>>;
let world: FlowWorld;

beforeAll(async () => {
  ctx = await createTestContext();
  env = await appWithStorage(ctx);
  world = await newFlowWorld(ctx.db, env.app);
});
afterAll(async () => {
  await env?.close();
  await ctx.close();
});

const page = (path: string, cookie?: string) =>
  env.app.request(`http://localhost${path}`, cookie ? { headers: { Cookie: cookie } } : {});

/** The upload form as a browser posts it (same-origin, multipart, hidden owner fields). */
function postForm(fields: Record<string, string>, file: File | null, cookie: string, site = 'same-origin') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set('file', file);
  return env.app.request('http://localhost/attachments', {
    method: 'POST',
    headers: { Cookie: cookie, 'Sec-Fetch-Site': site },
    body: form,
  });
}

async function draft(overrides: Record<string, unknown> = {}) {
  const created = await call(env.app, 'POST', '/challenges', {
    cookie: world.enterprise.cookie,
    body: challengeInput(overrides),
  });
  return created.body.id as string;
}

describe('the attachments block on pages', () => {
  test('黔茶科技 uploads from the edit page, sees it listed, and the public page lists it once published', async () => {
    const id = await draft();
    const edit = await (await page(`/workspace/challenges/${id}/edit`, world.enterprise.cookie)).text();
    expect(edit).toContain('enctype="multipart/form-data"');
    expect(edit).toContain(`name="owner_id" value="${id}"`);

    const bytes = files.pdf();
    const res = await postForm(
      { owner_kind: 'challenge', owner_id: id, back: `/workspace/challenges/${id}/edit` },
      new File([bytes as Uint8Array<ArrayBuffer>], '烘干房温度记录.pdf'),
      world.enterprise.cookie,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/workspace/challenges/${id}/edit`);
    const after = await (await page(`/workspace/challenges/${id}`, world.enterprise.cookie)).text();
    expect(after).toContain('烘干房温度记录.pdf');

    expect(await (await page(`/challenges/${id}`)).text()).not.toContain('烘干房温度记录.pdf');
    expect(
      (await call(env.app, 'POST', `/challenges/${id}/submit`, { cookie: world.enterprise.cookie })).status,
    ).toBe(200);
    expect(
      (
        await call(env.app, 'POST', `/challenges/${id}/review`, {
          cookie: world.operator.cookie,
          body: { decision: 'publish' },
        })
      ).status,
    ).toBe(200);
    const publicPage = await (await page(`/challenges/${id}`)).text();
    expect(publicPage).toContain('烘干房温度记录.pdf');
    expect(publicPage).not.toContain('enctype="multipart/form-data"');
    const link = /href="(\/attachments\/[0-9a-f-]{36})"/.exec(publicPage)![1]!;
    const download = await page(link);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(await sha256Hex(new Uint8Array(await download.arrayBuffer()))).toBe(await sha256Hex(bytes));
  });

  test('a refused file shows the Chinese reason; a cross-site post is refused; nothing is stored', async () => {
    const id = await draft();
    const refused = await postForm(
      { owner_kind: 'challenge', owner_id: id, back: `/workspace/challenges/${id}` },
      new File([files.exe() as Uint8Array<ArrayBuffer>], '说明.pdf'),
      world.enterprise.cookie,
    );
    expect(refused.status).toBe(415);
    expect(await refused.text()).toContain('不允许上传可执行文件或脚本');
    const crossSite = await postForm(
      { owner_kind: 'challenge', owner_id: id },
      new File([files.pdf() as Uint8Array<ArrayBuffer>], 'a.pdf'),
      world.enterprise.cookie,
      'cross-site',
    );
    expect(crossSite.status).toBe(403);
    const n = await ctx.db.selectFrom('attachments').select('id').where('owner_id', '=', id).execute();
    expect(n).toHaveLength(0);
  });

  test('an off-site `back` is refused (422: no open redirect); delete by form returns to the page', async () => {
    const id = await draft();
    const res = await postForm(
      { owner_kind: 'challenge', owner_id: id, back: '//evil.example/x' },
      new File([files.pdf() as Uint8Array<ArrayBuffer>], 'a.pdf'),
      world.enterprise.cookie,
    );
    expect(res.status).toBe(422);
    const ok = await postForm(
      { owner_kind: 'challenge', owner_id: id },
      new File([files.pdf() as Uint8Array<ArrayBuffer>], 'a.pdf'),
      world.enterprise.cookie,
    );
    expect(ok.headers.get('location')).toBe('/');
    const row = await ctx.db
      .selectFrom('attachments')
      .select('id')
      .where('owner_id', '=', id)
      .executeTakeFirstOrThrow();
    const deleted = await env.app.request(`http://localhost/attachments/${row.id}/delete`, {
      method: 'POST',
      headers: {
        Cookie: world.enterprise.cookie,
        'Sec-Fetch-Site': 'same-origin',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: `back=${encodeURIComponent(`/workspace/challenges/${id}`)}`,
    });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe(`/workspace/challenges/${id}`);
    expect(await (await page(`/workspace/challenges/${id}`, world.enterprise.cookie)).text()).not.toContain(
      'a.pdf',
    );
  });

  test('the bid page, the capability page and the station page show their attachments to those who may see them', async () => {
    const challengeId = await publishedChallenge(env.app, world);
    const bid = await call(env.app, 'POST', `/challenges/${challengeId}/bids`, {
      cookie: world.expertA.cookie,
      body: bidInput(),
    });
    expect(
      (
        await postForm(
          { owner_kind: 'bid', owner_id: bid.body.id },
          new File([files.pdf() as Uint8Array<ArrayBuffer>], '技术方案.pdf'),
          world.expertA.cookie,
        )
      ).status,
    ).toBe(303);
    expect(await (await page(`/workspace/bids/${bid.body.id}`, world.enterprise.cookie)).text()).toContain(
      '技术方案.pdf',
    );

    const capability = await newCapability(ctx.db, { ownerExpertId: world.expertA.profileId });
    expect(
      (
        await postForm(
          { owner_kind: 'capability', owner_id: capability.id },
          new File([files.png() as Uint8Array<ArrayBuffer>], '样机照片.png'),
          world.expertA.cookie,
        )
      ).status,
    ).toBe(303);
    expect(await (await page(`/capabilities/${capability.id}`)).text()).toContain('样机照片.png');

    const station = await newStation(ctx.db, {
      societyId: world.society.org.id,
      hostId: world.enterprise.org.id,
    });
    const record = await newServiceRecord(ctx.db, {
      stationId: station.id,
      served_on: '2026-05-01',
      status: 'submitted',
    });
    const stationPage = await (await page(`/stations/${station.id}`, world.society.cookie)).text();
    expect(stationPage).toContain(`name="owner_id" value="${record.id}"`);
    expect(
      (
        await postForm(
          { owner_kind: 'service_record', owner_id: record.id },
          new File([files.pdf() as Uint8Array<ArrayBuffer>], '培训签到表.pdf'),
          world.society.cookie,
        )
      ).status,
    ).toBe(303);
    expect(await (await page(`/stations/${station.id}`, world.enterprise.cookie)).text()).toContain(
      '培训签到表.pdf',
    );
    expect(await (await page(`/stations/${station.id}`)).text()).not.toContain('培训签到表.pdf');
  });
});
