/**
 * Draws {@link TimelineData} as a standalone SVG: one lane per vCPU (or per group), states as
 * colour, IPI marks, protocol steps as dashed lines, a relative time axis and a legend.
 *
 * Size is bounded by construction: each lane is drawn from its raster of {@link TIMELINE_COLUMNS}
 * columns, consecutive columns that look the same are merged into one rectangle, and all rectangles
 * of one colour in a lane share one `<path>`. A single-vCPU lane shows in each column the protocol
 * state present there (if any, so a 2 µs handler is never lost in a wide column), else the state
 * that filled most of it; a group lane stacks the share of each state, like a CPU-usage chart.
 */
import { formatNs } from '../format/value-text.js';
import { assert } from '../core/assert.js';
import { MESSAGES, msgStyle, PROTOCOL_STATES, STATE_STYLE } from './palette.js';
import { esc, instant, niceTicks, px, rect, shortNs, svgOpen, text } from './svg.js';
import { STATE_COUNT, type Lane, type TimelineData, type TimelineMark } from './timeline-data.js';

const LABEL_W = 124;
const RIGHT_PAD = 24;
const LABEL_ROW_H = 13;
const MAX_LABEL_ROWS = 4;
const AXIS_H = 30;
const GROUP_LABEL_EVERY = 4;
const GROUP_MARK_COLUMNS = 6;

/** Stacking order of states in a group lane: protocol states at the bottom, where the eye starts. */
const STACK_ORDER: readonly number[] = [...PROTOCOL_STATES, 2, 1, 0, 9];

/** Geometry of the plot, derived once. */
interface Layout {
  readonly x0: number;
  readonly plotW: number;
  readonly top: number;
  readonly laneH: number;
  readonly gap: number;
  readonly plotH: number;
  readonly width: number;
  readonly colW: number;
}

function layout(d: TimelineData, labelRows: number): Layout {
  const n = d.lanes.length;
  const [laneH, gap] = d.grouped ? [7, 1] : n <= 32 ? [14, 4] : [9, 2];
  const top = 22 + labelRows * LABEL_ROW_H;
  const plotW = d.columns;
  return { x0: LABEL_W, plotW, top, laneH, gap, plotH: n * (laneH + gap), width: LABEL_W + plotW + RIGHT_PAD, colW: plotW / d.columns };
}

/** Renders the timeline; `title` becomes the SVG's accessible label. */
export function timelineSvg(d: TimelineData, title: string): string {
  const labels = placeLabels(d);
  const rows = labels.reduce((m, l) => Math.max(m, l.row + 1), 1);
  const g = layout(d, rows);
  const legend = legendSvg(g, d, g.top + g.plotH + AXIS_H);
  const height = g.top + g.plotH + AXIS_H + legend.height;
  return [
    svgOpen(g.width, height, title),
    '<rect width="100%" height="100%" fill="#fff"/>',
    text(g.x0, 13, `t₀ = ${instant(d.window.fromNs)} · window ${formatNs(d.window.toNs - d.window.fromNs)} · ${d.lanes.length} lanes${d.grouped ? ` of ${(d.lanes[0] as Lane).cpus} vCPUs (share of each state, stacked)` : ''}`, 'fill="#444"'),
    ...d.lanes.map((lane, l) => laneSvg(d, g, lane, l)),
    marksSvg(d, g),
    phasesSvg(d, g, labels),
    axisSvg(d, g),
    legend.svg,
    '</svg>',
  ].join('\n');
}

function laneY(g: Layout, l: number): number {
  return g.top + l * (g.laneH + g.gap);
}

/** One lane: its label and one path per colour. */
function laneSvg(d: TimelineData, g: Layout, lane: Lane, l: number): string {
  const y = laneY(g, l);
  const paths = new Map<number, string[]>();
  const addRect = (state: number, c0: number, c1: number, yy: number, h: number): void => {
    if (h <= 0) return;
    const list = paths.get(state) ?? [];
    list.push(`M${px(g.x0 + c0 * g.colW)} ${px(yy)}h${px((c1 - c0) * g.colW)}v${px(h)}h${px(-(c1 - c0) * g.colW)}z`);
    paths.set(state, list);
  };
  if (d.grouped) stackedRuns(d, l, g.laneH, (state, c0, c1, off, h) => addRect(state, c0, c1, y + g.laneH - off - h, h));
  else dominantRuns(d, l, (state, c0, c1) => addRect(state, c0, c1, y, g.laneH));
  const cpus = lane.cpus === 1 ? String(lane.firstCpu) : `${lane.firstCpu}-${lane.firstCpu + lane.cpus - 1}`;
  const body = [...paths.entries()].map(([state, parts]) => `<path fill="${(STATE_STYLE[state] ?? STATE_STYLE[0])!.color}" d="${parts.join('')}"/>`);
  const fontSize = g.laneH >= 12 ? 11 : 9;
  // Thin group lanes are labelled every few lanes (and the initiator's), so labels stay legible.
  const labelled = !d.grouped || l % GROUP_LABEL_EVERY === 0 || lane.label.endsWith('(initiator)');
  return `<g class="lane" data-cpus="${cpus}"><title>${esc(lane.label)}</title>`
    + (labelled ? text(g.x0 - 6, y + g.laneH / 2 + fontSize * 0.35, lane.label, `text-anchor="end" font-size="${fontSize}" fill="#333"`) : '')
    + `<rect x="${g.x0}" y="${px(y)}" width="${g.plotW}" height="${g.laneH}" fill="#fafafa"/>`
    + body.join('') + '</g>';
}

