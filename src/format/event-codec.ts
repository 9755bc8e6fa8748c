/**
 * GENERATED from the table of event kinds (`event-kinds.ts`) by `event-codec-source.ts`: do not
 * edit; change the table and run `MIGPATCH_UPDATE_CODEC=1 npx vitest run test/event-codec`.
 *
 * The only code that knows which positional column (`cpu`, `a`, `b`, `c`) holds which field:
 * - encoders `emit<Kind>(writer, ...fields)`, one per kind, with named parameters; they allocate
 *   nothing and return what the writer returns (the simulator's writer returns the event's seq);
 * - `decodeEvent(row)`, a stored row as a discriminated union with named fields, for readers of rows;
 * - column accessors `<kind><Field>(batch, i)`, allocation-free, for hot loops over an EventBatch.
 */
import { Ev } from './event-kinds.js';
import type { EventBatch } from './trace-types.js';
import type { EventWriter, StoredEventRow } from './event-row.js';

// ---- encoders ----

/** Emits `run_begin`: simulation starts (vcpus, processes, duration_ns). */
export function emitRunBegin<R>(w: EventWriter<R>, vcpus: number, processes: number, durationNs: number): R {
  return w.emit(1 /* Ev.RUN_BEGIN */, NaN, vcpus, processes, durationNs);
}

/** Emits `run_end`: simulation ends (attempts, violations). */
export function emitRunEnd<R>(w: EventWriter<R>, attempts: number, violations: number): R {
  return w.emit(2 /* Ev.RUN_END */, NaN, attempts, violations, NaN);
}

/** Emits `cpu_state`: a vCPU changes state (codes in table cpu_states) (cpu, state, prev_state, pid). */
export function emitCpuState<R>(w: EventWriter<R>, cpu: number, state: number, prevState: number, pid: number): R {
  return w.emit(10 /* Ev.CPU_STATE */, cpu, state, prevState, pid);
}

/** Emits `sched_switch`: the scheduler switches processes on a vCPU (null pid: idle) (cpu, prev_pid, next_pid). */
export function emitSchedSwitch<R>(w: EventWriter<R>, cpu: number, prevPid: number, nextPid: number): R {
  return w.emit(11 /* Ev.SCHED_SWITCH */, cpu, prevPid, nextPid, NaN);
}

/** Emits `proc_sleep`: a process blocks after its CPU burst (cpu, pid, sleep_ns). */
export function emitProcSleep<R>(w: EventWriter<R>, cpu: number, pid: number, sleepNs: number): R {
  return w.emit(12 /* Ev.PROC_SLEEP */, cpu, pid, sleepNs, NaN);
}

/** Emits `proc_wake`: a process becomes runnable (pid). */
export function emitProcWake<R>(w: EventWriter<R>, pid: number): R {
  return w.emit(13 /* Ev.PROC_WAKE */, NaN, pid, NaN, NaN);
}

/** Emits `acct`: accounting sample: the vCPU runs the accounting routines for the process; truth and charged time since its last sample (cpu, pid, truth_ns, charged_ns). */
export function emitAcct<R>(w: EventWriter<R>, cpu: number, pid: number, truthNs: number, chargedNs: number): R {
  return w.emit(14 /* Ev.ACCT */, cpu, pid, truthNs, chargedNs);
}

/** Emits `mig_begin`: pre-copy migration starts (full copy) (memory_bytes, bandwidth_bytes_per_sec). */
export function emitMigBegin<R>(w: EventWriter<R>, memoryBytes: number, bandwidthBytesPerSec: number): R {
  return w.emit(20 /* Ev.MIG_BEGIN */, NaN, memoryBytes, bandwidthBytesPerSec, NaN);
}

/** Emits `mig_round`: a pre-copy round ends (round, bytes_sent, dirty_bytes). */
export function emitMigRound<R>(w: EventWriter<R>, round: number, bytesSent: number, dirtyBytes: number): R {
  return w.emit(21 /* Ev.MIG_ROUND */, NaN, round, bytesSent, dirtyBytes);
}

/** Emits `mig_pause`: stop-and-copy: every vCPU paused (remaining_bytes, downtime_ns). */
export function emitMigPause<R>(w: EventWriter<R>, remainingBytes: number, downtimeNs: number): R {
  return w.emit(22 /* Ev.MIG_PAUSE */, NaN, remainingBytes, downtimeNs, NaN);
}

