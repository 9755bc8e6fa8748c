/**
 * Rules that relate fields to each other, run on a scenario whose every field is already valid.
 * Each check returns the message (starting with the path it concerns) of its first problem.
 */
import { processorInfo } from './catalog.js';
import { hostThreads } from './host-shape.js';
import { didYouMean } from './did-you-mean.js';
import type { FaultSpec, HostSpec, Scenario } from './scenario.js';

type Check = (s: Scenario) => string | undefined;
type Role = 'source' | 'destination';

const ROLES: readonly Role[] = ['source', 'destination'];

/** The routine the accounting model of each family executes at every tick. */
export const ACCOUNTING_ROUTINE = { power: 'acct.purr_to_cputime', x86: 'time.tsc_to_ns' } as const;

function first<T>(items: readonly T[], check: (item: T, index: number) => string | undefined): string | undefined {
  for (const [index, item] of items.entries()) {
    const problem = check(item, index);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function smtIsAMode(s: Scenario): string | undefined {
  return first(ROLES, (role) => {
    const host = s[role];
    const modes = processorInfo(host.processor).smtModes;
    return modes.includes(host.smt)
      ? undefined
      : `${role}.smt ${host.smt} is not an SMT mode of ${host.processor} (${modes.join(', ')})`;
  });
}

function sameFamily(s: Scenario): string | undefined {
  const from = processorInfo(s.source.processor).family;
  const to = processorInfo(s.destination.processor).family;
  return from === to
    ? undefined
    : `destination.processor ${s.destination.processor} (${to}) is not in the family of source.processor `
      + `${s.source.processor} (${from}): a guest migrates within one family`;
}

// x86 has no PURR; a POWER host without one would leave the PURR accounting nothing to read.
function purrFitsFamily(s: Scenario): string | undefined {
  return first(ROLES, (role) => {
    const { processor, purr } = s[role];
    const x86 = processorInfo(processor).family === 'x86';
    if (x86 === (purr === null)) return undefined;
    return x86
      ? `${role}.purr ${JSON.stringify(purr)} must be null on ${processor}: x86 has no PURR`
      : `${role}.purr must be "scaled" or "unscaled" on ${processor}, got null`;
  });
}

// Big-core is a POWER9 SMT8 core made of two SMT4 halves; compatibility modes name an older
// processor of the same family.
function hostModesFit(s: Scenario): string | undefined {
  return first(ROLES, (role) => {
    const { processor, smt, bigCore, compatMode } = s[role];
    if (bigCore && (processor !== 'POWER9' || smt !== 8)) {
      return `${role}.bigCore needs processor POWER9 and smt 8, got ${processor} SMT${smt}`;
    }
    if (compatMode === null) return undefined;
    const real = processorInfo(processor);
    const compat = processorInfo(compatMode);
    if (real.family !== 'power' || compat.family !== 'power') {
      return `${role}.compatMode ${compatMode}: compatibility modes exist on POWER only (processor ${processor})`;
    }
    return PROCESSOR_ORDER.indexOf(compatMode) <= PROCESSOR_ORDER.indexOf(processor)
      ? undefined
      : `${role}.compatMode ${compatMode} is newer than processor ${processor}: a mode names an older processor`;
  });
}

const PROCESSOR_ORDER: readonly string[] = ['POWER8', 'POWER9', 'POWER10'];

function shape(host: HostSpec): string {
  return `${host.sockets} sockets x ${host.chipsPerSocket} chips x ${host.coresPerChip} cores x SMT${host.smt}`;
}

function vcpusFit(s: Scenario): string | undefined {
  return first(ROLES, (role) => {
    const threads = hostThreads(s[role]);
    return s.guest.vcpus <= threads
      ? undefined
      : `guest.vcpus ${s.guest.vcpus} exceeds the ${threads} hardware threads of ${role} (${shape(s[role])})`;
  });
}

// The accounting model charges processes through this routine; without it there is nothing to
// measure, and the simulator would have to invent one.
function accountingRoutinePresent(s: Scenario): string | undefined {
  const family = processorInfo(s.source.processor).family;
  const needed = ACCOUNTING_ROUTINE[family];
  return s.guest.routines.some((r) => r.name === needed)
    ? undefined
    : `guest.routines must include ${needed}: the accounting model of a ${family} guest executes it`;
}

function rulesNameRoutines(s: Scenario): string | undefined {
  const names = s.guest.routines.map((r) => r.name);
  return first(s.detection.rules, (rule, i) => names.includes(rule.routine)
    ? undefined
    : `detection.rules.${i}.routine ${JSON.stringify(rule.routine)} is not in guest.routines`
      + didYouMean(rule.routine, names));
}

function cpuBelowVcpus(path: string, cpu: number, vcpus: number, anyAllowed = false): string | undefined {
  if (cpu < vcpus && (anyAllowed || cpu >= 0)) return undefined;
  return `${path} ${cpu} must be ${anyAllowed ? '-1 (any) or ' : ''}< guest.vcpus (${vcpus})`;
}

function detectionCpus(s: Scenario): string | undefined {
  const { notification, polling } = s.detection;
  return cpuBelowVcpus('detection.notification.cpu', notification.cpu, s.guest.vcpus)
    ?? cpuBelowVcpus('detection.polling.cpu', polling.cpu, s.guest.vcpus);
}

function faultTimeFits(path: string, atNs: number, s: Scenario): string | undefined {
  return atNs < s.run.durationNs
    ? undefined
    : `${path}.atNs ${atNs} must be < run.durationNs (${s.run.durationNs}), or the fault never happens`;
}

// cpu -1 names the initiator, which exists only once an attempt has begun.
function victimFits(path: string, cpu: number, after: string, s: Scenario): string | undefined {
  if (cpu === -1) {
    return after === 'attempt' || after === 'sync'
      ? undefined
      : `${path}.cpu -1 (the initiator) needs after "attempt" or "sync", got "${after}"`;
  }
  return cpuBelowVcpus(`${path}.cpu`, cpu, s.guest.vcpus);
}

function faultFits(fault: FaultSpec, i: number, s: Scenario): string | undefined {
  const path = `faults.${i}`;
  switch (fault.kind) {
    case 'lost-ipi':
    case 'delayed-ipi':
      return cpuBelowVcpus(`${path}.cpu`, fault.cpu, s.guest.vcpus, true);
    case 'hung-cpu':
    case 'irq-off':
      return victimFits(path, fault.cpu, fault.after, s) ?? faultTimeFits(path, fault.atNs, s);
    case 'cpu-offline':
      return cpuBelowVcpus(`${path}.cpu`, fault.cpu, s.guest.vcpus) ?? faultTimeFits(path, fault.atNs, s);
    case 'second-migration':
      return faultTimeFits(path, fault.atNs, s);
    case 'lost-notification':
      return undefined;
  }
}

function faultsFit(s: Scenario): string | undefined {
  return first(s.faults, (fault, i) => faultFits(fault, i, s));
}

function migrationFits(s: Scenario): string | undefined {
  const m = s.migration;
  if (m.startNs >= s.run.durationNs) {
    return `migration.startNs ${m.startNs} must be < run.durationNs (${s.run.durationNs})`;
  }
  return m.pageBytes <= m.memoryBytes
    ? undefined
    : `migration.pageBytes ${m.pageBytes} must be <= migration.memoryBytes (${m.memoryBytes})`;
}

// Virtual time is integer nanoseconds in doubles: a backoff beyond 2^53 would lose exactness.
function backoffIsExact(s: Scenario): string | undefined {
  const p = s.protocol.broadcastAck;
  const last = p.backoffNs * p.backoffFactor ** Math.max(0, p.retryLimit - 1);
  return last <= Number.MAX_SAFE_INTEGER
    ? undefined
    : `protocol.broadcastAck.retryLimit ${p.retryLimit}: the backoff before the last retry would be `
      + `${last.toExponential(2)} ns, beyond 2^53 ns`;
}

/** Every cross-field check, in the order their problems are reported. */
const CROSS_CHECKS: readonly Check[] = [
  sameFamily, smtIsAMode, purrFitsFamily, hostModesFit, vcpusFit, accountingRoutinePresent, rulesNameRoutines, detectionCpus,
  migrationFits, backoffIsExact, faultsFit,
];

/** The first cross-field problem of a field-wise valid scenario, or undefined. */
export function crossCheck(s: Scenario): string | undefined {
  for (const check of CROSS_CHECKS) {
    const problem = check(s);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
