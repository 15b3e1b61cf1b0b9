/**
 * What the ESPA-X adapter keeps per running process and how an alarm's progress becomes
 * indications (protocols.md §3.2, step 4), plus the credentials check. No IO: `report` gets a
 * `send` that says whether the message went out, and only what went out counts as told, so a
 * client that was away is told the rest when it logs in again.
 *
 * - IND.P-STATUS (CP-PR-DETAILS Process/All): each time the plan's state changes while the
 *   alarm runs; SP-STATUS Active, SP-RESULT Positive once someone accepted, else None.
 * - IND.P-EVENT (Results/All): one per participant and result (espax-mapping.ts `eventOf`);
 *   SS-NETW-NO the participant's number, SS-NETW-NAME the name (else the recipient id).
 * - IND.P-ENDED (anything but No): once, with `endOf`'s reason and result.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AlarmProgress } from '../../src/ports/alarm-intake.ts';
import type { ProcessRef, ServerMessage } from './espax-encode.ts';
import { endOf, eventOf } from './espax-mapping.ts';

/** One client's login; `client` absent: any LI-CLIENT may use it. */
export interface EspaxCredential {
  readonly client?: string | undefined;
  readonly user: string;
  readonly password: string;
}

/**
 * Whether some entry matches. Constant time in the contents: the values are compared as
 * SHA-256 digests with `timingSafeEqual`, every entry and every field, with no early exit.
 */
export function credentialsMatch(
  credentials: readonly EspaxCredential[],
  client: string,
  user: string,
  password: string,
): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  const [c, u, p] = [h(client), h(user), h(password)];
  let ok = false;
  for (const cred of credentials) {
    const clientOk = cred.client === undefined || timingSafeEqual(h(cred.client), c);
    const userOk = timingSafeEqual(h(cred.user), u);
    const passwordOk = timingSafeEqual(h(cred.password), p);
    ok = (clientOk && userOk && passwordOk) || ok;
  }
  return ok;
}

/** A running process (an alarm raised by a P-START) as the adapter follows it. */
export interface Process {
  readonly alarmId: string;
  readonly client: string;
  readonly ref: ProcessRef;
  readonly details: { readonly process: boolean; readonly results: boolean };
  /** What the P-START asked for, to tell a resend from a different call with the same reference. */
  readonly content: string;
  /** Set while this client's P-STOP cancels it: the end is then reported as `Client`. */
  stopped: boolean;
  /** The plan state last reported with IND.P-STATUS. */
  lastState?: string;
  last?: AlarmProgress;
  /** `<recipient>\n<SS-RESULT>` of every IND.P-EVENT sent. */
  readonly sentEvents: Set<string>;
  unwatch?: () => void;
}

/**
 * Sends to one session what `progress` adds to what the client was told. Returns true once
 * the process has ended and the client has been told (or asked not to be): forget it then.
 */
export function reportProgress(
  p: Process,
  progress: AlarmProgress,
  sessionId: string,
  send: (m: ServerMessage) => boolean,
): boolean {
  if (p.details.process && !progress.ended && progress.state !== p.lastState) {
    const accepted = progress.participants.some((x) => x.status === 'accepted');
    const m = { type: 'IND.P-STATUS', sessionId, process: p.ref, status: 'Active' } as const;
    if (send({ ...m, result: accepted ? 'Positive' : 'None' })) p.lastState = progress.state;
  }
  if (p.details.results)
    for (const x of progress.participants) {
      const ev = eventOf(x.status);
      const key = `${x.recipient}\n${ev?.result}`;
      if (!ev || p.sentEvents.has(key)) continue;
      const m: ServerMessage = {
        type: 'IND.P-EVENT',
        sessionId,
        process: p.ref,
        number: x.number,
        name: x.name ?? x.recipient,
        direction: 'Outbound',
        status: ev.status,
        result: ev.result,
      };
      if (send(m)) p.sentEvents.add(key);
    }
  if (!progress.ended) return false;
  p.unwatch?.();
  if (!(p.details.process || p.details.results)) return true;
  return send({ type: 'IND.P-ENDED', sessionId, process: p.ref, ...endOf(progress.endReason, p.stopped) });
}
