/**
 * The little SVG the report needs: escaping, compact coordinates, axis ticks and short time labels.
 * Charts are strings built here, with no library and nothing that runs in the browser.
 */
import { assert } from '../core/assert.js';

/** Escapes text for XML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate with at most one decimal (pixels finer than that only cost bytes). */
export function px(value: number): string {
  const r = Math.round(value * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A `<text>` element. */
export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs === '' ? '' : ` ${attrs}`}>${esc(content)}</text>`;
}

/** A `<rect>` element. */
export function rect(x: number, y: number, w: number, h: number, attrs: string): string {
  return `<rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" ${attrs}/>`;
}

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(min: number, max: number, count: number): number[] {
  assert(count >= 2 && count <= 50, () => `tick count ${count}`);
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(min / step) * step;
  const ticks: number[] = [];
  for (let i = 0; i <= count * 3 && first + i * step <= max + step * 1e-9; i++) ticks.push(first + i * step);
  return ticks;
}

/** A short duration for axis labels: `0`, `5 µs`, `1.5 ms`, `2 s`. */
export function shortNs(ns: number): string {
  const abs = Math.abs(ns);
  const trim = (v: number): string => String(Number(v.toPrecision(4)));
  if (abs === 0) return '0';
  if (abs < 1e3) return `${trim(ns)} ns`;
  if (abs < 1e6) return `${trim(ns / 1e3)} µs`;
  if (abs < 1e9) return `${trim(ns / 1e6)} ms`;
  return `${trim(ns / 1e9)} s`;
}

/** An instant of simulated time to the nanosecond: `1.195098398 s`. */
export function instant(ns: number | null): string {
  if (ns === null || !Number.isFinite(ns)) return '—';
  return `${(ns / 1e9).toFixed(9)} s`;
}

/** A byte count for labels: `1.00 GiB`, `230 MiB`. */
export function shortBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2)} ${units[u]}`;
}

/** Opening tag of a standalone SVG document of the given size. */
export function svgOpen(width: number, height: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="11">`;
}
