/**
 * Lookup tables that name the codes stored in events (kinds, vCPU states, messages, outcomes,
 * invariants, violation details, fault kinds, detection sources, characteristic bits), with the
 * rows of release 0.1.0, frozen. A later change to the codes adds a migration that updates them.
 */
import { sql, type Kysely } from 'kysely';

/** The tables, as created in 0.1.0. */
const CREATE: readonly string[] = [
  `create table "event_kinds" ("code" integer primary key, "name" text not null unique, "doc" text not null, "cpu_col" text, "a_col" text, "b_col" text, "c_col" text)`,
  `create table "cpu_states" ("code" integer primary key, "name" text not null unique)`,
  `create table "msg_types" ("code" integer primary key, "name" text not null unique)`,
  `create table "outcomes" ("code" integer primary key, "name" text not null unique)`,
  `create table "invariants" ("code" integer primary key, "name" text not null unique)`,
  `create table "violation_details" ("code" integer primary key, "name" text not null unique)`,
  `create table "fault_kinds" ("code" integer primary key, "name" text not null unique)`,
  `create table "protocol_phases" ("code" integer primary key, "name" text not null unique)`,
  `create table "detect_sources" ("code" integer primary key, "name" text not null unique)`,
  `create table "characteristics" ("bit" integer primary key, "name" text not null unique)`,
];

/** `event_kinds` rows: code, name, doc, and the names of the cpu, a, b and c columns (null: unused). */
const EVENT_KINDS: readonly (readonly [number, string, string, string | null, string | null, string | null, string | null])[] = [
  [1, "run_begin", "simulation starts", null, "vcpus", "processes", "duration_ns"],
  [2, "run_end", "simulation ends", null, "attempts", "violations", null],
  [10, "cpu_state", "a vCPU changes state (codes in table cpu_states)", "cpu", "state", "prev_state", "pid"],
  [11, "sched_switch", "the scheduler switches processes on a vCPU (null pid: idle)", "cpu", "prev_pid", "next_pid", null],
  [12, "proc_sleep", "a process blocks after its CPU burst", "cpu", "pid", "sleep_ns", null],
  [13, "proc_wake", "a process becomes runnable", null, "pid", null, null],
  [14, "acct", "accounting sample: the vCPU runs the accounting routines for the process; truth and charged time since its last sample", "cpu", "pid", "truth_ns", "charged_ns"],
  [20, "mig_begin", "pre-copy migration starts (full copy)", null, "memory_bytes", "bandwidth_bytes_per_sec", null],
  [21, "mig_round", "a pre-copy round ends", null, "round", "bytes_sent", "dirty_bytes"],
  [22, "mig_pause", "stop-and-copy: every vCPU paused", null, "remaining_bytes", "downtime_ns", null],
  [23, "mig_resume", "the guest resumes on the destination host", null, "host", "downtime_ns", null],
  [30, "notify", "the hypervisor migration notification is handled on a vCPU", "cpu", "host", null, null],
  [31, "poll", "the OS polls its hardware characteristics", "cpu", "changed", null, null],
  [32, "detect", "a hardware change is detected (bitmask in table characteristics)", "cpu", "diff_mask", "patches", "source"],
  [40, "attempt_begin", "a protocol attempt begins", "cpu", "attempt", "targets", null],
  [41, "ipi_send", "an IPI is sent (msg codes in table msg_types)", "cpu", "dst", "msg", "attempt"],
  [42, "ipi_recv", "an IPI reaches its target; send_seq is the seq of its ipi_send", "cpu", "src", "msg", "send_seq"],
  [43, "ipi_handle", "the target handles the IPI (after any interrupts-off delay)", "cpu", "src", "msg", "send_seq"],
  [44, "ipi_lost", "an IPI is lost by a fault", "cpu", "src", "msg", "send_seq"],
  [45, "ack_timeout", "the initiator times out waiting for acknowledgements", "cpu", "attempt", "missing", null],
  [46, "resend", "the initiator resends MSG1", "cpu", "attempt", "count", "round"],
  [47, "attempt_abort", "the initiator aborts the attempt; nothing is modified", "cpu", "attempt", "acked", null],
  [48, "attempt_end", "an attempt ends (outcome codes in table outcomes)", "cpu", "attempt", "outcome", null],
  [49, "give_up", "the initiator stops retrying; the code stays stale", "cpu", "attempts", null, null],
  [50, "patch_begin", "the modifier starts rewriting a routine", "cpu", "routine", "variant", "words"],
  [51, "patch_end", "the routine is rewritten", "cpu", "routine", "variant", null],
  [52, "sync", "the modifier finishes cache/instruction synchronisation", "cpu", "patches", null, null],
  [53, "phase", "the protocol enters a phase (codes in table protocol_phases)", "cpu", "phase", "attempt", null],
  [54, "trap_hit", "executions a vCPU had diverted by patch traps (int3-poke), counted until the traps went", "cpu", "hits", "handler_ns", null],
  [55, "barrier", "a vCPU acknowledges a stop_machine state (phase code); acks still missing", "cpu", "phase", "missing", null],
  [60, "violation", "an invariant is violated (codes in table invariants)", "cpu", "invariant", "detail", "value"],
  [61, "fault", "an injected fault fires (codes in table fault_kinds)", "cpu", "fault", "param", null],
];

