/**
 * `tocsin demo` (`npm run demo`; its options and help text are in cli.ts): Tocsin in embedded
 * mode against the OMM simulator (adapters/dect/dect-simulator.ts), with a sample
 * configuration and four crew members whose handsets answer as scripted, so a new user sees
 * alarms flow without any hardware:
 *
 * - Ben (4712) is group A and rejects after 3 s, so every alarm escalates at once to group B:
 *   Anna (4711) accepts after 8 s, Carla's handset (4713) is switched off (the notification
 *   fails), David (4714) never answers (his message is withdrawn once Anna accepts).
 * - Every `every` seconds an alarm comes in, in turn from a handset (its emergency key or
 *   man-down), a nurse call over ESPA 4.4.4 and a process an ESPA-X client starts (demo-espa.ts:
 *   both simulators, and what they are told back; `espa: false` leaves them out).
 *
 * What is printed is read back from Tocsin's store (alarms, their protocol steps and their
 * notifications), polled a few times a second: the same data `GET /api/v1/alarms/{id}` shows.
 * The DECT link is configured as TOCSIN_DECT_* would configure it, with the simulator's
 * certificate pinned. The crew, the configuration and the wording: demo-scenario.ts.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import type { SimSchedule } from '../../adapters/dect/dect-simulator-links.ts';
import { PERMISSION_IDS } from '../domain/permissions.ts';
import { TocsinError } from '../domain/errors.ts';
import { SYSTEM } from '../runtime/auth-service.ts';
import { pseudonymsIn, resolveDeep } from '../runtime/pseudonyms.ts';
import type { ScryptParams } from '../runtime/passwords.ts';
import { ConfigError, loadConfig, parseFileConfig } from './config.ts';
import { INTERFACES, raisedBy, startEspaDemo, type EspaDemo } from './demo-espa.ts';
import { COUNTED, DEMO_CONFIG, DEMO_CREW, describe, SCENARIO, STATES } from './demo-scenario.ts';
import { startTocsin, type Tocsin } from './tocsin.ts';

export interface DemoOptions {
  /** HTTP port on 127.0.0.1 (0: any free one). Default 8080. */
  readonly port?: number;
  /** Seconds between two alarms (from a handset, a nurse call, an ESPA-X client, in turn). Default 15. */
  readonly every?: number;
  /** Stop after this many seconds (real time). Default: never. */
  readonly duration?: number;
  /** Raise this many alarms, then stop once all of them have ended (and were reported back). Default: no limit. */
  readonly count?: number;
  /** The data directory; default a fresh temporary one, removed at stop. */
  readonly dataDir?: string;
  /** Where the readable lines go (without newline). Default stdout. */
  readonly out?: (line: string) => void;
  /** The timer for the scenario and the handsets' scripted delays (tests run them at once). Default setTimeout. */
  readonly schedule?: SimSchedule;
  /** How often the store is read for news, in ms (real time). Default 250. */
  readonly pollMs?: number;
  /** The ESPA 4.4.4 nurse-call system and the ESPA-X client (`--no-espa`: false). Default true. */
  readonly espa?: boolean;
  /** How often the nurse-call system polls Tocsin, in ms (real time). Default 500. */
  readonly espaPollMs?: number;
  /** pino level; default TOCSIN_LOG_LEVEL or `error`. */
  readonly logLevel?: string;
  /** Password hash cost (tests lower it). */
  readonly scrypt?: ScryptParams;
}

export interface DemoSummary {
  /** Alarms raised by the simulated devices (not supervision alarms), and by interface. */
  readonly raised: number;
  readonly from: { readonly dect: number; readonly espa444: number; readonly espax: number };
  readonly ended: number;
  /** Notifications by final status, as seen. */
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly withdrawn: number;
  readonly delivered: number;
}

export interface Demo {
  readonly url: string;
  readonly dataDir: string;
  readonly adminPassword: string;
  readonly token: string;
  readonly tocsin: Tocsin;
  readonly simulator: OmmSimulator;
  /** The nurse-call system and the ESPA-X client; undefined with `espa: false`. */
  readonly espa: EspaDemo | undefined;
  /** Resolves once the demo has stopped (duration, count, or stop()), with what it saw. */
  readonly done: Promise<DemoSummary>;
  /** Stops the scenario, Tocsin and the simulator; removes a temporary data dir. Idempotent. */
  stop(): Promise<DemoSummary>;
}

