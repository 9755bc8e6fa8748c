/**
 * A {@link ReportDoc} as Markdown (GitHub-flavoured tables). Figures are links to SVG files written
 * beside the report (`report.md` -> `report-timeline.svg`); without an output file there is nowhere
 * to put them, and the report says how to get them.
 */
import type { Block, ReportDoc, Tone } from './report-doc.js';

/** Where figures go: the file name of each, or null when they are not written (stdout). */
export type FigureNamer = ((name: string) => string) | null;

/** Renders the report as Markdown. */
export function renderMarkdown(doc: ReportDoc, figureFile: FigureNamer): string {
  return [
    `# ${inline(doc.title)}`,
    '',
    `_${inline(doc.subtitle)}_`,
    '',
    ...doc.blocks.flatMap((b) => [block(b, figureFile), '']),
    '---',
    '',
    inline(doc.footer),
    '',
  ].join('\n');
}

/**
 * Escapes what Markdown would read as markup in running text and table cells. Underscores are
 * left alone: they only occur inside names (`accounting_error_stale`), where GFM reads them
 * literally, and escaping them would make the raw file hard to read and grep.
 */
function inline(text: string): string {
  return text.replace(/([\\`*[\]|<>])/g, '\\$1').replace(/\n/g, ' ');
}

const MARK: Record<Tone, string> = { good: '✓ ', bad: '✗ ', neutral: '' };

function block(b: Block, figureFile: FigureNamer): string {
  switch (b.kind) {
    case 'heading': return `## ${inline(b.text)}`;
    case 'para': return inline(b.text);
    case 'list': return b.items.map((i) => `- ${inline(i)}`).join('\n');
    case 'figure': return figureFile === null
      ? `_${inline(b.caption)} (The ${b.name} chart is an SVG file written beside the report: pass --out FILE.md to get it.)_`
      : `![${inline(b.caption)}](${figureFile(b.name)})\n\n_${inline(b.caption)}_`;
    case 'table': {
      const numeric = new Set(b.numeric ?? []);
      const facts = b.head.every((h) => h === '');
      const head = facts ? b.head.map((_, i) => (i === 0 ? 'fact' : 'value')) : b.head;
      const lines = [
        `| ${head.map(inline).join(' | ')} |`,
        `| ${head.map((_, j) => (numeric.has(j) ? '---:' : '---')).join(' | ')} |`,
        ...b.rows.map((row, i) => `| ${row.map((c, j) => (j === 0 ? MARK[b.tones?.[i] ?? 'neutral'] : '') + inline(c)).join(' | ')} |`),
      ];
      return lines.join('\n');
    }
  }
}
