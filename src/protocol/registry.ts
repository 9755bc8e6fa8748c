/**
 * The protocols migpatch knows, by name. Adding a protocol means adding its factory here and its
 * name to `ProtocolName`; the conformance suite (`test/protocol-conformance.test.ts`) then runs on it.
 */
import type { ProtocolName } from '../scenario/scenario.js';
import { BroadcastAck } from './broadcast-ack.js';
import type { ProtocolFactory } from './protocol.js';

/** Factories by protocol name. */
export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolFactory>> = {
  'broadcast-ack': (ctx) => new BroadcastAck(ctx),
};

/** Names of all protocols. */
export const PROTOCOL_NAMES: readonly ProtocolName[] = Object.keys(PROTOCOLS) as ProtocolName[];
