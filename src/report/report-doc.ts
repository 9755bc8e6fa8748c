/**
 * A report as format-neutral blocks, so the HTML and Markdown writers render the same content and
 * only differ in syntax.
 */

/** How a table row should read at a glance. */
export type Tone = 'good' | 'bad' | 'neutral';

/** One block of a report. */
export type Block =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'para'; readonly text: string }
  | {
    readonly kind: 'table';
    readonly head: readonly string[];
    readonly rows: readonly (readonly string[])[];
    /** Per row, parallel to `rows`; missing means neutral. */
    readonly tones?: readonly Tone[];
    /** Columns whose cells are numbers, right-aligned. */
    readonly numeric?: readonly number[];
  }
  | {
    readonly kind: 'figure';
    /** File suffix when written beside a Markdown report: `timeline` -> `report-timeline.svg`. */
    readonly name: string;
    readonly svg: string;
    readonly caption: string;
  }
  | { readonly kind: 'list'; readonly items: readonly string[] };

/** A whole report. */
export interface ReportDoc {
  readonly title: string;
  readonly subtitle: string;
  readonly blocks: readonly Block[];
  readonly footer: string;
}
