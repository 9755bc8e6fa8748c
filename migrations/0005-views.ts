/**
 * Views with readable names: one `ev_<kind>` view per event kind (generated from EVENT_KINDS),
 * `cpu_intervals_named` (state names joined) and `ipi` (each IPI with its delivery and handling).
 * A later migration that adds kinds calls `refreshEventKindViews` again.
 */
import { sql, type Kysely } from 'kysely';
import { dropEventKindViews, refreshEventKindViews } from '../src/trace/schema-generated.js';

/** Creates the views. */
export async function up(db: Kysely<any>): Promise<void> {
  await refreshEventKindViews(db);
  await db.schema
    .createView('cpu_intervals_named')
    .as(sql`select i.run_id, i.cpu, i.state, s.name as state_name, i.start_ns, i.end_ns, i.dur_ns, i.pid
      from cpu_intervals i left join cpu_states s on s.code = i.state`)
    .execute();
  // One row per ipi_send. recv/handle/lost are matched on send_seq; an IPI that was lost has
  // lost_ns set and no recv_ns. latency_ns is delivery latency (send to doorbell).
  await db.schema
    .createView('ipi')
    .as(sql`select s.run_id, s.seq as send_seq, s.t_ns as send_ns, r.t_ns as recv_ns, h.t_ns as handle_ns,
        l.t_ns as lost_ns, s.cpu as src, s.dst, m.name as msg, s.attempt, r.t_ns - s.t_ns as latency_ns
      from ev_ipi_send s
      left join ev_ipi_recv r on r.run_id = s.run_id and r.send_seq = s.seq
      left join ev_ipi_handle h on h.run_id = s.run_id and h.send_seq = s.seq
      left join ev_ipi_lost l on l.run_id = s.run_id and l.send_seq = s.seq
      left join msg_types m on m.code = s.msg`)
    .execute();
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropView('ipi').execute();
  await db.schema.dropView('cpu_intervals_named').execute();
  await dropEventKindViews(db);
}
