/**
 * Handset alarms from OM AXI events (pure): `EventAlarmTrigger` (emergency key, man-down,
 * no-movement … as configured alarm triggers, protocols.md §1.6) mapped by trigger id, and text
 * typed on a handset (`EventMessageSend`) mapped by the message rules. The alarm id is derived
 * from the event, so the same event twice raises one alarm; the location is the handset's last
 * base station's place in the phones list.
 */
import type { AxiEvent } from './dect-codec.ts';
import { alarmTypeForText, type MessageRule } from './dect-mapping.ts';
import type { PhoneTable } from './dect-phones.ts';

/** An alarm from a handset: emergency key, man-down, no-movement, pull-cord … */
export interface HandsetAlarm {
  /** Stable for one event: raising it twice raises one alarm. */
  readonly id: string;
  readonly alarmType: string;
  readonly trigger: string;
  readonly text: string;
  readonly ppn?: number;
  readonly uid?: number;
  readonly fromAddr?: string;
  /** The place of the handset's last base station (the RFP → location table), when known. */
  readonly location?: string;
}

/** At most 64 characters of letters, digits, `_` and `-`. */
const alarmId = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);

/**
 * The alarm `e` raises, or why it raises none (with the log level): a trigger mapped to no
 * alarm type (`triggers`: upper-case trigger id → type, `*` for any other), text no rule maps.
 */
export function handsetAlarmOf(
  e: Extract<AxiEvent, { type: 'EventAlarmTrigger' | 'EventMessageSend' }>,
  triggers: Readonly<Record<string, string>>,
  rules: readonly MessageRule[],
  phones: PhoneTable,
):
  | { readonly alarm: HandsetAlarm }
  | { readonly ignored: string; readonly level: 'info' | 'warn'; readonly fields?: Record<string, unknown> } {
  const locationOf = (ppn: number | undefined) => (ppn === undefined ? undefined : phones.get(ppn)?.location);
  if (e.type === 'EventAlarmTrigger') {
    const alarmType = triggers[e.trigger.toUpperCase()] ?? triggers['*'];
    if (!alarmType) return { ignored: `alarm trigger '${e.trigger}' is mapped to no alarm type`, level: 'warn' };
    const who = e.fromAddr ?? (e.ppn !== undefined ? `ppn:${e.ppn}` : 'an unknown handset');
    const location = locationOf(e.ppn);
    return {
      alarm: {
        id: alarmId(`dect-${e.trigger}-${e.sendTime ?? 0}-${e.id ?? 0}-${e.ppn ?? e.fromAddr ?? ''}`),
        alarmType,
        trigger: e.trigger,
        text: e.content ?? `${e.trigger} from ${who}`,
        ...(e.ppn !== undefined ? { ppn: e.ppn } : {}),
        ...(e.uid !== undefined ? { uid: e.uid } : {}),
        ...(e.fromAddr !== undefined ? { fromAddr: e.fromAddr } : {}),
        ...(location !== undefined ? { location } : {}),
      },
    };
  }
  const { msg } = e;
  const alarmType = alarmTypeForText(rules, msg.content);
  if (!alarmType)
    return { ignored: 'a typed message that no rule maps to an alarm', level: 'info', fields: { from: msg.fromAddr } };
  const location = locationOf(msg.ppn);
  return {
    alarm: {
      id: alarmId(`dect-msg-${msg.sendTime ?? 0}-${msg.id ?? 0}-${msg.ppn ?? msg.fromAddr}`),
      alarmType,
      trigger: 'message',
      text: msg.content,
      ...(msg.ppn !== undefined ? { ppn: msg.ppn } : {}),
      ...(msg.uid !== undefined ? { uid: msg.uid } : {}),
      fromAddr: msg.fromAddr,
      ...(location !== undefined ? { location } : {}),
    },
  };
}
