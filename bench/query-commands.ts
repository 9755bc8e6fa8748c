/**
 * Times the reading commands a person runs on a long trace — `metrics`, `diff` and `report` (HTML
 * and Markdown) — end to end, as separate processes of the built CLI, so the figures include what a
 * user waits for (Node start-up, opening the database, the queries, rendering, writing). Target
 * (issue 3): each under 2 s on a run of at least 5 million events.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { recordToTrace } from '../src/app/record-to-trace.js';

/** The built CLI, beside this file once compiled (dist/bench -> dist/src/cli). */
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

/** What to time: two complete runs of one database (`runB` is diffed against `runA`). */
export interface QueryBenchInput {
  readonly dbPath: string;
  readonly runA: number;
  readonly runB: number;
  /** Where reports are written. */
  readonly outDir: string;
  /** Timed repetitions of each command (default 3); the median is reported. */
  readonly repeats?: number;
}

/** One command's timings. */
export interface QueryCommandTiming {
  readonly command: string;
  /** The target it is compared with, in seconds. */
  readonly targetSeconds: number;
  readonly seconds: readonly number[];
  readonly medianSeconds: number;
  readonly exitCode: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Times `metrics`, `diff`, `report --format html` and `report --format md` on the given runs. */
export async function benchQueryCommands(input: QueryBenchInput): Promise<QueryCommandTiming[]> {
  const repeats = input.repeats ?? 3;
  const [a, b] = [String(input.runA), String(input.runB)];
  const commands: readonly (readonly [number, readonly string[]])[] = [
    [2, ['metrics', a]],
    [2, ['diff', a, b]],
    [2, ['report', b, '--format', 'html', '--out', path.join(input.outDir, 'bench-report.html')]],
    [2, ['report', b, '--baseline', a, '--format', 'md', '--out', path.join(input.outDir, 'bench-report.md')]],
    // Early, in the middle of the protocol, and at the very end of the run.
    ...['500000000', '3378214000', '8999999999'].map((at) => [1, ['replay', 'state', b, '--at', at, '--json']] as const),
  ];
  return commands.map(([targetSeconds, args]) => {
    const seconds: number[] = [];
    let exitCode = 0;
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      const r = spawnSync(process.execPath, [CLI, ...args, '--db', input.dbPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
      seconds.push((performance.now() - started) / 1000);
      exitCode = r.status ?? -1;
      if (exitCode !== 0) throw new Error(`migpatch ${args.join(' ')} exited ${exitCode}: ${r.stderr}`);
    }
    const shown = args.map((x) => (x.startsWith(input.outDir) ? path.basename(x) : x)).join(' ');
    return { command: `migpatch ${shown}`, targetSeconds, seconds, medianSeconds: median(seconds), exitCode };
  });
}

const LONG_RUN = ['run.durationNs=9000000000'];

/**
 * Records two runs of e1080-1920 over 9 s of simulated time (over 5 million events each) into
 * `dbPath`: seed 1, and seed 1 again with the first MSG1 to vCPU 7 lost (same seed, so `diff` finds
 * the first divergent event, at the protocol, in the middle of the run). About a minute.
 */
export async function recordLongPair(dbPath: string): Promise<{ runA: number; runB: number; events: number }> {
  const a = await recordToTrace({ scenario: 'e1080-1920', seed: 1, protocol: null, sets: LONG_RUN, label: 'bench a', dbPath });
  const b = await recordToTrace({ scenario: 'e1080-1920', seed: 1, protocol: null,
    sets: [...LONG_RUN, 'faults=[{"kind":"lost-ipi","cpu":7,"msg":"MSG1","count":1}]'], label: 'bench b', dbPath });
  return { runA: a.runId as number, runB: b.runId as number, events: Math.min(a.result.eventCount, b.result.eventCount) };
}
