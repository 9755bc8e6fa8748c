#!/usr/bin/env node
/**
 * Entry point of the `migpatch` binary, and the only place that gives the process its exit code
 * (see {@link ExitCode}): commands return theirs to {@link runCli}.
 */
import { ExitCode } from '../core/exit-code.js';
import { processOutput } from '../io/output.js';
import { runCli } from './program.js';

// `migpatch runs | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.Ok);
  throw e;
});

process.exitCode = await runCli(process.argv, processOutput);
