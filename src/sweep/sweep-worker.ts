/**
 * A sweep worker thread: simulates the runs the main thread sends, one at a time, and posts each
 * outcome back. It never touches the database: the main thread is the one writer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { assert } from '../core/assert.js';
import { simulateRun, transferables, type RunJob, type SimulationSetup } from './simulate-run.js';

const setup = workerData as SimulationSetup;
const port = parentPort;
assert(port !== null, 'the sweep worker runs in a worker thread');

port.on('message', (job: RunJob | null) => {
  if (job === null) {
    port.close();
    return;
  }
  const outcome = simulateRun(setup, job);
  port.postMessage(outcome, transferables(outcome));
});
