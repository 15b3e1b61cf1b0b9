/**
 * What the DECT adapter (dect-adapter.ts `DectAdapter`) is given by src/app: its options (the
 * OM AXI link, the message ledger, the recipients' addresses and profiles, triggers and rules,
 * timers), the sink its news goes to, and the provisioning events it subscribes by default.
 */
import type { DeviceMessageLedger } from '../../src/ports/device-messages.ts';
import type { ConfirmElement, SubscribeEntry } from './dect-codec.ts';
import type { HandsetAlarm } from './dect-handset-alarms.ts';
import type { HandsetProfile, MessageRule } from './dect-mapping.ts';
import type { AxiTransportOptions, TimerHost } from './dect-transport.ts';
import type { SupervisionKind } from './dect-link.ts';
import type { HandsetKind } from './dect-reachability.ts';

/** Where the adapter's news goes (wired to the runtime and the store by src/app). */
export interface DectSink {
  respond(alarmId: string, response: 'accept' | 'reject', by: string, device: string): Promise<void>;
  delivered(alarmId: string, notificationId: string): Promise<void>;
  failed(alarmId: string, notificationId: string, reason: string): Promise<void>;
  alarm(a: HandsetAlarm): Promise<void>;
  supervision(kind: SupervisionKind, detail: string): void;
  /**
   * A handset on duty was switched off or went out of range (once per episode), or is back
   * (LocReg) after one. `number` is the handset's number; `detail` names the AXI event.
   */
  handset?(kind: HandsetKind, number: string, detail: string): void;
}

/** The provisioning subscriptions (dect-codec-pp.ts): every device, every user [I: the scope attributes]. */
export const PROVISIONING_SUBSCRIPTIONS: readonly SubscribeEntry[] = [
  { cmd: 'On', eventType: 'PPDevCnf', ppn: -1 },
  { cmd: 'On', eventType: 'PPUserCnf', uid: -1 },
];

export interface DectAdapterOptions {
  readonly link: Omit<AxiTransportOptions, 'onEvent' | 'onSupervision' | 'onReconcile' | 'timers'>;
  readonly ledger: DeviceMessageLedger;
  readonly sink: DectSink;
  /** The handset address of a recipient (`tel:<number>`), or undefined when it has none. */
  readonly addressOf: (recipient: string) => Promise<string | undefined>;
  readonly profileOf: (profileId: string) => Promise<HandsetProfile | undefined> | HandsetProfile | undefined;
  /** Epoch ms. */
  readonly now: () => number;
  /** The DECT system's local time in unix seconds for `sendTime` (default: UTC seconds). */
  readonly sendTimeOf?: (ms: number) => number;
  readonly timers?: TimerHost;
  readonly fromAddr: string;
  readonly fromName: string;
  readonly maxContentBytes?: number;
  readonly confirmElement?: ConfirmElement;
  readonly offerDontKnow?: boolean;
  /** Trigger id (upper case) → alarm type; `*` for any other trigger. */
  readonly triggers: Readonly<Record<string, string>>;
  readonly resendAfterMs?: number;
  /** Text typed on a handset (EventMessageSend) → alarm type; no rule matches: logged, no alarm. */
  readonly messageRules?: readonly MessageRule[];
  /** Base station (RFP id) → the place it covers, for the phones list and handset alarms. */
  readonly locations?: Readonly<Record<number, string>>;
  readonly log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
  /** Whether handset `number` is on duty: only those raise `sink.handset` (default: none). */
  readonly onDuty?: (number: string) => boolean | Promise<boolean>;
  /** How long `position` waits for EventPositionInfo (default 10 s). */
  readonly positionTimeoutMs?: number;
  /** Subscribed after every link-up in a Subscribe of their own; `[]` for none. */
  readonly provisioning?: readonly SubscribeEntry[];
}
