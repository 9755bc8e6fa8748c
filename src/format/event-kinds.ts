/**
 * The documented list of event kinds. Each event is one row `(seq, t_ns, kind, cpu, a, b, c)`;
 * what `cpu`, `a`, `b` and `c` mean depends on the kind and is listed here once. The trace store
 * builds one SQL view per kind from this table, so the names below are the column names users see.
 *
 * Codes are part of the trace format: never renumber, only add.
 */

/** Event kind codes. */
export const Ev = {
  RUN_BEGIN: 1,
  RUN_END: 2,
  CPU_STATE: 10,
  SCHED_SWITCH: 11,
  PROC_SLEEP: 12,
  PROC_WAKE: 13,
  ACCT: 14,
  MIG_BEGIN: 20,
  MIG_ROUND: 21,
  MIG_PAUSE: 22,
  MIG_RESUME: 23,
  NOTIFY: 30,
  POLL: 31,
  DETECT: 32,
  ATTEMPT_BEGIN: 40,
  IPI_SEND: 41,
  IPI_RECV: 42,
  IPI_HANDLE: 43,
  IPI_LOST: 44,
  ACK_TIMEOUT: 45,
  RESEND: 46,
  ATTEMPT_ABORT: 47,
  ATTEMPT_END: 48,
  GIVE_UP: 49,
  PATCH_BEGIN: 50,
  PATCH_END: 51,
  SYNC: 52,
  PHASE: 53,
  TRAP_HIT: 54,
  BARRIER: 55,
  VIOLATION: 60,
  FAULT: 61,
} as const;

/** A kind code. */
export type EventKind = (typeof Ev)[keyof typeof Ev];

/** Description of one kind: its name and the meaning of cpu, a, b, c (null when unused). */
export interface EventKindInfo {
  readonly code: EventKind;
  readonly name: string;
  readonly doc: string;
  readonly cpu: string | null;
  readonly a: string | null;
  readonly b: string | null;
  readonly c: string | null;
}

const kind = (
  code: EventKind, name: string, doc: string,
  cpu: string | null, a: string | null, b: string | null, c: string | null,
): EventKindInfo => ({ code, name, doc, cpu, a, b, c });