/** Emits `mig_resume`: the guest resumes on the destination host (host, downtime_ns). */
export function emitMigResume<R>(w: EventWriter<R>, host: number, downtimeNs: number): R {
  return w.emit(23 /* Ev.MIG_RESUME */, NaN, host, downtimeNs, NaN);
}

/** Emits `notify`: the hypervisor migration notification is handled on a vCPU (cpu, host). */
export function emitNotify<R>(w: EventWriter<R>, cpu: number, host: number): R {
  return w.emit(30 /* Ev.NOTIFY */, cpu, host, NaN, NaN);
}

/** Emits `poll`: the OS polls its hardware characteristics (cpu, changed). */
export function emitPoll<R>(w: EventWriter<R>, cpu: number, changed: number): R {
  return w.emit(31 /* Ev.POLL */, cpu, changed, NaN, NaN);
}

/** Emits `detect`: a hardware change is detected (bitmask in table characteristics) (cpu, diff_mask, patches, source). */
export function emitDetect<R>(w: EventWriter<R>, cpu: number, diffMask: number, patches: number, source: number): R {
  return w.emit(32 /* Ev.DETECT */, cpu, diffMask, patches, source);
}

/** Emits `attempt_begin`: a protocol attempt begins (cpu, attempt, targets). */
export function emitAttemptBegin<R>(w: EventWriter<R>, cpu: number, attempt: number, targets: number): R {
  return w.emit(40 /* Ev.ATTEMPT_BEGIN */, cpu, attempt, targets, NaN);
}

/** Emits `ipi_send`: an IPI is sent (msg codes in table msg_types) (cpu, dst, msg, attempt). */
export function emitIpiSend<R>(w: EventWriter<R>, cpu: number, dst: number, msg: number, attempt: number): R {
  return w.emit(41 /* Ev.IPI_SEND */, cpu, dst, msg, attempt);
}

/** Emits `ipi_recv`: an IPI reaches its target; send_seq is the seq of its ipi_send (cpu, src, msg, send_seq). */
export function emitIpiRecv<R>(w: EventWriter<R>, cpu: number, src: number, msg: number, sendSeq: number): R {
  return w.emit(42 /* Ev.IPI_RECV */, cpu, src, msg, sendSeq);
}

/** Emits `ipi_handle`: the target handles the IPI (after any interrupts-off delay) (cpu, src, msg, send_seq). */
export function emitIpiHandle<R>(w: EventWriter<R>, cpu: number, src: number, msg: number, sendSeq: number): R {
  return w.emit(43 /* Ev.IPI_HANDLE */, cpu, src, msg, sendSeq);
}

/** Emits `ipi_lost`: an IPI is lost by a fault (cpu, src, msg, send_seq). */
export function emitIpiLost<R>(w: EventWriter<R>, cpu: number, src: number, msg: number, sendSeq: number): R {
  return w.emit(44 /* Ev.IPI_LOST */, cpu, src, msg, sendSeq);
}

/** Emits `ack_timeout`: the initiator times out waiting for acknowledgements (cpu, attempt, missing). */
export function emitAckTimeout<R>(w: EventWriter<R>, cpu: number, attempt: number, missing: number): R {
  return w.emit(45 /* Ev.ACK_TIMEOUT */, cpu, attempt, missing, NaN);
}

/** Emits `resend`: the initiator resends MSG1 (cpu, attempt, count, round). */
export function emitResend<R>(w: EventWriter<R>, cpu: number, attempt: number, count: number, round: number): R {
  return w.emit(46 /* Ev.RESEND */, cpu, attempt, count, round);
}

/** Emits `attempt_abort`: the initiator aborts the attempt; nothing is modified (cpu, attempt, acked). */
export function emitAttemptAbort<R>(w: EventWriter<R>, cpu: number, attempt: number, acked: number): R {
  return w.emit(47 /* Ev.ATTEMPT_ABORT */, cpu, attempt, acked, NaN);
}

/** Emits `attempt_end`: an attempt ends (outcome codes in table outcomes) (cpu, attempt, outcome). */
export function emitAttemptEnd<R>(w: EventWriter<R>, cpu: number, attempt: number, outcome: number): R {
  return w.emit(48 /* Ev.ATTEMPT_END */, cpu, attempt, outcome, NaN);
}

