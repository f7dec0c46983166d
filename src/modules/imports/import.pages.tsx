import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { AppEnv } from '../../http/router.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { chinaDateTime } from '../../web/china-time.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { FormStyles, Panel } from '../auth/forms.js';
import { canViewImportRun } from '../auth/policy.js';
import { actorOf } from '../experts/expert.routes.js';
import { downloadHeaders } from '../exports/export.format.js';
import { readImportFile } from './import.files.js';
import { entityLabels, type ImportEntity, type ImportProblem, importEntities } from './import.format.js';
import type { ImportFormat } from './import.read.js';
import { importTemplate, templateNotes } from './import.templates.js';
import { importScopeFor, problemMessages, runImportJob, startImportRun } from './import.usecases.js';
import type { ImportCounts } from './import.write.js';

const m = messages.importPage;
const uuid = '[0-9a-fA-F-]{36}';

/** Upload cap of the web page (the CLI takes larger files); the body is cut off at this size. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/**
 * Files above this size are imported after the response (a job with progress the page polls);
 * smaller ones before it, so the report is there on the first view.
 */
export const BACKGROUND_IMPORT_BYTES = 256 * 1024;
/** The report shows this many problems; the run keeps up to 1,000 (import.usecases.ts). */
const SHOWN_PROBLEMS = 200;

const templateQuery = z.object({ entity: z.enum(importEntities).default('experts') }).strict();

function templateEntity(query: Record<string, string>): ImportEntity {
  const parsed = templateQuery.safeParse(query);
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(parsed.error.issues) });
  return parsed.data.entity;
}

function UploadForm({ error }: { error?: string }) {
  return (
    <Panel title={m.title}>
      <p>{m.intro}</p>
      {error && (
        <div class="form-errors" role="alert" data-testid="upload-error">
          {error}
        </div>
      )}
      <form method="post" action="/imports" enctype="multipart/form-data" class="row">
        <div class="field">
          <label for="f-file">{m.file}</label>
          <input id="f-file" type="file" name="file" accept=".xlsx,.csv,.json,.txt" required />
        </div>
        <div class="field">
          <button type="submit">{m.upload}</button>
        </div>
      </form>
    </Panel>
  );
}

