/**
 * The ESPA-X interface: Tocsin as the ESPA-X server of a nurse-call system or another alarm
 * source (DESIGN.md "Adapters"). Over the AlarmIntake and AlarmWatch ports:
 *
 * - REQ.P-START → the first matching rule's alarm type (espax-mapping.ts; none → 404), text
 *   CP-TEXTMSG, location CP-WARD / CP-BED, source `{adapter: 'espax', device: <client>/<ref|tan>}`.
 *   RSP.P-START (200 and SP-PR-TAN) goes out only after `intake.raise` resolved; a refused raise
 *   is 404 (the alarm type does not exist) or 503 (not recorded: the client keeps the call and
 *   sends it again). Then IND.P-STARTED and, as the alarm runs, IND.P-STATUS (the plan's state
 *   changed), IND.P-EVENT (one per participant and result) and IND.P-ENDED, as CP-PR-DETAILS
 *   asks.
 * - Idempotency: a P-START whose CP-PR-REF names a running process of the same client gets that
 *   process's TAN again (found in memory, or after a restart through `intake.active`); with
 *   different content (type, text, location) while this server knows the first → 450 Duplicate.
 * - REQ.P-STOP (CP-PR-REF and/or SP-PR-TAN; CP-PR-MASK must allow Active) → `intake.cancel`;
 *   nothing running → 404. REQ.P-GETSTAT → 200 and an IND.P-STATUS with SP-GETSTAT, or 404.
 * - REQ.S-CONDITION → S-HEALTH OK, or Problem detected when `healthy()` says no.
 * - Indications go to the client's current session (the latest login of that LI-CLIENT); what
 *   could not be sent while it was away is sent when it logs in again.
 * Credentials are compared in constant time; supervision events go to `sink.supervision`.
 */
import { randomInt } from 'node:crypto';
import { TocsinError } from '../../src/domain/errors.ts';
import type { AlarmIntake, AlarmProgress, AlarmWatch } from '../../src/ports/alarm-intake.ts';
import { fieldOf, listOf, type EspaxDocument } from './espax-codec.ts';
import type { ProcessRef, ServerMessage } from './espax-encode.ts';
import {
  alarmIdOf,
  deviceOf,
  detailsOf,
  ESPAX_ADAPTER,
  locationOf,
  parseTan,
  ruleFor,
  TAN_LIMIT,
  tanOf,
  type EspaxRule,
} from './espax-mapping.ts';
import type { RspCode } from './espax-protocol.ts';
import { credentialsMatch, reportProgress, type EspaxCredential, type Process } from './espax-process.ts';

export type { EspaxCredential } from './espax-process.ts';
export type { EspaxRule } from './espax-mapping.ts';
import type { EspaxSupervision } from './espax-session.ts';
import {
  EspaxServer,
  type EspaxConnection,
  type EspaxLog,
  type EspaxServerOptions,
  type TimerHost,
} from './espax-server.ts';

export interface EspaxSink {
  supervision(event: EspaxSupervision, detail: string): void;
}

export interface EspaxAdapterOptions {
  readonly server: Omit<EspaxServerOptions, 'handler' | 'now' | 'timers' | 'log'>;
  readonly credentials: readonly EspaxCredential[];
  readonly rules: readonly EspaxRule[];
  readonly intake: AlarmIntake;
  readonly watch: AlarmWatch;
  /** Epoch ms. */
  readonly now: () => number;
  readonly timers?: TimerHost;
  /** False (or a throw) → S-HEALTH "Problem detected". Default: always healthy. */
  readonly healthy?: () => boolean | Promise<boolean>;
  readonly sink?: EspaxSink;
  /** New TANs (1..2^31-1); default: crypto random. */
  readonly newTan?: () => number;
  readonly log?: EspaxLog;
}

/** Who a log line is about: the client and its connection's id. */
interface Who {
  readonly client: string;
  readonly conn: number;
}

/** Ended processes kept for a client that is away (to tell it on its return), at most. */
const MAX_UNTOLD = 10_000;

/** Times a fresh TAN is tried when the intake says its alarm id is taken. */
const TAN_ATTEMPTS = 8;

