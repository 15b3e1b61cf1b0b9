/**
 * The ESPA part of `tocsin demo` (demo.ts): the two nurse-call interfaces of issue 6, each with
 * its simulator on loopback, configured as TOCSIN_ESPA444_LINKS and TOCSIN_ESPAX_* would
 * configure them (espa-config.ts):
 *
 * - **ESPA 4.4.4:** a nurse-call system (adapters/espa444 `nurseCallStation`, control station
 *   '1') listens; Tocsin dials it as the paging system '2' on line `ward3`, and every call
 *   becomes a `nurse-call` alarm. The station polls Tocsin every `pollMs` (real time), which is
 *   when Tocsin's status reports come back: '2' in queue, '3' paged, '6' acknowledged by called
 *   party, '4' absent, '5' call terminated.
 * - **ESPA-X:** Tocsin's ESPA-X server on a free port (TLS, its self-signed certificate, which
 *   the client pins); a client (adapters/espax `EspaxSimulator`) logs in with the demo
 *   credentials, beats every 10 s on real timers and starts a process (REQ.P-START, all
 *   details) when told; the server answers with IND.P-STARTED, IND.P-EVENT per participant and
 *   IND.P-ENDED.
 *
 * What the simulators receive is read from their `received` lists when demo.ts polls the store
 * (`news`), so it is printed in the same stream as the alarms. `settled` says whether every call
 * and process placed so far has its final answer (a '4', '5' or '6'; IND.P-ENDED), which a
 * `--count` run waits for before it stops.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import { nurseCallStation } from '../../adapters/espa444/espa444-simulator-stations.ts';
import { EspaxSimulator, type Received } from '../../adapters/espax/espax-simulator.ts';
import { selfSignedPaths } from './tls.ts';

/** The alarm type of the demo's nurse calls (both interfaces), as TOCSIN_CONFIG gives it. */
export const NURSE_CALL_TYPE = {
  id: 'nurse-call',
  name: 'Nurse call',
  priority: 2,
  plan: 'escalate@1',
  textTemplate: 'NURSE CALL: {alarm.text}',
  params: { levelTimeoutMs: 20_000, rounds: 3 },
} as const;

/** The interfaces alarms come in through, by source adapter, as the demo prints them. */
export const INTERFACES: Readonly<Record<string, string>> = {
  dect: 'DECT handset',
  espa444: 'ESPA 4.4.4 nurse call',
  espax: 'ESPA-X client',
};

/** How the demo's summary splits the alarms raised by interface. */
export const raisedBy = (n: { dect: number; espa444: number; espax: number }, espa: boolean): string =>
  espa ? ` (handsets ${n.dect}, ESPA 4.4.4 nurse calls ${n.espa444}, ESPA-X client ${n.espax})` : ' from handsets';

/** The ESPA-X client's account, as TOCSIN_ESPAX_CLIENTS gives it. */
export const DEMO_ESPAX_CLIENT = { client: 'NurseCall-Demo', user: 'nurse', password: 'demo-espax' } as const;
const LINE = 'ward3';
const HEARTBEAT_MS = 10_000;

/** Record 7 values the nurse-call system is told, as the demo prints them. */
const STATUS: Readonly<Record<string, string>> = {
  '1': 'busy',
  '2': 'in queue',
  '3': 'paged',
  '4': 'absent',
  '5': 'call terminated',
  '6': 'acknowledged by called party',
  '8': 'fault',
};
const FINAL = ['4', '5', '6'];

/** The beds that call, in turn: the ESPA 4.4.4 address and the text. */
const BEDS: readonly { readonly address: string; readonly text: string }[] = [
  { address: '201', text: 'Room 201 bed 1' },
  { address: '203', text: 'Room 203 bed 2' },
  { address: '205', text: 'Room 205 bed 1' },
  { address: '207', text: 'Room 207 bed 3' },
];
const PATIENTS: readonly { readonly room: string; readonly bed: string; readonly callingNo: string }[] = [
  { room: '12', bed: '2', callingNo: '3122' },
  { room: '14', bed: '1', callingNo: '3141' },
  { room: '16', bed: '3', callingNo: '3163' },
];

export interface EspaDemoOptions {
  /** How often the nurse-call system polls Tocsin, ms (real time). Default 500. */
  readonly pollMs?: number | undefined;
  /** A line for the demo's output, stamped with `at` (epoch ms; default now). */
  readonly say: (line: string, at?: number) => void;
}

