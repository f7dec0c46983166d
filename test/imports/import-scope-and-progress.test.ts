import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImportFile } from '../../src/modules/imports/import.files.js';
import { ImportFileError } from '../../src/modules/imports/import.read.js';
import {
  failAbandonedImportRuns,
  importDataset,
  runImportJob,
  startImportRun,
} from '../../src/modules/imports/import.usecases.js';
import { signedIn } from '../support/account-factories.js';
import { teaDataset } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * Society imports are scoped to the society (issue 5), and a web import is a job with states and
 * progress: running (reading → validating → writing) → applied | rejected | failed.
 */
let ctx: TestContext;
/** Staff of 贵州省茶叶学会 (the imported SOC-TEA organisation). */
let teaStaff: { user: { id: string }; cookie: string };
let teaId: string;
let foodId: string;

const operatorActor = { userId: null, label: '平台导入' };

beforeAll(async () => {
  ctx = await createTestContext();
  const { dataset, format } = await readImportFile(
    new TextEncoder().encode(JSON.stringify(teaDataset())),
    'tea.json',
  );
  const result = await importDataset(ctx.db, dataset, { fileName: 'tea.json', format, actor: operatorActor });
  if (!result.ok) throw new Error(result.messages.join('\n'));
  const orgs = await ctx.db
    .selectFrom('organisations')
    .select(['id', 'external_key'])
    .where('external_key', 'in', ['SOC-TEA', 'SOC-FOOD'])
    .execute();
  teaId = orgs.find((o) => o.external_key === 'SOC-TEA')!.id;
  foodId = orgs.find((o) => o.external_key === 'SOC-FOOD')!.id;
  teaStaff = await signedIn(ctx.db, ctx.app, 'society');
  await ctx.db
    .insertInto('organisation_members')
    .values({ organisation_id: teaId, user_id: teaStaff.user.id, role: 'admin' })
    .execute();
}, 60_000);
afterAll(async () => {
  await ctx.close();
});

const get = (path: string, cookie: string) => ctx.app.request(path, { headers: { Cookie: cookie } });

async function upload(content: string, name: string, cookie: string) {
  const form = new FormData();
  form.append('file', new Blob([content]), name);
  return ctx.app.request('/imports', {
    method: 'POST',
    headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' },
    body: form,
  });
}

const expertCsv = (rows: string[]) => `编号,姓名,职称,工作单位,地区,所属学会编号\r\n${rows.join('\r\n')}\r\n`;

async function reportOf(res: Response, cookie: string) {
  expect(res.status).toBe(303);
  return (await get(res.headers.get('location')!, cookie)).text();
}

async function expertByKey(key: string) {
  return ctx.db
    .selectFrom('expert_profiles')
    .select(['id', 'title'])
    .where('external_key', '=', key)
    .executeTakeFirst();
}

async function societiesOf(key: string) {
  const rows = await ctx.db
    .selectFrom('expert_societies as es')
    .innerJoin('expert_profiles as e', 'e.id', 'es.expert_id')
    .select('es.society_id')
    .where('e.external_key', '=', key)
    .execute();
  return rows.map((r) => r.society_id).sort();
}

