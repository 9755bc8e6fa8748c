/**
 * Draws {@link AccountingData}: the accounting error (charged - truth) / truth over time with the
 * before / stale / after windows shaded, the migration's pre-copy rounds and downtime on a strip
 * below, and, when the stale window is too short to see in the whole run, a second panel zoomed on
 * it. Buckets narrower than a pixel are merged (ratio of sums, with their min-max range drawn
 * behind), so a 1 ms spike in a 9 s run still shows.
 */
import { formatRatio } from '../format/value-text.js';
import { ROUND_COLOR, SERIES_COLOR, WINDOW_STYLE } from './palette.js';
import type { AccountingData, TimeRange } from './accounting-data.js';
import { niceTicks, px, rect, shortBytes, shortNs, svgOpen, text } from './svg.js';

const X0 = 72;
const PLOT_W = 1000;
const WIDTH = X0 + PLOT_W + 48;
const PLOT_H = 190;
const STRIP_H = 22;
const PANEL_GAP = 40;

/** Buckets merged into one drawn step: their span, pooled error and error range. */
interface Cell {
  readonly x0: number;
  readonly x1: number;
  readonly error: number;
  readonly min: number;
  readonly max: number;
}

/** Renders the chart (one or two panels); `title` becomes the SVG's accessible label. */
export function accountingSvg(d: AccountingData, title: string): string {
  const panels: { range: TimeRange; caption: string }[] = [{ range: { fromNs: 0, toNs: d.runEndNs }, caption: 'whole run' }];
  if (d.zoom !== null) panels.push({ range: d.zoom, caption: 'close-up: downtime and stale window' });
  const panelH = 26 + PLOT_H + 8 + STRIP_H + 26;
  const legendY = panels.length * (panelH + PANEL_GAP) - PANEL_GAP + 8;
  const height = legendY + 28;
  return [
    svgOpen(WIDTH, height, title),
    '<rect width="100%" height="100%" fill="#fff"/>',
    ...panels.map((p, i) => panelSvg(d, p.range, p.caption, i * (panelH + PANEL_GAP))),
    legendSvg(legendY),
    '</svg>',
  ].join('\n');
}

function cells(d: AccountingData, range: TimeRange, xOf: (t: number) => number): Cell[] {
  const b = d.buckets;
  const out: Cell[] = [];
  let cur: { x0: number; x1: number; truth: number; charged: number; min: number; max: number; col: number } | null = null;
  const close = (): void => {
    if (cur !== null && cur.truth > 0) out.push({ x0: cur.x0, x1: cur.x1, error: (cur.charged - cur.truth) / cur.truth, min: cur.min, max: cur.max });
    cur = null;
  };
  const m = d.migration;
  for (let i = 0; i < b.count; i++) {
    let s = b.startNs[i] as number;
    let e = b.endNs[i] as number;
    // Nobody is charged while paused: a bucket cut by the pause or the resume holds samples on one
    // side only, so it is drawn there (a bucket holding both stays whole).
    if (m !== null && m.pauseNs !== null && m.resumeNs !== null) {
      const holdsPause = s < m.pauseNs && e > m.pauseNs;
      const holdsResume = s < m.resumeNs && e > m.resumeNs;
      if (holdsPause && !holdsResume) e = m.pauseNs;
      else if (holdsResume && !holdsPause) s = m.resumeNs;
    }
    const truth = b.truthNs[i] as number;
    if (e <= range.fromNs || s >= range.toNs || !(truth > 0)) continue;
    const charged = b.chargedNs[i] as number;
    const err = (charged - truth) / truth;
    const x0 = xOf(Math.max(s, range.fromNs));
    const x1 = xOf(Math.min(e, range.toNs));
    const col = Math.floor(x0);
    // A gap in the buckets (the downtime: nobody is charged) breaks the cell and the line.
    if (cur !== null && (cur.col !== col || x0 - cur.x1 > 1)) close();
    if (cur === null) cur = { x0, x1, truth, charged, min: err, max: err, col };
    else Object.assign(cur, { x1, truth: cur.truth + truth, charged: cur.charged + charged, min: Math.min(cur.min, err), max: Math.max(cur.max, err) });
  }
  close();
  return out;
}

