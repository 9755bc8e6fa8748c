/**
 * The protocols migpatch knows, by name. Adding a protocol means adding its factory here and its
 * name to `ProtocolName`; the conformance suite (`test/protocol-conformance.test.ts`) then runs on it.
 */
import type { ProtocolName } from '../scenario/scenario.js';
import { BroadcastAck } from './broadcast-ack.js';
import { broadcastAckRobust } from './broadcast-ack-robust.js';
import { Int3Poke } from './int3-poke.js';
import { NoQuiesce } from './no-quiesce.js';
import { StopMachine } from './stop-machine.js';
import type { ProtocolFactory } from './protocol.js';

/** Factories by protocol name. */
export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolFactory>> = {
  'broadcast-ack': (ctx) => new BroadcastAck(ctx),
  'stop-machine': (ctx) => new StopMachine(ctx, 'initiator'),
  'int3-poke': (ctx) => new Int3Poke(ctx),
  'last-arrival': (ctx) => new StopMachine(ctx, 'last-arrival'),
  'no-quiesce': (ctx) => new NoQuiesce(ctx),
  'broadcast-ack-robust': broadcastAckRobust,
};

/** Names of all protocols. */
export const PROTOCOL_NAMES: readonly ProtocolName[] = Object.keys(PROTOCOLS) as ProtocolName[];