/** Emits `give_up`: the initiator stops retrying; the code stays stale (cpu, attempts). */
export function emitGiveUp<R>(w: EventWriter<R>, cpu: number, attempts: number): R {
  return w.emit(49 /* Ev.GIVE_UP */, cpu, attempts, NaN, NaN);
}

/** Emits `patch_begin`: the modifier starts rewriting a routine (cpu, routine, variant, words). */
export function emitPatchBegin<R>(w: EventWriter<R>, cpu: number, routine: number, variant: number, words: number): R {
  return w.emit(50 /* Ev.PATCH_BEGIN */, cpu, routine, variant, words);
}

/** Emits `patch_end`: the routine is rewritten (cpu, routine, variant). */
export function emitPatchEnd<R>(w: EventWriter<R>, cpu: number, routine: number, variant: number): R {
  return w.emit(51 /* Ev.PATCH_END */, cpu, routine, variant, NaN);
}

/** Emits `sync`: the modifier finishes cache/instruction synchronisation (cpu, patches). */
export function emitSync<R>(w: EventWriter<R>, cpu: number, patches: number): R {
  return w.emit(52 /* Ev.SYNC */, cpu, patches, NaN, NaN);
}

/** Emits `phase`: the protocol enters a phase (codes in table protocol_phases) (cpu, phase, attempt). */
export function emitPhase<R>(w: EventWriter<R>, cpu: number, phase: number, attempt: number): R {
  return w.emit(53 /* Ev.PHASE */, cpu, phase, attempt, NaN);
}

/** Emits `trap_hit`: executions a vCPU had diverted by patch traps (int3-poke), counted until the traps went (cpu, hits, handler_ns). */
export function emitTrapHit<R>(w: EventWriter<R>, cpu: number, hits: number, handlerNs: number): R {
  return w.emit(54 /* Ev.TRAP_HIT */, cpu, hits, handlerNs, NaN);
}

/** Emits `barrier`: a vCPU acknowledges a stop_machine state (phase code); acks still missing (cpu, phase, missing). */
export function emitBarrier<R>(w: EventWriter<R>, cpu: number, phase: number, missing: number): R {
  return w.emit(55 /* Ev.BARRIER */, cpu, phase, missing, NaN);
}

/** Emits `violation`: an invariant is violated (codes in table invariants) (cpu, invariant, detail, value). */
export function emitViolation<R>(w: EventWriter<R>, cpu: number, invariant: number, detail: number, value: number): R {
  return w.emit(60 /* Ev.VIOLATION */, cpu, invariant, detail, value);
}

/** Emits `fault`: an injected fault fires (codes in table fault_kinds) (cpu, fault, param). */
export function emitFault<R>(w: EventWriter<R>, cpu: number, fault: number, param: number): R {
  return w.emit(61 /* Ev.FAULT */, cpu, fault, param, NaN);
}

// ---- decoded events ----

/** A decoded `run_begin` event: simulation starts. */
export interface RunBeginEvent {
  readonly kind: 'run_begin';
  readonly seq: number;
  readonly tNs: number;
  readonly vcpus: number | null;
  readonly processes: number | null;
  readonly durationNs: number | null;
}

/** A decoded `run_end` event: simulation ends. */
export interface RunEndEvent {
  readonly kind: 'run_end';
  readonly seq: number;
  readonly tNs: number;
  readonly attempts: number | null;
  readonly violations: number | null;
}

/** A decoded `cpu_state` event: a vCPU changes state (codes in table cpu_states). */
export interface CpuStateEvent {
  readonly kind: 'cpu_state';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly state: number | null;
  readonly prevState: number | null;
  readonly pid: number | null;
}

/** A decoded `sched_switch` event: the scheduler switches processes on a vCPU (null pid: idle). */
export interface SchedSwitchEvent {
  readonly kind: 'sched_switch';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly prevPid: number | null;
  readonly nextPid: number | null;
}

/** A decoded `proc_sleep` event: a process blocks after its CPU burst. */
export interface ProcSleepEvent {
  readonly kind: 'proc_sleep';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly pid: number | null;
  readonly sleepNs: number | null;
}

/** A decoded `proc_wake` event: a process becomes runnable. */
export interface ProcWakeEvent {
  readonly kind: 'proc_wake';
  readonly seq: number;
  readonly tNs: number;
  readonly pid: number | null;
}