/** The code → name tables: table, key column, rows. */
const NAMES: readonly { readonly table: string; readonly key: 'code' | 'bit'; readonly rows: readonly (readonly [number, string])[] }[] = [
  {
    table: "cpu_states", key: "code",
    rows: [[0, "idle"], [1, "running"], [2, "irq_off"], [3, "handler"], [4, "wait"], [5, "initiator"], [6, "patching"], [7, "paused"], [8, "hung"], [9, "offline"]],
  },
  {
    table: "msg_types", key: "code",
    rows: [[1, "MSG1"], [2, "ACK"], [3, "MSG2"], [4, "SYNC"], [5, "STOP"]],
  },
  {
    table: "outcomes", key: "code",
    rows: [[1, "patched"], [2, "aborted"]],
  },
  {
    table: "invariants", key: "code",
    rows: [[1, "safety"], [2, "liveness"], [3, "conservation"]],
  },
  {
    table: "violation_details", key: "code",
    rows: [[1, "torn_execution"], [2, "modify_without_quiesce"], [3, "left_in_wait"], [4, "attempt_unbounded"], [5, "state_time_mismatch"], [6, "accounting_decreased"]],
  },
  {
    table: "fault_kinds", key: "code",
    rows: [[1, "lost_ipi"], [2, "hung_cpu"], [3, "cpu_recovered"], [4, "delayed_ipi"], [5, "irq_off"], [6, "cpu_offline"], [7, "second_migration"], [8, "lost_notification"], [9, "refused"]],
  },
  {
    table: "protocol_phases", key: "code",
    rows: [[0, "idle"], [1, "rendezvous"], [2, "patching"], [3, "releasing"], [4, "backoff"], [5, "done"], [6, "gave-up"], [7, "prepare"], [8, "disable-irq"], [9, "run"], [10, "exit"], [11, "poke-trap"], [12, "poke-tail"], [13, "poke-head"]],
  },
  {
    table: "detect_sources", key: "code",
    rows: [[1, "notification"], [2, "polling"]],
  },
  {
    table: "characteristics", key: "bit",
    rows: [[0, "pvr"], [1, "purr"], [2, "sockets"], [3, "chips"], [4, "cores"], [5, "smt"], [6, "numa_nodes"], [7, "numa_generation"], [8, "timebase_hz"]],
  },
];

/** Creates and fills the lookup tables. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of CREATE) await sql.raw(statement).execute(db);
  const kinds = EVENT_KINDS.map((row) => sql`(${sql.join(row)})`);
  await sql`insert into event_kinds (code, name, doc, cpu_col, a_col, b_col, c_col) values ${sql.join(kinds)}`.execute(db);
  for (const t of NAMES) {
    const rows = t.rows.map(([code, name]) => sql`(${code}, ${name})`);
    await sql`insert into ${sql.table(t.table)} (${sql.ref(t.key)}, name) values ${sql.join(rows)}`.execute(db);
  }
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of NAMES) await sql`drop table ${sql.table(t.table)}`.execute(db);
  await sql`drop table "event_kinds"`.execute(db);
}
