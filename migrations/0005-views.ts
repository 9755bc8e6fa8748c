/**
 * Views with readable names, as released in 0.1.0, frozen: one `ev_<kind>` view per event kind
 * (its a/b/c columns under their names; sparse kinds repeat the `events_sparse` predicate verbatim,
 * since SQLite uses a partial index only for a query whose WHERE contains it), `cpu_intervals_named`
 * (state names joined) and `ipi` (one row per ipi_send, with its delivery, handling or loss matched
 * on send_seq; latency_ns is send to doorbell).
 */
import { sql, type Kysely } from 'kysely';

/** The views in creation order (`ipi` reads the `ev_ipi_*` views). */
const VIEWS: readonly string[] = [
  `create view "ev_run_begin" as select "run_id", "seq", "t_ns", "a" as "vcpus", "b" as "processes", "c" as "duration_ns" from events where kind = 1 and kind not between 10 and 19`,
  `create view "ev_run_end" as select "run_id", "seq", "t_ns", "a" as "attempts", "b" as "violations" from events where kind = 2 and kind not between 10 and 19`,
  `create view "ev_cpu_state" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "state", "b" as "prev_state", "c" as "pid" from events where kind = 10`,
  `create view "ev_sched_switch" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "prev_pid", "b" as "next_pid" from events where kind = 11`,
  `create view "ev_proc_sleep" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "pid", "b" as "sleep_ns" from events where kind = 12`,
  `create view "ev_proc_wake" as select "run_id", "seq", "t_ns", "a" as "pid" from events where kind = 13`,
  `create view "ev_acct" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "pid", "b" as "truth_ns", "c" as "charged_ns" from events where kind = 14`,
  `create view "ev_mig_begin" as select "run_id", "seq", "t_ns", "a" as "memory_bytes", "b" as "bandwidth_bytes_per_sec" from events where kind = 20 and kind not between 10 and 19`,
  `create view "ev_mig_round" as select "run_id", "seq", "t_ns", "a" as "round", "b" as "bytes_sent", "c" as "dirty_bytes" from events where kind = 21 and kind not between 10 and 19`,
  `create view "ev_mig_pause" as select "run_id", "seq", "t_ns", "a" as "remaining_bytes", "b" as "downtime_ns" from events where kind = 22 and kind not between 10 and 19`,
  `create view "ev_mig_resume" as select "run_id", "seq", "t_ns", "a" as "host", "b" as "downtime_ns" from events where kind = 23 and kind not between 10 and 19`,
  `create view "ev_notify" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "host" from events where kind = 30 and kind not between 10 and 19`,
  `create view "ev_poll" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "changed" from events where kind = 31 and kind not between 10 and 19`,
  `create view "ev_detect" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "diff_mask", "b" as "patches", "c" as "source" from events where kind = 32 and kind not between 10 and 19`,
  `create view "ev_attempt_begin" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "attempt", "b" as "targets" from events where kind = 40 and kind not between 10 and 19`,
  `create view "ev_ipi_send" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "dst", "b" as "msg", "c" as "attempt" from events where kind = 41 and kind not between 10 and 19`,
  `create view "ev_ipi_recv" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "src", "b" as "msg", "c" as "send_seq" from events where kind = 42 and kind not between 10 and 19`,
  `create view "ev_ipi_handle" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "src", "b" as "msg", "c" as "send_seq" from events where kind = 43 and kind not between 10 and 19`,
  `create view "ev_ipi_lost" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "src", "b" as "msg", "c" as "send_seq" from events where kind = 44 and kind not between 10 and 19`,
  `create view "ev_ack_timeout" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "attempt", "b" as "missing" from events where kind = 45 and kind not between 10 and 19`,
  `create view "ev_resend" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "attempt", "b" as "count", "c" as "round" from events where kind = 46 and kind not between 10 and 19`,
  `create view "ev_attempt_abort" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "attempt", "b" as "acked" from events where kind = 47 and kind not between 10 and 19`,
  `create view "ev_attempt_end" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "attempt", "b" as "outcome" from events where kind = 48 and kind not between 10 and 19`,
  `create view "ev_give_up" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "attempts" from events where kind = 49 and kind not between 10 and 19`,
  `create view "ev_patch_begin" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "routine", "b" as "variant", "c" as "words" from events where kind = 50 and kind not between 10 and 19`,
  `create view "ev_patch_end" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "routine", "b" as "variant" from events where kind = 51 and kind not between 10 and 19`,
  `create view "ev_sync" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "patches" from events where kind = 52 and kind not between 10 and 19`,
  `create view "ev_phase" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "phase", "b" as "attempt" from events where kind = 53 and kind not between 10 and 19`,
  `create view "ev_trap_hit" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "hits", "b" as "handler_ns" from events where kind = 54 and kind not between 10 and 19`,
  `create view "ev_barrier" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "phase", "b" as "missing" from events where kind = 55 and kind not between 10 and 19`,
  `create view "ev_violation" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "invariant", "b" as "detail", "c" as "value" from events where kind = 60 and kind not between 10 and 19`,
  `create view "ev_fault" as select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "fault", "b" as "param" from events where kind = 61 and kind not between 10 and 19`,
  `create view "cpu_intervals_named" as select i.run_id, i.cpu, i.state, s.name as state_name, i.start_ns, i.end_ns, i.dur_ns, i.pid
      from cpu_intervals i left join cpu_states s on s.code = i.state`,
  `create view "ipi" as select s.run_id, s.seq as send_seq, s.t_ns as send_ns, r.t_ns as recv_ns, h.t_ns as handle_ns,
        l.t_ns as lost_ns, s.cpu as src, s.dst, m.name as msg, s.attempt, r.t_ns - s.t_ns as latency_ns
      from ev_ipi_send s
      left join ev_ipi_recv r on r.run_id = s.run_id and r.send_seq = s.seq
      left join ev_ipi_handle h on h.run_id = s.run_id and h.send_seq = s.seq
      left join ev_ipi_lost l on l.run_id = s.run_id and l.send_seq = s.seq
      left join msg_types m on m.code = s.msg`,
];

/** Names of {@link VIEWS}, dropped in reverse order by {@link down}. */
const NAMES: readonly string[] = [
  "ev_run_begin",
  "ev_run_end",
  "ev_cpu_state",
  "ev_sched_switch",
  "ev_proc_sleep",
  "ev_proc_wake",
  "ev_acct",
  "ev_mig_begin",
  "ev_mig_round",
  "ev_mig_pause",
  "ev_mig_resume",
  "ev_notify",
  "ev_poll",
  "ev_detect",
  "ev_attempt_begin",
  "ev_ipi_send",
  "ev_ipi_recv",
  "ev_ipi_handle",
  "ev_ipi_lost",
  "ev_ack_timeout",
  "ev_resend",
  "ev_attempt_abort",
  "ev_attempt_end",
  "ev_give_up",
  "ev_patch_begin",
  "ev_patch_end",
  "ev_sync",
  "ev_phase",
  "ev_trap_hit",
  "ev_barrier",
  "ev_violation",
  "ev_fault",
  "cpu_intervals_named",
  "ipi",
];

/** Creates the views. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of VIEWS) await sql.raw(statement).execute(db);
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const name of [...NAMES].reverse()) await sql`drop view ${sql.id(name)}`.execute(db);
}
