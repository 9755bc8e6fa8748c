/**
 * Swarm testing (TigerBeetle's VOPR, FoundationDB's BUGGIFY): each seed picks its own fault mix
 * and parameters from its `faults` stream, so a sweep over seeds explores combinations nobody
 * wrote down. The result is an ordinary scenario (its faults listed, the seed in its description)
 * that is stored with the run: `record --swarm --seed N` draws it again, and `replay verify` needs
 * nothing but the stored scenario.
 */
import { RandomStreams, type Rng } from '../core/rng.js';
import type {
  BroadcastAckParams, FaultAnchor, FaultSpec, MessageName, Scenario,
} from './scenario.js';
import { validateScenario } from './validate.js';

/** Chance that each fault kind is in a seed's mix (BUGGIFY enables each site with 1/4; we want more). */
const ENABLE_PROBABILITY = 0.4;
const MESSAGES: readonly MessageName[] = ['MSG1', 'ACK', 'MSG2', 'SYNC', 'STOP'];
const LATE_ANCHORS: readonly FaultAnchor[] = ['resume', 'attempt', 'sync'];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

/** Log-uniform integer in [lo, hi]: latencies and durations spread over orders of magnitude. */
function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + rng.uniform() * (Math.log(hi) - Math.log(lo))));
}

/** A victim vCPU: the initiator (when the anchor has one) or any vCPU. */
function victim(rng: Rng, vcpus: number, after: FaultAnchor): number {
  const initiatorPossible = after === 'attempt' || after === 'sync';
  return initiatorPossible && rng.chance(0.25) ? -1 : rng.int(vcpus);
}

/** The candidate faults of a guest with `vcpus` vCPUs, one per kind, with drawn parameters. */
function candidates(rng: Rng, vcpus: number): FaultSpec[] {
  const anyCpu = (): number => (rng.chance(0.5) ? -1 : rng.int(vcpus));
  const hangAfter = pick(rng, LATE_ANCHORS);
  const hangCpu = victim(rng, vcpus, hangAfter);
  const offAfter = pick(rng, LATE_ANCHORS);
  const irqAfter = pick(rng, LATE_ANCHORS);
  // An initiator that never comes back can end nothing, whatever the protocol: it is preempted, not lost.
  const hangForever = hangCpu !== -1 && rng.chance(0.2);
  return [
    { kind: 'lost-ipi', cpu: anyCpu(), msg: pick(rng, MESSAGES), count: 1 + rng.int(3) },
    { kind: 'delayed-ipi', cpu: anyCpu(), msg: pick(rng, MESSAGES), count: 1 + rng.int(5), extraNs: logUniform(rng, 10_000, 5_000_000) },
    {
      kind: 'hung-cpu', cpu: hangCpu, after: hangAfter, atNs: rng.int(2_000_000),
      durationNs: hangForever ? -1 : logUniform(rng, 100_000, 50_000_000),
    },
    {
      kind: 'irq-off', cpu: victim(rng, vcpus, irqAfter), after: irqAfter, atNs: rng.int(2_000_000),
      durationNs: logUniform(rng, 100_000, 20_000_000),
    },
    { kind: 'cpu-offline', cpu: rng.int(vcpus), after: offAfter, atNs: rng.int(2_000_000) },
    { kind: 'second-migration', after: pick(rng, LATE_ANCHORS), atNs: rng.int(2_000_000), downtimeNs: logUniform(rng, 1_000_000, 20_000_000) },
    { kind: 'lost-notification' },
  ];
}

/** broadcast-ack's error handling, drawn too: the knobs whose interplay with faults is the question. */
function broadcastAck(rng: Rng, base: BroadcastAckParams): BroadcastAckParams {
  return {
    ...base,
    ackTimeoutNs: logUniform(rng, 100_000, 10_000_000),
    resendLimit: rng.int(4),
    resendScope: rng.chance(0.5) ? 'per-cpu' : 'all',
    abortScope: rng.chance(0.5) ? 'per-cpu' : 'all',
  };
}

/** Options of {@link swarmScenario}. */
export interface SwarmOptions {
  /** Enable every fault kind (with drawn parameters) instead of a drawn subset. */
  readonly allFaults?: boolean;
}

/**
 * The swarm variant of `base` for `seed`: a drawn subset of the fault catalogue (the scenario's
 * own faults are kept) and drawn broadcast-ack parameters. Deterministic in (base, seed).
 */
export function swarmScenario(base: Scenario, seed: number, options: SwarmOptions = {}): Scenario {
  const rng = new RandomStreams(seed).stream('faults');
  const drawn = candidates(rng, base.guest.vcpus);
  // Every draw is made either way, so --all-faults changes which faults run, not their parameters.
  const enabled = drawn.filter((f) => rng.chance(ENABLE_PROBABILITY) || options.allFaults === true);
  const protocol = { ...base.protocol, broadcastAck: broadcastAck(rng, base.protocol.broadcastAck) };
  const kinds = enabled.map((f) => f.kind).join(', ') || 'no faults';
  const description = `${base.description} [swarm seed ${seed}: ${kinds}]`.slice(0, 300);
  return validateScenario(
    { ...base, description, protocol, faults: [...base.faults, ...enabled] },
    `${base.name} (swarm seed ${seed})`,
  );
}
