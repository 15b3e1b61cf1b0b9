/**
 * The device interfaces of one Tocsin process, built from the configuration: the DECT link
 * (TOCSIN_DECT_*), the ESPA 4.4.4 lines (TOCSIN_ESPA444_LINKS) and the ESPA-X server
 * (TOCSIN_ESPAX_*). Part of the composition root.
 *
 * - **The notification channel:** the DECT link reaches users with a handset and `device:`
 *   handsets, the pager line reaches `device:pager-<address>`; with both, each recipient goes
 *   to the first that reaches it (RoutingNotifier). With neither, the loopback channel.
 * - **Cluster mode** (PostgreSQL): the links that must be open once (the DECT link, the ESPA
 *   4.4.4 lines) are held together by one node under the lease `device-links`. The others
 *   leave committed notifications for it (`mayRun`), and the holder runs them when the change
 *   feed announces a step. The ESPA-X server listens on every node: a client connects to one.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import type { Espa444Adapter } from '../../adapters/espa444/espa444-adapter.ts';
import type { EspaxAdapter } from '../../adapters/espax/espax-adapter.ts';
import { RoutingNotifier, type Route } from '../notify/routing-notifier.ts';
import type { AlarmIntake, AlarmWatch } from '../ports/alarm-intake.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../ports/directory.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import type { EffectRunner } from '../runtime/effect-runner.ts';
import { LeaseKeeper } from '../runtime/lease-keeper.ts';
import type { Logger, RuntimeObserver } from '../runtime/observer.ts';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';
import type { Config } from './config.ts';
import { createDectChannel, handsetAddress } from './dect-wiring.ts';
import { createEspa444Link, createEspaxServer, PAGER } from './espa-wiring.ts';
import { selfSignedCertificate } from './tls.ts';

export interface DevicesDeps {
  readonly config: Config;
  readonly store: KyselyAlarmStore;
  readonly directory: Directory;
  readonly runtime: () => AlarmRuntime | undefined;
  readonly intake: AlarmIntake;
  readonly watch: AlarmWatch;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer: RuntimeObserver;
  /** A notifier that replaces the configured channels (tests, the loopback default). */
  readonly override?: Notifier | undefined;
  /** The channel when no device channel is configured. */
  readonly fallback: () => Notifier;
}

export interface Devices {
  readonly notifier: Notifier;
  readonly dect: DectAdapter | undefined;
  readonly espa444: readonly Espa444Adapter[];
  readonly espax: EspaxAdapter | undefined;
  /** Whether this node may run notification effects now (cluster: it holds the links). */
  readonly mayRun: (() => boolean) | undefined;
  /** Opens the links (or starts competing for them) and the ESPA-X server. */
  start(effects: EffectRunner): Promise<void>;
  /** The ESPA-X server's port, once started. */
  espaxPort(): number | undefined;
  /** Cluster mode: the lease the links are held under, this node's holder id, and whether it holds it. */
  readonly lease: { readonly name: string; readonly holder: string; held(): boolean } | undefined;
  /** Whether the device links run on this node (cluster: while it holds the lease). */
  linksRunning(): boolean;
  /**
   * Stops the device links (DECT, ESPA 4.4.4) and opens them again; cluster: releases the lease
   * and asks for it again (another node may take it meanwhile). The ESPA-X server keeps running.
   */
  restartLinks(): Promise<void>;
  stop(): Promise<void>;
}

export function createDevices(d: DevicesDeps): Devices {
  const { config, store, logger } = d;
  const dect =
    !d.override && config.dect
      ? createDectChannel({
          config: config.dect,
          tls: config.tls.settings,
          store,
          directory: d.directory,
          runtime: d.runtime,
          clock: d.clock,
          logger,
          observer: d.observer,
        })
      : undefined;
  const espaWiring = {
    config: config.espa,
    store,
    directory: d.directory,
    runtime: d.runtime,
    intake: d.intake,
    watch: d.watch,
    clock: d.clock,
    logger,
    observer: d.observer,
  };
  const lines = config.espa.espa444.map((l) => ({ config: l, adapter: createEspa444Link(espaWiring, l) }));
  const pagerLine = d.override ? undefined : lines.find((l) => l.config.sendsPagers)?.adapter;

  const routes: Route[] = [];
  if (dect) routes.push({ notifier: dect, reaches: async (r) => (await handsetAddress(store, r)) !== undefined });
  if (pagerLine) routes.push({ notifier: pagerLine, reaches: (r) => PAGER.test(r) });
  // DECT alone stays the channel itself: its own answer says why a recipient has no handset.
  const notifier =
    d.override ?? (routes.length === 0 ? d.fallback() : !pagerLine && dect ? dect : new RoutingNotifier(routes));

  const links: { start(): unknown; stop(): Promise<void> }[] = [
    ...(dect ? [dect] : []),
    ...lines.map((l) => l.adapter),
  ];
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const lease =
    store.kind === 'postgres' && links.length > 0
      ? new LeaseKeeper({
          leases: store.leases,
          name: 'device-links',
          holder,
          clock: d.clock,
          logger,
          onAcquired: async () => {
            for (const l of links) await l.start();
          },
          onLost: async () => {
            for (const l of links) await l.stop();
          },
        })
      : undefined;

  let espax: EspaxAdapter | undefined;
  let espaxPort: number | undefined;
  let stopFeed: (() => Promise<void>) | undefined;
  let linksStarted = false;
  return {
    notifier,
    dect,
    espa444: lines.map((l) => l.adapter),
    get espax() {
      return espax;
    },
    mayRun: lease ? () => lease.held : undefined,
    espaxPort: () => espaxPort,
    lease: lease ? { name: 'device-links', holder, held: () => lease.held } : undefined,
    linksRunning: () => (lease ? lease.held : linksStarted),
    async restartLinks() {
      if (lease) {
        await lease.stop();
        await lease.start();
        return;
      }
      linksStarted = false;
      for (const l of links) await l.stop();
      for (const l of links) await l.start();
      linksStarted = true;
    },
    async start(effects) {
      if (config.espa.espax) {
        const certificate =
          config.espa.espax.tls && !config.tls.certificate
            ? await selfSignedCertificate(config.dataDir, logger)
            : config.tls.certificate;
        espax = createEspaxServer(espaWiring, { settings: config.tls.settings, certificate }, () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        );
        espaxPort = await espax?.start();
        logger.info({ port: espaxPort, tls: config.espa.espax.tls }, 'ESPA-X server listening');
      }
      if (lease) {
        const run = coalesced(() => effects.runPending().then(() => undefined));
        stopFeed = await store.listenChanges(() => {
          if (lease.held) run();
        });
        await lease.start();
      } else {
        for (const l of links) await l.start();
        linksStarted = true;
      }
    },
    async stop() {
      await stopFeed?.();
      await espax?.stop();
      if (lease) await lease.stop();
      linksStarted = false;
      for (const l of links) await l.stop();
    },
  };
}

/** Runs `fn` for a burst of calls: at most one run at a time, and one more if called meanwhile. */
function coalesced(fn: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    fn()
      .catch(() => {})
      .finally(() => {
        running = false;
        if (again) run();
      });
  };
  return run;
}
