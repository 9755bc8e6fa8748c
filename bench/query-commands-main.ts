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
import { benchQueryCommands, recordLongPair } from './query-commands.js';

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
      const pair = await recordLongPair(dbPath);
      [runA, runB] = [pair.runA, pair.runB];
      console.log(`recorded runs ${runA} and ${runB} of e1080-1920 (9 s simulated, ${pair.events}+ events each) into ${dbPath}`);
    }
    const timings = await benchQueryCommands({ dbPath, runA, runB, outDir: dir });
    const table = new Table({ head: ['command', 'median', 'each run', 'target'], style: { head: [], border: [] } });
    for (const t of timings) table.push([t.command, `${t.medianSeconds.toFixed(3)} s`, t.seconds.map((s) => s.toFixed(3)).join(', '), `< ${t.targetSeconds} s`]);
    console.log(table.toString());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
