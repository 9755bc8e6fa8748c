/**
 * Honest output: labels typed by users cannot drive the terminal from a table, and the wall time
 * `record` prints is the command's own, end to end (never less than the run's stored wall time).
 */
import { describe, expect, it } from 'vitest';
import { migpatch } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

describe('honest output', () => {
  it('control characters and terminal escapes in a label are shown escaped in tables', () => {
    const dir = tempDir();
    const label = 'evil\u001b[31mRED\nsecond\tline\u0007';
    expect(migpatch(['record', '--db', 't.db', '--label', label], dir).code).toBe(0);
    const runs = migpatch(['runs', '--db', 't.db'], dir);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain('evil\\x1b[31mRED\\nsecond\\tline\\x07');
    expect(/[\u0000-\u0009\u000b-\u001f\u007f]/.test(runs.stdout)).toBe(false);
    // JSON keeps the label exactly as given.
    const json = JSON.parse(migpatch(['runs', '--db', 't.db', '--json'], dir).stdout) as { label: string }[];
    expect(json[0]?.label).toBe(label);
  });

  it('record prints the command wall time, end to end', () => {
    const dir = tempDir();
    const r = migpatch(['record', '--db', 't.db', '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { wallMs: number; commandWallMs: number };
    expect(out.commandWallMs).toBeGreaterThanOrEqual(out.wallMs);
  });
});