/** A decoded `acct` event: accounting sample: the vCPU runs the accounting routines for the process; truth and charged time since its last sample. */
export interface AcctEvent {
  readonly kind: 'acct';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly pid: number | null;
  readonly truthNs: number | null;
  readonly chargedNs: number | null;
}

/** A decoded `mig_begin` event: pre-copy migration starts (full copy). */
export interface MigBeginEvent {
  readonly kind: 'mig_begin';
  readonly seq: number;
  readonly tNs: number;
  readonly memoryBytes: number | null;
  readonly bandwidthBytesPerSec: number | null;
}

/** A decoded `mig_round` event: a pre-copy round ends. */
export interface MigRoundEvent {
  readonly kind: 'mig_round';
  readonly seq: number;
  readonly tNs: number;
  readonly round: number | null;
  readonly bytesSent: number | null;
  readonly dirtyBytes: number | null;
}

/** A decoded `mig_pause` event: stop-and-copy: every vCPU paused. */
export interface MigPauseEvent {
  readonly kind: 'mig_pause';
  readonly seq: number;
  readonly tNs: number;
  readonly remainingBytes: number | null;
  readonly downtimeNs: number | null;
}

/** A decoded `mig_resume` event: the guest resumes on the destination host. */
export interface MigResumeEvent {
  readonly kind: 'mig_resume';
  readonly seq: number;
  readonly tNs: number;
  readonly host: number | null;
  readonly downtimeNs: number | null;
}

/** A decoded `notify` event: the hypervisor migration notification is handled on a vCPU. */
export interface NotifyEvent {
  readonly kind: 'notify';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly host: number | null;
}

/** A decoded `poll` event: the OS polls its hardware characteristics. */
export interface PollEvent {
  readonly kind: 'poll';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly changed: number | null;
}

/** A decoded `detect` event: a hardware change is detected (bitmask in table characteristics). */
export interface DetectEvent {
  readonly kind: 'detect';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly diffMask: number | null;
  readonly patches: number | null;
  readonly source: number | null;
}

/** A decoded `attempt_begin` event: a protocol attempt begins. */
export interface AttemptBeginEvent {
  readonly kind: 'attempt_begin';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly attempt: number | null;
  readonly targets: number | null;
}

/** A decoded `ipi_send` event: an IPI is sent (msg codes in table msg_types). */
export interface IpiSendEvent {
  readonly kind: 'ipi_send';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly dst: number | null;
  readonly msg: number | null;
  readonly attempt: number | null;
}

/** A decoded `ipi_recv` event: an IPI reaches its target; send_seq is the seq of its ipi_send. */
export interface IpiRecvEvent {
  readonly kind: 'ipi_recv';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly src: number | null;
  readonly msg: number | null;
  readonly sendSeq: number | null;
}

/** A decoded `ipi_handle` event: the target handles the IPI (after any interrupts-off delay). */
export interface IpiHandleEvent {
  readonly kind: 'ipi_handle';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly src: number | null;
  readonly msg: number | null;
  readonly sendSeq: number | null;
}

/** A decoded `ipi_lost` event: an IPI is lost by a fault. */
export interface IpiLostEvent {
  readonly kind: 'ipi_lost';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly src: number | null;
  readonly msg: number | null;
  readonly sendSeq: number | null;
}

/** A decoded `ack_timeout` event: the initiator times out waiting for acknowledgements. */
export interface AckTimeoutEvent {
  readonly kind: 'ack_timeout';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly attempt: number | null;
  readonly missing: number | null;
}

/** A decoded `resend` event: the initiator resends MSG1. */
export interface ResendEvent {
  readonly kind: 'resend';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly attempt: number | null;
  readonly count: number | null;
  readonly round: number | null;
}

/** A decoded `attempt_abort` event: the initiator aborts the attempt; nothing is modified. */
export interface AttemptAbortEvent {
  readonly kind: 'attempt_abort';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly attempt: number | null;
  readonly acked: number | null;
}

/** A decoded `attempt_end` event: an attempt ends (outcome codes in table outcomes). */
export interface AttemptEndEvent {
  readonly kind: 'attempt_end';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly attempt: number | null;
  readonly outcome: number | null;
}

/** A decoded `give_up` event: the initiator stops retrying; the code stays stale. */
export interface GiveUpEvent {
  readonly kind: 'give_up';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly attempts: number | null;
}

