/**
 * Exit codes in one place: commands return theirs (kept by CliCommand, also in subcommands), errors
 * carry theirs, and only the entry point `src/cli/main.ts` hands a code to the process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, InternalError } from '../src/core/errors.js';
import { ExitCode } from '../src/core/exit-code.js';
import { CliCommand } from '../src/cli/cli-command.js';
import { runCli } from '../src/cli/program.js';
import type { Output } from '../src/io/output.js';

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

function capture(): Output & { readonly errText: () => string } {
  const err: string[] = [];
  return { out: () => undefined, err: (t) => err.push(t), isTty: false, errText: () => err.join('') };
}

describe('exit codes', () => {
  it('are the documented numbers', () => {
    expect(ExitCode).toEqual({ Ok: 0, Regression: 1, Usage: 2, InvariantViolation: 3, Internal: 70, Interrupted: 130, Terminated: 143 });
    expect(new InputError('x').exitCode).toBe(ExitCode.Usage);
    expect(new InternalError('x').exitCode).toBe(ExitCode.Internal);
  });

  it('are each documented in README', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    for (const code of Object.values(ExitCode)) expect(readme, `exit code ${code}`).toMatch(new RegExp(`^\\|[^\\n]*\`${code}\`[^\\n]*\\|`, 'm'));
  });

  it('reach the process only through src/cli/main.ts', () => {
    const setters = sources('src').filter((file) => /process\.exitCode\s*=|process\.exit\(/.test(fs.readFileSync(file, 'utf8')));
    expect(setters).toEqual([path.join('src', 'cli', 'main.ts')]);
  });

  it('returned by an action, of a command or a subcommand, are what the program returns', async () => {
    const run = async (...args: string[]): Promise<ExitCode> => {
      const program = new CliCommand('p').exitOverride();
      program.command('fine').action(() => undefined);
      program.command('worse').action(async () => Promise.resolve(ExitCode.Regression));
      program.command('group').command('inner').action(() => ExitCode.InvariantViolation);
      await program.parseAsync(['node', 'p', ...args]);
      return program.actionExitCode();
    };
    expect(await run('fine')).toBe(ExitCode.Ok);
    expect(await run('worse')).toBe(ExitCode.Regression);
    expect(await run('group', 'inner')).toBe(ExitCode.InvariantViolation);
  });

  it('of errors: usage 2 with one line, and no process exit code set by runCli', async () => {
    const io = capture();
    const before = process.exitCode;
    expect(await runCli(['node', 'migpatch', 'upgrade', '--db', ''], io)).toBe(ExitCode.Usage);
    expect(io.errText()).toBe('migpatch: --db: expected a file path, got an empty string');
    expect(process.exitCode).toBe(before);
  });
});
