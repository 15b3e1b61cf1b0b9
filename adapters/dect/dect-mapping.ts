/**
 * What a notification looks like on a Mitel handset, and what the handset's answers mean to
 * the alarm: pure mappings between Tocsin's model (notification profiles, delivery states,
 * responses) and OM AXI (protocols.md §1.4, §1.5). The adapter calls these; nothing here does IO.
 *
 * - Priority: the profile's (emergency/high/normal/low), else the alarm's number (0–1
 *   Emergency, 2–3 High, 4–6 Normal, 7–9 Low).
 * - Sound: a profile with a tone or vibration always sets `signallingVolume` explicitly (1–100 %),
 *   otherwise the handset stays silent; profile volume 0–9 maps to 1–100.
 * - Answers: accept → OrderOk, reject → OrderNok, optionally OrderDontKnow. Only these three
 *   are answers; ReadYes/ReadNo are read receipts.
 * - Text: fitted to Latin-1 and the handset's length (fitText).
 */
import type { Profile } from '../../src/domain/config-model.ts';
import {
  type ConfirmationChoice,
  type MessagePriority,
  type MessageProgressEvent,
  type OutgoingMessage,
} from './dect-codec.ts';
import { fitText, type MessageKey } from './dect-text.ts';

/** The profile fields a handset message uses. */
export type HandsetProfile = Pick<Profile, 'priority' | 'popup' | 'tone' | 'volume' | 'vibration' | 'confirmation'>;

export interface MessageOptions {
  readonly key: MessageKey;
  readonly toAddr: string;
  readonly fromAddr: string;
  readonly fromName: string;
  /** The handset's text limit in UTF-8 bytes (Mitel handsets: a few hundred characters). */
  readonly maxContentBytes: number;
  /** Offer "don't know" besides accept and reject. */
  readonly offerDontKnow?: boolean;
  readonly callbackAddr?: string;
}

const PROFILE_PRIORITY: Readonly<Record<Profile['priority'], MessagePriority>> = {
  emergency: 'Emergency',
  high: 'High',
  normal: 'Normal',
  low: 'Low',
};

/** The handset priority of an alarm priority number when no profile says (0 is the most urgent). */
export function priorityOf(alarmPriority: number): MessagePriority {
  if (alarmPriority <= 1) return 'Emergency';
  if (alarmPriority <= 3) return 'High';
  if (alarmPriority <= 6) return 'Normal';
  return 'Low';
}

/** Profile volume 0–9 as the handset's 1–100 % (0 would mean "the handset's own setting"). */
export const volumePercent = (volume: number): number =>
  Math.max(1, Math.min(100, Math.round((Math.max(0, Math.min(9, volume)) / 9) * 100)));

/** A profile tone: 0 none, 1–10 the OMM's message melodies, or a tone name of the handset model. */
export const melodyOf = (tone: number | string): string | undefined =>
  typeof tone === 'string' ? tone : tone >= 1 && tone <= 10 ? `MsgMelody${tone}` : undefined;

/** The SendMessage `msg` for one notification. Pure. */
export function messageFor(
  n: { readonly text: string; readonly priority: number },
  profile: HandsetProfile | undefined,
  o: MessageOptions,
): OutgoingMessage {
  const choices: ConfirmationChoice[] = [];
  const confirmation = profile?.confirmation ?? ['accept', 'reject'];
  if (confirmation.includes('accept')) choices.push('OrderOk');
  if (confirmation.includes('reject')) choices.push('OrderNok');
  if (o.offerDontKnow && choices.length > 0) choices.push('OrderDontKnow');
  const melody = profile ? melodyOf(profile.tone) : undefined;
  const vibration = profile?.vibration ?? false;
  const sounds = melody !== undefined || vibration;
  return {
    sendTime: o.key.sendTime,
    id: o.key.id,
    toAddr: o.toAddr,
    fromAddr: o.fromAddr,
    fromName: fitText(o.fromName, 64),
    ...(o.callbackAddr ? { callbackAddr: o.callbackAddr } : {}),
    priority: profile ? PROFILE_PRIORITY[profile.priority] : priorityOf(n.priority),
    popUp: profile?.popup ?? true,
    content: fitText(n.text, o.maxContentBytes),
    ...(melody !== undefined ? { melody, ringerTone: true } : {}),
    ...(vibration ? { vibraCall: true } : {}),
    ...(sounds ? { signallingVolume: volumePercent(profile?.volume ?? 9) } : {}),
    confirmations: choices,
  };
}

/** What an EventMessageProgress means for the notification. */
export type ProgressOutcome =
  | { readonly kind: 'delivered' }
  /** Still trying (the OMM pages the handset): nothing to record yet. */
  | { readonly kind: 'pending' }
  /** Send the same message again: after a while (Busy) or once the handset's queue is empty (Overridden). */
  | { readonly kind: 'resend'; readonly when: 'later' | 'queue-empty' }
  /** For good: the plan sees a delivery failure. */
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'withdrawn' }
  | { readonly kind: 'ignored'; readonly reason: string };

const FAILED: Readonly<Partial<Record<MessageProgressEvent, string>>> = {
  TemporaryUnavailable: 'the handset is switched off or out of reach (TemporaryUnavailable)',
  Rejected: 'the handset refused the message (Rejected)',
  WrongURI: 'no handset has this address (WrongURI)',
  WrongCharacterSet: 'the handset cannot show the text (WrongCharacterSet)',
  Unknown: 'the OMM reports an unknown failure (Unknown)',
};

export function progressOutcome(event: string): ProgressOutcome {
  switch (event) {
    case 'Delivered':
      return { kind: 'delivered' };
    case 'PagingTimeout':
      return { kind: 'pending' };
    case 'Busy':
      return { kind: 'resend', when: 'later' };
    case 'Overridden':
      return { kind: 'resend', when: 'queue-empty' };
    case 'DeleteDelivered':
    case 'DeleteOverridden':
      return { kind: 'withdrawn' };
  }
  const reason = FAILED[event as MessageProgressEvent];
  return reason ? { kind: 'failed', reason } : { kind: 'ignored', reason: `unknown progress event '${event}'` };
}

/** A rule for text typed on a handset: a glob on the text (`*` any run of characters, case ignored) → alarm type. */
export interface MessageRule {
  readonly pattern: string;
  readonly alarmType: string;
}

/** The alarm type of the first rule whose pattern matches the whole text, or undefined. Pure. */
export function alarmTypeForText(rules: readonly MessageRule[], text: string): string | undefined {
  for (const r of rules) {
    const re = new RegExp(
      `^${r.pattern
        .split('*')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'is',
    );
    if (re.test(text.trim())) return r.alarmType;
  }
  return undefined;
}

/** The response an EventMessageConfirmation carries, or undefined for a read receipt or other choice. */
export function responseOf(confirmation: string): 'accept' | 'reject' | 'dont-know' | undefined {
  switch (confirmation) {
    case 'OrderOk':
      return 'accept';
    case 'OrderNok':
      return 'reject';
    case 'OrderDontKnow':
      return 'dont-know';
    default:
      return undefined;
  }
}