function panelSvg(d: AccountingData, range: TimeRange, caption: string, top: number): string {
  const span = range.toNs - range.fromNs;
  const xOf = (t: number): number => X0 + ((t - range.fromNs) / span) * PLOT_W;
  const data = cells(d, range, xOf);
  let lo = Math.min(0, ...data.map((c) => c.min));
  let hi = Math.max(0, ...data.map((c) => c.max));
  if (hi - lo < 0.02) [lo, hi] = [lo - 0.01, hi + 0.01];
  const padY = (hi - lo) * 0.08;
  [lo, hi] = [lo - padY, hi + padY];
  const y0 = top + 26;
  const yOf = (v: number): number => y0 + PLOT_H - ((v - lo) / (hi - lo)) * PLOT_H;
  const clipX = (t: number): number => Math.min(X0 + PLOT_W, Math.max(X0, xOf(t)));
  const labels: string[] = [];
  const parts: string[] = [text(X0, top + 14, `accounting error (charged - truth) / truth — ${caption}`, 'font-weight="600" fill="#202124"')];

  for (const w of d.windows) {
    if (w.beginNs === null || w.endNs === null || w.endNs <= range.fromNs || w.beginNs >= range.toNs) continue;
    const [xa, xb] = [clipX(w.beginNs), clipX(w.endNs)];
    parts.push(rect(xa, y0, Math.max(1, xb - xa), PLOT_H, `fill="${WINDOW_STYLE[w.window].color}"`));
    // The stale window is often a sliver: its label goes on a second row, over whatever is beside it,
    // and is drawn after the series so the line does not cross it.
    const ly = w.window === 'stale' ? y0 + 30 : y0 + 14;
    labels.push(text((xa + xb) / 2, ly, `${w.window} ${formatRatio(w.error)}`,
      'text-anchor="middle" fill="#3c4043" font-size="11" paint-order="stroke" stroke="#fff" stroke-width="3"'));
  }
  const m = d.migration;
  if (m?.pauseNs != null && m.resumeNs !== null && m.resumeNs > range.fromNs && m.pauseNs < range.toNs) {
    const [xa, xb] = [clipX(m.pauseNs), clipX(m.resumeNs)];
    parts.push(rect(xa, y0, Math.max(1, xb - xa), PLOT_H, `fill="${WINDOW_STYLE.downtime.color}"`));
  }
  parts.push(yAxis(lo, hi, yOf));
  parts.push(`<line x1="${X0}" y1="${px(yOf(0))}" x2="${X0 + PLOT_W}" y2="${px(yOf(0))}" stroke="#80868b" stroke-width="0.8"/>`);

  const envelope = data.filter((c) => yOf(c.min) - yOf(c.max) > 1)
    .map((c) => `M${px((c.x0 + c.x1) / 2)} ${px(yOf(c.max))}V${px(yOf(c.min))}`).join('');
  if (envelope !== '') parts.push(`<path fill="none" stroke="${SERIES_COLOR}" stroke-opacity="0.35" stroke-width="1" d="${envelope}"/>`);
  parts.push(`<path fill="none" stroke="${SERIES_COLOR}" stroke-width="1.6" stroke-linejoin="round" d="${stepPath(data, yOf)}"/>`);
  parts.push(...labels);
  parts.push(`<rect x="${X0}" y="${y0}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#bdc1c6"/>`);

  const stripY = y0 + PLOT_H + 8;
  parts.push(migrationStrip(d, range, stripY, clipX));
  parts.push(xAxis(range, stripY + STRIP_H + 2, xOf));
  return `<g class="panel">${parts.join('\n')}</g>`;
}

/** Horizontal steps per cell, joined vertically between adjacent cells, broken across gaps. */
function stepPath(data: readonly Cell[], yOf: (v: number) => number): string {
  let d = '';
  let lastX = -Infinity;
  for (const c of data) {
    const y = px(yOf(c.error));
    d += c.x0 - lastX > 1.5 ? `M${px(c.x0)} ${y}` : `L${px(c.x0)} ${y}`;
    d += `H${px(Math.max(c.x1, c.x0 + 0.5))}`;
    lastX = c.x1;
  }
  return d === '' ? 'M0 0' : d;
}