/** A decoded `patch_begin` event: the modifier starts rewriting a routine. */
export interface PatchBeginEvent {
  readonly kind: 'patch_begin';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly routine: number | null;
  readonly variant: number | null;
  readonly words: number | null;
}

/** A decoded `patch_end` event: the routine is rewritten. */
export interface PatchEndEvent {
  readonly kind: 'patch_end';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly routine: number | null;
  readonly variant: number | null;
}

/** A decoded `sync` event: the modifier finishes cache/instruction synchronisation. */
export interface SyncEvent {
  readonly kind: 'sync';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly patches: number | null;
}

/** A decoded `phase` event: the protocol enters a phase (codes in table protocol_phases). */
export interface PhaseEvent {
  readonly kind: 'phase';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly phase: number | null;
  readonly attempt: number | null;
}

/** A decoded `trap_hit` event: executions a vCPU had diverted by patch traps (int3-poke), counted until the traps went. */
export interface TrapHitEvent {
  readonly kind: 'trap_hit';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly hits: number | null;
  readonly handlerNs: number | null;
}

/** A decoded `barrier` event: a vCPU acknowledges a stop_machine state (phase code); acks still missing. */
export interface BarrierEvent {
  readonly kind: 'barrier';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly phase: number | null;
  readonly missing: number | null;
}

/** A decoded `violation` event: an invariant is violated (codes in table invariants). */
export interface ViolationEvent {
  readonly kind: 'violation';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly invariant: number | null;
  readonly detail: number | null;
  readonly value: number | null;
}

/** A decoded `fault` event: an injected fault fires (codes in table fault_kinds). */
export interface FaultEvent {
  readonly kind: 'fault';
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly fault: number | null;
  readonly param: number | null;
}

/** An event of a kind this version does not know (a newer trace): its raw columns. */
export interface UnknownEvent {
  readonly kind: 'unknown';
  readonly code: number;
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly a: number | null;
  readonly b: number | null;
  readonly c: number | null;
}

/** Any decoded event; `kind` tells which. */
export type DecodedEvent =
  | RunBeginEvent
  | RunEndEvent
  | CpuStateEvent
  | SchedSwitchEvent
  | ProcSleepEvent
  | ProcWakeEvent
  | AcctEvent
  | MigBeginEvent
  | MigRoundEvent
  | MigPauseEvent
  | MigResumeEvent
  | NotifyEvent
  | PollEvent
  | DetectEvent
  | AttemptBeginEvent
  | IpiSendEvent
  | IpiRecvEvent
  | IpiHandleEvent
  | IpiLostEvent
  | AckTimeoutEvent
  | ResendEvent
  | AttemptAbortEvent
  | AttemptEndEvent
  | GiveUpEvent
  | PatchBeginEvent
  | PatchEndEvent
  | SyncEvent
  | PhaseEvent
  | TrapHitEvent
  | BarrierEvent
  | ViolationEvent
  | FaultEvent
  | UnknownEvent;

