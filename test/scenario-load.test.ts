import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InputError } from '../src/core/errors.js';
import { findBuiltin } from '../src/scenario/builtins.js';
import { isScenarioFile, loadScenario } from '../src/scenario/load-scenario.js';

let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-scenario-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes a file into the temp folder and returns its path. */
function file(name: string, content: string | object): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError');
}

describe('loadScenario: names', () => {
  test('file or built-in', () => {
    expect(isScenarioFile('p8-to-p9')).toBe(false);
    expect(isScenarioFile('my.json')).toBe(true);
    expect(isScenarioFile('./scenarios/p8')).toBe(true);
  });

  test('an unknown built-in lists the built-ins and suggests the nearest', () => {
    const message = errorOf(() => loadScenario('p8-to-p7', []));
    expect(message).toContain('unknown scenario "p8-to-p7" (did you mean p8-to-p9?)');
    expect(message).toContain('built-ins: p8-to-p9, p9-to-p8, p9-to-p10, same-hardware');
  });
});

describe('loadScenario: files', () => {
  test('a complete file, host defaults omitted', () => {
    const s = JSON.parse(JSON.stringify(findBuiltin('p9-to-p8'))) as Record<string, Record<string, unknown>>;
    for (const role of ['source', 'destination']) {
      for (const key of ['purr', 'timebaseHz', 'latency']) delete s[role]?.[key];
    }
    const p = file('complete.json', s);
    expect(loadScenario(p, [])).toEqual(findBuiltin('p9-to-p8'));
  });

  test('extends: deep merge, arrays replaced, name from the file', () => {
    const p = file('bigger.json', {
      extends: 'p8-to-p9',
      guest: { vcpus: 32, routines: [{ name: 'acct.purr_to_cputime', words: 10, execNs: 1, usedAt: 'acct', selector: 'purr' }] },
      detection: { rules: [{ when: 'purr', routine: 'acct.purr_to_cputime' }] },
    });
    const s = loadScenario(p, []);
    const base = findBuiltin('p8-to-p9');
    expect(s.name).toBe('bigger');
    expect(s.description).toContain('extends p8-to-p9');
    expect(s.guest.vcpus).toBe(32);
    expect(s.guest.processes).toBe(base?.guest.processes);
    expect(s.guest.routines).toHaveLength(1);
    expect(s.source).toEqual(base?.source);
  });

  test('extends and --set: the --set applies last', () => {
    const p = file('ext-set.json', { extends: 'p8-to-p9', name: 'mine', guest: { vcpus: 32 } });
    const s = loadScenario(p, ['guest.vcpus=48']);
    expect(s.name).toBe('mine');
    expect(s.guest.vcpus).toBe(48);
  });

  test('extends with a processor change brings the new catalog defaults', () => {
    const p = file('to-p8.json', { extends: 'p8-to-p9', destination: { processor: 'POWER8' } });
    expect(loadScenario(p, []).destination.purr).toBe('scaled');
  });

  test('a file without extends must be complete', () => {
    const p = file('partial.json', { name: 'partial', guest: { vcpus: 4 } });
    expect(errorOf(() => loadScenario(p, []))).toBe(`scenario ${p}: missing key description`);
  });

  test('problems in a file name the file and the field', () => {
    const p = file('typo.json', { extends: 'p8-to-p9', guest: { vcpu: 4 } });
    expect(errorOf(() => loadScenario(p, []))).toBe(`scenario ${p}: unknown key guest.vcpu (did you mean guest.vcpus?)`);
  });

  test('extends must name a built-in', () => {
    expect(errorOf(() => loadScenario(file('bad-ext.json', { extends: 'p8-to-p0' }), [])))
      .toContain('unknown scenario "p8-to-p0" (did you mean p8-to-p9?)');
    expect(errorOf(() => loadScenario(file('bad-ext2.json', { extends: 3 }), [])))
      .toContain('extends must be the name of a built-in scenario, got 3');
  });

  test('an unreadable file gives the path and the OS reason', () => {
    const missing = path.join(dir, 'nope.json');
    const message = errorOf(() => loadScenario(missing, []));
    expect(message).toContain(`scenario ${missing}: cannot read the file`);
    expect(message).toContain('ENOENT');
    expect(errorOf(() => loadScenario(`${dir}/`, []))).toContain('EISDIR');
  });

  test('malformed JSON gives the line and column', () => {
    const p = file('broken.json', '{\n  "extends": "p8-to-p9",\n  "guest": { "vcpus": }\n}\n');
    const message = errorOf(() => loadScenario(p, []));
    expect(message).toContain(`scenario ${p}: malformed JSON at line 3, column 23`);
    const trailing = file('trailing.json', '{\n  "extends": "p8-to-p9",\n}\n');
    expect(errorOf(() => loadScenario(trailing, []))).toContain('at line 3, column 1');
    expect(errorOf(() => loadScenario(file('empty.json', ''), []))).toContain('at line 1, column 1');
    expect(errorOf(() => loadScenario(file('cut.json', '{"a": [1, 2'), []))).toContain('at line 1, column 12');
  });

  test('a file nested absurdly deep is refused, not a stack overflow', () => {
    const p = file('deep.json', `{"extends": "p8-to-p9", "guest": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(errorOf(() => loadScenario(p, []))).toContain('is nested more than 32 levels deep');
    const set = `guest.routines=${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(errorOf(() => loadScenario('p8-to-p9', [set]))).toContain('the value is nested more than 32 levels deep');
  });

  test('a file holding something other than an object', () => {
    expect(errorOf(() => loadScenario(file('array.json', '[1]'), []))).toContain('the file must hold a JSON object, got [1]');
  });

  test('a byte-order mark is accepted', () => {
    const p = file('bom.json', `\uFEFF${JSON.stringify({ extends: 'same-hardware' })}`);
    expect(loadScenario(p, []).destination).toEqual(findBuiltin('same-hardware')?.destination);
  });

  test('an oversized file is refused before it is read', () => {
    const p = file('huge.json', `{"description": "${'x'.repeat(5 * 1_048_576)}"}`);
    expect(errorOf(() => loadScenario(p, []))).toContain('more than the 4194304 a scenario may have');
  });
});