export class EspaxAdapter {
  readonly server: EspaxServer;
  private readonly processes = new Map<string, Process>();
  private readonly sessions = new Map<string, { conn: EspaxConnection; sessionId: string }>();
  /** P-STARTs of one client and reference, one at a time. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly o: EspaxAdapterOptions) {
    this.server = new EspaxServer({
      ...o.server,
      now: o.now,
      ...(o.timers ? { timers: o.timers } : {}),
      ...(o.log ? { log: o.log } : {}),
      handler: {
        authenticate: (client, user, password) => credentialsMatch(o.credentials, client, user, password),
        attach: (conn, client, sessionId) => this.attach(conn, client, sessionId),
        detach: (conn, client) => {
          if (this.sessions.get(client)?.conn === conn) this.sessions.delete(client);
        },
        request: (conn, doc, client, sessionId) => this.request(conn, doc, client, sessionId),
        supervision: (event, detail) => o.sink?.supervision(event, detail),
      },
    });
  }

  /** Starts listening; resolves with the port. */
  start(): Promise<number> {
    return this.server.listen();
  }

  /** Stops following alarms, sends CMD.SHUTDOWN to the clients and closes the server. */
  async stop(): Promise<void> {
    for (const p of this.processes.values()) p.unwatch?.();
    this.processes.clear();
    await this.server.close();
  }

  /** Sends `progress` news to the client's current session, if any; forgets the process once its end is told. */
  private report(p: Process, progress: AlarmProgress): void {
    const s = this.sessions.get(p.client);
    if (s && reportProgress(p, progress, s.sessionId, (m) => s.conn.send(m))) this.processes.delete(p.alarmId);
  }

  private attach(conn: EspaxConnection, client: string, sessionId: string): void {
    this.sessions.set(client, { conn, sessionId });
    // What this client missed while it was away.
    for (const p of [...this.processes.values()]) if (p.client === client && p.last) this.report(p, p.last);
  }

  private async request(conn: EspaxConnection, doc: EspaxDocument, client: string, sessionId: string): Promise<void> {
    const invokeId = doc.invokeId ?? '0';
    const answer = (code: RspCode, info: string) =>
      conn.send({ type: `RSP.${doc.name.slice(4)}`, invokeId, sessionId, code, info } as ServerMessage);
    switch (doc.name) {
      case 'REQ.S-CONDITION': {
        let ok: boolean;
        try {
          ok = await (this.o.healthy?.() ?? true);
        } catch {
          ok = false;
        }
        conn.send({
          type: 'RSP.S-CONDITION',
          invokeId,
          sessionId,
          code: 200,
          health: ok ? 'OK' : 'Problem detected',
          hotStandby: false,
          load: 'Normal',
        });
        return;
      }
      case 'REQ.P-START': {
        const ref = fieldOf(doc, 'CP-PR-REF')?.trim() || undefined;
        const key = `${client}\n${ref ?? `#${invokeId}`}`;
        const prev = this.locks.get(key) ?? Promise.resolve();
        const run = prev.then(() => this.start1(conn, doc, client, sessionId, ref));
        const settled = run.catch(() => {});
        this.locks.set(key, settled);
        void settled.then(() => this.locks.get(key) === settled && this.locks.delete(key));
        return run;
      }
      case 'REQ.P-STOP':
        return this.stop1(doc, client, { client, conn: conn.id }, (code, info) => answer(code, info));
      case 'REQ.P-GETSTAT':
        return this.getstat(conn, doc, client, sessionId, (code, info) => answer(code, info));
      default:
        answer(501, `${doc.name} is not implemented`);
    }
  }

