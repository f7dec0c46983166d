import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeCell, toCsv } from '../../src/modules/exports/export.format.js';
import { readImportFile } from '../../src/modules/imports/import.files.js';
import { importDataset } from '../../src/modules/imports/import.usecases.js';
import { newOrganisationFor, signedIn } from '../support/account-factories.js';
import { teaDataset } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let staff: { user: { id: string }; cookie: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const data = teaDataset();
  // A hostile value: a spreadsheet would run it if it were written as is.
  data.experts[2]!.bio = '=HYPERLINK("http://evil.example","点我")';
  const { dataset, format } = await readImportFile(
    new TextEncoder().encode(JSON.stringify(data)),
    'tea.json',
  );
  const result = await importDataset(ctx.db, dataset, {
    fileName: 'tea.json',
    format,
    actor: { userId: null, label: '测试' },
  });
  if (!result.ok) throw new Error(result.messages.join('\n'));
  await ctx.drainOutbox();
  staff = await signedIn(ctx.db, ctx.app, 'society');
  await newOrganisationFor(ctx.db, staff.user.id, {
    kind: 'society',
    name: '贵州省茶叶学会秘书处',
    verification_status: 'verified',
  });
}, 60_000);
afterAll(async () => {
  await ctx.close();
});

/** Keeps the byte-order mark (TextDecoder drops it by default) so the tests can see it is there. */
const decode = (bytes: ArrayBuffer | Uint8Array) =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
const get = (path: string, cookie?: string) =>
  ctx.app.request(path, cookie ? { headers: { Cookie: cookie } } : {});

describe('formula-injection escaping', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+86 138', "'+86 138"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['王教授', '王教授'],
  ])('%j → %j', (input, output) => {
    expect(escapeCell(input)).toBe(output);
  });

  it('keeps numbers as numbers and quotes CSV fields with commas, quotes and line breaks', () => {
    expect(escapeCell(-3)).toBe(-3);
    const text = decode(toCsv({ name: 't', header: ['a', 'b'], rows: [['x,"y"', 'line\nbreak']] }));
    expect(text).toBe('\uFEFFa,b\r\n"x,""y""","line\nbreak"\r\n');
  });
});

