/**
 * Exports that Chrome DevTools accepts: every `X` slice of `export --format chrome` is an entry of a
 * named thread in DevTools' own trace engine, every MSG1 / ACK / MSG2 flow arrow is bound at both
 * ends, and DevTools raises no warning — for `p8-to-p9`, `lost-ipi`, `hung-cpu` and a 256-vCPU run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migpatch } from './fixtures/cli.js';
import { devToolsView } from './fixtures/devtools.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

const CASES: readonly (readonly [string, readonly string[]])[] = [
  ['p8-to-p9', ['--scenario', 'p8-to-p9']],
  ['lost-ipi', ['--scenario', 'lost-ipi']],
  ['hung-cpu', ['--scenario', 'hung-cpu']],
  // 256 vCPUs on 16-socket hosts; less dirtying per vCPU, so the pre-copy converges within the run.
  ['256 vCPUs', ['--scenario', 'p8-to-p9', '--set', 'guest.vcpus=256', '--set', 'guest.processes=512', '--set', 'source.sockets=16',
    '--set', 'destination.sockets=16', '--set', 'migration.dirtyBytesPerSecPerVcpu=1000000']],
];

describe('DevTools reads every export whole', () => {
  it.each(CASES)('%s: every slice an entry of a named thread, every flow bound, no warnings', async (_name, args) => {
    const dir = tempDir();
    const rec = migpatch(['record', '--db', 't.db', ...args], dir);
    expect(rec.code, rec.stderr).toBe(0);
    const exp = migpatch(['export', '1', '--db', 't.db', '--out', 'run.json', '--check'], dir);
    expect(exp.code, exp.stderr).toBe(0);
    const { traceEvents } = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as { traceEvents: [] };
    const view = await devToolsView(traceEvents);
    expect(view.slices).toBeGreaterThan(1000);
    expect(view.entries).toBe(view.slices);
    expect(view.unnamedThreadEntries).toBe(0);
    expect(view.fileFlows).toBeGreaterThan(0);
    expect(view.boundFlows).toBe(view.fileFlows);
    expect(view.warnings).toEqual({});
  });
});