function yAxis(lo: number, hi: number, yOf: (v: number) => number): string {
  return niceTicks(lo, hi, 5).map((v) => {
    const y = yOf(v);
    const pct = v * 100;
    const label = `${pct > 0 ? '+' : ''}${Number(pct.toPrecision(6))} %`;
    return `<line x1="${X0 - 4}" y1="${px(y)}" x2="${X0 + PLOT_W}" y2="${px(y)}" stroke="#e0e0e0" stroke-width="0.6"/>`
      + text(X0 - 7, y + 4, label, 'text-anchor="end" fill="#444"');
  }).join('');
}

function xAxis(range: TimeRange, y: number, xOf: (t: number) => number): string {
  return niceTicks(range.fromNs, range.toNs, 10).map((t) => {
    const x = xOf(t);
    return `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x)}" y2="${px(y + 4)}" stroke="#555"/>` + text(x, y + 15, shortNs(t), 'text-anchor="middle" fill="#444"');
  }).join('');
}

/** Pre-copy rounds as bars labelled with what they sent, and the stop-and-copy downtime. */
function migrationStrip(d: AccountingData, range: TimeRange, y: number, clipX: (t: number) => number): string {
  const m = d.migration;
  const parts = [text(X0 - 7, y + 15, 'migration', 'text-anchor="end" fill="#444"')];
  if (m === null) return parts.concat(text(X0 + 4, y + 15, 'no migration in this run', 'fill="#666"')).join('');
  for (const r of m.rounds) {
    if (r.tNs <= range.fromNs || r.startNs >= range.toNs) continue;
    const [xa, xb] = [clipX(r.startNs), clipX(r.tNs)];
    parts.push(rect(xa, y, Math.max(1, xb - xa - 1), STRIP_H, `fill="${ROUND_COLOR}" stroke="#fff" stroke-width="0.5"`)
      + `<title>round ${r.round}: ${shortBytes(r.bytesSent)} sent, ${shortBytes(r.dirtyBytes)} dirtied meanwhile</title>`);
    const label = `R${r.round} ${shortBytes(r.bytesSent)}`;
    if (xb - xa > label.length * 6 + 6) parts.push(text((xa + xb) / 2, y + 15, label, 'text-anchor="middle" fill="#0b2a5b" font-size="10"'));
  }
  if (m.pauseNs !== null && m.resumeNs !== null && m.resumeNs > range.fromNs && m.pauseNs < range.toNs) {
    const [xa, xb] = [clipX(m.pauseNs), clipX(m.resumeNs)];
    parts.push(rect(xa, y, Math.max(2, xb - xa), STRIP_H, 'fill="#3c4043"'));
    const label = `downtime ${shortNs(m.resumeNs - m.pauseNs)}`;
    parts.push(xb - xa > label.length * 6 + 6
      ? text((xa + xb) / 2, y + 15, label, 'text-anchor="middle" fill="#fff" font-size="10"')
      : text(xb + 4, y + 15, label, 'fill="#3c4043" font-size="10"'));
  }
  return parts.join('');
}

function legendSvg(y: number): string {
  const items: string[] = [];
  let x = X0;
  for (const key of ['before', 'stale', 'after', 'downtime'] as const) {
    const s = WINDOW_STYLE[key];
    items.push(rect(x, y, 14, 10, `fill="${s.color}" stroke="#999" stroke-width="0.5"`) + text(x + 18, y + 9, s.label, 'fill="#333"'));
    x += s.label.length * 6 + 36;
  }
  items.push(`<line x1="${x}" y1="${y + 5}" x2="${x + 18}" y2="${y + 5}" stroke="${SERIES_COLOR}" stroke-width="1.6"/>` + text(x + 22, y + 9, 'error', 'fill="#333"'));
  x += 64;
  items.push(rect(x, y, 14, 10, `fill="${ROUND_COLOR}"`) + text(x + 18, y + 9, 'pre-copy round', 'fill="#333"'));
  return `<g class="legend">${items.join('')}</g>`;
}
