/**
 * The one composition root: builds every concrete object from the configuration and wires
 * them together. Embedded mode: PGlite + in-process scheduler. Cluster mode: PostgreSQL +
 * BullMQ on Redis (or PostgreSQL + in-process scheduler when no Redis is configured).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:net';
import pino from 'pino';
import type Koa from 'koa';
import type { Directory } from '../ports/directory.ts';
import { StoreDirectory } from '../runtime/directory-view.ts';
import type { Clock } from '../ports/clock.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import { createApp } from '../http/app.ts';
import { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import { EffectRunner } from '../runtime/effect-runner.ts';
import type { Logger } from '../runtime/observer.ts';
import { PlanCatalog } from '../runtime/plan-catalog.ts';
import { PlanTools } from '../runtime/plan-tools.ts';
import { ConfigService } from '../runtime/config-service.ts';
import { AuthService } from '../runtime/auth-service.ts';
import { pseudonymiser, type Pseudonymise } from '../runtime/pseudonyms.ts';
import type { ScryptParams } from '../runtime/passwords.ts';
import { Reconciler } from '../runtime/reconciler.ts';
import { LoopbackNotifier } from '../notify/loopback-notifier.ts';
import { BullMqScheduler } from '../scheduler/bullmq-scheduler.ts';
import { InProcessScheduler } from '../scheduler/in-process-scheduler.ts';
import { SystemClock } from '../scheduler/system-clock.ts';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';
import { createPgliteStore } from '../store/pglite-store.ts';
import { createPostgresStore } from '../store/pg-store.ts';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import { defaultFileConfig, type Config } from './config.ts';
import { applyFile, checkFile } from './config-seed.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { migrateAndRecord, TOCSIN_VERSION } from './migrate.ts';
import { createMetrics } from './metrics.ts';
import { createDevices, type Devices } from './devices.ts';
import { participantDescriber } from './participants.ts';
import { StoreAlarmWatch } from '../runtime/alarm-watch.ts';
import { RuntimeIntake } from '../runtime/device-intake.ts';
import type { AlarmIntake } from '../ports/alarm-intake.ts';
import { DECT_BANDS, isDectBand } from '../../adapters/dect/dect-band.ts';
import { openServers } from './tls.ts';
import { LinkHistory } from './link-history.ts';
import { createSystemControl, type RestartRequest } from './system-control.ts';

export interface TocsinOverrides {
  readonly clock?: Clock;
  readonly notifier?: Notifier;
  readonly logger?: Logger;
  readonly store?: KyselyAlarmStore;
  readonly scheduler?: Scheduler;
  /** Password hash cost (tests lower it to the least a stored hash may have). */
  readonly scrypt?: ScryptParams;
  /**
   * The process host's restart, called once after a server restart asked through the API has
   * stopped Tocsin (`tocsin start` exits with RESTART_EXIT_CODE). Absent: such a restart is refused.
   */
  readonly restart?: (r: RestartRequest) => void;
}

export interface Tocsin {
  readonly config: Config;
  readonly app: Koa;
  readonly runtime: AlarmRuntime;
  readonly store: KyselyAlarmStore;
  readonly scheduler: Scheduler;
  readonly reconciler: Reconciler;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly auth: AuthService;
  /** Follows alarms for the device interfaces that raised them (the store's change feed). */
  readonly watch: StoreAlarmWatch;
  /** How device interfaces raise and cancel alarms. */
  readonly intake: AlarmIntake;
  /** The device interfaces (DECT, ESPA 4.4.4, ESPA-X). */
  readonly devices: Devices;
  /** Opens the HTTP port; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, finishes running steps, closes connections and releases the data dir. */
  stop(): Promise<void>;
}

