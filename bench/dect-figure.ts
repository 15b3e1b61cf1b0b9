/**
 * Figure 5: the DECT channel end to end, as `tocsin start` builds it from TOCSIN_DECT_*, against
 * the OMM simulator over TLS (pinned certificate) on loopback. Alarms are raised open loop; each
 * notifies group A (two handsets, the users' phone numbers); one handset accepts at once, so
 * every alarm ends with an OrderOk from a handset.
 * - SendMessage: adapter.send() — ledger record (a database transaction) + SendMessage over TLS
 *   + SendMessageResp;
 * - raise → accepted: runtime.raise() issued → the handset's answer committed as the alarm's
 *   response (the runtime's respond() resolved), through notify, SendMessage, Delivered,
 *   OrderOk, the ledger and the runtime.
 */
import { X509Certificate } from 'node:crypto';
import type { DectAdapter } from '../adapters/dect/dect-adapter.ts';
import { OmmSimulator } from '../adapters/dect/dect-simulator.ts';
import type { Config } from '../src/app/config.ts';
import { startTocsin } from '../src/app/tocsin.ts';
import { SYSTEM } from '../src/runtime/auth-service.ts';
import { SystemClock } from '../src/scheduler/system-clock.ts';
import type { Cells, Params } from './figures.ts';
import { LONG_TYPE } from './modes.ts';
import { bounded, fmtInt, fmtP50P99 } from './stats.ts';

export async function dectFigures(config: Config, p: Params, cells: Cells, notes: string[]): Promise<void> {
  const sim = new OmmSimulator({
    handsets: [
      { ppn: 1, number: '4701', name: 'op-1', rfp: 1, behaviour: { kind: 'accept', afterMs: 0 } },
      { ppn: 2, number: '4702', name: 'op-2', rfp: 1, behaviour: { kind: 'silent' } },
      { ppn: 3, number: '4703', name: 'sup-1', rfp: 1, behaviour: { kind: 'silent' } },
    ],
    credentials: { username: 'bench', password: 'bench-axi' },
  });
  const started = await sim.start({ tls: true, port: 0, host: '127.0.0.1' });
  const tocsin = await startTocsin(
    {
      ...config,
      dect: {
        host: '127.0.0.1',
        port: started.port,
        tls: true,
        fingerprint: new X509Certificate(started.certificatePem!).fingerprint256,
        ca: undefined,
        username: 'bench',
        password: 'bench-axi',
        fromAddr: 'tel:9999',
        fromName: 'Bench',
        confirmElement: 'confirm',
        triggers: {},
        locations: {},
        messageRules: [],
        environment: 'default',
      },
    },
    { clock: new SystemClock() },
  );
  try {
    for (const [login, phone] of [
      ['op-1', '4701'],
      ['op-2', '4702'],
      ['sup-1', '4703'],
    ] as const) {
      await tocsin.auth.createUser(
        SYSTEM,
        { loginName: login, displayName: login, phone, userGroup: 'operator', environments: ['default'] },
        'bench-Passphrase-42',
      );
    }
    const adapter = tocsin.notifier as DectAdapter;
    await bounded(adapter.whenUp(), 20_000, 'the DECT link to come up');

    // Instruments on the instances (no source file is touched).
    const sends: number[] = [];
    const send = adapter.send.bind(adapter);
    adapter.send = async (n) => {
      const t0 = performance.now();
      try {
        return await send(n);
      } finally {
        sends.push(performance.now() - t0);
      }
    };
    const issued = new Map<string, number>();
    const e2e: number[] = [];
    let answered!: () => void;
    const allAnswered = new Promise<void>((resolve) => (answered = resolve));
    const runtime = tocsin.runtime;
    const respond = runtime.respond.bind(runtime);
    runtime.respond = async (alarmId, response, by, actor) => {
      await respond(alarmId, response, by, actor);
      const t0 = issued.get(alarmId);
      if (t0 !== undefined && actor.kind === 'device') {
        issued.delete(alarmId);
        e2e.push(performance.now() - t0);
        if (e2e.length === n) answered();
      }
    };

    const n = Math.max(10, Math.floor((p.rate * p.rateDurationMs) / 1000));
    const gapMs = 1000 / p.rate;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const wait = t0 + i * gapMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = `bench-dect-${i}`;
      issued.set(id, performance.now());
      runtime
        .raise(
          { type: LONG_TYPE, text: `bench ${i}`, source: { adapter: 'bench' }, id },
          { kind: 'system', id: 'bench' },
        )
        .catch((err: unknown) => notes.push(`dect raise ${i} failed: ${(err as Error).message}`));
    }
    await bounded(allAnswered, p.drainCapMs * 2, `${n} handset answers`).catch((err: unknown) =>
      notes.push(`dect: ${(err as Error).message} (${e2e.length} of ${n} answered)`),
    );
    const elapsed = (performance.now() - t0) / 1000;
    cells.set('f5.send', `${fmtP50P99(sends)} (${fmtInt(sends.length)} sends)`);
    cells.set('f5.e2e', `${fmtP50P99(e2e)} (${fmtInt(e2e.length)} of ${fmtInt(n)} alarms)`);
    cells.set('f5.rate', `${(sends.length / elapsed).toFixed(0)} /s over ${elapsed.toFixed(1)} s`);
  } finally {
    await tocsin.stop();
    await sim.stop();
  }
}