const realSchedule: SimSchedule = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

const secret = (): string => `Demo-${randomBytes(12).toString('base64url')}`;

/** Starts the simulator and Tocsin, creates the crew, and runs the scenario until stopped. */
export async function startDemo(o: DemoOptions = {}): Promise<Demo> {
  const out = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const schedule = o.schedule ?? realSchedule;
  let t0 = Date.now();
  /** A line stamped with the seconds since the scenario began. */
  const say = (line: string, at = Date.now()) => out(`[${((at - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  const label = (login: string) => {
    const c = DEMO_CREW.find((m) => m.login === login);
    return c ? `${c.name} (${c.number})` : login;
  };

  out('Tocsin demo: starting (the database is initialised first, which takes a few seconds)');
  const sim = new OmmSimulator({
    handsets: DEMO_CREW.map((c) => ({ ppn: c.ppn, number: c.number, name: c.name, rfp: 10, behaviour: c.behaviour })),
    schedule,
    credentials: { username: 'tocsin', password: 'demo-axi' },
  });
  const { port: simPort, certificatePem } = await sim.start({ tls: true, port: 0, host: '127.0.0.1' });
  let espa: EspaDemo | undefined;
  const temp = o.dataDir === undefined;
  const dataDir = o.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'tocsin-demo-')) : resolve(o.dataDir);
  const cleanup = async () => {
    await espa?.stop();
    await sim.stop();
    if (temp) rmSync(dataDir, { recursive: true, force: true });
  };

  let tocsin: Tocsin;
  try {
    if (o.espa !== false) espa = await startEspaDemo({ say, pollMs: o.espaPollMs });
    const config = {
      ...loadConfig({
        TOCSIN_DATA_DIR: dataDir,
        TOCSIN_HTTP_HOST: '127.0.0.1',
        TOCSIN_HTTP_PORT: String(o.port ?? 8080),
        TOCSIN_LOG_LEVEL: o.logLevel ?? process.env.TOCSIN_LOG_LEVEL ?? 'error',
        TOCSIN_EMBEDDED_FSYNC: 'off',
        TOCSIN_DECT_HOST: '127.0.0.1',
        TOCSIN_DECT_PORT: String(simPort),
        TOCSIN_DECT_FINGERPRINT: new X509Certificate(certificatePem!).fingerprint256,
        TOCSIN_DECT_USER: 'tocsin',
        TOCSIN_DECT_PASSWORD: 'demo-axi',
        ...espa?.env,
      }),
      file: parseFileConfig(DEMO_CONFIG),
    };
    tocsin = await startTocsin(config, o.scrypt ? { scrypt: o.scrypt } : {});
  } catch (err) {
    await cleanup();
    throw err;
  }

  let url = '';
  let adminPassword = '';
  let token = '';
  try {
    for (const c of DEMO_CREW) {
      if (await tocsin.store.identity.findUserByLoginKey(c.login)) continue; // a kept --data-dir
      await tocsin.auth.createUser(
        SYSTEM,
        {
          loginName: c.login,
          displayName: c.name,
          phone: c.number,
          userGroup: 'operator',
          environments: ['default'],
        },
        secret(),
      );
    }
    const admin = await tocsin.store.identity.findUserByLoginKey('admin');
    if (!admin) throw new TocsinError('not-found', 'no built-in admin');
    adminPassword = secret();
    await tocsin.auth.setPassword(SYSTEM, admin.id, adminPassword, { mustChangePassword: false });
    token = (
      await tocsin.auth.issueToken(admin.id, {
        name: `demo-${randomBytes(4).toString('hex')}`,
        permissions: [...PERMISSION_IDS],
        environments: admin.environments,
      })
    ).token;
    const addr = await tocsin.listen();
    url = `http://${addr.host}:${addr.port}`;
    await (tocsin.devices.dect as DectAdapter).whenUp();
    await espa?.connect(tocsin.devices.espaxPort()!, dataDir);
  } catch (err) {
    await tocsin.stop().catch(() => {});
    await cleanup();
    throw err;
  }

  t0 = Date.now();
  out(`Tocsin demo: ${url}  (OMM simulator on 127.0.0.1:${simPort}, TLS, pinned certificate; data in ${dataDir})`);
  out(`  log in:  admin / ${adminPassword}   (POST ${url}/api/v1/auth/login)`);
  out(`  curl:    curl -s ${url}/api/v1/alarms -H 'authorization: Bearer ${token}'`);
  out(`  crew:    ${DEMO_CREW.map((c) => `${c.login} ${c.number} ${c.role}`).join('; ')}`);
  out(`  plan:    escalate@1: group A (ben) first, then group B (anna, carla, david)`);
  for (const l of espa?.intro(tocsin.devices.espaxPort()!) ?? []) out(l);
  out(
    `  scenario: an alarm every ${o.every ?? 15} s, ` +
      `${espa ? 'in turn from a DECT handset, the ESPA 4.4.4 nurse-call system and the ESPA-X client' : 'from a DECT handset'}` +
      `${o.count !== undefined ? `, ${o.count} in all` : ''}` +
      `${o.duration !== undefined ? `, for ${o.duration} s` : ''}; Ctrl-C stops`,
  );

  // ---- what happens: read back from the store -----------------------------------------------
  const counts = { ended: 0, accepted: 0, rejected: 0, failed: 0, withdrawn: 0, delivered: 0 };
  const from = { dect: 0, espa444: 0, espax: 0 };
  const seen = new Map<string, { seq: number; ended: boolean; counted: boolean; notes: Map<string, string> }>();
  // Alarms of an earlier run in a kept --data-dir are neither shown nor counted.
  for (const a of await tocsin.store.listAlarms({ limit: 200 }))
    seen.set(a.facts.id, { seq: a.seq, ended: true, counted: false, notes: new Map() });
  const watch = async () => {
    const alarms = await tocsin.store.listAlarms({ limit: 200 });
    // Each line at the time it happened (protocol step, notification change), in that order.
    const lines: { at: number; text: string }[] = espa?.news() ?? [];
    const at = (t: number | null | undefined, fallback: number) => t ?? fallback;
    for (const a of [...alarms].reverse()) {
      let s = seen.get(a.facts.id);
      if (!s) {
        const adapter = a.facts.source?.adapter ?? '';
        s = { seq: 0, ended: false, counted: Object.hasOwn(from, adapter), notes: new Map() };
        seen.set(a.facts.id, s);
        if (s.counted) from[adapter as keyof typeof from]++;
      }
      if (s.ended) continue;
      const notifications = await tocsin.store.listNotifications(a.facts.id);
      if (a.seq !== s.seq) {
        // Protocol entries hold pseudonyms only; resolved as GET /api/v1/alarms/{id}/protocol does.
        const fresh = (await tocsin.store.listProtocol(a.facts.id)).filter((e) => e.seq > s!.seq);
        const names = await tocsin.store.resolvePseudonyms(pseudonymsIn(fresh));
        for (const e of resolveDeep(fresh, names)) {
          const ev = (e.event ?? {}) as { type?: string; notificationId?: string; status?: string; reason?: string };
          if (e.kind === 'raised') {
            const by = `${INTERFACES[a.facts.source?.adapter ?? ''] ?? a.facts.source?.adapter} ${a.facts.source?.device}`;
            lines.push({
              at: e.at,
              text: `alarm ${a.facts.id} raised (${a.facts.type}): "${a.facts.text}" from ${by}`,
            });
          } else if (ev.type === 'DELIVERY' && ev.status === 'failed') {
            const n = notifications.find((x) => x.notificationId === ev.notificationId);
            counts.failed++;
            const who = n ? label(n.recipient) : ev.notificationId;
            lines.push({ at: e.at, text: `  ${who}: delivery failed (${ev.reason ?? 'no reason'})` });
          } else if (e.fromState !== e.toState) {
            lines.push({ at: e.at, text: `alarm ${a.facts.id}: ${STATES[e.toState] ?? e.toState}` });
          }
        }
        s.seq = a.seq;
      }
      for (const n of notifications) {
        if (s.notes.get(n.notificationId) === n.status) continue;
        s.notes.set(n.notificationId, n.status);
        if ((COUNTED as readonly string[]).includes(n.status)) counts[n.status as (typeof COUNTED)[number]]++;
        const when =
          n.status === 'accepted' || n.status === 'rejected'
            ? n.respondedAt
            : n.status === 'delivered'
              ? n.deliveredAt
              : n.status === 'sent'
                ? n.sentAt
                : n.status === 'pending'
                  ? n.createdAt
                  : a.updatedAt;
        const text = `  ${label(n.recipient)}, group ${n.group}: ${describe(n.status, n.error)}`;
        lines.push({ at: at(when, a.updatedAt), text });
      }
      if (a.status === 'ended') {
        s.ended = true;
        if (s.counted) counts.ended++;
        const end = at(a.endedAt, a.updatedAt);
        const took = ((end - a.facts.raisedAt) / 1000).toFixed(1);
        lines.push({
          at: end,
          text: `alarm ${a.facts.id} ended (${STATES[a.state] ?? a.state}) ${took} s after it was raised`,
        });
      }
    }
    // A stable sort: lines of the same instant keep their order.
    for (const l of lines.sort((x, y) => x.at - y.at)) say(l.text, l.at);
  };

  // ---- the scenario and the stop ------------------------------------------------------------
  let stopping: Promise<DemoSummary> | undefined;
  let finish: (s: DemoSummary) => void = () => {};
  const done = new Promise<DemoSummary>((r) => (finish = r));
  let cancelNext: (() => void) | undefined;
  let pressed = 0;
  let handsetAlarms = 0;
  const press = () => {
    cancelNext = undefined;
    if (stopping || (o.count !== undefined && pressed >= o.count)) return;
    const turn = pressed++; // with ESPA: a handset, then a nurse call or an ESPA-X process, twice
    if (espa && turn % 3 > 0) espa.next();
    else {
      const step = SCENARIO[handsetAlarms++ % SCENARIO.length]!;
      const h = sim.handset(step.ppn);
      const how = step.how === 'emergency' ? 'presses the emergency key' : 'falls: man-down';
      say(`DECT handset: ${h.name} (${h.number}) ${how}`);
      if (step.how === 'emergency') sim.pressEmergency(step.ppn);
      else sim.manDown(step.ppn);
    }
    if (o.count === undefined || pressed < o.count) cancelNext = schedule((o.every ?? 15) * 1000, press);
  };
  let polling = false;
  let lastError = '';
  const poll = setInterval(() => {
    if (polling || stopping) return;
    polling = true;
    watch()
      .then(() => {
        const settled = espa?.settled() ?? true;
        if (o.count !== undefined && pressed >= o.count && counts.ended >= o.count && settled) void stop();
      })
      .catch((err: unknown) => {
        const msg = `could not read the alarms: ${(err as Error).message}`;
        if (msg !== lastError) say(msg);
        lastError = msg;
      })
      .finally(() => (polling = false));
  }, o.pollMs ?? 250);
  const timeLimit = o.duration !== undefined ? setTimeout(() => void stop(), o.duration * 1000) : undefined;

  const stop = (): Promise<DemoSummary> => {
    stopping ??= (async () => {
      cancelNext?.();
      clearInterval(poll);
      if (timeLimit) clearTimeout(timeLimit);
      while (polling) await new Promise<void>((r) => setImmediate(r));
      await watch().catch(() => {});
      await tocsin.stop();
      await cleanup();
      const summary = { raised: from.dect + from.espa444 + from.espax, ...counts, from: { ...from } };
      out(
        `Tocsin demo stopped: ${summary.raised} alarms raised${raisedBy(from, espa !== undefined)}, ${summary.ended} ended; ` +
          `notifications: ${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.failed} failed, ` +
          `${summary.withdrawn} withdrawn`,
      );
      finish(summary);
      return summary;
    })();
    return stopping;
  };
  press();
  return { url, dataDir, adminPassword, token, tocsin, simulator: sim, espa, done, stop };
}

/** `tocsin demo` with parsed options: runs until the duration, the count or SIGINT/SIGTERM; the exit code. */
export async function runDemo(o: DemoOptions): Promise<number> {
  let signalled: string | undefined;
  let onSignal: (signal: string) => void = (signal) => (signalled = signal);
  const handler = (signal: string) => onSignal(signal);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    let demo: Demo;
    try {
      demo = await startDemo(o);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`tocsin demo: ${err.message}\n`);
        return 2;
      }
      process.stderr.write(`tocsin demo: could not start: ${(err as Error).message}\n`);
      return 1;
    }
    onSignal = (signal) => {
      process.stdout.write(`tocsin demo: ${signal}, stopping\n`);
      void demo.stop();
    };
    if (signalled) onSignal(signalled);
    await demo.done;
    return 0;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
