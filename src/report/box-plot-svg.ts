/**
 * Box plots of metric distributions for a sweep group report: one row per metric, each on its own
 * scale (metrics span nanoseconds to seconds and ratios), one box per group (baseline, then the new
 * group). Whiskers span min to max, the box p25 to p75, the bar is the median and the dot p95, so a
 * long tail (a p95 far from the box) shows at a glance.
 */
import { formatRatio } from '../format/value-text.js';
import type { DistributionSummary } from '../core/quantile.js';
import { px, rect, shortNs, svgOpen, text } from './svg.js';

/** One group drawn in every row. */
export interface BoxSeries {
  readonly label: string;
  readonly color: string;
}

/** One metric: a distribution per series (null when that group has no value of it). */
export interface BoxRow {
  readonly name: string;
  readonly unit: string;
  readonly boxes: readonly (DistributionSummary | null)[];
}

const LABEL_W = 210;
const PLOT_W = 760;
const X0 = LABEL_W + 50;
const WIDTH = X0 + PLOT_W + 90;
const BOX_H = 10;
const BOX_GAP = 4;
const ROW_GAP = 14;
const TOP = 34;

/** Colours: the baseline grey, the group under test blue. */
export const BASELINE_COLOR = '#9aa0a6';
/** Colour of the group under test. */
export const GROUP_COLOR = '#1a73e8';

/** A value for an axis end, in the metric's unit. */
function axisValue(v: number, unit: string): string {
  if (unit === 'ns') return shortNs(Math.round(v));
  if (unit === 'ratio') return formatRatio(v);
  return String(Number(v.toPrecision(4)));
}

function boxSvg(s: DistributionSummary, y: number, x: (v: number) => number, color: string): string {
  const mid = y + BOX_H / 2;
  return [
    `<line x1="${px(x(s.min))}" y1="${px(mid)}" x2="${px(x(s.max))}" y2="${px(mid)}" stroke="${color}" stroke-width="1.2"/>`,
    ...[s.min, s.max].map((v) => `<line x1="${px(x(v))}" y1="${px(y + 1)}" x2="${px(x(v))}" y2="${px(y + BOX_H - 1)}" stroke="${color}"/>`),
    rect(x(s.p25), y, Math.max(1, x(s.p75) - x(s.p25)), BOX_H, `fill="${color}" fill-opacity="0.35" stroke="${color}"`),
    `<line x1="${px(x(s.p50))}" y1="${px(y - 1)}" x2="${px(x(s.p50))}" y2="${px(y + BOX_H + 1)}" stroke="#202124" stroke-width="2"/>`,
    `<circle cx="${px(x(s.p95))}" cy="${px(mid)}" r="2.5" fill="#202124"/>`,
  ].join('');
}

function rowSvg(row: BoxRow, series: readonly BoxSeries[], y0: number): string {
  const present = row.boxes.filter((b): b is DistributionSummary => b !== null);
  const parts = [text(8, y0 + 12, row.name, 'font-weight="600"')];
  if (present.length === 0) return parts.concat(text(X0, y0 + 12, 'no values', 'fill="#80868b"')).join('');
  const lo = Math.min(...present.map((b) => b.min));
  const hi = Math.max(...present.map((b) => b.max));
  // A metric that never varies is drawn at the middle of its row.
  const x = (v: number): number => (hi > lo ? X0 + ((v - lo) / (hi - lo)) * PLOT_W : X0 + PLOT_W / 2);
  parts.push(text(X0 - 6, y0 + 12, axisValue(lo, row.unit), 'text-anchor="end" fill="#5f6368"'));
  parts.push(text(X0 + PLOT_W + 6, y0 + 12, axisValue(hi, row.unit), 'fill="#5f6368"'));
  row.boxes.forEach((b, i) => {
    const y = y0 + i * (BOX_H + BOX_GAP);
    const s = series[i] as BoxSeries;
    parts.push(b === null ? text(X0, y + BOX_H, `${s.label}: no values`, 'fill="#80868b"') : boxSvg(b, y, x, s.color));
  });
  return parts.join('');
}

/** Renders the rows; `title` becomes the SVG's accessible label. */
export function boxPlotSvg(rows: readonly BoxRow[], series: readonly BoxSeries[], title: string): string {
  const rowH = series.length * (BOX_H + BOX_GAP) - BOX_GAP + ROW_GAP;
  const height = TOP + rows.length * rowH + 10;
  const legend = series.map((s, i) => rect(X0 + i * 220, 10, 14, 10, `fill="${s.color}" fill-opacity="0.35" stroke="${s.color}"`)
    + text(X0 + i * 220 + 20, 19, s.label)).join('');
  const key = text(X0 + series.length * 220, 19, 'whiskers min–max, box p25–p75, bar median, dot p95', 'fill="#5f6368"');
  return [
    svgOpen(WIDTH, height, title),
    '<rect width="100%" height="100%" fill="#fff"/>',
    legend + key,
    ...rows.map((r, i) => rowSvg(r, series, TOP + i * rowH)),
    '</svg>',
  ].join('\n');
}