  private async start1(
    conn: EspaxConnection,
    doc: EspaxDocument,
    client: string,
    sessionId: string,
    ref: string | undefined,
  ): Promise<void> {
    const invokeId = doc.invokeId ?? '0';
    const who = { client, conn: conn.id };
    const f = (n: string) => fieldOf(doc, n)?.trim() || undefined;
    const answer = (code: 200 | 404 | 450 | 503, info: string, tan?: number) =>
      conn.send({ type: 'RSP.P-START', invokeId, sessionId, code, info, ref, tan });
    const call = { groupId: f('CP-GROUPID'), signal: f('CP-SIGNAL'), prio: f('CP-PRIO'), callingNo: f('CP-CALLINGNO') };
    const rule = ruleFor(this.o.rules, call);
    if (!rule) return void answer(404, 'no mapping rule matches this call');
    const text = f('CP-TEXTMSG');
    const location = locationOf(f('CP-WARD'), f('CP-BED'));
    const content = JSON.stringify([rule.alarmType, text, location]);
    const details = detailsOf(f('CP-PR-DETAILS'));
    const processRef = (tan: number): ProcessRef => ({
      tan,
      ref,
      groupId: call.groupId,
      phoneNo: f('CP-PHONENO'),
      name: rule.alarmType,
      created: this.o.now(),
    });
    if (ref) {
      const known = [...this.processes.values()].find((p) => p.client === client && p.ref.ref === ref);
      if (known) {
        if (known.content !== content)
          return void answer(450, `CP-PR-REF ${ref} is running with other content`, known.ref.tan);
        return void answer(200, 'already running', known.ref.tan);
      }
      let running: readonly string[];
      try {
        running = await this.o.intake.active({ adapter: ESPAX_ADAPTER, device: deviceOf(client, ref) });
      } catch (err) {
        this.log('warn', `ESPA-X: P-START ${ref}: the store is unavailable`, who, err);
        return void answer(503, 'the alarm could not be recorded; send it again');
      }
      const tan = running.map((id) => tanOf(client, id)).find((t) => t !== undefined);
      if (tan !== undefined) {
        answer(200, 'already running', tan);
        return this.follow(alarmIdOf(client, tan), client, processRef(tan), details, content);
      }
    }
    for (let attempt = 0; attempt < TAN_ATTEMPTS; attempt++) {
      const tan = this.newTan();
      const alarmId = alarmIdOf(client, tan);
      let created: boolean;
      try {
        ({ created } = await this.o.intake.raise({
          id: alarmId,
          alarmType: rule.alarmType,
          text,
          location,
          source: { adapter: ESPAX_ADAPTER, device: deviceOf(client, ref ?? tan) },
        }));
      } catch (err) {
        const unknownType = err instanceof TocsinError && err.code === 'unknown-alarm-type';
        this.log('warn', `ESPA-X: P-START ${ref ?? ''} refused: ${String(err)}`, who, err, alarmId);
        if (unknownType) return void answer(404, `alarm type ${rule.alarmType} does not exist`);
        return void answer(503, 'the alarm could not be recorded; send it again');
      }
      if (!created) continue; // the id is taken (an older alarm): another TAN
      answer(200, 'started', tan);
      this.log('info', `ESPA-X: P-START ${ref ?? ''} raised alarm ${alarmId} (TAN ${tan})`, who, undefined, alarmId);
      return this.follow(alarmId, client, processRef(tan), details, content);
    }
    this.log('warn', `ESPA-X: no free TAN after ${TAN_ATTEMPTS} attempts`, who);
    answer(503, 'no free process number; send it again');
  }

  /** Sends IND.P-STARTED and follows the alarm for the other indications. */
  private follow(alarmId: string, client: string, ref: ProcessRef, details: Process['details'], content: string): void {
    const p: Process = { alarmId, client, ref, details, content, stopped: false, sentEvents: new Set() };
    this.processes.set(alarmId, p);
    const s = this.sessions.get(client);
    if (details.process && s)
      s.conn.send({ type: 'IND.P-STARTED', sessionId: s.sessionId, process: ref, status: 'Active' });
    try {
      p.unwatch = this.o.watch.watch(alarmId, (progress) => {
        if (this.processes.get(alarmId) !== p) return;
        p.last = progress;
        this.report(p, progress);
      });
    } catch (err) {
      // The alarm is recorded and answered; only its indications are lost.
      this.o.log?.('warn', 'ESPA-X: the alarm cannot be followed', { client, alarmId, err: String(err) });
    }
    this.forgetUntold();
  }

  /** Drops the oldest ended processes that wait for an absent client, beyond MAX_UNTOLD. */
  private forgetUntold(): void {
    const untold = [...this.processes.values()].filter((p) => p.last?.ended);
    for (const p of untold.slice(0, Math.max(0, untold.length - MAX_UNTOLD))) {
      this.o.log?.('warn', 'ESPA-X: the client never heard that its process ended', {
        client: p.client,
        alarmId: p.alarmId,
      });
      this.processes.delete(p.alarmId);
    }
  }

