#!/usr/bin/env node
/**
 * Entry point of the `migpatch` binary.
 */
import { processOutput } from './output.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv, processOutput);
