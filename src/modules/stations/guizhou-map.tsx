import { guizhouMap } from './guizhou-map.data.js';

/** Short prefecture name for labels: 贵阳市 → 贵阳, 黔东南苗族侗族自治州 → 黔东南. */
export const shortPrefectureName = (name: string) =>
  name.replace(/(布依族苗族|苗族侗族)?自治州$/, '').replace(/市$/, '');

export interface PrefectureFigure {
  /** What the shading counts, per prefecture code; prefectures absent count 0. */
  count: number;
  /** Further lines of the tooltip and label, e.g. `榜单 3`. */
  extra?: string[];
}

/**
 * A server-rendered SVG map of Guizhou's nine prefectures (outlines from echarts@4.9.0, see
 * guizhou-map.data.ts), shaded by `figures[code].count`, each prefecture a link with a tooltip
 * (`<title>`). Colours are SVG attributes, not style attributes, so the strict CSP holds.
 */
export function GuizhouMap(props: {
  figures: ReadonlyMap<string, PrefectureFigure>;
  /** Name of what is counted, shown in tooltips: `运行站点`. */
  countLabel: string;
  href: (code: string) => string;
  title: string;
  testid: string;
  /** The prefecture currently filtered on, outlined. */
  selected?: string | undefined;
}) {
  const max = Math.max(1, ...[...props.figures.values()].map((f) => f.count));
  return (
    <svg
      viewBox={`0 0 ${guizhouMap.width} ${guizhouMap.height}`}
      width="100%"
      role="img"
      aria-label={props.title}
      data-testid={props.testid}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{props.title}</title>
      {guizhouMap.prefectures.map((p) => {
        const figure = props.figures.get(p.code);
        const n = figure?.count ?? 0;
        const opacity = n === 0 ? 0.06 : 0.25 + 0.7 * (n / max);
        const lines = [`${props.countLabel} ${n}`, ...(figure?.extra ?? [])];
        const ink = opacity > 0.6 ? '#fff' : '#222';
        return (
          <a href={props.href(p.code)} data-prefecture={p.code} data-count={n} aria-label={p.name}>
            <title>
              {p.name}：{lines.join('，')}
            </title>
            <path
              d={p.d}
              fill="#b4232a"
              fill-opacity={opacity.toFixed(2)}
              stroke={props.selected === p.code ? '#222' : '#8c1b21'}
              stroke-opacity={props.selected === p.code ? '1' : '0.45'}
              stroke-width={props.selected === p.code ? '2.5' : '1'}
              stroke-linejoin="round"
            />
            <text
              x={p.label[0]}
              y={p.label[1] - 4}
              text-anchor="middle"
              font-size="15"
              font-weight="bold"
              fill={ink}
            >
              {shortPrefectureName(p.name)}
            </text>
            <text x={p.label[0]} y={p.label[1] + 14} text-anchor="middle" font-size="12" fill={ink}>
              {lines.join(' · ')}
            </text>
          </a>
        );
      })}
    </svg>
  );
}
