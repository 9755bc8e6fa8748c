/**
 * Prints the timings of {@link benchQueryCommands}.
 * Usage: node dist/bench/query-commands-main.js [DB RUN_A RUN_B]
 *   With no arguments, records two runs of e1080-1920 over 9 s of simulated time (over 5 million
 *   events each) into a temporary database: seed 1, and seed 1 again with the first MSG1 to vCPU 7
 *   lost (same seed, so `diff` finds the first divergent event, at the protocol, in the middle of
 *   the run). Recording takes about a minute.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Table from 'cli-table3';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { benchQueryCommands } from './query-commands.js';

const LONG_RUN = ['run.durationNs=9000000000'];

async function recordPair(dbPath: string): Promise<[number, number, string]> {
  const a = await recordToTrace({ scenario: 'e1080-1920', seed: 1, protocol: null, sets: LONG_RUN, label: 'bench a', dbPath });
  const b = await recordToTrace({ scenario: 'e1080-1920', seed: 1, protocol: null,
    sets: [...LONG_RUN, 'faults=[{"kind":"lost-ipi","cpu":7,"msg":"MSG1","count":1}]'], label: 'bench b', dbPath });
  return [a.runId as number, b.runId as number, `${a.result.eventCount} and ${b.result.eventCount} events`];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-query-bench-'));
  try {
    const [dbArg, aArg, bArg] = process.argv.slice(2);
    let dbPath: string;
    let runA: number;
    let runB: number;
    if (dbArg !== undefined && aArg !== undefined && bArg !== undefined) {
      [dbPath, runA, runB] = [dbArg, Number(aArg), Number(bArg)];
    } else {
      dbPath = path.join(dir, 'bench.db');
      let events: string;
      [runA, runB, events] = await recordPair(dbPath);
      console.log(`recorded runs ${runA} and ${runB} of e1080-1920 (9 s simulated, ${events}) into ${dbPath}`);
    }
    const timings = await benchQueryCommands({ dbPath, runA, runB, outDir: dir });
    const table = new Table({ head: ['command', 'median', 'each run', 'target'], style: { head: [], border: [] } });
    for (const t of timings) table.push([t.command, `${t.medianSeconds.toFixed(3)} s`, t.seconds.map((s) => s.toFixed(3)).join(', '), '< 2 s']);
    console.log(table.toString());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