/** Builds and starts Tocsin (migrations, built-in plans, scheduler, first reconcile). */
export async function startTocsin(config: Config, o: TocsinOverrides = {}): Promise<Tocsin> {
  const logger: Logger = o.logger ?? pino({ level: config.logLevel, base: { service: 'tocsin' } });
  const clock = o.clock ?? new SystemClock();
  let releaseLock: (() => void) | undefined;
  let store = o.store;
  if (!store) {
    if (config.databaseUrl) {
      store = createPostgresStore({ url: config.databaseUrl, ...(config.dbSchema ? { schema: config.dbSchema } : {}) });
    } else {
      releaseLock = await lockDataDir(config.dataDir);
      store = await createPgliteStore({ dataDir: join(config.dataDir, 'pglite'), fsync: config.embeddedFsync });
    }
  }
  const directory: Directory = new StoreDirectory(store.config);
  const accessLog = store.accessLog;
  // Pseudonyms (issue 4, item 10): the key is read once the migrations have run, below.
  const pseudonymRef: { current?: Pseudonymise } = {};
  const alarmStore = store;
  const auth = new AuthService({
    store: store.identity,
    clock,
    personalData: {
      pseudonymise: (v) => {
        if (!pseudonymRef.current) throw new Error('the pseudonym key is not loaded yet');
        return pseudonymRef.current(v);
      },
      erase: (pairs, at) => alarmStore.erasePersonalValues(pairs, at),
    },
    ...(o.scrypt ? { scrypt: o.scrypt } : {}),
    onAudit: async (e) => {
      await accessLog.append({ at: clock.now(), ...e });
    },
  });
  /** Server start and stop in the access log (`maintenance.restart`). */
  const recordRestart = (phase: 'start' | 'stop') =>
    accessLog.append({
      at: clock.now(),
      actor: 'system',
      action: 'maintenance.restart',
      outcome: 'success',
      details: { phase, mode: config.mode, version: TOCSIN_VERSION },
    });
  try {
    await migrateAndRecord(store, { at: () => clock.now(), via: 'start' });
    // The first node to start stores its random key; every node uses the stored one.
    pseudonymRef.current = pseudonymiser(await store.pseudonymKey(randomBytes(32).toString('base64url')));
    for (const p of builtinPlans) await store.putPlan(p.ref, p.definition, clock.now());
    // First start: the permission groups and `admin` / `admin`, which must change its password.
    await auth.bootstrap();
    checkFile(config);
    // The built-in default only seeds an empty configuration; a given file is applied at every start.
    await applyFile(
      store.config,
      store,
      config,
      { actor: config.configPath ? `file:${config.configPath}` : 'config', at: clock.now() },
      config.file === defaultFileConfig ? 'seed' : 'apply',
    );
    await recordRestart('start');
  } catch (err) {
    await store.close().catch(() => {});
    releaseLock?.();
    throw err;
  }
  const scheduler =
    o.scheduler ??
    (config.redisUrl
      ? new BullMqScheduler({ redisUrl: config.redisUrl, prefix: config.queuePrefix, clock, logger })
      : new InProcessScheduler({ clock, logger }));

  const runtimeRef: { current?: AlarmRuntime } = {};
  const journal =
    config.loopbackJournal ?? (config.databaseUrl ? undefined : join(config.dataDir, 'loopback-journal.jsonl'));
  if (journal) mkdirSync(join(journal, '..'), { recursive: true });
  const metrics = createMetrics(store, scheduler);
  const linkNames = [
    ...(config.dect ? ['dect'] : []),
    ...config.espa.espa444.map((l) => `espa444-${l.id}`),
    ...(config.espa.espax ? ['espax'] : []),
  ];
  const history = new LinkHistory(linkNames, clock);
  const startedAt = clock.now();
  const watch = new StoreAlarmWatch({ store, feed: store, describe: participantDescriber(store), logger });
  const intake = new RuntimeIntake(() => {
    if (!runtimeRef.current) throw new Error('the runtime is not running yet');
    return runtimeRef.current;
  });
  // The device channels (DECT, ESPA) when configured; else the loopback channel.
  const devices = createDevices({
    config,
    store,
    directory,
    runtime: () => runtimeRef.current,
    intake,
    watch,
    clock,
    logger,
    observer: history.observing(metrics.observer),
    override: o.notifier,
    fallback: () =>
      new LoopbackNotifier({
        clock,
        journalPath: journal,
        autoRespond: config.file.autoRespond,
        respond: async (alarmId, who, response) => {
          await runtimeRef.current?.respond(alarmId, response, who, { kind: 'device', id: `loopback:${who}` });
        },
      }),
  });
  const { notifier, dect } = devices;
  const effects = new EffectRunner({
    store,
    notifier,
    clock,
    observer: metrics.observer,
    logger,
    leaseMs: 30_000,
    maxAttempts: 10,
    mayReceive: (recipient) => auth.mayReceiveNotifications(recipient),
    ...(devices.mayRun ? { mayRun: devices.mayRun } : {}),
    onDeliveryFailed: async (alarmId, notificationId, reason, retryable) => {
      await runtimeRef.current?.deliveryFailed(alarmId, notificationId, reason, retryable);
    },
    onForward: async (fromAlarmId, p) => {
      const runtime = runtimeRef.current;
      if (!runtime) return { ok: false, reason: 'the runtime is not running' };
      return runtime.forwardRaise(fromAlarmId, p);
    },
  });
  const plans = new PlanCatalog(store);
  const runtime = new AlarmRuntime({
    store,
    scheduler,
    clock,
    directory,
    plans,
    effects,
    observer: metrics.observer,
    logger,
    channel: notifier.channel,
    pseudonymise: pseudonymRef.current!,
  });
  runtimeRef.current = runtime;
  const reconciler = new Reconciler({
    store,
    scheduler,
    runtime,
    effects,
    clock,
    logger,
    intervalMs: config.reconcileIntervalMs,
  });
  await scheduler.start((t) => runtime.fireTimer(t, 'scheduler').then(() => undefined));
  const report = await reconciler.start();
  await watch.start();
  history.started();
  await devices.start(effects);
  // Ended sessions are refused at once; this only removes their rows (every 5 minutes).
  const purge = setInterval(() => {
    auth.purgeExpiredSessions().catch((err: unknown) => logger.warn({ err }, 'could not purge expired sessions'));
  }, 300_000);
  purge.unref();
  logger.info({ mode: config.mode, store: store.kind, scheduler: scheduler.kind, ...report }, 'tocsin started');

  const planTools = new PlanTools(directory);
  const configService = new ConfigService({
    config: store.config,
    plans: store,
    catalog: plans,
    clock,
    onPresence: async (group, member, present, actor) => {
      await runtime.presenceChanged(group, member, present, { kind: 'user', id: actor });
    },
  });
  const stopRef: { current?: () => Promise<void> } = {};
  const system = createSystemControl({
    config,
    devices,
    store,
    scheduler,
    notifierChannel: notifier.channel,
    registry: metrics.registry,
    history,
    clock,
    logger,
    startedAt,
    stop: () => stopRef.current?.() ?? Promise.resolve(),
    restart: o.restart,
  });
  const app = createApp({
    system,
    runtime,
    store,
    scheduler,
    logger,
    metrics: () => metrics.scrape(),
    planTools,
    configService,
    clock,
    tls: config.tls.enabled,
    feed: store,
    auth,
    accessLog,
    ...(dect && config.dect
      ? {
          phones: {
            environment: config.dect.environment,
            linkUp: () => dect.transport.phase === 'up',
            list: () => dect.phones(),
            locatingAlert: (number: string, text: string) => dect.locatingAlert(number, text),
            position: (number: string) => dect.position(number),
            bands: Object.keys(DECT_BANDS),
            band: (switchTo?: string) =>
              switchTo === undefined || isDectBand(switchTo)
                ? dect.dectBand(switchTo)
                : Promise.resolve({ ok: false as const, retryable: false, reason: `unknown DECT band '${switchTo}'` }),
          },
        }
      : {}),
  });
  let servers: readonly Server[] = [];
  const s = store;
  const tocsin: Tocsin = {
    config,
    app,
    runtime,
    store: s,
    scheduler,
    reconciler,
    auth,
    notifier,
    clock,
    watch,
    intake,
    devices,
    listen: async () => {
      const open = await openServers(config, app.callback(), logger);
      servers = open.servers;
      return open.address;
    },
    stop: () => stopRef.current!(),
  };
  /** Idempotent: a second call (a signal during a restart) waits for the first. */
  let stopping: Promise<void> | undefined;
  stopRef.current = () => (stopping ??= stopAll());
  return tocsin;

  async function stopAll(): Promise<void> {
    clearInterval(purge);
    await Promise.all(servers.map((srv) => closeServer(srv)));
    await reconciler.stop();
    await devices.stop();
    await runtime.drain();
    await watch.stop();
    await scheduler.stop();
    // Not rethrown: the store must still be closed and the data dir released.
    await recordRestart('stop').catch((err: unknown) =>
      logger.error({ err }, 'could not record the stop in the access log'),
    );
    await s.close();
    releaseLock?.();
  }
}

/**
 * Stops accepting and waits for the requests in flight; connections that stay open (a live
 * board's event stream, an idle keep-alive) are closed after 5 s at the latest.
 */
function closeServer(srv: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const http = srv as Server & { closeIdleConnections?: () => void; closeAllConnections?: () => void };
    const force = setTimeout(() => http.closeAllConnections?.(), 5_000);
    force.unref();
    srv.close(() => {
      clearTimeout(force);
      resolve();
    });
    http.closeIdleConnections?.();
  });
}