export interface EspaDemo {
  readonly nurse: EspaStation;
  /** Once `connect` has run. */
  readonly espax: EspaxSimulator | undefined;
  /** TOCSIN_* variables for Tocsin's configuration. */
  readonly env: Readonly<Record<string, string>>;
  /** The header lines describing both interfaces. */
  intro(espaxPort: number): string[];
  /** Once Tocsin runs: waits for its ESPA 4.4.4 line and logs the ESPA-X client in. */
  connect(espaxPort: number, dataDir: string): Promise<void>;
  /** The nurse-call system places a call. */
  nurseCall(): void;
  /** The ESPA-X client starts a process. */
  startProcess(): void;
  /** A nurse call or a process, in turn. */
  next(): void;
  /** What the simulators received since the last call, as lines. */
  news(): { at: number; text: string }[];
  /** Every call and process so far has its final answer. */
  settled(): boolean;
  /** Stops the client and the nurse-call system. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the nurse-call system (listening on 127.0.0.1) and prepares the ESPA-X client. */
export async function startEspaDemo(o: EspaDemoOptions): Promise<EspaDemo> {
  const pollMs = o.pollMs ?? 500;
  // Real timers: its polls and ACK timeouts must not fire at once when the demo's scenario does.
  // A long ACK timeout: Tocsin ACKs a call once the alarm is recorded, which a busy machine delays.
  const nurse = nurseCallStation({ pollIntervalMs: pollMs, ackTimeoutMs: 10_000 });
  const { port: nursePort } = await nurse.start({ mode: 'server', port: 0, host: '127.0.0.1' });
  const run = randomBytes(2).toString('hex');
  let espax: EspaxSimulator | undefined;
  let calls = 0;
  let processes = 0;
  /** Addresses waiting for a final status; process references waiting for IND.P-ENDED. */
  const openCalls = new Set<string>();
  const openProcesses = new Set<string>();
  let nurseSeen = 0;
  let espaxSeen = 0;
  let turns = 0;
  /** Answers noted as they come, printed with the next `news` in time order with the alarms. */
  const noted: { at: number; text: string }[] = [];
  const note = (text: string) => noted.push({ at: Date.now(), text });
  let stopped: Promise<void> | undefined;

  const describeEspax = (r: Received): string | undefined => {
    const f = r.fields;
    const ref = f['CP-PR-REF'];
    const what = `${ref ?? '?'} (TAN ${f['SP-PR-TAN'] ?? '?'})`;
    switch (r.name) {
      case 'IND.P-STARTED':
        return `${what}: IND.P-STARTED`;
      case 'IND.P-EVENT':
        return `${what}: IND.P-EVENT ${f['SS-RESULT'] ?? '?'} (${f['SS-STATUS'] ?? '?'}) for ${f['SS-NETW-NAME'] ?? '?'} (${f['SS-NETW-NO'] ?? '?'})`;
      case 'IND.P-ENDED':
        if (ref) openProcesses.delete(ref);
        return `${what}: IND.P-ENDED ${f['SP-ENDREASON'] ?? '?'}, result ${f['SP-RESULT'] ?? '?'}`;
      default:
        return undefined;
    }
  };

  const demo: EspaDemo = {
    nurse,
    get espax() {
      return espax;
    },
    env: {
      TOCSIN_ESPA444_LINKS: JSON.stringify([
        { id: LINE, role: 'paging', connect: `127.0.0.1:${nursePort}`, rules: [{ alarmType: 'nurse-call' }] },
      ]),
      TOCSIN_ESPAX_PORT: '0',
      TOCSIN_ESPAX_HOST: '127.0.0.1',
      TOCSIN_ESPAX_TLS: 'on',
      TOCSIN_ESPAX_CLIENTS: JSON.stringify([DEMO_ESPAX_CLIENT]),
      TOCSIN_ESPAX_RULES: JSON.stringify([{ alarmType: 'nurse-call' }]),
    },
    intro: (espaxPort) => [
      `  ESPA 4.4.4: nurse-call system simulator on 127.0.0.1:${nursePort}; Tocsin dials it as paging system '2' ` +
        `(line ${LINE}), every call → alarm type nurse-call`,
      `  ESPA-X:   server on 127.0.0.1:${espaxPort} (TLS, self-signed certificate); client ${DEMO_ESPAX_CLIENT.client} ` +
        `logged in as ${DEMO_ESPAX_CLIENT.user} / ${DEMO_ESPAX_CLIENT.password}, heartbeat every ${HEARTBEAT_MS / 1000} s; ` +
        `P-START → alarm type nurse-call`,
    ],
    async connect(espaxPort, dataDir) {
      if (!nurse.connected) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          nurse.waitFor((e) => e.dir === 'conn' && e.what === 'connected'),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('Tocsin did not dial the nurse-call system')), 10_000);
          }),
        ]).finally(() => clearTimeout(timer));
      }
      const client = new EspaxSimulator({
        port: espaxPort,
        ...DEMO_ESPAX_CLIENT,
        clientSw: 'Tocsin demo',
        tls: { ca: readFileSync(selfSignedPaths(dataDir).cert, 'utf8'), servername: 'localhost' },
        heartbeatEveryMs: HEARTBEAT_MS,
        timers: {
          set: (ms, fn) => {
            const t = setTimeout(fn, ms);
            return () => clearTimeout(t);
          },
        },
        now: () => Date.now(),
      });
      espax = client;
      await client.connect();
      const login = await client.login();
      if (login.fields['RSP-CODE'] !== '200')
        throw new Error(`the ESPA-X login was refused (${login.fields['RSP-CODE'] ?? '?'})`);
      client.startHeartbeats();
      espaxSeen = client.received.length;
    },
    nurseCall() {
      const bed = BEDS[calls++ % BEDS.length]!;
      openCalls.add(bed.address);
      o.say(`ESPA 4.4.4 nurse call: ${bed.text} calls (address ${bed.address})`);
      void nurse.call(bed.address, bed.text).then((r) => {
        if (r.ok) return;
        openCalls.delete(bed.address);
        note(`ESPA 4.4.4 nurse call: the call for ${bed.address} was not taken (${r.answers.join(', ')})`);
      });
    },
    next() {
      if (turns++ % 2 === 0) demo.nurseCall();
      else demo.startProcess();
    },
    startProcess() {
      const client = espax;
      if (!client || client.isClosed) return;
      const p = PATIENTS[processes++ % PATIENTS.length]!;
      const ref = `r${p.room}-${run}-${processes}`;
      const text = `Patient call Room ${p.room} Bed ${p.bed}`;
      openProcesses.add(ref);
      o.say(`ESPA-X client: REQ.P-START ${ref} "${text}" from ${p.callingNo}`);
      client
        .pStart({
          'CP-PR-REF': ref,
          'CP-CALLINGNO': p.callingNo,
          'CP-TEXTMSG': text,
          'CP-SIGNAL': 'Urgent',
          'CP-WARD': 'Ward 3',
          'CP-BED': `${p.room}-${p.bed}`,
          'CP-PR-DETAILS': 'All',
        })
        .then(
          (rsp) => {
            const code = rsp.fields['RSP-CODE'] ?? '?';
            note(`ESPA-X client ← RSP.P-START ${code} for ${ref}, TAN ${rsp.fields['SP-PR-TAN'] ?? '-'}`);
            if (code !== '200') openProcesses.delete(ref);
          },
          (err: unknown) => {
            openProcesses.delete(ref);
            note(`ESPA-X client: P-START ${ref} failed: ${(err as Error).message}`);
          },
        );
    },
    news() {
      const now = Date.now();
      const heard = noted.splice(0);
      nurse.events.length = 0; // every poll adds to it; nothing here reads it
      for (const r of nurse.received.slice(nurseSeen)) {
        const address = r.block.records.find((x) => x.id === '1')?.value ?? '?';
        const status = r.block.records.find((x) => x.id === '7')?.value;
        if (r.block.header !== '2' || status === undefined) continue;
        if (FINAL.includes(status)) openCalls.delete(address);
        heard.push({
          at: now,
          text: `ESPA 4.4.4 nurse call ← status for ${address}: ${status} ${STATUS[status] ?? ''}`,
        });
      }
      nurseSeen = nurse.received.length;
      if (espax) {
        for (const r of espax.received.slice(espaxSeen)) {
          const text = describeEspax(r);
          if (text) heard.push({ at: now, text: `ESPA-X client ← ${text}` });
        }
        espaxSeen = espax.received.length;
      }
      return heard;
    },
    settled: () => openCalls.size === 0 && openProcesses.size === 0,
    stop() {
      stopped ??= (async () => {
        if (espax) {
          espax.drop();
          await espax.closed;
        }
        await nurse.stop();
      })();
      return stopped;
    },
  };
  return demo;
}