function occ(d: TimelineData, l: number, c: number, s: number): number {
  return d.occupancy[((l * d.columns) + c) * STATE_COUNT + s] as number;
}

/** Single-vCPU lanes: the state shown in each column, merged into runs. */
function dominantRuns(d: TimelineData, l: number, emit: (state: number, c0: number, c1: number) => void): void {
  let runState = -1;
  let runStart = 0;
  for (let c = 0; c <= d.columns; c++) {
    const state = c === d.columns ? -2 : shownState(d, l, c);
    if (state === runState) continue;
    if (runState >= 0) emit(runState, runStart, c);
    runState = state;
    runStart = c;
  }
}

/** The protocol state present in a column (by priority), else the state filling most of it; -1 for none. */
function shownState(d: TimelineData, l: number, c: number): number {
  for (const s of PROTOCOL_STATES) if (occ(d, l, c, s) > 1e-6) return s;
  let best = -1;
  let bestOcc = 1e-6;
  for (let s = 0; s < STATE_COUNT; s++) {
    const o = occ(d, l, c, s);
    if (o > bestOcc) [best, bestOcc] = [s, o];
  }
  return best;
}

/** Group lanes: each column's stack of whole pixels per state, runs of equal stacks merged. */
function stackedRuns(
  d: TimelineData, l: number, laneH: number,
  emit: (state: number, c0: number, c1: number, offset: number, height: number) => void,
): void {
  let prev = '';
  let prevStack: number[] = [];
  let runStart = 0;
  const flush = (c: number): void => {
    let off = 0;
    STACK_ORDER.forEach((s, i) => {
      const h = prevStack[i] as number;
      if (h > 0) emit(s, runStart, c, off, h);
      off += h;
    });
  };
  for (let c = 0; c <= d.columns; c++) {
    const stack = c === d.columns ? [] : pixelStack(d, l, c, laneH);
    const key = stack.join(',');
    if (key === prev) continue;
    if (prevStack.length > 0) flush(c);
    [prev, prevStack, runStart] = [key, stack, c];
  }
}

/** Whole-pixel heights per state (STACK_ORDER) of one column; a protocol state present gets ≥ 1 px. */
function pixelStack(d: TimelineData, l: number, c: number, laneH: number): number[] {
  const heights = STACK_ORDER.map((s) => Math.round(occ(d, l, c, s) * laneH));
  STACK_ORDER.forEach((s, i) => {
    if (PROTOCOL_STATES.includes(s) && heights[i] === 0 && occ(d, l, c, s) > 1e-6) heights[i] = 1;
  });
  // Rounding and the 1 px floor may overfill: take the excess from the tallest entries.
  for (let guard = 0; heights.reduce((a, b) => a + b, 0) > laneH && guard < laneH * STACK_ORDER.length; guard++) {
    const i = heights.indexOf(Math.max(...heights));
    heights[i] = (heights[i] as number) - 1;
  }
  return heights;
}

