/**
 * A {@link ReportDoc} as one self-contained HTML file: inline CSS and inline SVG, no scripts, no
 * fonts or images from the network, so it opens anywhere (a CI artifact, a mail attachment).
 */
import type { Block, ReportDoc, Tone } from './report-doc.js';
import { esc } from './svg.js';

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124; margin: 0; background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 40px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
.subtitle { color: #5f6368; margin: 0 0 18px; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #e0e0e0; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eceff1; text-align: left; vertical-align: top; }
th { background: #f1f3f4; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.good td:first-child { box-shadow: inset 4px 0 #34a853; }
tr.bad td:first-child { box-shadow: inset 4px 0 #d93025; }
tr.bad td { background: #fef3f2; }
table.facts td:first-child { color: #5f6368; white-space: nowrap; }
figure { margin: 8px 0 16px; overflow-x: auto; }
figcaption { color: #5f6368; font-size: 12px; margin-top: 4px; }
ul { margin: 6px 0; }
footer { color: #80868b; font-size: 12px; margin-top: 32px; border-top: 1px solid #e0e0e0; padding-top: 8px; }
`;

/** Renders the report as HTML. */
export function renderHtml(doc: ReportDoc): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(doc.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body><main>',
    `<h1>${esc(doc.title)}</h1>`,
    `<p class="subtitle">${esc(doc.subtitle)}</p>`,
    ...doc.blocks.map(block),
    `<footer>${esc(doc.footer)}</footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading': return `<h2>${esc(b.text)}</h2>`;
    case 'para': return `<p>${esc(b.text)}</p>`;
    case 'list': return `<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
    case 'figure': return `<figure class="${esc(b.name)}">${b.svg}<figcaption>${esc(b.caption)}</figcaption></figure>`;
    case 'table': return table(b);
  }
}

function table(b: Extract<Block, { kind: 'table' }>): string {
  const numeric = new Set(b.numeric ?? []);
  // A table whose header cells are all empty is a list of facts: no header row.
  const facts = b.head.every((h) => h === '');
  const head = facts ? '' : `<thead><tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
  const rows = b.rows.map((row, i) => {
    const tone: Tone = b.tones?.[i] ?? 'neutral';
    const cells = row.map((c, j) => `<td${numeric.has(j) ? ' class="num"' : ''}>${esc(c)}</td>`).join('');
    return `<tr${tone === 'neutral' ? '' : ` class="${tone}"`}>${cells}</tr>`;
  });
  return `<table${facts ? ' class="facts"' : ''}>${head}<tbody>${rows.join('')}</tbody></table>`;
}
