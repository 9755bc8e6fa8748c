/**
 * One conformance suite for every patch protocol (Hono-style): each must install the destination's
 * variants, end every attempt, leave nobody waiting, keep the accounting right once patched, and
 * be deterministic. Safe protocols never violate safety; the unsafe baseline must be caught.
 */
import { describe, expect, test } from 'vitest';
import { recordRun, type RecordedRun } from '../src/app/record-run.js';
import { CodeImage } from '../src/model/code-image.js';
import { PROTOCOLS, PROTOCOL_NAMES } from '../src/protocol/registry.js';
import { findBuiltin } from '../src/scenario/builtins.js';
import type { ProtocolName, Scenario } from '../src/scenario/scenario.js';
import { CpuState, Ev, Invariant, ViolationDetail } from '../src/format/event-kinds.js';
import { MemorySink } from './fixtures/memory-sink.js';

function withProtocol(name: string, protocol: ProtocolName, patch: Partial<Scenario> = {}): Scenario {
  const s = findBuiltin(name);
  if (s === undefined) throw new Error(`no scenario ${name}`);
  return { ...s, ...patch, protocol: { ...s.protocol, name: protocol } };
}

const metric = (run: RecordedRun, name: string): number | null => {
  const m = run.result.metrics.find((x) => x.name === name);
  if (m === undefined) throw new Error(`no metric ${name}`);
  return m.value;
};

/** Whether a protocol parks every other vCPU (its quiescing flag, read off a real instance). */
const isSafe = (protocol: ProtocolName): boolean => protocol !== 'no-quiesce';

function recordWithEvents(scenario: Scenario, seed: number): { run: RecordedRun; events: { kind: number; cpu: number | null; a: number | null; b: number | null }[] } {
  const sink = new MemorySink();
  const run = recordRun({ scenario, seed, label: null, sink });
  const stored = sink.run(run.runId as number);
  if (stored === undefined) throw new Error('the memory sink lost the run');
  return { run, events: [...stored.events.rows()] };
}

describe.each(PROTOCOL_NAMES)('protocol %s', (protocol) => {
  test('is registered under its own name', () => {
    const probe = withProtocol('p8-to-p9', protocol);
    expect(recordRun({ scenario: probe, seed: 1, label: null, sink: null }).result.eventCount).toBeGreaterThan(0);
    expect(Object.keys(PROTOCOLS)).toContain(protocol);
  });

  test.each(['p8-to-p9', 'p9-to-p8', 'numa-change', 'x86-tsc'])('patches %s and ends every attempt', (name) => {
    const run = recordRun({ scenario: withProtocol(name, protocol), seed: 11, label: null, sink: null });
    expect(run.result.attempts.length).toBeGreaterThanOrEqual(1);
    expect(run.result.attempts.every((a) => a.outcome !== 'unfinished')).toBe(true);
    expect(run.result.attempts.at(-1)?.outcome).toBe('patched');
    expect(Math.abs(metric(run, 'accounting_error_after') ?? 1)).toBeLessThanOrEqual(0.02);
    if (isSafe(protocol)) expect(metric(run, 'violations')).toBe(0);
  });

  test('leaves the code image matching the destination host and nobody in WAIT', () => {
    const scenario = withProtocol('p8-to-p9', protocol);
    const { events } = recordWithEvents(scenario, 5);
    const image = new CodeImage(scenario.guest.routines, scenario.source, scenario.destination);
    const installed = new Map<number, number>();
    const lastState = new Map<number, number>();
    for (const e of events) {
      if (e.kind === Ev.PATCH_END) installed.set(e.a as number, e.b as number);
      if (e.kind === Ev.CPU_STATE) lastState.set(e.cpu as number, e.a as number);
    }
    const acct = image.accountingRoutineId;
    expect(installed.get(acct)).toBe(image.variantFor(acct, scenario.destination));
    for (const state of lastState.values()) expect(state).not.toBe(CpuState.WAIT);
  });

  test('safety: safe protocols are never caught; the unsafe baseline always is', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { events } = recordWithEvents(withProtocol('p8-to-p9', protocol), seed);
      const violations = events.filter((e) => e.kind === Ev.VIOLATION);
      if (isSafe(protocol)) {
        expect(violations).toEqual([]);
      } else {
        expect(violations.length).toBeGreaterThan(0);
        expect(violations.every((v) => v.a === Invariant.SAFETY && v.b === ViolationDetail.TORN_EXECUTION)).toBe(true);
      }
    }
  });

  test('is deterministic: same seed, same event hash; another seed, another hash', () => {
    const scenario = withProtocol('lost-ipi', protocol);
    const a = recordRun({ scenario, seed: 3, label: null, sink: null });
    const b = recordRun({ scenario, seed: 3, label: null, sink: null });
    const c = recordRun({ scenario, seed: 4, label: null, sink: null });
    expect(a.result.eventHash).toBe(b.result.eventHash);
    expect(a.result.eventCount).toBe(b.result.eventCount);
    expect(c.result.eventHash).not.toBe(a.result.eventHash);
  });

  test('with a vCPU hung for good, attempts abort or the stall is reported as a liveness violation', () => {
    const base = withProtocol('hung-cpu', protocol);
    const scenario = { ...base, protocol: { ...base.protocol, attemptBoundNs: 500_000_000 } };
    const { run, events } = recordWithEvents(scenario, 2);
    const liveness = events.filter((e) => e.kind === Ev.VIOLATION && e.a === Invariant.LIVENESS);
    const aborted = run.result.attempts.filter((a) => a.outcome === 'aborted').length;
    if (protocol === 'broadcast-ack' || protocol === 'broadcast-ack-robust') {
      expect(aborted).toBeGreaterThan(0);
      expect(liveness).toEqual([]);
    } else if (protocol === 'no-quiesce') {
      expect(run.result.attempts.at(-1)?.outcome).toBe('patched'); // it waits for nobody
    } else {
      expect(liveness.some((v) => v.b === ViolationDetail.ATTEMPT_UNBOUNDED)).toBe(true);
    }
  });
});
