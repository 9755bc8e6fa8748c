/**
 * A structural checker of Chrome Trace Event JSON, for the subset migpatch writes and the rules the
 * Perfetto UI applies when it imports it (REFERENCES.md):
 *
 * - the container is `{"traceEvents": [...], "displayTimeUnit": "ns"}`;
 * - every event has the fields its phase needs: `X` (ts, dur, pid, tid, name), `s`/`f` (ts, pid,
 *   tid, name, a numeric id; `f` binds to its enclosing slice with `"bp":"e"`), `C` (ts, pid,
 *   name, args of finite numbers), `M` (only process_name and thread_name, with args.name);
 * - `X` slices on one (pid, tid) nest or are disjoint, never partly overlap;
 * - timestamps never go back on a track (a thread, or a counter of a process), in file order;
 * - every flow id has exactly one `s` and one `f`, with the same name, the finish not before the start;
 * - what Chrome DevTools' trace engine needs to bind a flow: each flow point has the ts, pid, tid and
 *   cat of a slice that starts there (DevTools matches exactly; it does not look for an enclosing
 *   slice), and a flow's start comes before its finish in the file (DevTools reads flows in file
 *   order and drops a finish it has no start for); flow points are in time order among themselves;
 * - in the file's text, every ts and dur is a plain decimal with at most 3 fraction digits
 *   (nanoseconds in microseconds): no exponent, no binary residue.
 *
 * Used by the tests and by `migpatch export --check`.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { METADATA_NAMES, TRACE_HEAD } from './chrome-trace-format.js';

/** Problems listed in a report at most; the count goes on. */
const MAX_LISTED = 20;

/** Largest file parsed as one JSON text; larger ones must have migpatch's one-event-per-line layout. */
const WHOLE_PARSE_MAX_BYTES = 64 * 1024 * 1024;

/** A time as written in the file: a plain decimal with up to 3 fraction digits. */
const TIME_TEXT = /^[0-9]+(\.[0-9]{1,3})?$/;

/** `"ts":<value>` and `"dur":<value>` in the text. */
const TIME_FIELD = /"(ts|dur)":\s*([^,}\s]+)/g;

/** The verdict on one trace. */
export interface ChromeTraceReport {
  readonly ok: boolean;
  /** How many problems were found. */
  readonly problemCount: number;
  /** The first problems, one line each. */
  readonly problems: readonly string[];
  readonly events: number;
  readonly byPhase: Readonly<Record<string, number>>;
  /** Thread tracks holding slices or flow points. */
  readonly threadTracks: number;
  /** Matched s/f pairs. */
  readonly flows: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One end of a flow as read: where, when and in which category, and its place in the file. */
interface FlowPointSeen {
  readonly ts: number;
  readonly name: string;
  readonly cat: string | null;
  readonly track: string;
  readonly index: number;
}

interface FlowEnds {
  s: FlowPointSeen | null;
  f: FlowPointSeen | null;
}

/** Feeds events one at a time; {@link finish} gives the report. */
export class ChromeTraceChecker {
  #problemCount = 0;
  readonly #problems: string[] = [];
  #events = 0;
  readonly #byPhase: Record<string, number> = {};
  /** Last ts per track key, to check order. */
  readonly #lastTs = new Map<string, number>();
  /** Slices per thread track as [start, end] in ns, checked for overlaps at the end. */
  readonly #slices = new Map<string, number[]>();
  readonly #threadTracks = new Set<string>();
  readonly #flows = new Map<number, FlowEnds>();
  /** Categories of the slices that have one, by track and start (migpatch's slices have none). */
  readonly #sliceCats = new Map<string, Map<number, string>>();

