#!/usr/bin/env node
/**
 * Entry point of the `migpatch` binary, and the only place that gives the process its exit code
 * (see {@link ExitCode}): commands return theirs to {@link runCli}.
 */
import { ExitCode } from '../core/exit-code.js';
import { processStop } from '../core/stop.js';
import { outError } from '../io/out-file.js';
import { processOutput } from '../io/output.js';
import { removeTempFiles } from '../io/temp-files.js';
import { runCli } from './program.js';

// `migpatch runs | head` closes the pipe early: that is the reader's choice, not an error. A full or
// failing standard output (`migpatch runs > /dev/full`) is the user's environment: one line, exit 2.
// Whatever was being written, temporary files go (a record has already committed its run).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  removeTempFiles();
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.Ok);
  process.stderr.write(`migpatch: ${outError('standard output', e).message.replace(/^--out /, '')}\n`);
  process.exit(ExitCode.Usage);
});

// SIGINT and SIGTERM ask for an orderly stop (processStop): a recording marks its run interrupted,
// an export or sweep removes its temporary files, and the command returns 130 or 143. A command
// that does not stop within the grace period, or a second signal, ends the process at once.
const STOP_GRACE_MS = 1_500;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    const code = signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
    const force = (): never => {
      removeTempFiles();
      process.exit(code);
    };
    if (processStop.signal !== null) force();
    processStop.request(signal);
    setTimeout(force, STOP_GRACE_MS).unref();
  });
}

process.exitCode = await runCli(process.argv, processOutput);
