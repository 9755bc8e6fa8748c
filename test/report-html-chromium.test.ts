/**
 * The HTML report in a real browser: `scripts/check-report-html.sh` records a run with the built
 * CLI, writes its HTML report, and has headless Chromium load it (no console message, the title,
 * metrics and timeline lanes in the rendered DOM) and take a screenshot.
 *
 * `.ci/run` installs Debian's `chromium` when it is missing, so in CI (CI=true) this test never
 * skips: without a browser there it fails. On a developer's machine without `/usr/bin/chromium`
 * (`apt-get install -y chromium`) it is skipped, visibly in the test summary.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
const inCi = process.env['CI'] === 'true';

describe('HTML report in headless Chromium', () => {
  test.skipIf(!hasChromium && !inCi)(`renders with no console errors and a drawn timeline (needs ${CHROMIUM}; skipped without it outside CI)`, () => {
    expect(hasChromium, `${CHROMIUM} is missing: .ci/run installs it`).toBe(true);
    const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-shot-')), 'report.png');
    try {
      const r = spawnSync('bash', ['scripts/check-report-html.sh', '', shot], { encoding: 'utf8', timeout: 300_000 });
      expect(r.stderr.split('\n').filter((l) => l.startsWith('check-report-html:'))).toEqual([]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/check-report-html: ok: .* renders with no console messages, 16 timeline lanes, none empty; screenshot .* \(\d+ bytes, \d+ running and \d+ WAIT pixels\)/);
      expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
    } finally {
      fs.rmSync(path.dirname(shot), { recursive: true, force: true });
    }
  });
});
