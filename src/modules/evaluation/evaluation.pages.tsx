import { type Context, Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { FormStyles, Panel } from '../auth/forms.js';
import { chinaDay } from '../stations/station.lifecycle.js';
import { indicatorGroups, indicators } from './evaluation.indicators.js';
import {
  evaluateAllSocieties,
  evaluateSociety,
  indicatorRecords,
  loadEvaluableSociety,
} from './evaluation.usecases.js';

/** Evaluation pages: all societies (operators), one society's figures with tooltips, and drill-down. */
const m = messages.evaluation;
const uuid = '[0-9a-fA-F-]{36}';

function yearOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{4}$/.test(value)) throw new AppError('NOT_FOUND');
  const year = Number(value);
  if (year < 2000 || year > 2100) throw new AppError('NOT_FOUND');
  return year;
}
const actorOf = (c: Context) => {
  const auth = requireAuth(c);
  return { userId: auth.user.id, role: auth.user.role };
};

function YearForm({ year }: { year: number }) {
  return (
    <form method="get" action="/evaluation" class="row">
      <div class="field">
        <label for="f-year">{m.year}</label>
        <input id="f-year" name="year" type="number" min="2000" max="2100" value={String(year)} />
      </div>
      <div class="field">
        <button type="submit">{m.switchYear}</button>
      </div>
    </form>
  );
}

export function evaluationPages(deps: AppDeps) {
  const app = new Hono();

  app.get('/evaluation', async (c) => {
    const auth = requireAuth(c);
    const year = yearOf(c.req.query('year'), Number(chinaDay(deps.clock()).slice(0, 4)));
    if (auth.user.role !== 'operator') {
      const mine = await deps.db
        .selectFrom('organisation_members as om')
        .innerJoin('organisations as o', 'o.id', 'om.organisation_id')
        .select(['o.id', 'o.name'])
        .where('om.user_id', '=', auth.user.id)
        .where('o.kind', '=', 'society')
        .execute();
      return c.html(
        <Layout title={m.title(year)} account={auth.user}>
          <FormStyles />
          <h1>{m.title(year)}</h1>
          <YearForm year={year} />
          <Panel title={m.mySocieties}>
            <ul>
              {mine.map((s) => (
                <li>
                  <a href={`/evaluation/${year}/societies/${s.id}`}>{s.name}</a>
                </li>
              ))}
            </ul>
          </Panel>
        </Layout>,
      );
    }
    const societies = await evaluateAllSocieties(deps.db, year);
    return c.html(
      <Layout title={m.title(year)} account={auth.user}>
        <FormStyles />
        <h1>{m.title(year)}</h1>
        <p>{m.intro}</p>
        <YearForm year={year} />
        <p>
          <a href={`/api/v1/evaluation/${year}/export`} data-testid="export-all">
            {m.exportAll}
          </a>
        </p>
        {societies.length === 0 ? (
          <p class="empty">{m.noSocieties}</p>
        ) : (
          <div class="panel">
            <table class="list" data-testid="evaluation-table">
              <thead>
                <tr>
                  <th>{m.society}</th>
                  {indicators.map((d) => (
                    <th title={d.tooltip}>{d.name}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {societies.map((s) => (
                  <tr>
                    <td>
                      <a href={`/evaluation/${year}/societies/${s.id}`}>{s.name}</a>
                    </td>
                    {indicators.map((d) => (
                      <td>{s.values[d.key]}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Layout>,
    );
  });

  app.get(`/evaluation/:year/societies/:id{${uuid}}`, async (c) => {
    const auth = requireAuth(c);
    const year = yearOf(c.req.param('year'), 0);
    const society = await loadEvaluableSociety(deps.db, actorOf(c), c.req.param('id'));
    const values = await evaluateSociety(deps.db, year, society.id);
    const groups = Object.entries(indicatorGroups);
    return c.html(
      <Layout title={m.societyTitle(society.name, year)} account={auth.user}>
        <FormStyles />
        <h1>{m.societyTitle(society.name, year)}</h1>
        <p>{m.intro}</p>
        <p>
          <a href={`/api/v1/evaluation/${year}/export?society=${society.id}`} data-testid="export-society">
            {m.export}
          </a>
        </p>
        {groups.map(([group, title]) => (
          <Panel title={title}>
            <table class="list" data-testid={`group-${group}`}>
              <tbody>
                {values
                  .filter((v) => v.group === group)
                  .map((v) => (
                    <tr data-indicator={v.key}>
                      <th title={v.tooltip}>{v.name}</th>
                      <td class="value">
                        {v.value} {v.unit}
                      </td>
                      <td>
                        <small class="hint">{v.tooltip}</small>
                      </td>
                      <td>
                        <a href={`/evaluation/${year}/societies/${society.id}/indicators/${v.key}`}>
                          {m.drill}
                        </a>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </Panel>
        ))}
      </Layout>,
    );
  });

  app.get(`/evaluation/:year/societies/:id{${uuid}}/indicators/:key`, async (c) => {
    const auth = requireAuth(c);
    const year = yearOf(c.req.param('year'), 0);
    const society = await loadEvaluableSociety(deps.db, actorOf(c), c.req.param('id'));
    const { indicator, rows } = await indicatorRecords(deps.db, year, society.id, c.req.param('key'));
    const href = (type: string, id: string) =>
      type === 'station' ? `/stations/${id}` : type === 'challenge' ? `/challenges/${id}` : null;
    return c.html(
      <Layout title={`${indicator.name} · ${society.name}`} account={auth.user}>
        <FormStyles />
        <h1>
          {society.name} · {year} · {indicator.name}：{indicator.value} {indicator.unit}
        </h1>
        <p class="hint">{indicator.tooltip}</p>
        <p>
          <a href={`/evaluation/${year}/societies/${society.id}`}>{m.back}</a>
        </p>
        {rows.length === 0 ? (
          <p class="empty">{m.noRows}</p>
        ) : (
          <table class="list" data-testid="indicator-rows">
            <thead>
              <tr>
                <th>{m.record}</th>
                <th>{m.date}</th>
                <th>{m.detail}</th>
                <th>{m.amount}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const link = href(r.ref_type, r.ref_id);
                return (
                  <tr>
                    <td>{link ? <a href={link}>{r.label}</a> : r.label}</td>
                    <td>{r.on_date ?? '—'}</td>
                    <td>{r.detail}</td>
                    <td>{r.amount}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });
  return app;
}
