/**
 * The ESPA 4.4.4 adapter's decisions as pure functions (protocols.md §2.4 "Mapping proposal"):
 *
 * - Inbound calls → alarm types: `InboundRule`s, first match wins. A rule matches on the call
 *   address (a glob: `*` any run of characters, `?` one), the raw call type ('2' speech, '3'
 *   standard), priority ('1'–'3'), beep code and header ('1' pager call, '4' subscriber-line
 *   call); every field it leaves out matches anything.
 * - Alarm progress → record 7 values reported back to the caller (`statusFor`):
 *     raised (recorded)                                  '2' in queue
 *     a participant delivered, read, accepted, rejected  '3' paged
 *     a participant accepted, or ended 'accepted'        '6' acknowledged by called party
 *     ended, nobody was reached and it was not cancelled '4' absent
 *     ended otherwise (cancelled, reset, closed)         '5' call terminated
 *   A status is sent at most once per call and never one that ranks below one already sent
 *   ('2' < '3' < '6'); '4' and '5' are final, and after '6' only '5' (a cancellation) follows.
 * - Record 7 coming back for a call we sent (`outcomeOf`): '3', '71' paged → delivered;
 *   '6' → accepted (answered); '4', '72' absent and '8' fault → failed; '1' busy → send
 *   again later; '2' in queue, '5' terminated and '7' speech channel → nothing.
 * - Notification priority (0 most urgent) → record 6: 0–1 '1' alarm, 2–3 '2' high, else '3'.
 * - Message keys for the DeviceMessageLedger: (send time in s, a per-link id below 2^20).
 */
import type { AlarmProgress } from '../../src/ports/alarm-intake.ts';

export interface InboundRule {
  /** Address glob, e.g. `2*` or `1??5`; absent: any address. */
  readonly address?: string;
  /** Raw call type: '2' speech, '3' standard; absent: any (a call without record 4 included). */
  readonly callType?: string;
  /** Raw priority '1'–'3'. */
  readonly priority?: string;
  /** Raw beep code. */
  readonly beep?: string;
  /** '1' call to pager, '4' call to subscriber line. */
  readonly header?: string;
  readonly alarmType: string;
}

export interface CallFacts {
  readonly header: string;
  readonly address: string;
  readonly callType?: string | undefined;
  readonly priority?: string | undefined;
  readonly beep?: string | undefined;
}

const globRe = (glob: string) =>
  new RegExp(
    `^${glob
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );

/** The alarm type of the first rule that matches the call, or undefined. Pure. */
export function alarmTypeFor(rules: readonly InboundRule[], call: CallFacts): string | undefined {
  for (const r of rules) {
    if (r.address !== undefined && !globRe(r.address).test(call.address)) continue;
    if (r.callType !== undefined && r.callType !== call.callType) continue;
    if (r.priority !== undefined && r.priority !== call.priority) continue;
    if (r.beep !== undefined && r.beep !== call.beep) continue;
    if (r.header !== undefined && r.header !== call.header) continue;
    return r.alarmType;
  }
  return undefined;
}

/** Record 7 values this adapter reports for an inbound call. */
export type ReportedStatus = '2' | '3' | '4' | '5' | '6';

const REACHED = new Set(['delivered', 'read', 'accepted', 'rejected']);

/** The status the alarm's progress calls for now, before deduplication. Pure. */
export function statusFor(p: AlarmProgress): ReportedStatus {
  const reached = p.participants.some((x) => REACHED.has(x.status));
  const accepted = p.participants.some((x) => x.status === 'accepted');
  if (p.ended) {
    if (p.endReason === 'accepted') return '6';
    if (p.endReason === 'cancelled') return '5';
    return reached ? '5' : '4';
  }
  if (accepted) return '6';
  return reached ? '3' : '2';
}

const RANK: Readonly<Record<ReportedStatus, number>> = { '2': 1, '3': 2, '6': 3, '4': 4, '5': 4 };

/**
 * Whether `next` may be reported after the statuses already `sent` for one call: not sent
 * before, and not ranking below one sent. Final ones ('4', '5') end the reporting. Pure.
 */
export function mayReport(sent: readonly ReportedStatus[], next: ReportedStatus): boolean {
  if (sent.includes(next)) return false;
  if (sent.includes('4') || sent.includes('5')) return false;
  return sent.every((s) => RANK[s] < RANK[next]);
}

/** What a record 7 value means for a call Tocsin sent. */
export type Outcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'retry' }
  | { readonly kind: 'none' };

export function outcomeOf(status: string): Outcome {
  switch (status) {
    case '3':
    case '71':
      return { kind: 'delivered' };
    case '6':
      return { kind: 'accepted' };
    case '4':
    case '72':
      return { kind: 'failed', reason: `the pager system reports the called party absent (status ${status})` };
    case '8':
      return { kind: 'failed', reason: 'the pager system reports a fault (status 8)' };
    case '1':
      return { kind: 'retry' };
    default:
      return { kind: 'none' };
  }
}

/** Record 6 for a notification priority (0 is the most urgent). */
export function espaPriority(priority: number): '1' | '2' | '3' {
  if (priority <= 1) return '1';
  if (priority <= 3) return '2';
  return '3';
}

export const MESSAGE_ID_LIMIT = 2 ** 20;

/** The next ledger key: the id counts up below 2^20; sendTime never goes back, and moves on when the id wraps. */
export function nextMessageKey(
  prev: { readonly sendTime: number; readonly id: number } | undefined,
  nowSeconds: number,
): { sendTime: number; id: number } {
  if (prev === undefined) return { sendTime: nowSeconds, id: 0 };
  const id = (prev.id + 1) % MESSAGE_ID_LIMIT;
  return { sendTime: Math.max(nowSeconds, id === 0 ? prev.sendTime + 1 : prev.sendTime), id };
}