  /** The alarm ids a P-STOP or P-GETSTAT names, of this client only. */
  private async named(doc: EspaxDocument, client: string): Promise<string[] | 'bad'> {
    const ref = fieldOf(doc, 'CP-PR-REF')?.trim() || undefined;
    const tanText = fieldOf(doc, 'SP-PR-TAN');
    const tan = parseTan(tanText);
    if (!ref && tanText === undefined) return 'bad';
    if (tanText !== undefined && tan === undefined) return [];
    let ids: string[];
    if (ref) {
      const known = [...this.processes.values()].filter((p) => p.client === client && p.ref.ref === ref);
      ids = known.length
        ? known.map((p) => p.alarmId)
        : [...(await this.o.intake.active({ adapter: ESPAX_ADAPTER, device: deviceOf(client, ref) }))];
      ids = ids.filter((id) => tanOf(client, id) !== undefined);
    } else ids = [alarmIdOf(client, tan!)];
    return tan === undefined ? ids : ids.filter((id) => id === alarmIdOf(client, tan));
  }

  private async stop1(
    doc: EspaxDocument,
    client: string,
    who: Who,
    answer: (code: 200 | 400 | 404 | 503, info: string) => void,
  ) {
    const mask = listOf(doc, 'CP-PR-MASK').flatMap((m) => m.split(/\s+/).filter(Boolean));
    if (mask.length > 0 && !mask.includes('Active') && !mask.includes('All'))
      return answer(404, 'no process in the masked states (processes are Active)');
    try {
      const ids = await this.named(doc, client);
      if (ids === 'bad') return answer(400, 'CP-PR-REF or SP-PR-TAN is required');
      let stopped = 0;
      for (const id of ids) {
        const p = this.processes.get(id);
        if (p) p.stopped = true;
        if (await this.o.intake.cancel(id, `P-STOP from ESPA-X client ${client}`, `${ESPAX_ADAPTER}:${client}`))
          stopped++;
        else if (p) p.stopped = false;
      }
      this.log('info', `ESPA-X: P-STOP ${ids.join(', ') || '(nothing)'}: ${stopped} stopped`, who);
      answer(stopped > 0 ? 200 : 404, stopped > 0 ? 'stopped' : 'no such process running');
    } catch (err) {
      this.log('warn', 'ESPA-X: P-STOP failed: the store is unavailable', who, err);
      answer(503, 'could not stop now; send it again');
    }
  }

  private async getstat(
    conn: EspaxConnection,
    doc: EspaxDocument,
    client: string,
    sessionId: string,
    answer: (code: 200 | 400 | 404 | 503, info: string) => void,
  ) {
    const who = { client, conn: conn.id };
    let ids: string[] | 'bad';
    try {
      ids = await this.named(doc, client);
    } catch (err) {
      this.log('warn', 'ESPA-X: P-GETSTAT failed: the store is unavailable', who, err);
      return answer(503, 'try again');
    }
    if (ids === 'bad') return answer(400, 'CP-PR-REF or SP-PR-TAN is required');
    const known = ids.map((id) => this.processes.get(id)).filter((p): p is Process => p !== undefined);
    if (known.length === 0) return answer(404, 'no such process known');
    answer(200, 'status follows');
    for (const p of known) {
      const accepted = p.last?.participants.some((x) => x.status === 'accepted') ?? false;
      conn.send({
        type: 'IND.P-STATUS',
        sessionId,
        process: p.ref,
        status: 'Active',
        result: accepted ? 'Positive' : 'None',
        getstat: true,
      });
    }
  }

  private newTan(): number {
    const t = this.o.newTan?.() ?? randomInt(1, TAN_LIMIT);
    return Number.isSafeInteger(t) && t >= 1 && t < TAN_LIMIT ? t : randomInt(1, TAN_LIMIT);
  }

  /** A log line naming the client and the connection (`who`), and the alarm when there is one. */
  private log(level: 'info' | 'warn', msg: string, who: Who, err?: unknown, alarmId?: string): void {
    this.o.log?.(level, msg, {
      ...who,
      ...(alarmId ? { alarmId } : {}),
      ...(err !== undefined ? { err: String(err) } : {}),
    });
  }
}