/** Every event kind with its column names, in code order. */
export const EVENT_KINDS: readonly EventKindInfo[] = [
  kind(Ev.RUN_BEGIN, 'run_begin', 'simulation starts', null, 'vcpus', 'processes', 'duration_ns'),
  kind(Ev.RUN_END, 'run_end', 'simulation ends', null, 'attempts', 'violations', null),
  kind(Ev.CPU_STATE, 'cpu_state', 'a vCPU changes state (codes in table cpu_states)', 'cpu', 'state', 'prev_state', 'pid'),
  kind(Ev.SCHED_SWITCH, 'sched_switch', 'the scheduler switches processes on a vCPU (null pid: idle)', 'cpu', 'prev_pid', 'next_pid', null),
  kind(Ev.PROC_SLEEP, 'proc_sleep', 'a process blocks after its CPU burst', 'cpu', 'pid', 'sleep_ns', null),
  kind(Ev.PROC_WAKE, 'proc_wake', 'a process becomes runnable', null, 'pid', null, null),
  kind(Ev.ACCT, 'acct', 'accounting sample: the vCPU runs the accounting routines for the process; truth and charged time since its last sample', 'cpu', 'pid', 'truth_ns', 'charged_ns'),
  kind(Ev.MIG_BEGIN, 'mig_begin', 'pre-copy migration starts (full copy)', null, 'memory_bytes', 'bandwidth_bytes_per_sec', null),
  kind(Ev.MIG_ROUND, 'mig_round', 'a pre-copy round ends', null, 'round', 'bytes_sent', 'dirty_bytes'),
  kind(Ev.MIG_PAUSE, 'mig_pause', 'stop-and-copy: every vCPU paused', null, 'remaining_bytes', 'downtime_ns', null),
  kind(Ev.MIG_RESUME, 'mig_resume', 'the guest resumes on the destination host', null, 'host', 'downtime_ns', null),
  kind(Ev.NOTIFY, 'notify', 'the hypervisor migration notification is handled on a vCPU', 'cpu', 'host', null, null),
  kind(Ev.POLL, 'poll', 'the OS polls its hardware characteristics', 'cpu', 'changed', null, null),
  kind(Ev.DETECT, 'detect', 'a hardware change is detected (bitmask in table characteristics)', 'cpu', 'diff_mask', 'patches', 'source'),
  kind(Ev.ATTEMPT_BEGIN, 'attempt_begin', 'a protocol attempt begins', 'cpu', 'attempt', 'targets', null),
  kind(Ev.IPI_SEND, 'ipi_send', 'an IPI is sent (msg codes in table msg_types)', 'cpu', 'dst', 'msg', 'attempt'),
  kind(Ev.IPI_RECV, 'ipi_recv', 'an IPI reaches its target; send_seq is the seq of its ipi_send', 'cpu', 'src', 'msg', 'send_seq'),
  kind(Ev.IPI_HANDLE, 'ipi_handle', 'the target handles the IPI (after any interrupts-off delay)', 'cpu', 'src', 'msg', 'send_seq'),
  kind(Ev.IPI_LOST, 'ipi_lost', 'an IPI is lost by a fault', 'cpu', 'src', 'msg', 'send_seq'),
  kind(Ev.ACK_TIMEOUT, 'ack_timeout', 'the initiator times out waiting for acknowledgements', 'cpu', 'attempt', 'missing', null),
  kind(Ev.RESEND, 'resend', 'the initiator resends MSG1', 'cpu', 'attempt', 'count', 'round'),
  kind(Ev.ATTEMPT_ABORT, 'attempt_abort', 'the initiator aborts the attempt; nothing is modified', 'cpu', 'attempt', 'acked', null),
  kind(Ev.ATTEMPT_END, 'attempt_end', 'an attempt ends (outcome codes in table outcomes)', 'cpu', 'attempt', 'outcome', null),
  kind(Ev.GIVE_UP, 'give_up', 'the initiator stops retrying; the code stays stale', 'cpu', 'attempts', null, null),
  kind(Ev.PATCH_BEGIN, 'patch_begin', 'the modifier starts rewriting a routine', 'cpu', 'routine', 'variant', 'words'),
  kind(Ev.PATCH_END, 'patch_end', 'the routine is rewritten', 'cpu', 'routine', 'variant', null),
  kind(Ev.SYNC, 'sync', 'the modifier finishes cache/instruction synchronisation', 'cpu', 'patches', null, null),
  kind(Ev.PHASE, 'phase', 'the protocol enters a phase (codes in table protocol_phases)', 'cpu', 'phase', 'attempt', null),
  kind(Ev.TRAP_HIT, 'trap_hit', 'executions a vCPU had diverted by patch traps (int3-poke), counted until the traps went', 'cpu', 'hits', 'handler_ns', null),
  kind(Ev.BARRIER, 'barrier', 'a vCPU acknowledges a stop_machine state (phase code); acks still missing', 'cpu', 'phase', 'missing', null),
  kind(Ev.VIOLATION, 'violation', 'an invariant is violated (codes in table invariants)', 'cpu', 'invariant', 'detail', 'value'),
  kind(Ev.FAULT, 'fault', 'an injected fault fires (codes in table fault_kinds)', 'cpu', 'fault', 'param', null),
];

/** vCPU states (the `state` of cpu_state events and of state intervals). */
export const CpuState = {
  IDLE: 0,
  RUNNING: 1,
  IRQ_OFF: 2,
  HANDLER: 3,
  WAIT: 4,
  INITIATOR: 5,
  PATCHING: 6,
  PAUSED: 7,
  HUNG: 8,
  OFFLINE: 9,
} as const;

/** A vCPU state code. */
export type CpuStateCode = (typeof CpuState)[keyof typeof CpuState];

/** Names of the vCPU states, indexed by code. */
export const CPU_STATE_NAMES: readonly string[] = [
  'idle', 'running', 'irq_off', 'handler', 'wait', 'initiator', 'patching', 'paused', 'hung', 'offline',
];

/**
 * IPI message codes: the seed's MSG1 / ACK / MSG2, a core-serialising IPI (int3-poke's
 * do_sync_core) and a stopper-thread wake-up (stop_machine).
 */
