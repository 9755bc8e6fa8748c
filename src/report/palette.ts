/**
 * Colours of the report's charts, in one place so the timeline, its legend and the accounting chart
 * agree. States that matter to the protocol (WAIT, initiator, patching, handler, hung) are saturated;
 * background activity (running, idle) is pale, so the protocol stands out of a busy guest.
 */
import { CpuState, Msg, MSG_NAMES } from '../format/event-kinds.js';

/** Fill colour and legend label of each vCPU state, indexed by state code. */
export const STATE_STYLE: readonly { readonly color: string; readonly label: string }[] = [
  { color: '#e8eaed', label: 'idle' },
  { color: '#a8d5a2', label: 'running' },
  { color: '#f2b134', label: 'interrupts off' },
  { color: '#9b59b6', label: 'IPI handler' },
  { color: '#d93025', label: 'WAIT (parked)' },
  { color: '#1a73e8', label: 'initiator' },
  { color: '#e8439b', label: 'patching' },
  { color: '#7b8794', label: 'paused (migration)' },
  { color: '#202124', label: 'hung' },
  { color: '#ffffff', label: 'offline' },
];

/** States drawn over others when they share a pixel column: the protocol's story must stay visible. */
export const PROTOCOL_STATES: readonly number[] = [
  CpuState.HUNG, CpuState.PATCHING, CpuState.INITIATOR, CpuState.WAIT, CpuState.HANDLER, CpuState.PAUSED,
];

/** Colours of the IPI messages by code (MSG1, ACK, MSG2, then other protocols' SYNC and STOP). */
const MSG_COLORS: readonly string[] = ['#000000', '#0b3d91', '#e8710a', '#0f9d58', '#00838f', '#795548'];

/** Colour and label of an IPI message code (any code MSG_NAMES knows; grey past the palette). */
export function msgStyle(code: number): { readonly color: string; readonly label: string } {
  return { color: MSG_COLORS[code] ?? '#5f6368', label: MSG_NAMES[code] ?? `msg ${code}` };
}

/** The seed's messages, always in the legend; other codes are listed when a timeline shows them. */
export const MESSAGES: readonly number[] = [Msg.MSG1, Msg.ACK, Msg.MSG2];

/** Shading of the accounting windows and of the migration's downtime. */
export const WINDOW_STYLE: Readonly<Record<'before' | 'stale' | 'after' | 'downtime', { readonly color: string; readonly label: string }>> = {
  before: { color: '#e3f2fd', label: 'before (source host)' },
  stale: { color: '#fde0dc', label: 'stale code (destination, before the patch)' },
  after: { color: '#e6f4ea', label: 'after the patch' },
  downtime: { color: '#cfd4da', label: 'migration downtime (paused)' },
};

/** Line colour of the accounting error. */
export const SERIES_COLOR = '#174ea6';

/** Fill of the pre-copy round bars. */
export const ROUND_COLOR = '#8ab4f8';