/** IPI marks, deduplicated per lane, column, message and kind, one path per message and kind. */
function marksSvg(d: TimelineData, g: Layout): string {
  const size = Math.min(6, Math.max(3, g.laneH * 0.55));
  const half = size / 2;
  const seen = new Set<string>();
  const paths = new Map<string, string[]>();
  const span = d.window.toNs - d.window.fromNs;
  // A group lane would carry one mark per vCPU; one per few columns keeps the picture legible.
  const bin = d.grouped ? GROUP_MARK_COLUMNS : 1;
  for (const m of d.marks) {
    const col = Math.min(d.columns - 1, Math.floor(((m.tNs - d.window.fromNs) / span) * d.columns));
    const key = `${m.lane}:${Math.floor(col / bin)}:${m.msg}:${m.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const x = g.x0 + (col + 0.5) * g.colW;
    const y = laneY(g, m.lane);
    const list = paths.get(`${m.msg}:${m.kind}`) ?? [];
    list.push(glyph(m, x, y, g.laneH, size, half));
    paths.set(`${m.msg}:${m.kind}`, list);
  }
  return [...paths.entries()].map(([key, parts]) => {
    const [msg, kind] = key.split(':') as [string, string];
    const color = msgStyle(Number(msg)).color;
    return kind === 'lost'
      ? `<path class="mark" fill="none" stroke="${color}" stroke-width="2" d="${parts.join('')}"/>`
      : `<path class="mark" fill="${color}" stroke="#fff" stroke-width="0.6" d="${parts.join('')}"/>`;
  }).join('\n');
}

/** ▼ at the lane's top where a message arrives, ▲ at its bottom where one leaves, ✕ where one is lost. */
function glyph(m: TimelineMark, x: number, y: number, laneH: number, size: number, half: number): string {
  switch (m.kind) {
    case 'recv': return `M${px(x - half)} ${px(y - 1)}h${px(size)}l${px(-half)} ${px(size)}z`;
    case 'send': return `M${px(x - half)} ${px(y + laneH + 1)}h${px(size)}l${px(-half)} ${px(-size)}z`;
    case 'lost': return `M${px(x - half)} ${px(y)}l${px(size)} ${px(size)}m0 ${px(-size)}l${px(-size)} ${px(size)}`;
  }
}

/** A phase label's place: its x and the label row that keeps it clear of its neighbours. */
interface PlacedLabel {
  readonly x: number;
  readonly row: number;
  readonly label: string;
}

/** Labels in the first row where they clear their left neighbour; a label that fits no row is left off (its line stays). */
function placeLabels(d: TimelineData): PlacedLabel[] {
  const span = d.window.toNs - d.window.fromNs;
  const rowEnds: number[] = [];
  return d.phases.map((p) => {
    const x = LABEL_W + ((p.tNs - d.window.fromNs) / span) * d.columns;
    const w = p.label.length * 6 + 8;
    let row = rowEnds.findIndex((end) => end < x - w / 2);
    if (row < 0 && rowEnds.length < MAX_LABEL_ROWS) row = rowEnds.length;
    if (row >= 0) rowEnds[row] = x + w / 2;
    return { x, row, label: row < 0 ? '' : p.label };
  });
}

function phasesSvg(d: TimelineData, g: Layout, labels: readonly PlacedLabel[]): string {
  assert(labels.length === d.phases.length, 'one label per phase line');
  const bottom = g.top + g.plotH;
  return labels.map((p) => {
    const ly = g.top - 4 - Math.max(0, p.row) * LABEL_ROW_H;
    const line = `<line x1="${px(p.x)}" y1="${px(p.row < 0 ? g.top : ly + 2)}" x2="${px(p.x)}" y2="${px(bottom)}" stroke="#5f6368" stroke-width="0.8" stroke-dasharray="3 2"/>`;
    return p.label === '' ? line : line + text(p.x, ly, p.label, 'text-anchor="middle" font-size="10" fill="#202124" paint-order="stroke" stroke="#fff" stroke-width="3"');
  }).join('\n');
}

function axisSvg(d: TimelineData, g: Layout): string {
  const span = d.window.toNs - d.window.fromNs;
  const y = g.top + g.plotH + 2;
  const ticks = niceTicks(0, span, 10).map((t) => {
    const x = g.x0 + (t / span) * g.plotW;
    return `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x)}" y2="${px(y + 4)}" stroke="#555"/>`
      + text(x, y + 15, t === 0 ? 't₀' : `+${shortNs(t)}`, 'text-anchor="middle" fill="#444"');
  });
  return `<line x1="${g.x0}" y1="${px(y)}" x2="${g.x0 + g.plotW}" y2="${px(y)}" stroke="#555"/>` + ticks.join('');
}

/** Legend: every state colour, then the message glyphs and the step line. */
function legendSvg(g: Layout, d: TimelineData, y0: number): { svg: string; height: number } {
  const items: string[] = [];
  let x = g.x0;
  let y = y0 + 6;
  const advance = (w: number): void => {
    x += w;
    if (x > g.width - 150) [x, y] = [g.x0, y + 18];
  };
  STATE_STYLE.forEach((s, code) => {
    if (code === 9) return; // offline: no scenario takes vCPUs offline yet
    items.push(rect(x, y, 12, 10, `fill="${s.color}" stroke="#999" stroke-width="0.5"`) + text(x + 16, y + 9, s.label, 'fill="#333"'));
    advance(s.label.length * 6 + 34);
  });
  [x, y] = [g.x0, y + 18];
  const shown = [...new Set([...MESSAGES, ...d.marks.map((m) => m.msg)])].sort((a, b) => a - b);
  for (const msg of shown) {
    const st = msgStyle(msg);
    items.push(`<path fill="${st.color}" d="M${x} ${y}h8l-4 8z"/><path fill="${st.color}" d="M${x + 10} ${y + 9}h8l-4 -8z"/>`
      + text(x + 22, y + 9, st.label, 'fill="#333"'));
    advance(st.label.length * 6 + 40);
  }
  items.push(text(x, y + 9, '▼ arrives · ▲ sent · ✕ lost', 'fill="#333"'));
  advance(170);
  items.push(`<line x1="${x}" y1="${y + 5}" x2="${x + 18}" y2="${y + 5}" stroke="#5f6368" stroke-dasharray="3 2"/>` + text(x + 22, y + 9, 'protocol step', 'fill="#333"'));
  const note = d.grouped ? [text(g.x0, y + 27, 'Each lane stacks the share of its vCPUs in each state per pixel column; message marks are shown at most once per lane every few pixels.', 'fill="#666"')] : [];
  return { svg: `<g class="legend">${items.join('')}${note.join('')}</g>`, height: y - y0 + (d.grouped ? 36 : 20) };
}
