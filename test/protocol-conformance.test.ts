/**
 * One conformance suite for every patch protocol (Hono-style): each must patch a fault-free
 * migration safely, end every attempt, leave nobody waiting, and be deterministic.
 */
import { describe, expect, test } from 'vitest';
import { recordRun } from '../src/app/record-run.js';
import { PROTOCOL_NAMES } from '../src/protocol/registry.js';
import { findBuiltin } from '../src/scenario/builtins.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { CodeImage } from '../src/model/code-image.js';
import { MemorySink } from '../src/trace/memory-sink.js';
import { CpuState, Ev } from '../src/sim/event-kinds.js';

function withProtocol(name: string, protocol: string): Scenario {
  const s = findBuiltin(name)!;
  return { ...s, protocol: { ...s.protocol, name: protocol as Scenario['protocol']['name'] } };
}

const metric = (run: ReturnType<typeof recordRun>, name: string): number | null =>
  run.result.metrics.find((m) => m.name === name)!.value;

describe.each(PROTOCOL_NAMES)('protocol %s', (protocol) => {
  test.each(['p8-to-p9', 'p9-to-p8', 'numa-change', 'x86-tsc'])('patches %s with no violation', (name) => {
    const scenario = withProtocol(name, protocol);
    const run = recordRun({ scenario, seed: 11, label: null, sink: null });
    expect(metric(run, 'violations')).toBe(0);
    expect(run.result.attempts.length).toBeGreaterThanOrEqual(1);
    expect(run.result.attempts.every((a) => a.outcome !== 'unfinished')).toBe(true);
    expect(run.result.attempts.at(-1)!.outcome).toBe('patched');
    expect(metric(run, 'accounting_error_after')).toBeCloseTo(0, 2);
  });

  test('leaves the code image matching the destination host and nobody in WAIT', () => {
    const scenario = withProtocol('p8-to-p9', protocol);
    const sink = new MemorySink();
    const { runId } = recordRun({ scenario, seed: 5, label: null, sink });
    const ev = [...sink.run(runId!)!.events.rows()];
    const image = new CodeImage(scenario.guest.routines, scenario.source, scenario.destination);
    const installed = new Map<number, number>();
    const lastState = new Map<number, number>();
    for (const e of ev) {
      if (e.kind === Ev.PATCH_END) installed.set(e.a as number, e.b as number);
      if (e.kind === Ev.CPU_STATE) lastState.set(e.cpu as number, e.a as number);
    }
    const acct = image.accountingRoutineId;
    expect(installed.get(acct)).toBe(image.variantFor(acct, scenario.destination));
    for (const state of lastState.values()) expect(state).not.toBe(CpuState.WAIT);
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
});