/** Decodes a stored row into its kind's named fields. */
export function decodeEvent(row: StoredEventRow): DecodedEvent {
  switch (row.kind) {
    case Ev.RUN_BEGIN: return { kind: 'run_begin', seq: row.seq, tNs: row.tNs, vcpus: row.a, processes: row.b, durationNs: row.c };
    case Ev.RUN_END: return { kind: 'run_end', seq: row.seq, tNs: row.tNs, attempts: row.a, violations: row.b };
    case Ev.CPU_STATE: return { kind: 'cpu_state', seq: row.seq, tNs: row.tNs, cpu: row.cpu, state: row.a, prevState: row.b, pid: row.c };
    case Ev.SCHED_SWITCH: return { kind: 'sched_switch', seq: row.seq, tNs: row.tNs, cpu: row.cpu, prevPid: row.a, nextPid: row.b };
    case Ev.PROC_SLEEP: return { kind: 'proc_sleep', seq: row.seq, tNs: row.tNs, cpu: row.cpu, pid: row.a, sleepNs: row.b };
    case Ev.PROC_WAKE: return { kind: 'proc_wake', seq: row.seq, tNs: row.tNs, pid: row.a };
    case Ev.ACCT: return { kind: 'acct', seq: row.seq, tNs: row.tNs, cpu: row.cpu, pid: row.a, truthNs: row.b, chargedNs: row.c };
    case Ev.MIG_BEGIN: return { kind: 'mig_begin', seq: row.seq, tNs: row.tNs, memoryBytes: row.a, bandwidthBytesPerSec: row.b };
    case Ev.MIG_ROUND: return { kind: 'mig_round', seq: row.seq, tNs: row.tNs, round: row.a, bytesSent: row.b, dirtyBytes: row.c };
    case Ev.MIG_PAUSE: return { kind: 'mig_pause', seq: row.seq, tNs: row.tNs, remainingBytes: row.a, downtimeNs: row.b };
    case Ev.MIG_RESUME: return { kind: 'mig_resume', seq: row.seq, tNs: row.tNs, host: row.a, downtimeNs: row.b };
    case Ev.NOTIFY: return { kind: 'notify', seq: row.seq, tNs: row.tNs, cpu: row.cpu, host: row.a };
    case Ev.POLL: return { kind: 'poll', seq: row.seq, tNs: row.tNs, cpu: row.cpu, changed: row.a };
    case Ev.DETECT: return { kind: 'detect', seq: row.seq, tNs: row.tNs, cpu: row.cpu, diffMask: row.a, patches: row.b, source: row.c };
    case Ev.ATTEMPT_BEGIN: return { kind: 'attempt_begin', seq: row.seq, tNs: row.tNs, cpu: row.cpu, attempt: row.a, targets: row.b };
    case Ev.IPI_SEND: return { kind: 'ipi_send', seq: row.seq, tNs: row.tNs, cpu: row.cpu, dst: row.a, msg: row.b, attempt: row.c };
    case Ev.IPI_RECV: return { kind: 'ipi_recv', seq: row.seq, tNs: row.tNs, cpu: row.cpu, src: row.a, msg: row.b, sendSeq: row.c };
    case Ev.IPI_HANDLE: return { kind: 'ipi_handle', seq: row.seq, tNs: row.tNs, cpu: row.cpu, src: row.a, msg: row.b, sendSeq: row.c };
    case Ev.IPI_LOST: return { kind: 'ipi_lost', seq: row.seq, tNs: row.tNs, cpu: row.cpu, src: row.a, msg: row.b, sendSeq: row.c };
    case Ev.ACK_TIMEOUT: return { kind: 'ack_timeout', seq: row.seq, tNs: row.tNs, cpu: row.cpu, attempt: row.a, missing: row.b };
    case Ev.RESEND: return { kind: 'resend', seq: row.seq, tNs: row.tNs, cpu: row.cpu, attempt: row.a, count: row.b, round: row.c };
    case Ev.ATTEMPT_ABORT: return { kind: 'attempt_abort', seq: row.seq, tNs: row.tNs, cpu: row.cpu, attempt: row.a, acked: row.b };
    case Ev.ATTEMPT_END: return { kind: 'attempt_end', seq: row.seq, tNs: row.tNs, cpu: row.cpu, attempt: row.a, outcome: row.b };
    case Ev.GIVE_UP: return { kind: 'give_up', seq: row.seq, tNs: row.tNs, cpu: row.cpu, attempts: row.a };
    case Ev.PATCH_BEGIN: return { kind: 'patch_begin', seq: row.seq, tNs: row.tNs, cpu: row.cpu, routine: row.a, variant: row.b, words: row.c };
    case Ev.PATCH_END: return { kind: 'patch_end', seq: row.seq, tNs: row.tNs, cpu: row.cpu, routine: row.a, variant: row.b };
    case Ev.SYNC: return { kind: 'sync', seq: row.seq, tNs: row.tNs, cpu: row.cpu, patches: row.a };
    case Ev.PHASE: return { kind: 'phase', seq: row.seq, tNs: row.tNs, cpu: row.cpu, phase: row.a, attempt: row.b };
    case Ev.TRAP_HIT: return { kind: 'trap_hit', seq: row.seq, tNs: row.tNs, cpu: row.cpu, hits: row.a, handlerNs: row.b };
    case Ev.BARRIER: return { kind: 'barrier', seq: row.seq, tNs: row.tNs, cpu: row.cpu, phase: row.a, missing: row.b };
    case Ev.VIOLATION: return { kind: 'violation', seq: row.seq, tNs: row.tNs, cpu: row.cpu, invariant: row.a, detail: row.b, value: row.c };
    case Ev.FAULT: return { kind: 'fault', seq: row.seq, tNs: row.tNs, cpu: row.cpu, fault: row.a, param: row.b };
    default: return { kind: 'unknown', code: row.kind, seq: row.seq, tNs: row.tNs, cpu: row.cpu, a: row.a, b: row.b, c: row.c };
  }
}