describe('society imports are scoped to the society', () => {
  it('updates its own expert and creates new ones in its society', async () => {
    const html = await reportOf(
      await upload(
        expertCsv([
          'EXP-WANG,王教授,研究员,贵州大学茶学院,520100,',
          'EXP-TEA-NEW,孙老师,副教授,贵州大学,520100,SOC-TEA',
        ]),
        '茶学会专家.csv',
        teaStaff.cookie,
      ),
      teaStaff.cookie,
    );
    expect(html).toContain('data-status="applied"');
    expect((await expertByKey('EXP-WANG'))?.title).toBe('研究员');
    expect(await societiesOf('EXP-TEA-NEW')).toEqual([teaId]);
  });

  it("refuses to overwrite another society's expert, or an unaffiliated one, by external key", async () => {
    const html = await reportOf(
      await upload(
        expertCsv(['EXP-LI,李研究员,助理研究员,冒名单位,520100,', 'EXP-ZHAO,赵高工,工程师,冒名单位,520100,']),
        '覆盖.csv',
        teaStaff.cookie,
      ),
      teaStaff.cookie,
    );
    expect(html).toContain('data-status="rejected"');
    expect(html).toContain('第2行「编号」: 编号「EXP-LI」是平台中未加入本学会的专家，不能由本学会导入覆盖');
    expect(html).toContain('第3行「编号」: 编号「EXP-ZHAO」');
    expect((await expertByKey('EXP-LI'))?.title).toBe('研究员');
    expect((await expertByKey('EXP-ZHAO'))?.title).toBe('高级工程师');
  });

  it('refuses memberships of another society, other societies, enterprises and challenges', async () => {
    const data = teaDataset();
    const json = JSON.stringify({
      societies: [data.societies[1]],
      experts: [{ ...data.experts[0]!, society_keys: ['SOC-FOOD'] }],
      challenges: data.challenges,
    });
    const html = await reportOf(await upload(json, 'mixed.json', teaStaff.cookie), teaStaff.cookie);
    expect(html).toContain('data-status="rejected"');
    expect(html).toContain('学会编号「SOC-FOOD」不是本学会');
    expect(html).toContain('不能导入企业或榜单');
    expect(await societiesOf('EXP-WANG')).toEqual([teaId]);
  });

  it("keeps an expert's membership of another society when its own society re-imports it", async () => {
    const wang = await expertByKey('EXP-WANG');
    await ctx.db.insertInto('expert_societies').values({ expert_id: wang!.id, society_id: foodId }).execute();
    const html = await reportOf(
      await upload(expertCsv(['EXP-WANG,王教授,教授,贵州大学茶学院,520100,']), 'again.csv', teaStaff.cookie),
      teaStaff.cookie,
    );
    expect(html).toContain('data-status="applied"');
    expect(await societiesOf('EXP-WANG')).toEqual([teaId, foodId].sort());
  });

  it('refuses society staff who belong to no society (422) and writes nothing', async () => {
    const loner = await signedIn(ctx.db, ctx.app, 'society');
    const res = await upload(expertCsv(['EXP-LONER,钱老师,教授,某大学,520100,']), 'l.csv', loner.cookie);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('您尚未加入任何学会');
    expect(await expertByKey('EXP-LONER')).toBeUndefined();
  });

  it('lets operators import for any society (no scope)', async () => {
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const html = await reportOf(
      await upload(expertCsv(['EXP-OP-1,周老师,教授,某大学,520100,SOC-FOOD']), 'op.csv', operator.cookie),
      operator.cookie,
    );
    expect(html).toContain('data-status="applied"');
    expect(await societiesOf('EXP-OP-1')).toEqual([foodId]);
  });
});

