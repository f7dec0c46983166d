import ExcelJS from 'exceljs';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/cli/bench/corpus.js';
import { readImportFile } from '../../src/modules/imports/import.files.js';
import { ImportFileError } from '../../src/modules/imports/import.read.js';
import { type ImportResult, importDataset } from '../../src/modules/imports/import.usecases.js';
import { teaDataset } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const actor = { userId: null, label: '测试导入' };
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function importBytes(bytes: Uint8Array, fileName: string): Promise<ImportResult> {
  const { dataset, format } = await readImportFile(bytes, fileName);
  return importDataset(ctx.db, dataset, { fileName, format, actor });
}

async function refusedFile(bytes: Uint8Array, fileName: string): Promise<string[]> {
  try {
    await readImportFile(bytes, fileName);
  } catch (error) {
    if (error instanceof ImportFileError) return error.problems.map((p) => p.message);
    throw error;
  }
  throw new Error('expected the file to be refused');
}

async function countByKeyPrefix(table: 'expert_profiles' | 'organisations' | 'challenges', prefix: string) {
  const row = await ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('external_key', 'like', `${prefix}%`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('JSON import (interchange format)', () => {
  it('imports societies, experts with memberships, and challenges under a placeholder enterprise', async () => {
    const result = await importBytes(encode(teaDataset('-a')), 'tea-a.json');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.counts.societies).toEqual({ created: 2, updated: 0 });
    expect(result.counts.experts).toEqual({ created: 3, updated: 0 });
    expect(result.counts.challenges).toEqual({ created: 1, updated: 0 });

    const wang = await ctx.db
      .selectFrom('expert_profiles')
      .selectAll()
      .where('external_key', '=', 'EXP-WANG-a')
      .executeTakeFirstOrThrow();
    expect(wang.fields).toEqual(['茶树栽培', '茶园病虫害绿色防控', '小绿叶蝉']);
    expect(wang.contact_phone).toBe('13800000000');
    const memberships = await ctx.db
      .selectFrom('expert_societies as es')
      .innerJoin('organisations as o', 'o.id', 'es.society_id')
      .select('o.external_key')
      .where('es.expert_id', '=', wang.id)
      .execute();
    expect(memberships.map((m) => m.external_key)).toEqual(['SOC-TEA-a']);

    const challenge = await ctx.db
      .selectFrom('challenges as c')
      .innerJoin('organisations as o', 'o.id', 'c.enterprise_id')
      .select(['c.status', 'c.industry_label', 'c.industry_code', 'c.reward_wan', 'o.kind', 'o.external_key'])
      .where('c.external_key', '=', 'CH-CHILI-a')
      .executeTakeFirstOrThrow();
    // Imported challenges wait for an operator's review, under the import's placeholder enterprise.
    expect(challenge).toMatchObject({
      status: 'under_review',
      industry_label: '辣椒加工',
      industry_code: 'rural-chilli',
      reward_wan: 20,
      kind: 'enterprise',
      external_key: 'import:测试导入-a',
    });
  });

  it('makes imported experts and societies searchable, without contact details', async () => {
    await ctx.drainOutbox();
    const hits = await ctx.search.index(ctx.indexes.uid('experts')).search('小绿叶蝉');
    expect(hits.hits.map((h) => h.key)).toContain('EXP-WANG-a');
    const wang = hits.hits.find((h) => h.key === 'EXP-WANG-a')!;
    expect(wang.society_names).toEqual(['贵州省茶叶学会-a']);
    expect(JSON.stringify(wang)).not.toContain('13800000000');
    const societies = await ctx.search.index(ctx.indexes.uid('societies')).search('茶学');
    expect(societies.hits.map((h) => h.key)).toContain('SOC-TEA-a');
  });

  it('re-importing the same keys updates rows and never duplicates them', async () => {
    const changed = teaDataset('-a');
    changed.experts[0]!.title = '二级教授';
    const result = await importBytes(encode(changed), 'tea-a.json');
    expect(result.ok && result.counts.experts).toEqual({ created: 0, updated: 3 });
    expect(await countByKeyPrefix('expert_profiles', 'EXP-WANG-a')).toBe(1);
    expect(await countByKeyPrefix('organisations', 'SOC-')).toBe(2);
    expect(await countByKeyPrefix('challenges', 'CH-CHILI-a')).toBe(1);
    const wang = await ctx.db
      .selectFrom('expert_profiles')
      .select(['title', 'contact_phone'])
      .where('external_key', '=', 'EXP-WANG-a')
      .executeTakeFirstOrThrow();
    expect(wang.title).toBe('二级教授');
    await ctx.drainOutbox();
    const hit = await ctx.search
      .index(ctx.indexes.uid('experts'))
      .search('小绿叶蝉', { filter: 'key = "EXP-WANG-a"' });
    expect(hit.hits).toHaveLength(1);
    expect(hit.hits[0]!.title).toBe('二级教授');
  });

  it('refreshes the planner statistics of a table a large import grew, without waiting for autovacuum', async () => {
    const estimatedChallenges = async () => {
      const row = await ctx.db
        .selectFrom('pg_class' as never)
        .select(sql<number>`reltuples`.as('n'))
        .where(sql<boolean>`oid = 'challenges'::regclass`)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    const before = await estimatedChallenges();
    const corpus = generateCorpus({ challenges: 1500, experts: 0, societies: 1, enterprises: 5 }, 7);
    const result = await importBytes(encode(corpus), 'large.json');
    expect(result.ok && result.counts.challenges.created).toBe(1500);
    // Inserts alone never move pg_class.reltuples; only ANALYZE (or VACUUM) does.
    expect(before).toBeLessThan(1500);
    expect(await estimatedChallenges()).toBeGreaterThanOrEqual(1500);
  });

  it('validates every row first and writes nothing when any row is bad, naming row and column in Chinese', async () => {
    const bad = teaDataset('-b');
    bad.experts[1]!.region_code = '110000';
    bad.experts[2]!.society_keys = ['SOC-NOPE'];
    (bad.experts[0] as Record<string, unknown>).name = '';
    bad.experts.push({ ...bad.experts[1]!, region_code: '520300' });
    const result = await importBytes(encode(bad), 'bad.json');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages).toEqual(
      expect.arrayContaining([
        '「专家」第1条「姓名」: 必填',
        '「专家」第2条「地区」: 「110000」不是贵州省的地区代码或名称，不在可选范围',
        '「专家」第3条「所属学会编号」: 学会编号「SOC-NOPE」在本文件和平台中都不存在',
        '「专家」第4条「编号」: 编号与第2条重复',
      ]),
    );
    // All or nothing: the good societies of the same file were not written either.
    expect(await countByKeyPrefix('organisations', 'SOC-TEA-b')).toBe(0);
    const run = await ctx.db
      .selectFrom('import_runs')
      .select(['status', 'errors'])
      .where('file_name', '=', 'bad.json')
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('rejected');
    expect((run.errors as unknown[]).length).toBe(result.problems.length);
  });

  it('refuses a 30,000-character cell', async () => {
    const huge = teaDataset('-c');
    huge.experts[0]!.bio = '茶'.repeat(30_000);
    const result = await importBytes(encode(huge), 'huge.json');
    expect(!result.ok && result.messages).toContain('「专家」第1条「个人简介」: 超过 5000 字');
  });

  it('refuses files that are not the interchange format', async () => {
    expect(await refusedFile(new TextEncoder().encode('[1,2]'), 'x.json')).toEqual([
      'JSON 应为一个对象，包含 societies、experts、challenges 数组中的至少一个',
    ]);
    expect((await refusedFile(new TextEncoder().encode('{"experts": [}'), 'x.json'))[0]).toMatch(
      /^不是合法的 JSON/,
    );
  });
});

describe('CSV import', () => {
  const csv = [
    '编号,姓名,职称,工作单位,地区,所属学会编号,研究领域,个人简介',
    'CSV-1,张工,高级工程师,贵州某茶机公司,遵义市,SOC-TEA-a,茶叶机械、清洁化加工,研制茶叶连续化生产线',
    'CSV-2,刘博士,副教授,贵州大学,520100,,"茶叶深加工;茶饮料",研究速溶茶',
  ].join('\r\n');

  it('reads UTF-8 with Chinese headers, names as regions, and list cells', async () => {
    const result = await importBytes(new TextEncoder().encode(`\uFEFF${csv}`), '专家.csv');
    expect(result.ok && result.counts.experts).toEqual({ created: 2, updated: 0 });
    const zhang = await ctx.db
      .selectFrom('expert_profiles')
      .select(['region_code', 'fields'])
      .where('external_key', '=', 'CSV-1')
      .executeTakeFirstOrThrow();
    expect(zhang).toEqual({ region_code: '520300', fields: ['茶叶机械', '清洁化加工'] });
  });

  it('reads GBK (Excel on Chinese Windows) the same way', async () => {
    const gbk = iconv.encode(csv.replaceAll('CSV-', 'GBK-'), 'gbk');
    const result = await importBytes(new Uint8Array(gbk), '专家-gbk.csv');
    expect(result.ok && result.counts.experts).toEqual({ created: 2, updated: 0 });
    const liu = await ctx.db
      .selectFrom('expert_profiles')
      .select(['name', 'fields'])
      .where('external_key', '=', 'GBK-2')
      .executeTakeFirstOrThrow();
    expect(liu).toEqual({ name: '刘博士', fields: ['茶叶深加工', '茶饮料'] });
  });

  it('reports the spreadsheet row number (header is row 1)', async () => {
    const bad = `${csv.replaceAll('CSV-', 'BAD-')}\r\nBAD-3,,教授,某单位,520100,,,`;
    const result = await importBytes(new TextEncoder().encode(bad), 'bad.csv');
    expect(!result.ok && result.messages).toEqual(['第4行「姓名」: 必填']);
  });

  it('refuses bytes that are neither UTF-8 nor GBK, and unknown headers', async () => {
    expect(await refusedFile(new Uint8Array([0xff, 0xff, 0xff, 0x00, 0x81]), 'x.csv')).toEqual([
      '无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV',
    ]);
    const messages = await refusedFile(new TextEncoder().encode('编号,姓名,爱好\nX,Y,Z'), 'x.csv');
    expect(messages).toEqual(['无法识别的表头：爱好']);
  });
});

describe('XLSX import', () => {
  async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    build(wb);
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }

  it('reads one sheet per entity, named in Chinese', async () => {
    const bytes = await workbook((wb) => {
      const societies = wb.addWorksheet('学会');
      societies.addRow(['编号', '学会名称', '学科', '简介', '地区']);
      societies.addRow(['X-SOC', '贵州省农业工程学会', '农业工程', '农机与设施农业', '520000']);
      const experts = wb.addWorksheet('专家');
      experts.addRow(['编号', '姓名', '职称', '所属学会编号', '研究领域']);
      experts.addRow(['X-1', '陈教授', '教授', 'X-SOC', '山地农机、设施农业']);
    });
    const result = await importBytes(bytes, '名单.xlsx');
    expect(result.ok && result.counts).toMatchObject({
      societies: { created: 1, updated: 0 },
      experts: { created: 1, updated: 0 },
    });
  });

  it('refuses formulas at their row and column', async () => {
    const bytes = await workbook((wb) => {
      const experts = wb.addWorksheet('专家');
      experts.addRow(['编号', '姓名', '职称']);
      experts.addRow(['F-1', '周工', '工程师']);
      experts.addRow(['F-2', { formula: 'HYPERLINK("http://evil.example","x")', result: 'x' }, '工程师']);
    });
    const result = await importBytes(bytes, 'formula.xlsx');
    expect(!result.ok && result.messages).toEqual(['第3行「姓名」: 不接受公式，请改为直接填写数值或文字']);
    expect(await countByKeyPrefix('expert_profiles', 'F-')).toBe(0);
  });

  it('refuses a decompression bomb before parsing it', async () => {
    // 16 MiB of zeros deflates to ~16 KiB: far past the allowed inflation ratio.
    const bomb = zipSync({ 'xl/worksheets/sheet1.xml': new Uint8Array(16 * 1024 * 1024) }, { level: 9 });
    expect(bomb.byteLength).toBeLessThan(200_000);
    expect(await refusedFile(bomb, 'bomb.xlsx')).toEqual(['文件解压后过大或压缩比异常，已拒绝']);
  });

  it('refuses a file that is not a workbook', async () => {
    expect(await refusedFile(new Uint8Array([0x50, 0x4b, 1, 2, 3, 4]), 'x.xlsx')).toEqual([
      '不是有效的 Excel（.xlsx）文件',
    ]);
  });
});
