/**
 * How ESPA-X processes map to Tocsin alarms and back, pure.
 *
 * - Rules: a P-START's CP-GROUPID / CP-SIGNAL / CP-PRIO / CP-CALLINGNO are matched against
 *   globs (`*` any run, `?` one character, case-insensitive); an absent glob matches anything,
 *   a glob other than `*` does not match an absent field. The first matching rule names the
 *   alarm type; a rule without globs is the default.
 * - TAN scheme: SP-PR-TAN is a random number in 1..2^31-1, and the alarm id is
 *   `espax-<client key>-<tan>`, the client key being the first 12 hex digits of SHA-256 of
 *   LI-CLIENT. So a TAN is turned back into its alarm id with nothing stored, after a restart
 *   too, and only by the client that owns it (another client's TAN names an alarm id that does
 *   not exist for it). Uniqueness: the intake says whether an id was new; a taken id is retried
 *   with another TAN (espax-adapter.ts).
 * - The alarm's source device is `<LI-CLIENT>/<CP-PR-REF>` (or `/<TAN>` without a reference),
 *   which finds a running process by its reference (`intake.active`), also after a restart.
 * - Indications: see `eventOf` and `endOf`.
 */
import { createHash } from 'node:crypto';
import type { AlarmEndReason } from '../../src/ports/alarm-intake.ts';
import type { NotificationStatus } from '../../src/domain/alarm.ts';
import type { EndReason, EventResult, EventStatus, ProcessDetails, ProcessResult } from './espax-protocol.ts';

export const ESPAX_ADAPTER = 'espax';
/** TANs are below 2^31 (a signed 32-bit int on the client side must hold them). */
export const TAN_LIMIT = 2 ** 31;

/** One mapping rule: globs over P-START fields → an alarm type. */
export interface EspaxRule {
  readonly groupId?: string | undefined;
  readonly signal?: string | undefined;
  readonly prio?: string | undefined;
  readonly callingNo?: string | undefined;
  readonly alarmType: string;
}

export interface CallFields {
  readonly groupId?: string | undefined;
  readonly signal?: string | undefined;
  readonly prio?: string | undefined;
  readonly callingNo?: string | undefined;
}

/** Whether `value` matches `glob` (`*`, `?`, case-insensitive). Absent glob: yes. */
export function globMatches(glob: string | undefined, value: string | undefined): boolean {
  if (glob === undefined || glob === '*') return true;
  if (value === undefined) return false;
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${re}$`, 'is').test(value);
}

/** The first rule that matches the call, or undefined. */
export function ruleFor(rules: readonly EspaxRule[], call: CallFields): EspaxRule | undefined {
  return rules.find(
    (r) =>
      globMatches(r.groupId, call.groupId) &&
      globMatches(r.signal, call.signal) &&
      globMatches(r.prio, call.prio) &&
      globMatches(r.callingNo, call.callingNo),
  );
}

export function clientKey(client: string): string {
  return createHash('sha256').update(client, 'utf8').digest('hex').slice(0, 12);
}

export function alarmIdOf(client: string, tan: number): string {
  return `espax-${clientKey(client)}-${tan}`;
}

/** The TAN of `alarmId` if it is one of `client`'s alarms, else undefined. */
export function tanOf(client: string, alarmId: string): number | undefined {
  const prefix = `espax-${clientKey(client)}-`;
  if (!alarmId.startsWith(prefix)) return undefined;
  const tan = parseTan(alarmId.slice(prefix.length));
  return tan;
}

/** A TAN as the client wrote it, or undefined when it is not one of ours. */
export function parseTan(s: string | undefined): number | undefined {
  if (s === undefined || !/^\s*[0-9]{1,10}\s*$/.test(s)) return undefined;
  const n = Number(s.trim());
  return n >= 1 && n < TAN_LIMIT ? n : undefined;
}

export function deviceOf(client: string, refOrTan: string | number): string {
  return `${client}/${refOrTan}`;
}

/** Where the call comes from: CP-WARD and CP-BED, as `Ward 3 / 12-2`. */
export function locationOf(ward: string | undefined, bed: string | undefined): string | undefined {
  const parts = [ward?.trim(), bed?.trim()].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(' / ') : undefined;
}

/**
 * Which indications CP-PR-DETAILS asks for: `Process` → P-STARTED, P-STATUS, P-ENDED;
 * `Results` → P-EVENT, P-ENDED; `All` (and the default) → all; `No` → none.
 */
export function detailsOf(value: string | undefined): { readonly process: boolean; readonly results: boolean } {
  const d = (value?.trim() ?? 'All') as ProcessDetails;
  switch (d) {
    case 'No':
      return { process: false, results: false };
    case 'Process':
      return { process: true, results: false };
    case 'Results':
      return { process: false, results: true };
    default:
      return { process: true, results: true };
  }
}

/**
 * A participant's notification status as an IND.P-EVENT result, or undefined when it is not a
 * result yet (pending, sent) or none to report (withdrawn): delivered/read → Reached
 * (Processing), accepted → Accepted, rejected → Rejected, failed → Not reached (Completed).
 */
export function eventOf(status: NotificationStatus): { result: EventResult; status: EventStatus } | undefined {
  switch (status) {
    case 'delivered':
    case 'read':
      return { result: 'Reached', status: 'Processing' };
    case 'accepted':
      return { result: 'Accepted', status: 'Completed' };
    case 'rejected':
      return { result: 'Rejected', status: 'Completed' };
    case 'failed':
      return { result: 'Not reached', status: 'Completed' };
    case 'pending':
    case 'sent':
    case 'withdrawn':
      return undefined;
  }
}

/**
 * IND.P-ENDED's reason and result: accepted → Finished / Positive (as protocols.md §3.3's
 * vector); cancelled by this client's P-STOP → Client / None, by anyone else (an operator on
 * the board) → Operator / None; anything else (escalation exhausted, timed out) → Finished /
 * Negative.
 */
export function endOf(
  reason: AlarmEndReason | undefined,
  stoppedByClient: boolean,
): { endReason: EndReason; result: ProcessResult } {
  if (reason === 'accepted') return { endReason: 'Finished', result: 'Positive' };
  if (reason === 'cancelled') return { endReason: stoppedByClient ? 'Client' : 'Operator', result: 'None' };
  return { endReason: 'Finished', result: 'Negative' };
}
