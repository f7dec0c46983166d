import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { commonErrorResponses } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { Layout } from '../../web/layout.js';
import { messages } from '../../web/messages.js';
import { requireAuth } from '../auth/auth.middleware.js';
import { authErrorResponses } from '../auth/auth.openapi.js';
import { FormStyles, Panel } from '../auth/forms.js';
import { guizhouMap } from '../stations/guizhou-map.data.js';
import { GuizhouMap } from '../stations/guizhou-map.js';
import { type DashboardData, dashboardData } from './dashboard.queries.js';

/**
 * The operator dashboard: server-rendered SVG charts (no script needed; colours are SVG attributes,
 * not styles, so the strict CSP holds). The map of Guizhou is shared with the station registry.
 */
const m = messages.dashboard;
const BRAND = '#c0392b';
const MUTED = '#e8e2dc';

const esc = (n: number) => (Number.isFinite(n) ? n : 0);

function BarChart(props: { items: Array<{ label: string; value: number }>; testid: string; title: string }) {
  if (props.items.length === 0) return <p class="empty">{m.noData}</p>;
  const max = Math.max(1, ...props.items.map((i) => i.value));
  const row = 26;
  const labelWidth = 140;
  const barWidth = 360;
  const height = props.items.length * row + 8;
  return (
    <svg
      viewBox={`0 0 ${labelWidth + barWidth + 60} ${height}`}
      width="100%"
      role="img"
      data-testid={props.testid}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{props.title}</title>
      {props.items.map((item, i) => {
        const w = Math.max(2, (esc(item.value) / max) * barWidth);
        const y = i * row + 4;
        return (
          <g>
            <text x={labelWidth - 8} y={y + 15} text-anchor="end" font-size="13" fill="#333">
              {item.label}
            </text>
            <rect x={labelWidth} y={y} width={w} height={row - 8} rx="3" fill={BRAND} />
            <text x={labelWidth + w + 6} y={y + 15} font-size="13" fill="#333">
              {item.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function PrefectureMap({ data }: { data: DashboardData }) {
  const challenges = new Map(data.byPrefecture.map((s) => [s.code, Number(s.n)]));
  const figures = new Map(
    guizhouMap.prefectures.map((p) => [
      p.code,
      {
        count: Number(data.stations.find((s) => s.code === p.code)?.n ?? 0),
        extra: [`${m.challenges} ${challenges.get(p.code) ?? 0}`],
      },
    ]),
  );
  return (
    <GuizhouMap
      figures={figures}
      countLabel={m.stations}
      href={(code) => `/stations?prefecture=${code}`}
      title={m.map}
      testid="prefecture-map"
    />
  );
}

function CoverageGrid({ data }: { data: DashboardData['coverage'] }) {
  const cell = 18;
  const left = 150;
  const top = 70;
  const fill = { station: BRAND, team: '#e6a23c', none: MUTED } as const;
  return (
    <svg
      viewBox={`0 0 ${left + data.industries.length * cell + 10} ${top + data.rows.length * cell + 10}`}
      width="100%"
      role="img"
      data-testid="coverage-grid"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{m.coverage}</title>
      {data.industries.map((industry, i) => (
        <text
          x={left + i * cell + cell / 2}
          y={top - 6}
          font-size="11"
          fill="#333"
          transform={`rotate(-60 ${left + i * cell + cell / 2} ${top - 6})`}
        >
          {industry.name}
        </text>
      ))}
      {data.rows.map((county, r) => (
        <g data-county={county.code}>
          <text x={left - 6} y={top + r * cell + 13} text-anchor="end" font-size="11" fill="#333">
            {county.prefecture} {county.name}
          </text>
          {county.cells.map((state, i) => (
            <rect
              x={left + i * cell + 1}
              y={top + r * cell + 1}
              width={cell - 2}
              height={cell - 2}
              fill={fill[state]}
              data-state={state}
            >
              <title>
                {county.name} · {data.industries[i]!.name}：
                {state === 'station' ? m.coverageStation : state === 'team' ? m.coverageTeam : m.coverageNone}
              </title>
            </rect>
          ))}
        </g>
      ))}
    </svg>
  );
}

function DashboardPage({ data, account }: { data: DashboardData; account: { display_name: string } }) {
  const funnelItems = (['posted', 'bid', 'awarded', 'accepted'] as const).map((k) => ({
    label: m.funnelSteps[k]!,
    value: data.funnel[k],
  }));
  return (
    <Layout title={m.title} account={account}>
      <FormStyles />
      <h1>{m.title}</h1>
      <p class="meta">
        <span data-testid="median-first-bid">
          {m.medianDaysToFirstBid}：{m.days(data.median.to_first_bid)}
        </span>
        　
        <span data-testid="median-award">
          {m.medianDaysToAward}：{m.days(data.median.to_award)}
        </span>
      </p>
      <Panel title={m.funnel}>
        <BarChart items={funnelItems} testid="funnel" title={m.funnel} />
      </Panel>
      <Panel title={m.challengesByStatus}>
        <BarChart
          items={data.byStatus.map((s) => ({
            label: messages.status[s.status] ?? s.status,
            value: Number(s.n),
          }))}
          testid="by-status"
          title={m.challengesByStatus}
        />
      </Panel>
      <Panel title={m.challengesByIndustry}>
        <BarChart
          items={data.byIndustry.map((s) => ({ label: s.label, value: Number(s.n) }))}
          testid="by-industry"
          title={m.challengesByIndustry}
        />
      </Panel>
      <Panel title={m.map}>
        <p class="meta">{m.mapHint}</p>
        <PrefectureMap data={data} />
      </Panel>
      <Panel title={m.coverage}>
        <p class="meta">{m.coverageHint}</p>
        <CoverageGrid data={data.coverage} />
      </Panel>
    </Layout>
  );
}

const dashboardRoute = createRoute({
  method: 'get',
  path: '/admin/dashboard',
  tags: ['运营看板 Dashboard'],
  summary: '科协管理员运营看板数据：榜单状态/产业/市州分布、漏斗、中位天数、区县 × 特色产业覆盖',
  responses: {
    200: {
      description: '看板数据',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

export function dashboardApi(deps: AppDeps) {
  return createRouter().openapi(dashboardRoute, async (c) => c.json(await dashboardData(deps.db), 200));
}

export function dashboardPages(deps: AppDeps) {
  const app = new Hono();
  app.get('/admin/dashboard', async (c) => {
    const auth = requireAuth(c);
    return c.html(<DashboardPage data={await dashboardData(deps.db)} account={auth.user} />);
  });
  return app;
}