  /** Records a problem. */
  problem(text: string): void {
    this.#problemCount++;
    if (this.#problems.length < MAX_LISTED) this.#problems.push(text);
  }

  /** Checks the raw text of ts and dur values (only possible when the text is at hand). */
  checkTimeText(text: string, where: string): void {
    for (const m of text.matchAll(TIME_FIELD)) {
      if (!TIME_TEXT.test(m[2] ?? '')) this.problem(`${where}: ${m[1]} written as ${m[2]}, not a decimal with at most 3 fraction digits`);
    }
  }

  /** Checks one event (the `index`-th of traceEvents). */
  add(event: Json, index: number): void {
    this.#events++;
    const at = `event ${index}`;
    if (!isObject(event)) {
      this.problem(`${at}: not an object`);
      return;
    }
    const ph = event['ph'];
    if (typeof ph !== 'string') {
      this.problem(`${at}: no ph`);
      return;
    }
    this.#byPhase[ph] = (this.#byPhase[ph] ?? 0) + 1;
    if (!isInteger(event['pid'])) this.problem(`${at} (${ph}): pid must be an integer`);
    if (typeof event['name'] !== 'string' || event['name'] === '') this.problem(`${at} (${ph}): name must be a non-empty string`);
    if (event['args'] !== undefined && !isObject(event['args'])) this.problem(`${at} (${ph}): args must be an object`);
    switch (ph) {
      case 'X': return this.#slice(event, at);
      case 's':
      case 'f': return this.#flow(event, ph, at);
      case 'C': return this.#counter(event, at);
      case 'M': return this.#metadata(event, at);
      default: this.problem(`${at}: phase '${ph}' is not one migpatch writes (X, s, f, C, M)`);
    }
  }

  /** The report, after the last event. */
  finish(): ChromeTraceReport {
    for (const [track, spans] of this.#slices) this.#checkNesting(track, spans);
    let flows = 0;
    for (const [id, ends] of this.#flows) {
      if (ends.s === null || ends.f === null) {
        this.problem(`flow ${id}: has ${ends.s === null ? 'no s' : 'no f'}`);
        continue;
      }
      if (ends.s.name !== ends.f.name) this.problem(`flow ${id}: s is named ${ends.s.name}, f ${ends.f.name}`);
      if (ends.f.ts < ends.s.ts) this.problem(`flow ${id}: finishes (${ends.f.ts}) before it starts (${ends.s.ts})`);
      if (ends.f.index < ends.s.index) this.problem(`flow ${id}: its f comes before its s in the file, and DevTools drops it`);
      for (const end of [ends.s, ends.f]) this.#checkBinding(id, end);
      flows++;
    }
    return {
      ok: this.#problemCount === 0, problemCount: this.#problemCount, problems: [...this.#problems],
      events: this.#events, byPhase: { ...this.#byPhase }, threadTracks: this.#threadTracks.size, flows,
    };
  }

  #slice(event: Record<string, Json>, at: string): void {
    const track = this.#threadTrack(event, at);
    const ts = this.#time(event, 'ts', at);
    const dur = this.#time(event, 'dur', at);
    if (track === null || ts === null || dur === null) return;
    this.#ordered(`thread ${track}`, ts, at);
    const spans = this.#slices.get(track);
    const startNs = Math.round(ts * 1000);
    const endNs = startNs + Math.round(dur * 1000);
    if (spans === undefined) this.#slices.set(track, [startNs, endNs]);
    else spans.push(startNs, endNs);
    const cat = event['cat'];
    if (typeof cat === 'string') {
      const cats = this.#sliceCats.get(track) ?? new Map<number, string>();
      cats.set(startNs, cat);
      this.#sliceCats.set(track, cats);
    }
  }

  #flow(event: Record<string, Json>, ph: 's' | 'f', at: string): void {
    const track = this.#threadTrack(event, at);
    const ts = this.#time(event, 'ts', at);
    const id = event['id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      this.problem(`${at} (${ph}): flow id must be a non-negative integer number, got ${JSON.stringify(id)}`);
      return;
    }
    if (ph === 'f' && event['bp'] !== 'e') this.problem(`${at} (f): must bind to its enclosing slice with "bp":"e"`);
    if (track === null || ts === null) return;
    // Flow points are written after the slices, in their own time order.
    this.#ordered('flow points', ts, at);
    const ends = this.#flows.get(id) ?? { s: null, f: null };
    if (ends[ph] !== null) {
      this.problem(`${at}: flow ${id} has a second ${ph}`);
      return;
    }
    const cat = event['cat'];
    ends[ph] = { ts, name: String(event['name']), cat: typeof cat === 'string' ? cat : null, track, index: this.#events };
    this.#flows.set(id, ends);
  }

  /** DevTools binds a flow point to the slice with the same ts, pid, tid and cat, or to nothing. */
  #checkBinding(id: number, end: FlowPointSeen): void {
    const startNs = Math.round(end.ts * 1000);
    const spans = this.#slices.get(end.track) ?? [];
    let starts = false;
    for (let i = 0; i < spans.length && !starts; i += 2) starts = spans[i] === startNs;
    if (!starts) {
      this.problem(`flow ${id}: no slice starts at ${end.ts} on thread ${end.track}, so DevTools cannot bind it`);
      return;
    }
    const sliceCat = this.#sliceCats.get(end.track)?.get(startNs) ?? null;
    if (sliceCat !== end.cat) this.problem(`flow ${id}: its cat ${JSON.stringify(end.cat)} differs from its slice's ${JSON.stringify(sliceCat)}, so DevTools cannot bind it`);
  }

