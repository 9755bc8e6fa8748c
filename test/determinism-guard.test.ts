import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

// The deterministic core: engine, model, protocols, analysis. Nothing here may read the clock,
// draw unseeded randomness or do I/O.
const CORE_DIRS = ['src/core', 'src/model', 'src/protocol', 'src/sim', 'src/analysis'];
const FORBIDDEN: readonly [RegExp, string][] = [
  [/Math\.random/, 'Math.random'],
  [/Date\.now|new Date\(/, 'the wall clock (Date)'],
  [/performance\.now|process\.hrtime/, 'a timer'],
  [/from ['"](node:)?(fs|child_process|net|http|worker_threads)['"]/, 'I/O modules'],
  [/(?<![\w#.])(setTimeout|setInterval|setImmediate)\(/, 'host timers'],
];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('deterministic core', () => {
  const files = CORE_DIRS.flatMap((d) => tsFiles(d));

  test('has files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test.each(files)('%s uses no clock, no Math.random and no I/O', (file) => {
    const text = fs.readFileSync(file, 'utf8');
    for (const [pattern, what] of FORBIDDEN) {
      expect(pattern.test(text), `${file} uses ${what}`).toBe(false);
    }
  });

  test('the guard itself catches a forbidden call', () => {
    expect(FORBIDDEN.some(([p]) => p.test('const x = Math.random();'))).toBe(true);
    expect(FORBIDDEN.some(([p]) => p.test("import fs from 'node:fs';"))).toBe(true);
  });
});
