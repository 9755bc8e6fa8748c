/**
 * The layer rules of `.dependency-cruiser.cjs` hold for the repository, and they do fail: a
 * deliberately wrong import in a throw-away tree laid out like `src/` is reported.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

/** Runs dependency-cruiser in `cwd` over `dirs`; returns its exit status and output. */
function cruise(cwd: string, dirs: string[]): { status: number; output: string } {
  try {
    const output = execFileSync(DEPCRUISE, [...dirs, '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

/** Lays out `files` (path -> source) in a fresh temporary folder. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-layers-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  return dir;
}

describe('layer rules', () => {
  it('hold for the repository', () => {
    const { status, output } = cruise(ROOT, ['src', 'bench', 'migrations']);
    expect(output).not.toMatch(/error /);
    expect(status).toBe(0);
  });

  it('report the sim importing the trace store, and format importing core', () => {
    const dir = tree({
      'src/trace/store.ts': 'export const store = 1;\n',
      'src/core/assert.ts': 'export const ok = 1;\n',
      'src/sim/engine.ts': "import { store } from '../trace/store.js';\nexport const engine = store;\n",
      'src/format/kinds.ts': "import { ok } from '../core/assert.js';\nexport const kinds = ok;\n",
    });
    const { status, output } = cruise(dir, ['src']);
    expect(status).not.toBe(0);
    expect(output).toMatch(/deterministic-core-stays-pure: src\/sim\/engine\.ts → src\/trace\/store\.ts/);
    expect(output).toMatch(/layer-sim: src\/sim\/engine\.ts → src\/trace\/store\.ts/);
    expect(output).toMatch(/ground-floor-imports-nothing: src\/format\/kinds\.ts → src\/core\/assert\.ts/);
  });

  it('report two folders importing each other', () => {
    const dir = tree({
      'src/query/a.ts': "import { b } from '../report/b.js';\nexport const a = b;\n",
      'src/report/b.ts': 'export const b = 1;\n',
      'src/report/c.ts': "import { a } from '../query/a.js';\nexport const c = a;\n",
    });
    const { output } = cruise(dir, ['src']);
    expect(output).toMatch(/layer-query: src\/query\/a\.ts → src\/report\/b\.ts/);
  });
});
