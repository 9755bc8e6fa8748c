/**
 * The HTML report in a real browser: `scripts/check-report-html.sh` records a run with the built
 * CLI, writes its HTML report, and has headless Chromium load it (no console message, the title,
 * metrics and timeline lanes in the rendered DOM) and take a screenshot.
 *
 * Skipped where Debian's `chromium` is not installed (`apt-get install -y chromium`): CI machines
 * and developers' machines may lack it, and a browser is too heavy to make a test dependency. The
 * skip is visible in the test summary, not silent.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);

describe('HTML report in headless Chromium', () => {
  test.skipIf(!hasChromium)(`renders with no console errors and a visible timeline (needs ${CHROMIUM}, skipped without it)`, () => {
    const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-shot-')), 'report.png');
    try {
      const r = spawnSync('bash', ['scripts/check-report-html.sh', '', shot], { encoding: 'utf8', timeout: 300_000 });
      expect(r.stderr.split('\n').filter((l) => l.startsWith('check-report-html:'))).toEqual([]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/check-report-html: ok: .* renders with no console messages, 16 timeline lanes/);
      expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
    } finally {
      fs.rmSync(path.dirname(shot), { recursive: true, force: true });
    }
  });
});
