/**
 * `broadcast-ack-robust`: the seed's protocol (see broadcast-ack.ts) with one change that makes it
 * live under every fault of the catalogue, safety kept: a bounded wait in the target's handler.
 *
 * The seed strands a target whenever the MSG2 meant for it never comes: a lost MSG2, a lost ACK of
 * an attempt that then aborts, an abort that sends no MSG2. Here a waiting target that has heard
 * nothing for `(resendLimit + 2) × ackTimeoutNs` (longer than any rendezvous) looks at the attempt
 * it waits for, in shared memory:
 * - the initiator modifies code (phase patching): it keeps waiting and looks again later, since a
 *   target must never resume a routine being rewritten; the modification itself is bounded;
 * - otherwise (the rendezvous still runs, or the attempt is over): it clears its ACK with one
 *   atomic store and leaves WAIT. The initiator reads the ACKs before it patches and ignores a
 *   cleared one, so it never modifies while that target runs; the rendezvous goes on by resending
 *   MSG1 (the target acknowledges again) or aborts and retries, as the seed does.
 * Everything else (messages, timeouts, resends, aborts, backoff) is the seed's, so both run the
 * same workload draws and compare like for like.
 */
import type { PatchProtocol, ProtocolContext } from './protocol.js';
import { BroadcastAck } from './broadcast-ack.js';

/** The seed's protocol with a bounded, safety-preserving wait in the target's handler. */
export function broadcastAckRobust(ctx: ProtocolContext): PatchProtocol {
  return new BroadcastAck(ctx, 'broadcast-ack-robust', true);
}