describe('exports of filtered lists', () => {
  it('exports the filtered experts as CSV with escaped formulas and no contact details', async () => {
    const res = await get('/experts/export.csv?region=520300', staff.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    const text = decode(await res.arrayBuffer());
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('\uFEFF编号,姓名,职称,工作单位,学科,地区,研究领域,所属学会,接受邀请,个人简介');
    expect(lines).toHaveLength(3);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")"`);
    expect(text).not.toContain('13800000000');
  });

  it('exports experts as an XLSX that Excel reads, formula shown as text', async () => {
    const res = await get('/experts/export.xlsx', staff.cookie);
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('专家');
    expect(sheet.actualRowCount).toBe(4);
    const bios = sheet.getColumn(10).values.filter(Boolean).map(String);
    expect(bios).toContain(`'=HYPERLINK("http://evil.example","点我")`);
    expect(sheet.getCell('J2').formula).toBeUndefined();
  });

  it('exports challenges and capabilities with the listing filters', async () => {
    const challenges = await get('/challenges/export.csv', staff.cookie);
    expect(challenges.status).toBe(200);
    expect(decode(await challenges.arrayBuffer())).toContain('榜单标题');
    const capabilities = await get('/capabilities/export.xlsx?kind=patent', staff.cookie);
    expect(capabilities.status).toBe(200);
  });

  it('refuses visitors (login) and experts (403)', async () => {
    const anonymous = await get('/experts/export.csv');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    expect((await get('/experts/export.csv', expert.cookie)).status).toBe(403);
  });

  it('shows export links on the listing to society staff', async () => {
    const html = await (await get('/experts?region=520300', staff.cookie)).text();
    expect(html).toContain('/experts/export.xlsx?region=520300');
  });
});

describe('import templates', () => {
  it('serves an XLSX template whose headers are the importer columns', async () => {
    const res = await get('/imports/template.xlsx?entity=experts');
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('专家');
    expect((sheet.getRow(1).values as unknown[]).filter(Boolean).slice(0, 4)).toEqual([
      '编号',
      '姓名',
      '职称',
      '工作单位',
    ]);
  });

  it('serves a CSV template, and a filled template imports', async () => {
    const res = await get('/imports/template.csv?entity=societies');
    const header = decode(await res.arrayBuffer()).trimEnd();
    expect(header).toBe('\uFEFF编号,学会名称,学科,简介,地区');
    const filled = new TextEncoder().encode(`${header}\r\nSOC-TPL,贵州省模板学会,茶学,模板测试,520100\r\n`);
    const { dataset, format } = await readImportFile(filled, '学会.csv');
    const result = await importDataset(ctx.db, dataset, {
      fileName: '学会.csv',
      format,
      actor: { userId: null, label: '测试' },
    });
    expect(result.ok).toBe(true);
  });

  it('refuses an unknown entity with 422', async () => {
    expect((await get('/imports/template.csv?entity=bids')).status).toBe(422);
  });
});

describe('import page', () => {
  const csv = (rows: string[]) =>
    new Blob([`编号,姓名,职称,工作单位,地区,联系电话\r\n${rows.join('\r\n')}\r\n`], { type: 'text/csv' });
  async function upload(blob: Blob, name: string, cookie: string) {
    const form = new FormData();
    form.append('file', blob, name);
    return ctx.app.request('/imports', {
      method: 'POST',
      headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' },
      body: form,
    });
  }

  it('reports every bad row in Chinese and writes nothing, then imports the fixed file', async () => {
    const bad = await upload(
      csv([
        'P-1,张专家,教授,贵州大学,520100,13800000001',
        'P-2,,教授,贵州大学,520100,',
        'P-3,刘专家,教授,贵州大学,火星,abc',
      ]),
      '专家名单.csv',
      staff.cookie,
    );
    expect(bad.status).toBe(303);
    const report = await (await get(bad.headers.get('location')!, staff.cookie)).text();
    expect(report).toContain('data-status="rejected"');
    expect(report).toContain('第3行「姓名」: 必填');
    expect(report).toContain('第4行「地区」');
    expect(report).toContain('第4行「联系电话」: 电话格式不正确');
    const none = await ctx.db
      .selectFrom('expert_profiles')
      .select('id')
      .where('external_key', 'like', 'P-%')
      .execute();
    expect(none).toEqual([]);

    const good = await upload(
      csv([
        'P-1,张专家,教授,贵州大学,520100,13800000001',
        'P-2,赵专家,教授,贵州大学,520100,',
        'P-3,刘专家,教授,贵州大学,520300,',
      ]),
      '专家名单.csv',
      staff.cookie,
    );
    const applied = await (await get(good.headers.get('location')!, staff.cookie)).text();
    expect(applied).toContain('data-status="applied"');
    expect(applied).toMatch(/data-entity="experts"[\s\S]*data-count="created">3</);

    const again = await upload(csv(['P-1,张专家,研究员,贵州大学,520100,']), '专家名单.csv', staff.cookie);
    const updated = await (await get(again.headers.get('location')!, staff.cookie)).text();
    expect(updated).toMatch(/data-count="updated">1</);
    const rows = await ctx.db
      .selectFrom('expert_profiles')
      .select(['external_key', 'title'])
      .where('external_key', 'like', 'P-%')
      .execute();
    expect(rows).toHaveLength(3);
  });

  it('refuses a form without a file with a Chinese message', async () => {
    const res = await ctx.app.request('/imports', {
      method: 'POST',
      headers: { Cookie: staff.cookie, 'Sec-Fetch-Site': 'same-origin' },
      body: new FormData(),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('请选择要上传的文件');
  });

  it('refuses a file over the upload cap with 413', async () => {
    const big = new Blob([new Uint8Array(11 * 1024 * 1024).fill(65)]);
    const res = await upload(big, 'big.csv', staff.cookie);
    expect(res.status).toBe(413);
  });

  it("keeps one person's import report from other society staff (404)", async () => {
    const other = await signedIn(ctx.db, ctx.app, 'society');
    const res = await upload(csv(['Q-1,钱专家,教授,贵州大学,520100,']), 'q.csv', staff.cookie);
    expect((await get(res.headers.get('location')!, other.cookie)).status).toBe(404);
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    expect((await get(res.headers.get('location')!, operator.cookie)).status).toBe(200);
  });
});
