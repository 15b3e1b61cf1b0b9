/**
 * Wires the ESPA interfaces (adapters/espa444, adapters/espax) into the running app, from
 * TOCSIN_ESPA444_LINKS and TOCSIN_ESPAX_* (espa-config.ts). Part of the composition root.
 *
 * - Calls in (an ESPA 4.4.4 control station, an ESPA-X client) raise and cancel alarms through
 *   the AlarmIntake, and follow them through the AlarmWatch to report back.
 * - The ESPA 4.4.4 line that sends to pagers is a notification channel for recipients
 *   `device:pager-<address>` (1–16 digits; a group member `{kind: 'device', id: 'pager-201'}`); its status reports become delivered, failed and
 *   accepted.
 * - Supervision: each line's events go through `linkSupervision` as `espa444-<id>`, the ESPA-X
 *   server's as `espax`, raising the `default` environment's supervision alarm type.
 */
import { Espa444Adapter, type Espa444Sink } from '../../adapters/espa444/espa444-adapter.ts';
import { EspaxAdapter } from '../../adapters/espax/espax-adapter.ts';
import type { AlarmIntake, AlarmWatch } from '../ports/alarm-intake.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../ports/directory.ts';
import type { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import type { Logger, RuntimeObserver } from '../runtime/observer.ts';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';
import type { EspaConfig, Espa444LinkConfig } from './espa-config.ts';
import { linkSupervision } from './link-supervision.ts';
import { tlsOptions, type ServerCertificate, type TlsSettings } from './tls.ts';

export interface EspaWiring {
  readonly config: EspaConfig;
  readonly store: KyselyAlarmStore;
  readonly directory: Directory;
  readonly runtime: () => AlarmRuntime | undefined;
  readonly intake: AlarmIntake;
  readonly watch: AlarmWatch;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly observer: RuntimeObserver;
}

/** `device:pager-<digits>` (a group member `{kind: 'device', id: 'pager-201'}`; also `pager:`) → the pager address. */
export const PAGER = /^device:pager[-:]([0-9]{1,16})$/;

const LOOPBACK = ['127.0.0.1', '::1'];

function mustRuntime(w: EspaWiring): () => AlarmRuntime {
  return () => {
    const r = w.runtime();
    if (!r) throw new Error('the runtime is not running yet');
    return r;
  };
}

const logTo =
  (logger: Logger, fields: Record<string, unknown>) =>
  (level: 'info' | 'warn', msg: string, more?: Record<string, unknown>) =>
    logger[level]({ ...fields, ...more }, msg);

export function createEspa444Link(w: EspaWiring, l: Espa444LinkConfig): Espa444Adapter {
  const runtime = mustRuntime(w);
  const sink: Espa444Sink = {
    delivered: async (alarmId, notificationId) => {
      await w.store.markNotification(alarmId, notificationId, { status: 'delivered', at: w.clock.now() });
    },
    failed: async (alarmId, notificationId, reason) => {
      await runtime().deliveryFailed(alarmId, notificationId, reason, false);
    },
    respond: (alarmId, response, by, device) =>
      runtime().respond(alarmId, response, by, { kind: 'device', id: device }),
    supervision: linkSupervision({
      link: `espa444-${l.id}`,
      title: `ESPA 4.4.4 line ${l.id}`,
      environment: 'default',
      directory: w.directory,
      runtime,
      clock: w.clock,
      logger: w.logger,
      observer: w.observer,
    }),
  };
  const tcp = l.connect
    ? { mode: 'client' as const, host: l.connect.host, port: l.connect.port }
    : { mode: 'server' as const, host: l.listen!.host, port: l.listen!.port, allowFrom: l.allowFrom ?? LOOPBACK };
  return new Espa444Adapter({
    linkId: l.id,
    channel: `espa444-${l.id}`,
    link: {
      role: l.role === 'paging' ? 'paging' : 'control',
      tcp,
      charset: l.charset,
      ...(l.maxTextChars !== undefined ? { maxTextChars: l.maxTextChars } : {}),
      link: {
        ...(l.ownAddress !== undefined ? { ownAddress: l.ownAddress } : {}),
        ...(l.peerAddress !== undefined ? { peerAddress: l.peerAddress } : {}),
        ...(l.ackTimeoutMs !== undefined ? { ackTimeoutMs: l.ackTimeoutMs } : {}),
        ...(l.retries !== undefined ? { retries: l.retries } : {}),
        ...(l.trafficTimeoutMs !== undefined ? { trafficTimeoutMs: l.trafficTimeoutMs } : {}),
        ...(l.pollIntervalMs !== undefined ? { pollIntervalMs: l.pollIntervalMs } : {}),
      },
    },
    now: () => w.clock.now(),
    log: logTo(w.logger, { link: `espa444-${l.id}` }),
    sink,
    intake: w.intake,
    watch: w.watch,
    rules: l.rules,
    ...(l.sendsPagers
      ? {
          ledger: w.store.deviceMessages,
          addressOf: (recipient: string) => PAGER.exec(recipient)?.[1],
          ...(l.beep !== undefined ? { beep: l.beep } : {}),
          ...(l.transmissions !== undefined ? { transmissions: l.transmissions } : {}),
        }
      : {}),
  });
}

export function createEspaxServer(
  w: EspaWiring,
  tls: { readonly settings: TlsSettings; readonly certificate: ServerCertificate | undefined },
  healthy: () => Promise<boolean>,
): EspaxAdapter | undefined {
  const c = w.config.espax;
  if (!c) return undefined;
  if (c.tls && !tls.certificate) throw new Error('the ESPA-X server needs the TLS certificate');
  if (!c.tls && !LOOPBACK.includes(c.host) && c.host !== 'localhost')
    w.logger.warn(
      { host: c.host, port: c.port },
      'ESPA-X without TLS on a network address: credentials travel in clear',
    );
  const runtime = mustRuntime(w);
  return new EspaxAdapter({
    server: {
      port: c.port,
      host: c.host,
      ...(c.tls && tls.certificate
        ? {
            tls: {
              ...tlsOptions(tls.settings),
              cert: tls.certificate.cert,
              key: tls.certificate.key.export({ type: 'pkcs8', format: 'pem' }),
            },
          }
        : {}),
      session: {
        serverName: 'Tocsin',
        ...(c.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: c.heartbeatTimeoutMs } : {}),
      },
    },
    credentials: c.clients,
    rules: c.rules,
    intake: w.intake,
    watch: w.watch,
    now: () => w.clock.now(),
    healthy,
    sink: {
      supervision: linkSupervision({
        link: 'espax',
        title: `ESPA-X server on port ${c.port}`,
        environment: 'default',
        directory: w.directory,
        runtime,
        clock: w.clock,
        logger: w.logger,
        observer: w.observer,
      }),
    },
    log: logTo(w.logger, { link: 'espax' }),
  });
}