export const Msg = { MSG1: 1, ACK: 2, MSG2: 3, SYNC: 4, STOP: 5 } as const;

/** A message code. */
export type MsgCode = (typeof Msg)[keyof typeof Msg];

/** Names of the message codes, indexed by code. */
export const MSG_NAMES: readonly string[] = ['', 'MSG1', 'ACK', 'MSG2', 'SYNC', 'STOP'];

/** Attempt outcomes. */
export const Outcome = { PATCHED: 1, ABORTED: 2 } as const;

/** Names of the outcomes, indexed by code. */
export const OUTCOME_NAMES: readonly string[] = ['', 'patched', 'aborted'];

/**
 * Protocol phases (the `phase` of phase events), shared by every protocol so that `replay state`
 * can name the phase of any run. Codes are part of the trace format: only add.
 */
export const PHASE_NAMES: readonly string[] = [
  'idle', 'rendezvous', 'patching', 'releasing', 'backoff', 'done', 'gave-up',
  // stop_machine's MULTI_STOP states (stop-machine, last-arrival)
  'prepare', 'disable-irq', 'run', 'exit',
  // text_poke_bp's steps (int3-poke)
  'poke-trap', 'poke-tail', 'poke-head',
];

/** Code of a phase name; the name must be in {@link PHASE_NAMES}. */
export function phaseCode(name: string): number {
  const code = PHASE_NAMES.indexOf(name);
  if (code < 0) throw new Error(`unknown protocol phase ${name}`);
  return code;
}

/** Invariant codes (docs/model.md, "Invariants"). */
export const Invariant = { SAFETY: 1, LIVENESS: 2, CONSERVATION: 3 } as const;

/** Names of the invariants, indexed by code. */
export const INVARIANT_NAMES: readonly string[] = ['', 'safety', 'liveness', 'conservation'];

/** Detail codes of violations: what exactly broke. */
export const ViolationDetail = {
  /** A vCPU executed a routine while another vCPU was rewriting it (value: routine id). */
  TORN_EXECUTION: 1,
  /** Modification began while a target was not in WAIT (value: that vCPU). */
  MODIFY_WITHOUT_QUIESCE: 2,
  /** A vCPU was still in WAIT at the end of the run. */
  LEFT_IN_WAIT: 3,
  /** An attempt did not end within the bound, or by the end of the run (value: attempt). */
  ATTEMPT_UNBOUNDED: 4,
  /** Per-vCPU state durations do not add up to elapsed time (value: difference ns). */
  STATE_TIME_MISMATCH: 5,
  /** Truth or charged time decreased (value: the negative delta). */
  ACCOUNTING_DECREASED: 6,
} as const;

/** Names of the violation details, indexed by code. */
export const VIOLATION_DETAIL_NAMES: readonly string[] = [
  '', 'torn_execution', 'modify_without_quiesce', 'left_in_wait', 'attempt_unbounded',
  'state_time_mismatch', 'accounting_decreased',
];

/** Detection sources (c of detect events). */
export const DetectSource = { NOTIFICATION: 1, POLLING: 2 } as const;

/** Fault kind codes (a of fault events; b is a parameter: msg, duration, ...). */
export const FaultKind = {
  LOST_IPI: 1, HUNG_CPU: 2, CPU_RECOVERED: 3, DELAYED_IPI: 4, IRQ_OFF: 5, CPU_OFFLINE: 6, SECOND_MIGRATION: 7,
  LOST_NOTIFICATION: 8, REFUSED: 9,
} as const;

/** Names of the fault kinds, indexed by code. */
export const FAULT_KIND_NAMES: readonly string[] = [
  '', 'lost_ipi', 'hung_cpu', 'cpu_recovered', 'delayed_ipi', 'irq_off', 'cpu_offline', 'second_migration',
  'lost_notification', 'refused',
];

/** Characteristics compared by the detector; bit i of a diff mask is CHARACTERISTICS[i]. */
export const CHARACTERISTICS = [
  'pvr', 'purr', 'sockets', 'chips', 'cores', 'smt', 'numa_nodes', 'numa_generation', 'timebase_hz',
] as const;

/** Looks up a kind's description by code. */
export function eventKindInfo(code: number): EventKindInfo | undefined {
  return EVENT_KINDS.find((k) => k.code === code);
}
