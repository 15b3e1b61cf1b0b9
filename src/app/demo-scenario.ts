/**
 * The script of `tocsin demo` (demo.ts): the crew and how their simulated handsets answer, the
 * sample configuration (every alarm type on escalate@1), the order in which the handsets raise
 * alarms, and the words the demo prints for escalate@1's states and the notification statuses
 * (and which of these its summary counts).
 */
import type { HandsetBehaviour } from '../../adapters/dect/dect-simulator.ts';
import type { NotificationStatus } from '../domain/alarm.ts';
import type { FileConfigInput } from './config.ts';
import { NURSE_CALL_TYPE } from './demo-espa.ts';

interface CrewMember {
  readonly login: string;
  readonly name: string;
  readonly ppn: number;
  readonly number: string;
  readonly behaviour: HandsetBehaviour;
  readonly role: string;
}

export const DEMO_CREW: readonly CrewMember[] = [
  {
    login: 'anna',
    name: 'Anna',
    ppn: 1,
    number: '4711',
    behaviour: { kind: 'accept', afterMs: 8_000 },
    role: 'accepts after 8 s',
  },
  {
    login: 'ben',
    name: 'Ben',
    ppn: 2,
    number: '4712',
    behaviour: { kind: 'reject', afterMs: 3_000 },
    role: 'rejects after 3 s',
  },
  { login: 'carla', name: 'Carla', ppn: 3, number: '4713', behaviour: { kind: 'off' }, role: 'handset switched off' },
  { login: 'david', name: 'David', ppn: 4, number: '4714', behaviour: { kind: 'silent' }, role: 'never answers' },
];

/** The sample configuration, as a TOCSIN_CONFIG file would give it. */
export const DEMO_CONFIG: FileConfigInput = {
  groups: { A: ['ben'], B: ['anna', 'carla', 'david'] },
  alarmTypes: [
    {
      id: 'emergency',
      name: 'Emergency call',
      priority: 1,
      plan: 'escalate@1',
      textTemplate: 'EMERGENCY: {alarm.text}',
      params: { levelTimeoutMs: 20_000, rounds: 3 },
    },
    {
      id: 'man-down',
      name: 'Man down',
      priority: 1,
      plan: 'escalate@1',
      textTemplate: 'MAN DOWN: {alarm.text}',
      params: { levelTimeoutMs: 15_000, rounds: 3 },
    },
    NURSE_CALL_TYPE,
    {
      id: 'generic',
      name: 'Generic alarm',
      priority: 3,
      plan: 'escalate@1',
      params: { levelTimeoutMs: 60_000, rounds: 2 },
    },
  ],
};

/** Which handset raises the next alarm, and how (emergency key or man-down), in turn. */
export const SCENARIO: readonly { readonly ppn: number; readonly how: 'emergency' | 'man-down' }[] = [
  { ppn: 4, how: 'emergency' },
  { ppn: 1, how: 'man-down' },
  { ppn: 2, how: 'emergency' },
  { ppn: 4, how: 'man-down' },
];

/** escalate@1's states, as the demo prints them. */
export const STATES: Readonly<Record<string, string>> = {
  levelA: 'notifying group A',
  levelB: 'escalated to group B',
  endOfRound: 'round over',
  unanswered: 'nobody accepted in any round; stays open',
  accepted: 'accepted',
  cancelled: 'cancelled',
};

/** Notification statuses the summary counts. */
export const COUNTED = ['accepted', 'rejected', 'failed', 'withdrawn', 'delivered'] as const;

export const DESCRIBED: Readonly<Record<NotificationStatus, string>> = {
  pending: 'notification queued',
  sent: 'sent to the handset',
  delivered: 'delivered on the handset',
  read: 'read',
  accepted: 'ACCEPTED on the handset',
  rejected: 'rejected on the handset',
  failed: 'delivery failed',
  withdrawn: 'withdrawn',
};

export const describe = (status: NotificationStatus, error: string | null): string =>
  status === 'failed' && error ? `delivery failed (${error})` : DESCRIBED[status];
