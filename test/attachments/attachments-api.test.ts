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
import { appWithStorage, files, sha256Hex, uploadRequest } from './support.js';

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

const url = (path: string) => `http://localhost/api/v1${path}`;
const upload = (path: string, name: string, bytes: Uint8Array, cookie?: string) =>
  env.app.request(url(path), uploadRequest(name, bytes, cookie));
const get = (path: string, cookie?: string) =>
  env.app.request(url(path), cookie ? { headers: { Cookie: cookie } } : {});

async function draftChallenge(overrides: Record<string, unknown> = {}) {
  const created = await call(env.app, 'POST', '/challenges', {
    cookie: world.enterprise.cookie,
    body: challengeInput(overrides),
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function publish(id: string) {
  expect(
    (await call(env.app, 'POST', `/challenges/${id}/submit`, { cookie: world.enterprise.cookie })).status,
  ).toBe(200);
  const reviewed = await call(env.app, 'POST', `/challenges/${id}/review`, {
    cookie: world.operator.cookie,
    body: { decision: 'publish' },
  });
  expect(reviewed.status).toBe(200);
}

const liveCount = async (ownerId: string) =>
  Number(
    (
      await ctx.db
        .selectFrom('attachments')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('owner_id', '=', ownerId)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('challenge attachments', () => {
  test('黔茶科技 uploads a PDF with a Chinese name to its draft; it downloads byte-for-byte with safe headers', async () => {
    const id = await draftChallenge();
    const bytes = files.pdf();
    const res = await upload(
      `/challenges/${id}/attachments`,
      '线椒烘干 现状说明（2026）.pdf',
      bytes,
      world.enterprise.cookie,
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      file_name: '线椒烘干 现状说明（2026）.pdf',
      content_type: 'application/pdf',
      byte_size: bytes.byteLength,
      sha256: await sha256Hex(bytes),
      uploaded_by: { user_id: world.enterprise.user.id },
    });
    const row = await ctx.db
      .selectFrom('attachments')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      owner_kind: 'challenge',
      owner_id: id,
      challenge_id: id,
      sha256: body.sha256,
    });
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('target_id', '=', body.id)
      .execute();
    expect(audit).toEqual([{ action: 'attachment.uploaded', actor_user_id: world.enterprise.user.id }]);

    const download = await get(`/attachments/${body.id}`, world.enterprise.cookie);
    expect(download.status).toBe(200);
    const downloaded = new Uint8Array(await download.arrayBuffer());
    expect(await sha256Hex(downloaded)).toBe(body.sha256);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    const disposition = download.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('线椒烘干 现状说明（2026）.pdf');
  });

  test('a draft’s attachments are hidden (404) from the public and other users; published, they are public', async () => {
    const id = await draftChallenge();
    const up = await (
      await upload(`/challenges/${id}/attachments`, '需求说明.pdf', files.pdf(), world.enterprise.cookie)
    ).json();
    for (const cookie of [undefined, world.outsider.cookie, world.expertA.cookie]) {
      expect((await get(`/attachments/${up.id}`, cookie)).status).toBe(404);
      expect((await get(`/challenges/${id}/attachments`, cookie)).status).toBe(404);
    }
    expect((await get(`/attachments/${up.id}`, world.operator.cookie)).status).toBe(200);

    await publish(id);
    const list = await (await get(`/challenges/${id}/attachments`)).json();
    expect(list.items.map((a: { id: string }) => a.id)).toEqual([up.id]);
    expect(list.can_change).toBe(false);
    expect(list.items[0].uploaded_by).toBeNull();
    const anonymous = await get(`/attachments/${up.id}`);
    expect(anonymous.status).toBe(200);
    expect(await sha256Hex(new Uint8Array(await anonymous.arrayBuffer()))).toBe(up.sha256);
  });

  test('with 隐藏企业名称, the public list does not name the uploader or the enterprise', async () => {
    const id = await draftChallenge({ hide_enterprise_name: true });
    expect(
      (await upload(`/challenges/${id}/attachments`, '工艺.pdf', files.pdf(), world.enterprise.cookie))
        .status,
    ).toBe(201);
    await publish(id);
    const text = await (await get(`/challenges/${id}/attachments`, world.expertA.cookie)).text();
    expect(text).not.toContain(world.enterprise.user.id);
    expect(text).not.toContain('黔茶');
    expect(JSON.parse(text).items[0].uploaded_by).toBeNull();
  });

  test('once submitted for review the attachments are locked (409 ATTACHMENTS_LOCKED), for upload and delete', async () => {
    const id = await draftChallenge();
    const up = await (
      await upload(`/challenges/${id}/attachments`, 'a.pdf', files.pdf(), world.enterprise.cookie)
    ).json();
    expect(
      (await call(env.app, 'POST', `/challenges/${id}/submit`, { cookie: world.enterprise.cookie })).status,
    ).toBe(200);
    const refused = await upload(
      `/challenges/${id}/attachments`,
      'b.pdf',
      files.pdf(),
      world.enterprise.cookie,
    );
    expect(refused.status).toBe(409);
    expect((await refused.json()).code).toBe('ATTACHMENTS_LOCKED');
    expect(
      (await call(env.app, 'DELETE', `/attachments/${up.id}`, { cookie: world.enterprise.cookie })).status,
    ).toBe(409);
    expect(await liveCount(id)).toBe(1);
  });

  test('the enterprise deletes a draft attachment: soft-deleted row, audit entry, bytes gone, 404 afterwards', async () => {
    const id = await draftChallenge();
    const up = await (
      await upload(`/challenges/${id}/attachments`, '旧版.pdf', files.pdf(), world.enterprise.cookie)
    ).json();
    const before = await env.storedFiles();
    expect(before).toContain(up.id);
    const res = await call(env.app, 'DELETE', `/attachments/${up.id}`, { cookie: world.enterprise.cookie });
    expect(res.status).toBe(204);
    const row = await ctx.db
      .selectFrom('attachments')
      .selectAll()
      .where('id', '=', up.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect(row.deleted_by).toBe(world.enterprise.user.id);
    expect(await env.storedFiles()).not.toContain(up.id);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', up.id)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['attachment.deleted', 'attachment.uploaded']);
    expect((await get(`/attachments/${up.id}`, world.enterprise.cookie)).status).toBe(404);
    expect((await get(`/challenges/${id}/attachments`, world.enterprise.cookie)).status).toBe(200);
  });
});

describe('limits: each refusal is a specific problem+json and nothing is stored', () => {
  const cases: Array<[string, string, () => Uint8Array, number, string, RegExp]> = [
    [
      'a file over 20 MB',
      '大文件.pdf',
      () => {
        const big = new Uint8Array(20 * 1024 * 1024 + 1);
        big.set(files.pdf());
        return big;
      },
      413,
      'ATTACHMENT_TOO_LARGE',
      /不能超过 20 MB/,
    ],
    ['an empty file', '空白.pdf', () => new Uint8Array(0), 422, 'VALIDATION_FAILED', /文件为空/],
    [
      'a type not on the list',
      '页面.html',
      () => new TextEncoder().encode('<html><script>alert(1)</script>'),
      415,
      'ATTACHMENT_TYPE_NOT_ALLOWED',
      /不支持的文件类型/,
    ],
    [
      'an SVG',
      '图.svg',
      () => new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      415,
      'ATTACHMENT_TYPE_NOT_ALLOWED',
      /不支持的文件类型/,
    ],
    ['a PNG renamed .pdf', '伪装.pdf', files.png, 415, 'ATTACHMENT_TYPE_NOT_ALLOWED', /与扩展名 \.pdf 不符/],
    [
      'a zip that is not a Word file, named .docx',
      '文档.docx',
      () => new TextEncoder().encode('PK\u0003\u0004xl/workbook.xml'),
      415,
      'ATTACHMENT_TYPE_NOT_ALLOWED',
      /\.docx 不符/,
    ],
    ['an executable renamed .pdf', '说明.pdf', files.exe, 415, 'ATTACHMENT_TYPE_NOT_ALLOWED', /可执行文件/],
    ['an executable', 'setup.exe', files.exe, 415, 'ATTACHMENT_TYPE_NOT_ALLOWED', /可执行文件/],
    [
      'a GBK (not UTF-8) text file',
      '名单.csv',
      () => new Uint8Array([0xc3, 0xfb, 0xb5, 0xa5, 0x0a]),
      415,
      'ATTACHMENT_TYPE_NOT_ALLOWED',
      /UTF-8/,
    ],
  ];
  test.each(cases)('%s', async (_label, name, bytes, status, code, reason) => {
    const id = await draftChallenge();
    const before = await env.storedFiles();
    const res = await upload(`/challenges/${id}/attachments`, name, bytes(), world.enterprise.cookie);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await res.json();
    expect(problem.code).toBe(code);
    expect(problem.errors).toEqual([{ field: 'file', reason: expect.stringMatching(reason) }]);
    expect(await liveCount(id)).toBe(0);
    expect(await env.storedFiles()).toEqual(before);
  });

  test('the 11th file is refused with 409 ATTACHMENT_LIMIT_REACHED, even when uploads race', async () => {
    const id = await draftChallenge();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        upload(`/challenges/${id}/attachments`, `附件${i}.csv`, files.csv(), world.enterprise.cookie),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    const refused = results.find((r) => r.status === 409)!;
    expect((await refused.json()).errors[0].reason).toMatch(/最多 10 个/);
    expect(await liveCount(id)).toBe(10);
  });

  test('a non-multipart body is 415; a multipart body without a file is 422 on the field file', async () => {
    const id = await draftChallenge();
    const json = await call(env.app, 'POST', `/challenges/${id}/attachments`, {
      cookie: world.enterprise.cookie,
      body: { file: 'x' },
    });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.set('note', '没有文件');
    const empty = await env.app.request(url(`/challenges/${id}/attachments`), {
      method: 'POST',
      headers: { Origin: 'http://localhost', Cookie: world.enterprise.cookie },
      body: form,
    });
    expect(empty.status).toBe(422);
    expect((await empty.json()).errors[0]).toEqual({ field: 'file', reason: '请选择要上传的文件' });
  });

  test('file names are cleaned (path, control and reserved characters) but Chinese is kept', async () => {
    const id = await draftChallenge();
    const res = await upload(
      `/challenges/${id}/attachments`,
      'C:\\Users\\张三\\桌面\\<检测>报告\u0007:终稿?.docx',
      files.docx(),
      world.enterprise.cookie,
    );
    expect(res.status).toBe(201);
    expect((await res.json()).file_name).toBe('_检测_报告_终稿_.docx');
  });
});

describe('bid attachments are as confidential as bids', () => {
  test('王教授’s bid attachment: bidder, enterprise and operator download it; 刘研究员 (another bidder) and the public get 404', async () => {
    const challengeId = await publishedChallenge(env.app, world);
    const bidA = await call(env.app, 'POST', `/challenges/${challengeId}/bids`, {
      cookie: world.expertA.cookie,
      body: bidInput(),
    });
    expect(bidA.status).toBe(201);
    const bidB = await call(env.app, 'POST', `/challenges/${challengeId}/bids`, {
      cookie: world.expertB.cookie,
      body: bidInput(),
    });
    expect(bidB.status).toBe(201);
    const res = await upload(
      `/bids/${bidA.body.id}/attachments`,
      '技术方案.pdf',
      files.pdf(),
      world.expertA.cookie,
    );
    expect(res.status).toBe(201);
    const attachment = await res.json();

    for (const persona of [world.expertA, world.enterprise, world.operator]) {
      expect((await get(`/attachments/${attachment.id}`, persona.cookie)).status).toBe(200);
      expect(
        (await (await get(`/bids/${bidA.body.id}/attachments`, persona.cookie)).json()).items,
      ).toHaveLength(1);
    }
    for (const cookie of [world.expertB.cookie, world.outsider.cookie, world.society.cookie, undefined]) {
      expect((await get(`/attachments/${attachment.id}`, cookie)).status).toBe(404);
    }
    expect((await get(`/bids/${bidA.body.id}/attachments`, world.expertB.cookie)).status).toBe(404);
    expect((await get(`/bids/${bidA.body.id}/attachments`)).status).toBe(401);
    // Another bidder cannot attach to, or delete from, a bid it may not see.
    expect(
      (await upload(`/bids/${bidA.body.id}/attachments`, 'x.pdf', files.pdf(), world.expertB.cookie)).status,
    ).toBe(404);
    expect(
      (await call(env.app, 'DELETE', `/attachments/${attachment.id}`, { cookie: world.expertB.cookie }))
        .status,
    ).toBe(404);
    // The enterprise sees the bid but is not its author.
    expect(
      (await call(env.app, 'DELETE', `/attachments/${attachment.id}`, { cookie: world.enterprise.cookie }))
        .status,
    ).toBe(403);
  });

  test('after the bid deadline the bidder can no longer change attachments', async () => {
    const challengeId = await publishedChallenge(env.app, world);
    const bid = await call(env.app, 'POST', `/challenges/${challengeId}/bids`, {
      cookie: world.expertA.cookie,
      body: bidInput(),
    });
    await ctx.db
      .updateTable('challenges')
      .set({ bid_deadline: new Date(Date.now() - 1000) })
      .where('id', '=', challengeId)
      .execute();
    const res = await upload(
      `/bids/${bid.body.id}/attachments`,
      '补充.pdf',
      files.pdf(),
      world.expertA.cookie,
    );
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('ATTACHMENTS_LOCKED');
  });
});

describe('capability and service-record attachments', () => {
  test('a draft capability’s attachment is only for its owner; published, it is public', async () => {
    const capability = await newCapability(ctx.db, {
      ownerExpertId: world.expertA.profileId,
      status: 'draft',
    });
    const res = await upload(
      `/capabilities/${capability.id}/attachments`,
      '成果简介.png',
      files.png(),
      world.expertA.cookie,
    );
    expect(res.status).toBe(201);
    const attachment = await res.json();
    expect(attachment.content_type).toBe('image/png');
    expect((await get(`/attachments/${attachment.id}`)).status).toBe(404);
    expect(
      (await upload(`/capabilities/${capability.id}/attachments`, 'x.png', files.png(), world.expertB.cookie))
        .status,
    ).toBe(404);
    await ctx.db
      .updateTable('capabilities')
      .set({ status: 'published', published_at: new Date() })
      .where('id', '=', capability.id)
      .execute();
    expect((await get(`/attachments/${attachment.id}`)).status).toBe(200);
    expect(
      (await upload(`/capabilities/${capability.id}/attachments`, 'x.png', files.png(), world.expertB.cookie))
        .status,
    ).toBe(403);
  });

  test('service-record evidence: the society uploads, the host and operators see it, a stationed expert and others get 404', async () => {
    const station = await newStation(ctx.db, {
      societyId: world.society.org.id,
      hostId: world.enterprise.org.id,
      expertIds: [world.expertA.profileId],
    });
    const record = await newServiceRecord(ctx.db, {
      stationId: station.id,
      served_on: '2026-05-01',
      status: 'submitted',
    });
    const res = await upload(
      `/service-records/${record.id}/attachments`,
      '培训签到表.xlsx',
      new TextEncoder().encode('PK\u0003\u0004[Content_Types].xml xl/workbook.xml'),
      world.society.cookie,
    );
    expect(res.status).toBe(201);
    const attachment = await res.json();
    for (const persona of [world.society, world.enterprise, world.operator])
      expect((await get(`/attachments/${attachment.id}`, persona.cookie)).status).toBe(200);
    for (const cookie of [world.expertA.cookie, world.outsider.cookie, undefined])
      expect((await get(`/attachments/${attachment.id}`, cookie)).status).toBe(404);
    // The host confirms the record: the evidence is then fixed.
    await ctx.db
      .updateTable('service_records')
      .set({ status: 'confirmed', confirmed_at: new Date() })
      .where('id', '=', record.id)
      .execute();
    expect(
      (
        await upload(
          `/service-records/${record.id}/attachments`,
          '补充.pdf',
          files.pdf(),
          world.society.cookie,
        )
      ).status,
    ).toBe(409);
  });
});

test('without a storage adapter, uploads answer 503 STORAGE_UNAVAILABLE and store nothing', async () => {
  const id = await draftChallenge();
  const res = await ctx.app.request(
    url(`/challenges/${id}/attachments`),
    uploadRequest('a.pdf', files.pdf(), world.enterprise.cookie),
  );
  expect(res.status).toBe(503);
  expect((await res.json()).code).toBe('STORAGE_UNAVAILABLE');
  expect(await liveCount(id)).toBe(0);
});

test('the OpenAPI document describes the multipart upload and the download of every owner kind', async () => {
  const doc = await (await env.app.request('http://localhost/api/openapi.json')).json();
  for (const segment of ['challenges', 'bids', 'capabilities', 'service-records']) {
    const path = doc.paths[`/api/v1/${segment}/{id}/attachments`];
    expect(path.post.requestBody.content['multipart/form-data'].schema).toBeDefined();
    expect(Object.keys(path.post.responses)).toEqual(
      expect.arrayContaining(['201', '404', '409', '413', '415']),
    );
    expect(path.get.responses['200']).toBeDefined();
  }
  expect(
    doc.paths['/api/v1/attachments/{id}'].get.responses['200'].content['application/octet-stream'],
  ).toBeDefined();
  expect(doc.paths['/api/v1/attachments/{id}'].delete.responses['204']).toBeDefined();
});