  #counter(event: Record<string, Json>, at: string): void {
    const ts = this.#time(event, 'ts', at);
    const args = event['args'];
    if (!isObject(args) || Object.keys(args).length === 0) {
      this.problem(`${at} (C): args must be an object with at least one series`);
    } else {
      for (const [key, value] of Object.entries(args)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) this.problem(`${at} (C): args.${key} must be a finite number`);
      }
    }
    if (ts !== null) this.#ordered(`counter ${String(event['pid'])}/${String(event['name'])}`, ts, at);
  }

  #metadata(event: Record<string, Json>, at: string): void {
    const name = event['name'];
    if (typeof name !== 'string' || !(METADATA_NAMES as readonly string[]).includes(name)) {
      this.problem(`${at} (M): only ${METADATA_NAMES.join(' and ')} are imported, got ${JSON.stringify(name)}`);
      return;
    }
    const args = event['args'];
    if (!isObject(args) || typeof args['name'] !== 'string') this.problem(`${at} (M): args.name must be a string`);
    if (name === 'thread_name' && !isInteger(event['tid'])) this.problem(`${at} (M): thread_name needs an integer tid`);
  }

  #threadTrack(event: Record<string, Json>, at: string): string | null {
    if (!isInteger(event['tid'])) {
      this.problem(`${at} (${String(event['ph'])}): tid must be an integer`);
      return null;
    }
    const key = `${String(event['pid'])}/${String(event['tid'])}`;
    this.#threadTracks.add(key);
    return key;
  }

  #time(event: Record<string, Json>, field: 'ts' | 'dur', at: string): number | null {
    const v = event[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      this.problem(`${at} (${String(event['ph'])}): ${field} must be a non-negative number`);
      return null;
    }
    return v;
  }

  #ordered(track: string, ts: number, at: string): void {
    const last = this.#lastTs.get(track);
    if (last !== undefined && ts < last) this.problem(`${at}: ts ${ts} goes back on ${track} (previous ${last})`);
    this.#lastTs.set(track, ts);
  }

  /** Sorted by (start, longest first), each slice must end within the innermost slice still open. */
  #checkNesting(track: string, spans: readonly number[]): void {
    const n = spans.length / 2;
    const order = Array.from({ length: n }, (_, i) => i);
    const start = (i: number): number => spans[2 * i] as number;
    const end = (i: number): number => spans[2 * i + 1] as number;
    order.sort((x, y) => start(x) - start(y) || end(y) - end(x));
    const open: number[] = [];
    for (const i of order) {
      while (open.length > 0 && (open[open.length - 1] as number) <= start(i)) open.pop();
      const parentEnd = open[open.length - 1];
      if (parentEnd !== undefined && end(i) > parentEnd) {
        this.problem(`thread ${track}: slice [${start(i)}, ${end(i)}] ns overlaps an enclosing slice ending at ${parentEnd} ns`);
      }
      open.push(end(i));
    }
  }
}

/** Checks a parsed trace document. */
export function checkChromeTrace(doc: unknown): ChromeTraceReport {
  const checker = new ChromeTraceChecker();
  checkDocument(checker, doc as Json);
  return checker.finish();
}

/** Checks a trace's text: parses it, and checks how times are written. */
export function checkChromeTraceText(text: string): ChromeTraceReport {
  const checker = new ChromeTraceChecker();
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    checker.problem(`not JSON: ${(e as Error).message}`);
    return checker.finish();
  }
  checker.checkTimeText(text, 'text');
  checkDocument(checker, doc);
  return checker.finish();
}

/**
 * Checks a trace file. Files up to `wholeParseMaxBytes` (64 MiB) are parsed whole; larger ones (a
 * long 1,920-vCPU run) are read line by line, which needs migpatch's layout: the head line, one
 * event per line, the tail.
 */
export async function checkChromeTraceFile(file: string, wholeParseMaxBytes = WHOLE_PARSE_MAX_BYTES): Promise<ChromeTraceReport> {
  if (fs.statSync(file).size <= wholeParseMaxBytes) return checkChromeTraceText(fs.readFileSync(file, 'utf8'));
  const checker = new ChromeTraceChecker();
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  let index = 0;
  let tail = false;
  for await (const line of lines) {
    lineNo++;
    if (lineNo === 1) {
      if (`${line}\n` !== TRACE_HEAD) checker.problem(`line 1: expected ${TRACE_HEAD.trim()} (files over 64 MiB are read line by line)`);
      continue;
    }
    if (line.startsWith(']')) {
      tail = true;
      checkTail(checker, `{"traceEvents":[${line}`);
      continue;
    }
    if (tail) checker.problem(`line ${lineNo}: text after the end of traceEvents`);
    const text = line.endsWith(',') ? line.slice(0, -1) : line;
    checker.checkTimeText(text, `line ${lineNo}`);
    let event: Json;
    try {
      event = JSON.parse(text) as Json;
    } catch {
      checker.problem(`line ${lineNo}: not one JSON event per line`);
      continue;
    }
    checker.add(event, index++);
  }
  if (!tail) checker.problem('the file ends before traceEvents is closed');
  return checker.finish();
}

function checkTail(checker: ChromeTraceChecker, text: string): void {
  try {
    checkContainerKeys(checker, JSON.parse(text) as Json);
  } catch {
    checker.problem('the tail after traceEvents is not valid JSON');
  }
}

function checkDocument(checker: ChromeTraceChecker, doc: Json): void {
  if (!isObject(doc) || !Array.isArray(doc['traceEvents'])) {
    checker.problem('the trace must be an object with a traceEvents array');
    return;
  }
  checkContainerKeys(checker, doc);
  doc['traceEvents'].forEach((event, i) => checker.add(event, i));
}

function checkContainerKeys(checker: ChromeTraceChecker, doc: Json): void {
  if (!isObject(doc) || doc['displayTimeUnit'] !== 'ns') checker.problem('displayTimeUnit must be "ns"');
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInteger(v: Json | undefined): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v);
}
