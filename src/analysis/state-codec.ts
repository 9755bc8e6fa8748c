/**
 * The binary form of a replay state, as stored in `state_snapshots.data` (format 1). Typed arrays
 * laid end to end behind a small header, little-endian whatever the machine: about 21 bytes per
 * vCPU-and-process pair, ~42 KB for e1080-1920 (1,920 vCPUs, 2,000 processes), where JSON would
 * take several times that and parse slower.
 *
 * Layout (byte offsets):
 *   0  u32 format (1)
 *   4  u32 vcpus n, 8 u32 processes p, 12 u32 routines r
 *  16  i32 host, 20 i32 phase code, 24 i32 attempt, 28 u32 reserved (0)
 *  32  f64 truthNs[p], then f64 chargedNs[p]      (8-aligned)
 *   .  i32 cpuPid[n], then i32 installedVariant[r]
 *   .  i8 cpuState[n]
 * Pure arithmetic on bytes: no I/O, so the recorder and the deterministic core may use it.
 */
import { assert } from '../core/assert.js';

/** Format number written in the header; a reader refuses any other. */
export const STATE_FORMAT = 1;

const HEADER_BYTES = 32;

/** The values of a replay state, by reference (the codec neither keeps nor changes them). */
export interface StateValues {
  readonly host: number;
  readonly phase: number;
  readonly attempt: number;
  readonly cpuState: Int8Array;
  readonly cpuPid: Int32Array;
  readonly installedVariant: Int32Array;
  readonly truthNs: Float64Array;
  readonly chargedNs: Float64Array;
}

/** Byte length of the encoding of a state with these sizes. */
export function encodedStateBytes(vcpus: number, processes: number, routines: number): number {
  return HEADER_BYTES + 16 * processes + 4 * (vcpus + routines) + vcpus;
}

/** Encodes a state into a fresh byte array. */
export function encodeState(s: StateValues): Uint8Array {
  const n = s.cpuState.length;
  const p = s.truthNs.length;
  const r = s.installedVariant.length;
  assert(s.cpuPid.length === n && s.chargedNs.length === p, 'state columns have consistent sizes');
  const bytes = new Uint8Array(encodedStateBytes(n, p, r));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, STATE_FORMAT, true);
  view.setUint32(4, n, true);
  view.setUint32(8, p, true);
  view.setUint32(12, r, true);
  view.setInt32(16, s.host, true);
  view.setInt32(20, s.phase, true);
  view.setInt32(24, s.attempt, true);
  let at = HEADER_BYTES;
  for (let i = 0; i < p; i++, at += 8) view.setFloat64(at, s.truthNs[i] as number, true);
  for (let i = 0; i < p; i++, at += 8) view.setFloat64(at, s.chargedNs[i] as number, true);
  for (let i = 0; i < n; i++, at += 4) view.setInt32(at, s.cpuPid[i] as number, true);
  for (let i = 0; i < r; i++, at += 4) view.setInt32(at, s.installedVariant[i] as number, true);
  for (let i = 0; i < n; i++, at += 1) view.setInt8(at, s.cpuState[i] as number);
  assert(at === bytes.length, 'encoding fills its buffer exactly');
  return bytes;
}

/** Sizes a decoded state must have (those of the run it belongs to). */
export interface StateSizes {
  readonly vcpus: number;
  readonly processes: number;
  readonly routines: number;
}

/**
 * Decodes bytes written by {@link encodeState}. Returns null, rather than throwing, when they are
 * not format 1 or do not have `sizes`: a reader then folds from the start instead.
 */
export function decodeState(bytes: Uint8Array, sizes: StateSizes): StateValues | null {
  const { vcpus: n, processes: p, routines: r } = sizes;
  if (bytes.length !== encodedStateBytes(n, p, r)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== STATE_FORMAT || view.getUint32(4, true) !== n
    || view.getUint32(8, true) !== p || view.getUint32(12, true) !== r) return null;
  const s = {
    host: view.getInt32(16, true),
    phase: view.getInt32(20, true),
    attempt: view.getInt32(24, true),
    cpuState: new Int8Array(n),
    cpuPid: new Int32Array(n),
    installedVariant: new Int32Array(r),
    truthNs: new Float64Array(p),
    chargedNs: new Float64Array(p),
  };
  let at = HEADER_BYTES;
  for (let i = 0; i < p; i++, at += 8) s.truthNs[i] = view.getFloat64(at, true);
  for (let i = 0; i < p; i++, at += 8) s.chargedNs[i] = view.getFloat64(at, true);
  for (let i = 0; i < n; i++, at += 4) s.cpuPid[i] = view.getInt32(at, true);
  for (let i = 0; i < r; i++, at += 4) s.installedVariant[i] = view.getInt32(at, true);
  for (let i = 0; i < n; i++, at += 1) s.cpuState[i] = view.getInt8(at);
  assert(at === bytes.length, 'decoding reads its buffer exactly');
  return s;
}
