/**
 * The command class of the migpatch program: commander's `Command`, whose actions return their
 * exit code instead of setting `process.exitCode`. Only the entry point (`main.ts`) hands a code to
 * the process; {@link runCli} reads the one the action returned through {@link actionExitCode}.
 */
import { Command } from 'commander';
import { ExitCode } from '../core/exit-code.js';

/** What a command's action returns: its exit code, or nothing for {@link ExitCode.Ok}. */
export type ActionResult = ExitCode | void;

// Every command is built by {@link CliCommand.createCommand}, so every action may return its code;
// this overload lets the commands say so without naming the subclass.
declare module 'commander' {
  interface Command {
    action(fn: (this: this, ...args: any[]) => ActionResult | Promise<ActionResult>): this;
  }
}

/** A command (or the program) whose action's returned exit code is kept. */
export class CliCommand extends Command {
  #exitCode: ExitCode = ExitCode.Ok;

  /** Subcommands are CliCommands too (commander calls this for `.command(name)`). */
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  /** Registers `fn` and keeps the exit code it returns. */
  override action(fn: (this: this, ...args: any[]) => ActionResult | Promise<ActionResult>): this {
    return super.action(async (...args: unknown[]) => {
      this.#exitCode = (await fn.apply(this, args)) ?? ExitCode.Ok;
    });
  }

  /** The exit code returned by the action that ran, in this command or any of its subcommands. */
  actionExitCode(): ExitCode {
    if (this.#exitCode !== ExitCode.Ok) return this.#exitCode;
    for (const sub of this.commands) {
      const code = sub instanceof CliCommand ? sub.actionExitCode() : ExitCode.Ok;
      if (code !== ExitCode.Ok) return code;
    }
    return ExitCode.Ok;
  }
}