function Templates() {
  const entities: ImportEntity[] = ['societies', 'experts', 'challenges'];
  return (
    <Panel title={m.templates}>
      <ul>
        {entities.map((entity) => (
          <li>
            <a href={`/imports/template.xlsx?entity=${entity}`}>
              {m.template(entityLabels[entity], 'Excel')}
            </a>{' '}
            <a href={`/imports/template.csv?entity=${entity}`}>{m.template(entityLabels[entity], 'CSV')}</a>
          </li>
        ))}
      </ul>
      <table class="list">
        <tbody>
          {templateNotes('experts').map((n) => (
            <tr>
              <td>
                {n.header}
                {n.required && ' *'}
              </td>
              <td>{n.hint}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

const statusLabel = (status: string) =>
  ({ applied: m.applied, rejected: m.rejected, running: m.running, failed: m.failed })[status] ?? status;

const formatOf = (fileName: string): ImportFormat => {
  const lower = fileName.toLowerCase();
  return lower.endsWith('.json') ? 'json' : lower.endsWith('.xlsx') ? 'xlsx' : 'csv';
};

const countLabels: Record<keyof ImportCounts, string> = {
  societies: entityLabels.societies,
  experts: entityLabels.experts,
  enterprises: entityLabels.enterprises,
  challenges: entityLabels.challenges,
};

/** Import page for operators and society staff: upload, all-or-nothing import, per-row Chinese report. */
export function importPages(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/imports/template.xlsx', (c) => {
      const entity = templateEntity(c.req.query());
      return c.body(
        importTemplate(entity, 'xlsx') as Uint8Array<ArrayBuffer>,
        200,
        downloadHeaders('xlsx', `template-${entity}`, `导入模板-${entityLabels[entity]}`),
      );
    })
    .get('/imports/template.csv', (c) => {
      const entity = templateEntity(c.req.query());
      return c.body(
        importTemplate(entity, 'csv') as Uint8Array<ArrayBuffer>,
        200,
        downloadHeaders('csv', `template-${entity}`, `导入模板-${entityLabels[entity]}`),
      );
    })
    .get('/imports', async (c) => {
      const auth = requireAuth(c);
      let runs = deps.db
        .selectFrom('import_runs')
        .select(['id', 'file_name', 'status', 'actor_label', 'created_at'])
        .orderBy('created_at', 'desc')
        .limit(20);
      // Operators see every run; society staff their own (a run's report names people).
      if (auth.user.role !== 'operator') runs = runs.where('actor_user_id', '=', auth.user.id);
      const history = await runs.execute();
      return c.html(
        <Layout account={auth.user} title={m.title}>
          <FormStyles />
          <UploadForm />
          <Templates />
          <Panel title={m.history}>
            <table class="list" data-testid="import-history">
              <tbody>
                {history.map((run) => (
                  <tr>
                    <td>
                      <a href={`/imports/runs/${run.id}`}>{run.file_name}</a>
                    </td>
                    <td>{statusLabel(run.status)}</td>
                    <td>{run.actor_label}</td>
                    <td>{chinaDateTime(run.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
        </Layout>,
      );
    })
    .post(
      '/imports',
      // Streams are cut at the cap instead of being buffered whole first.
      bodyLimit({
        maxSize: MAX_UPLOAD_BYTES + 64 * 1024,
        onError: () => {
          throw new AppError('PAYLOAD_TOO_LARGE', { detail: m.fileTooLarge(MAX_UPLOAD_BYTES / 1024 / 1024) });
        },
      }),
      async (c) => {
        const auth = requireAuth(c);
        const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const refuse = (message: string, status: 413 | 415 | 422) =>
          c.html(
            <Layout account={auth.user} title={m.title}>
              <FormStyles />
              <UploadForm error={message} />
              <Templates />
            </Layout>,
            status,
          );
        if (type !== 'multipart/form-data') return refuse(m.noFile, 415);
        const body = await c.req.parseBody();
        const file = body.file;
        if (!(file instanceof File) || file.size === 0) return refuse(m.noFile, 422);
        if (file.size > MAX_UPLOAD_BYTES) return refuse(m.fileTooLarge(MAX_UPLOAD_BYTES / 1024 / 1024), 413);
        const scope = await importScopeFor(deps.db, { userId: auth.user.id, role: auth.user.role });
        if (scope === 'none') return refuse(messages.imports.scopeNoSociety, 422);
        const actor = { userId: auth.user.id, label: auth.user.display_name };
        const fileName = file.name.slice(0, 200) || 'upload';
        const bytes = new Uint8Array(await file.arrayBuffer());
        const format = formatOf(fileName);
        const runId = await startImportRun(deps.db, { fileName, format, actor });
        const job = runImportJob(
          deps.db,
          runId,
          () => readImportFile(bytes, fileName, { maxBytes: MAX_UPLOAD_BYTES }),
          { fileName, format, actor, scope },
        ).then((result) => {
          if (result?.ok) deps.outbox?.notify();
        });
        if (file.size > BACKGROUND_IMPORT_BYTES) {
          // Workers keep the job alive with waitUntil; on Node the promise simply runs on.
          try {
            c.executionCtx.waitUntil(job);
          } catch {
            job.catch((error: unknown) => deps.logger.error('import job', { runId, error: String(error) }));
          }
        } else await job;
        // Post/redirect/get: the report has its own address, and a reload does not import twice.
        return c.redirect(`/imports/runs/${runId}`, 303);
      },
    )
    .get(`/imports/runs/:id{${uuid}}/progress`, async (c) => {
      const run = await deps.db
        .selectFrom('import_runs')
        .select(['id', 'actor_user_id', 'status', 'phase', 'rows_done', 'rows_total', 'finished_at'])
        .where('id', '=', c.req.param('id'))
        .executeTakeFirst();
      if (!run || !canViewImportRun(actorOf(c), run)) throw new AppError('IMPORT_RUN_NOT_FOUND');
      c.header('Cache-Control', 'no-store');
      return c.json({
        id: run.id,
        status: run.status,
        phase: run.phase,
        rows_done: run.rows_done,
        rows_total: run.rows_total,
        finished_at: run.finished_at?.toISOString() ?? null,
      });
    })
    .get(`/imports/runs/:id{${uuid}}`, async (c) => {
      const auth = requireAuth(c);
      const run = await deps.db
        .selectFrom('import_runs')
        .selectAll()
        .where('id', '=', c.req.param('id'))
        .executeTakeFirst();
      if (!run || !canViewImportRun(actorOf(c), run)) throw new AppError('IMPORT_RUN_NOT_FOUND');
      if (run.status === 'running') {
        // The browser reloads the page until the job ends (a header: no script under the strict CSP).
        c.header('Refresh', '2');
        c.header('Cache-Control', 'no-store');
        return c.html(
          <Layout account={auth.user} title={m.resultTitle}>
            <FormStyles />
            <section class="panel" data-testid="import-result" data-status="running" data-phase={run.phase}>
              <h1>
                {m.resultTitle}：{run.file_name}
              </h1>
              <p role="status">{m.phases[run.phase] ?? run.phase}</p>
              {run.rows_total > 0 && (
                <p>
                  <progress max={run.rows_total} value={run.rows_done} data-testid="import-progress" />{' '}
                  {m.progress(run.rows_done, run.rows_total)}
                </p>
              )}
              <p class="meta">{m.autoRefresh}</p>
            </section>
          </Layout>,
        );
      }
      const problems = (run.errors as unknown as ImportProblem[]) ?? [];
      const lines = problemMessages(problems, run.format as ImportFormat);
      const counts = run.counts as unknown as Partial<ImportCounts>;
      return c.html(
        <Layout account={auth.user} title={m.resultTitle}>
          <FormStyles />
          <section class="panel" data-testid="import-result" data-status={run.status}>
            <h1>
              {m.resultTitle}：{run.file_name}
            </h1>
            <p class="meta">
              <span>
                {m.by}：{run.actor_label}
              </span>{' '}
              <span>
                {m.at}：{chinaDateTime(run.created_at)}
              </span>
            </p>
            {run.status === 'applied' ? (
              <>
                <div class="notice" role="status">
                  {m.applied}
                </div>
                <table class="list" data-testid="import-counts">
                  <tbody>
                    {(Object.keys(countLabels) as Array<keyof ImportCounts>)
                      .filter((k) => (counts[k]?.created ?? 0) + (counts[k]?.updated ?? 0) > 0)
                      .map((k) => (
                        <tr data-entity={k}>
                          <td>{countLabels[k]}</td>
                          <td>
                            {m.created} <span data-count="created">{counts[k]?.created ?? 0}</span>
                          </td>
                          <td>
                            {m.updated} <span data-count="updated">{counts[k]?.updated ?? 0}</span>
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </>
            ) : run.status === 'failed' ? (
              <div class="form-errors" role="alert">
                {lines[0] ?? m.failed}
              </div>
            ) : (
              <>
                <div class="form-errors" role="alert">
                  {m.errorsTitle(problems.length)}
                </div>
                <ol data-testid="import-errors">
                  {lines.slice(0, SHOWN_PROBLEMS).map((line) => (
                    <li>{line}</li>
                  ))}
                </ol>
                {lines.length > SHOWN_PROBLEMS && <p>{m.moreErrors(lines.length - SHOWN_PROBLEMS)}</p>}
              </>
            )}
          </section>
          <UploadForm />
        </Layout>,
      );
    });
}