// ---- column accessors ----

/** `vcpus` of the `run_begin` event at index `i` of a batch (NaN when unset). */
export function runBeginVcpus(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `processes` of the `run_begin` event at index `i` of a batch (NaN when unset). */
export function runBeginProcesses(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `duration_ns` of the `run_begin` event at index `i` of a batch (NaN when unset). */
export function runBeginDurationNs(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `attempts` of the `run_end` event at index `i` of a batch (NaN when unset). */
export function runEndAttempts(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `violations` of the `run_end` event at index `i` of a batch (NaN when unset). */
export function runEndViolations(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `state` of the `cpu_state` event at index `i` of a batch (NaN when unset). */
export function cpuStateState(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `prev_state` of the `cpu_state` event at index `i` of a batch (NaN when unset). */
export function cpuStatePrevState(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `pid` of the `cpu_state` event at index `i` of a batch (NaN when unset). */
export function cpuStatePid(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `prev_pid` of the `sched_switch` event at index `i` of a batch (NaN when unset). */
export function schedSwitchPrevPid(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `next_pid` of the `sched_switch` event at index `i` of a batch (NaN when unset). */
export function schedSwitchNextPid(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `pid` of the `proc_sleep` event at index `i` of a batch (NaN when unset). */
export function procSleepPid(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `sleep_ns` of the `proc_sleep` event at index `i` of a batch (NaN when unset). */
export function procSleepSleepNs(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `pid` of the `proc_wake` event at index `i` of a batch (NaN when unset). */
export function procWakePid(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `pid` of the `acct` event at index `i` of a batch (NaN when unset). */
export function acctPid(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `truth_ns` of the `acct` event at index `i` of a batch (NaN when unset). */
export function acctTruthNs(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `charged_ns` of the `acct` event at index `i` of a batch (NaN when unset). */
export function acctChargedNs(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `memory_bytes` of the `mig_begin` event at index `i` of a batch (NaN when unset). */
export function migBeginMemoryBytes(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `bandwidth_bytes_per_sec` of the `mig_begin` event at index `i` of a batch (NaN when unset). */
export function migBeginBandwidthBytesPerSec(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `round` of the `mig_round` event at index `i` of a batch (NaN when unset). */
export function migRoundRound(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `bytes_sent` of the `mig_round` event at index `i` of a batch (NaN when unset). */
export function migRoundBytesSent(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `dirty_bytes` of the `mig_round` event at index `i` of a batch (NaN when unset). */
export function migRoundDirtyBytes(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `remaining_bytes` of the `mig_pause` event at index `i` of a batch (NaN when unset). */
export function migPauseRemainingBytes(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `downtime_ns` of the `mig_pause` event at index `i` of a batch (NaN when unset). */
export function migPauseDowntimeNs(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `host` of the `mig_resume` event at index `i` of a batch (NaN when unset). */
export function migResumeHost(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `downtime_ns` of the `mig_resume` event at index `i` of a batch (NaN when unset). */
export function migResumeDowntimeNs(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `host` of the `notify` event at index `i` of a batch (NaN when unset). */
export function notifyHost(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `changed` of the `poll` event at index `i` of a batch (NaN when unset). */
export function pollChanged(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `diff_mask` of the `detect` event at index `i` of a batch (NaN when unset). */
export function detectDiffMask(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `patches` of the `detect` event at index `i` of a batch (NaN when unset). */
export function detectPatches(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `source` of the `detect` event at index `i` of a batch (NaN when unset). */
export function detectSource(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `attempt` of the `attempt_begin` event at index `i` of a batch (NaN when unset). */
export function attemptBeginAttempt(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `targets` of the `attempt_begin` event at index `i` of a batch (NaN when unset). */
export function attemptBeginTargets(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `dst` of the `ipi_send` event at index `i` of a batch (NaN when unset). */
export function ipiSendDst(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `msg` of the `ipi_send` event at index `i` of a batch (NaN when unset). */
export function ipiSendMsg(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `attempt` of the `ipi_send` event at index `i` of a batch (NaN when unset). */
export function ipiSendAttempt(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `src` of the `ipi_recv` event at index `i` of a batch (NaN when unset). */
export function ipiRecvSrc(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `msg` of the `ipi_recv` event at index `i` of a batch (NaN when unset). */
export function ipiRecvMsg(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `send_seq` of the `ipi_recv` event at index `i` of a batch (NaN when unset). */
export function ipiRecvSendSeq(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `src` of the `ipi_handle` event at index `i` of a batch (NaN when unset). */
export function ipiHandleSrc(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `msg` of the `ipi_handle` event at index `i` of a batch (NaN when unset). */
export function ipiHandleMsg(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `send_seq` of the `ipi_handle` event at index `i` of a batch (NaN when unset). */
export function ipiHandleSendSeq(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `src` of the `ipi_lost` event at index `i` of a batch (NaN when unset). */
export function ipiLostSrc(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `msg` of the `ipi_lost` event at index `i` of a batch (NaN when unset). */
export function ipiLostMsg(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `send_seq` of the `ipi_lost` event at index `i` of a batch (NaN when unset). */
export function ipiLostSendSeq(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `attempt` of the `ack_timeout` event at index `i` of a batch (NaN when unset). */
export function ackTimeoutAttempt(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `missing` of the `ack_timeout` event at index `i` of a batch (NaN when unset). */
export function ackTimeoutMissing(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `attempt` of the `resend` event at index `i` of a batch (NaN when unset). */
export function resendAttempt(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `count` of the `resend` event at index `i` of a batch (NaN when unset). */
export function resendCount(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `round` of the `resend` event at index `i` of a batch (NaN when unset). */
export function resendRound(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `attempt` of the `attempt_abort` event at index `i` of a batch (NaN when unset). */
export function attemptAbortAttempt(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `acked` of the `attempt_abort` event at index `i` of a batch (NaN when unset). */
export function attemptAbortAcked(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `attempt` of the `attempt_end` event at index `i` of a batch (NaN when unset). */
export function attemptEndAttempt(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `outcome` of the `attempt_end` event at index `i` of a batch (NaN when unset). */
export function attemptEndOutcome(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `attempts` of the `give_up` event at index `i` of a batch (NaN when unset). */
export function giveUpAttempts(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `routine` of the `patch_begin` event at index `i` of a batch (NaN when unset). */
export function patchBeginRoutine(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `variant` of the `patch_begin` event at index `i` of a batch (NaN when unset). */
export function patchBeginVariant(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `words` of the `patch_begin` event at index `i` of a batch (NaN when unset). */
export function patchBeginWords(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `routine` of the `patch_end` event at index `i` of a batch (NaN when unset). */
export function patchEndRoutine(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `variant` of the `patch_end` event at index `i` of a batch (NaN when unset). */
export function patchEndVariant(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `patches` of the `sync` event at index `i` of a batch (NaN when unset). */
export function syncPatches(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `phase` of the `phase` event at index `i` of a batch (NaN when unset). */
export function phasePhase(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `attempt` of the `phase` event at index `i` of a batch (NaN when unset). */
export function phaseAttempt(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `hits` of the `trap_hit` event at index `i` of a batch (NaN when unset). */
export function trapHitHits(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `handler_ns` of the `trap_hit` event at index `i` of a batch (NaN when unset). */
export function trapHitHandlerNs(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `phase` of the `barrier` event at index `i` of a batch (NaN when unset). */
export function barrierPhase(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `missing` of the `barrier` event at index `i` of a batch (NaN when unset). */
export function barrierMissing(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `invariant` of the `violation` event at index `i` of a batch (NaN when unset). */
export function violationInvariant(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `detail` of the `violation` event at index `i` of a batch (NaN when unset). */
export function violationDetail(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}

/** `value` of the `violation` event at index `i` of a batch (NaN when unset). */
export function violationValue(batch: EventBatch, i: number): number {
  return batch.c[i] as number;
}

/** `fault` of the `fault` event at index `i` of a batch (NaN when unset). */
export function faultFault(batch: EventBatch, i: number): number {
  return batch.a[i] as number;
}

/** `param` of the `fault` event at index `i` of a batch (NaN when unset). */
export function faultParam(batch: EventBatch, i: number): number {
  return batch.b[i] as number;
}
