/** Where a command's text goes: stdout and stderr, or a capture in tests. */

/** Where a command writes. Injected so tests and the CLI share the code. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly isTty: boolean;
}

/** The process's stdout/stderr. */
export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
};