describe('import jobs: states and progress', () => {
  const job = { fileName: 'job.csv', format: 'csv' as const, actor: operatorActor, scope: null };
  const runOf = (id: string) =>
    ctx.db.selectFrom('import_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const bytesOf = (text: string) => new TextEncoder().encode(text);

  it('starts running, shows progress while running, and ends applied with every row counted', async () => {
    const runId = await startImportRun(ctx.db, job);
    expect(await runOf(runId)).toMatchObject({ status: 'running', phase: 'reading' });

    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const page = await get(`/imports/runs/${runId}`, operator.cookie);
    expect(page.headers.get('refresh')).toBe('2');
    expect(await page.text()).toContain('data-status="running"');
    const progress = await (await get(`/imports/runs/${runId}/progress`, operator.cookie)).json();
    expect(progress).toMatchObject({ status: 'running', phase: 'reading', rows_done: 0 });

    const rows = Array.from({ length: 4500 }, (_, i) => `JOB-${i},专家${i},教授,贵州大学,520100,`);
    const result = await runImportJob(
      ctx.db,
      runId,
      async () => readImportFile(bytesOf(expertCsv(rows)), 'job.csv'),
      job,
    );
    expect(result?.ok).toBe(true);
    expect(await runOf(runId)).toMatchObject({
      status: 'applied',
      phase: 'done',
      rows_total: 4500,
      rows_done: 4500,
    });
    const done = await get(`/imports/runs/${runId}`, operator.cookie);
    expect(done.headers.get('refresh')).toBeNull();
    expect(await done.text()).toMatch(/data-count="created">4500</);
  }, 60_000);

  it('ends rejected for a refused file and for bad rows, with nothing written', async () => {
    const refused = await startImportRun(ctx.db, job);
    await runImportJob(
      ctx.db,
      refused,
      async () => {
        throw new ImportFileError([{ entity: null, row: null, column: null, message: '坏文件' }]);
      },
      job,
    );
    expect(await runOf(refused)).toMatchObject({ status: 'rejected', phase: 'done' });

    const badRows = await startImportRun(ctx.db, job);
    await runImportJob(
      ctx.db,
      badRows,
      async () =>
        readImportFile(
          bytesOf(expertCsv(['BAD-1,王,教授,贵州大学,520100,', 'BAD-2,,教授,x,520100,'])),
          'b.csv',
        ),
      job,
    );
    const run = await runOf(badRows);
    expect(run).toMatchObject({ status: 'rejected', phase: 'done', rows_total: 2, rows_done: 0 });
    expect(await expertByKey('BAD-1')).toBeUndefined();
  });

  it('ends failed on an unexpected error, with a Chinese message', async () => {
    const runId = await startImportRun(ctx.db, job);
    const result = await runImportJob(
      ctx.db,
      runId,
      async () => {
        throw new Error('disk on fire');
      },
      job,
    );
    expect(result).toBeNull();
    const run = await runOf(runId);
    expect(run.status).toBe('failed');
    expect(JSON.stringify(run.errors)).toContain('已全部撤销');
  });

  it('marks a run abandoned by a crashed process failed after an hour, and leaves younger runs alone', async () => {
    const abandoned = await startImportRun(ctx.db, job);
    const young = await startImportRun(ctx.db, job);
    await ctx.db
      .updateTable('import_runs')
      .set({ created_at: new Date(Date.now() - 2 * 3_600_000) })
      .where('id', '=', abandoned)
      .execute();
    expect(await failAbandonedImportRuns(ctx.db, new Date())).toBe(1);
    expect(await runOf(abandoned)).toMatchObject({ status: 'failed', phase: 'done' });
    expect(JSON.stringify((await runOf(abandoned)).errors)).toContain('已全部撤销');
    expect((await runOf(young)).status).toBe('running');
    expect(await failAbandonedImportRuns(ctx.db, new Date())).toBe(0);
  });

  it('imports a large upload after the response, and the progress endpoint follows it to the end', async () => {
    const rows = Array.from(
      { length: 6000 },
      (_, i) => `BIG-${String(i).padStart(5, '0')},大文件专家${i},教授,贵州大学农学院,520100,SOC-TEA`,
    );
    const text = expertCsv(rows);
    expect(new TextEncoder().encode(text).byteLength).toBeGreaterThan(256 * 1024);
    const res = await upload(text, 'big.csv', teaStaff.cookie);
    expect(res.status).toBe(303);
    const progressUrl = `${res.headers.get('location')}/progress`;
    let state = await (await get(progressUrl, teaStaff.cookie)).json();
    const seen = new Set<string>([state.status]);
    for (let i = 0; i < 300 && state.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await (await get(progressUrl, teaStaff.cookie)).json();
      seen.add(state.status);
    }
    expect(seen.has('running')).toBe(true);
    expect(state).toMatchObject({ status: 'applied', rows_total: 6000, rows_done: 6000 });
    const members = await ctx.db
      .selectFrom('expert_societies as es')
      .innerJoin('expert_profiles as e', 'e.id', 'es.expert_id')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('e.external_key', 'like', 'BIG-%')
      .where('es.society_id', '=', teaId)
      .executeTakeFirstOrThrow();
    expect(Number(members.n)).toBe(6000);
    // Another society's staff cannot follow the job.
    const other = await signedIn(ctx.db, ctx.app, 'society');
    expect((await get(progressUrl, other.cookie)).status).toBe(404);
  }, 60_000);
});
