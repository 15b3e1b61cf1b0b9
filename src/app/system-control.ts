/**
 * The SystemControl port (src/ports/system-control.ts) over the running app: the interface
 * status read from the adapters (the DECT link's phase and phones list, each ESPA 4.4.4 line's
 * transport, the ESPA-X server), the device-link lease, the store, scheduler and change feed;
 * the monitor digest read from the prom-client registry that /metrics serves; and the restarts.
 * Part of the composition root.
 *
 * Restarts, one at a time (a second one while one runs is refused as `busy`):
 * - `interfaces`: Devices.restartLinks() — the device links close and open again in this
 *   process; alarms, timers and the API keep running.
 * - `server`: only with a process host (`restart` hook: `tocsin start` exits with
 *   RESTART_EXIT_CODE so systemd or Docker starts it again). `go()` stops Tocsin gracefully
 *   (servers closed, steps drained, lease released, store closed) and then calls the hook once,
 *   even when stopping failed (logged): a half-stopped process must still be replaced.
 */
import type { Registry } from 'prom-client';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { LinkLeases } from '../ports/link-lease.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type {
  Histogram,
  InterfaceState,
  InterfaceStatus,
  InterfacesReport,
  MonitorDigest,
  RestartOutcome,
  RestartScope,
  SupervisedInterface,
  SystemControl,
} from '../ports/system-control.ts';
import type { Logger } from '../runtime/observer.ts';
import type { Config } from './config.ts';
import type { Devices } from './devices.ts';
import type { LinkHistory } from './link-history.ts';

/** The exit code of `tocsin start` after a restart asked through the API (EX_TEMPFAIL). */
export const RESTART_EXIT_CODE = 75;

/** Who asked for a server restart, and why (what the process host's hook receives). */
export interface RestartRequest {
  readonly actor: string;
  readonly reason: string;
}

export interface SystemControlDeps {
  readonly config: Config;
  readonly devices: Devices;
  readonly store: Pick<AlarmStore, 'ping'> & { readonly kind: 'postgres' | 'pglite'; readonly leases: LinkLeases };
  readonly scheduler: Scheduler;
  readonly notifierChannel: string;
  readonly registry: Registry;
  readonly history: LinkHistory;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** Epoch ms the app started (the ESPA-X server's and the store's `since`). */
  readonly startedAt: number;
  /** Stops the whole app gracefully (Tocsin.stop). */
  readonly stop: () => Promise<void>;
  /** The process host's restart; absent: a server restart is refused. */
  readonly restart: ((r: RestartRequest) => void) | undefined;
}

const DECT_LINK_EVENTS = ['link-down', 'link-up', 'login-refused', 'subscription-refused'];
const HANDSET_EVENTS = ['switched-off', 'out-of-range', 'back'];
const ESPA444_EVENTS = ['link-down', 'link-up', 'repeated-naks'];
const ESPAX_EVENTS = ['link-down', 'link-up', 'heartbeat-missed', 'login-refused'];

export function createSystemControl(d: SystemControlDeps): SystemControl {
  let restarting: RestartScope | undefined;
  const { config, devices, history } = d;

  /** A device link not running here: another node holds the lease, or it is stopped. */
  const notRunning = (): InterfaceState => (devices.lease && !devices.lease.held() ? 'standby' : 'stopped');
  const since = (link: string) => {
    const at = history.of(link)?.at;
    return at === undefined ? {} : { since: at };
  };
  const ping = async (f: () => Promise<void>): Promise<InterfaceState> => {
    try {
      await f();
      return 'up';
    } catch {
      return 'down';
    }
  };

  function dectStatus(): InterfaceStatus | undefined {
    const dect = devices.dect;
    const c = config.dect;
    if (!dect || !c) return undefined;
    const phase = dect.transport.phase;
    const state: InterfaceState =
      phase === 'up'
        ? 'up'
        : phase === 'waiting'
          ? 'down'
          : phase === 'connecting' || phase === 'opening' || phase === 'subscribing'
            ? 'connecting'
            : notRunning();
    const phones = dect.phones();
    return {
      id: 'dect',
      kind: 'dect',
      state,
      ...since('dect'),
      detail: {
        omm: `${c.host}:${c.port}`,
        tls: c.tls,
        phase,
        environment: c.environment,
        handsets: phones.length,
        loggedOn: phones.filter((p) => p.loggedOn === true).length,
        switchedOff: phones.filter((p) => p.loggedOn === false).length,
        lastEvent: history.of('dect')?.event ?? null,
      },
    };
  }

  function espa444Status(): InterfaceStatus[] {
    return config.espa.espa444.flatMap((l, i) => {
      const adapter = devices.espa444[i];
      if (!adapter) return [];
      const link = `espa444-${l.id}`;
      const last = history.of(link)?.event;
      const state: InterfaceState = !devices.linksRunning()
        ? notRunning()
        : adapter.transport.up
          ? 'up'
          : adapter.transport.connected
            ? 'connecting'
            : last === 'link-down'
              ? 'down'
              : 'connecting';
      const at = l.connect ?? l.listen!;
      return [
        {
          id: link,
          kind: 'espa444' as const,
          state,
          ...since(link),
          detail: {
            role: l.role,
            mode: l.connect ? 'client' : 'server',
            address: `${at.host}:${at.port}`,
            pagers: l.sendsPagers,
            lastEvent: last ?? null,
          },
        },
      ];
    });
  }

  function espaxStatus(): InterfaceStatus | undefined {
    const c = config.espa.espax;
    if (!c) return undefined;
    const port = devices.espaxPort();
    const server = devices.espax;
    return {
      id: 'espax',
      kind: 'espax',
      state: server && port !== undefined ? 'up' : 'stopped',
      since: d.startedAt,
      detail: {
        host: c.host,
        port: port ?? c.port,
        tls: c.tls,
        connections: server?.server.connectionCount ?? 0,
        lastClientEvent: history.of('espax')?.event ?? null,
      },
    };
  }

  async function leaseStatus(): Promise<InterfacesReport['lease']> {
    const lease = devices.lease;
    if (!lease) return undefined;
    const stored = await d.store.leases.get(lease.name).catch(() => undefined);
    return {
      name: lease.name,
      node: lease.holder,
      heldHere: lease.held(),
      ...(stored ? { holder: stored.holder, expiresAt: stored.expiresAt } : {}),
    };
  }

  const control: SystemControl = {
    get restarting() {
      return restarting;
    },

    async interfaces() {
      const [storeState, schedulerState, armed, lease] = await Promise.all([
        ping(() => d.store.ping()),
        ping(() => d.scheduler.ping()),
        d.scheduler.armedCount().catch(() => null),
        leaseStatus(),
      ]);
      const list: InterfaceStatus[] = [];
      const dect = dectStatus();
      if (dect) list.push(dect);
      list.push(...espa444Status());
      const espax = espaxStatus();
      if (espax) list.push(espax);
      list.push(
        { id: 'notifier', kind: 'notifier', state: 'up', since: d.startedAt, detail: { channel: d.notifierChannel } },
        {
          id: 'scheduler',
          kind: 'scheduler',
          state: schedulerState,
          detail: { scheduler: d.scheduler.kind === 'bullmq' ? 'bullmq' : 'embedded', armed },
        },
        { id: 'store', kind: 'store', state: storeState, detail: { store: d.store.kind, mode: config.mode } },
        {
          id: 'change-feed',
          kind: 'change-feed',
          state: storeState,
          detail: { via: d.store.kind === 'postgres' ? 'LISTEN/NOTIFY' : 'in-process' },
        },
      );
      if (lease)
        list.push({
          id: 'lease',
          kind: 'lease',
          state: lease.heldHere ? 'up' : 'standby',
          detail: {
            name: lease.name,
            heldHere: lease.heldHere,
            holder: lease.holder ?? null,
            expiresAt: lease.expiresAt === undefined ? null : new Date(lease.expiresAt).toISOString(),
          },
        });
      return { mode: config.mode, ...(lease ? { lease } : {}), interfaces: list };
    },

    monitor: () => monitorDigest(d.registry, d.clock.now()),

    async restartInterfaces(): Promise<RestartOutcome> {
      if (restarting) return busy(restarting);
      restarting = 'interfaces';
      try {
        d.logger.info({}, 'restarting the device links');
        await devices.restartLinks();
        // The ESPA-X server keeps running: only the device links started afresh.
        history.started((link) => link !== 'espax');
        return { ok: true };
      } finally {
        restarting = undefined;
      }
    },

    beginServerRestart(request) {
      if (restarting) return busy(restarting);
      const hook = d.restart;
      if (!hook)
        return {
          ok: false,
          why: 'no-process-host',
          detail: 'this process has no host to start it again: run it with `tocsin start`',
        };
      restarting = 'server';
      let gone = false;
      return {
        ok: true,
        go: async () => {
          if (gone) return;
          gone = true;
          d.logger.warn({ actor: request.actor, reason: request.reason }, 'restarting the server');
          await d.stop().catch((err: unknown) => d.logger.error({ err }, 'the graceful stop before a restart failed'));
          hook(request);
        },
      };
    },

    supervised() {
      const out: SupervisedInterface[] = [];
      if (config.dect) {
        out.push({
          id: 'dect',
          title: `DECT link to ${config.dect.host}:${config.dect.port}`,
          events: DECT_LINK_EVENTS,
          environment: 'default',
          device: 'dect',
        });
        out.push({
          id: 'dect-handsets',
          title: 'DECT handsets on duty',
          events: HANDSET_EVENTS,
          environment: config.dect.environment,
          device: 'dect:<number>',
        });
      }
      for (const l of config.espa.espa444)
        out.push({
          id: `espa444-${l.id}`,
          title: `ESPA 4.4.4 line ${l.id}`,
          events: ESPA444_EVENTS,
          environment: 'default',
          device: `espa444-${l.id}`,
        });
      if (config.espa.espax)
        out.push({
          id: 'espax',
          title: `ESPA-X server on port ${config.espa.espax.port}`,
          events: ESPAX_EVENTS,
          environment: 'default',
          device: 'espax',
        });
      // Alarm runtime: an alarm whose plan cannot run falls back to the environment's default plan.
      out.push({
        id: 'plans',
        title: 'Plan fallback',
        events: ['plan-fallback'],
        environment: '*',
        device: '<alarm type>',
      });
      return out;
    },
  };
  return control;
}

const busy = (scope: RestartScope) => ({ ok: false, why: 'busy', detail: `a restart (${scope}) is running` }) as const;

interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/** The digest of the registry's metrics (src/app/metrics.ts and prom-client's process metrics). */
export async function monitorDigest(registry: Registry, at: number): Promise<MonitorDigest> {
  const metrics = await registry.getMetricsAsJSON();
  const values = (name: string): readonly MetricValue[] =>
    (metrics.find((m) => m.name === name)?.values ?? []) as readonly MetricValue[];
  const one = (name: string): number | null => values(name)[0]?.value ?? null;
  const byLabel = (name: string, label: string, filter: (v: MetricValue) => boolean = () => true) => {
    const out: Record<string, number> = {};
    for (const v of values(name).filter(filter)) {
      const key = String(v.labels[label] ?? '');
      out[key] = (out[key] ?? 0) + v.value;
    }
    return out;
  };
  const activeByState = byLabel('tocsin_alarms_active', 'state');
  const start = one('tocsin_process_process_start_time_seconds');
  const failures = values('tocsin_effect_failures_total').filter((v) => v.labels.kind === 'notify');
  return {
    at,
    uptimeSeconds: start === null ? 0 : Math.max(0, Math.round(Date.now() / 1000 - start)),
    memory: {
      residentBytes: one('tocsin_process_process_resident_memory_bytes'),
      heapUsedBytes: one('tocsin_process_nodejs_heap_size_used_bytes'),
    },
    alarms: { active: Object.values(activeByState).reduce((a, b) => a + b, 0), activeByState },
    steps: byLabel('tocsin_events_processed_total', 'kind'),
    notifications: {
      sent: byLabel(
        'tocsin_notify_latency_seconds',
        'channel',
        (v) => v.metricName === 'tocsin_notify_latency_seconds_count',
      ),
      failed: failures.reduce((a, v) => a + v.value, 0),
    },
    timerLateness: histogram(values('tocsin_timer_lateness_seconds'), 'tocsin_timer_lateness_seconds'),
    timersArmed: values('tocsin_timers_armed').reduce((a, v) => a + v.value, 0),
    supervisionEvents: byLabel('tocsin_supervision_events_total', 'reason'),
  };
}

/** A histogram's count and sum over all its label sets, and the bucket bound holding its 99th percentile. */
function histogram(values: readonly MetricValue[], name: string): Histogram {
  const count = values.filter((v) => v.metricName === `${name}_count`).reduce((a, v) => a + v.value, 0);
  const sum = values.filter((v) => v.metricName === `${name}_sum`).reduce((a, v) => a + v.value, 0);
  const buckets = new Map<string, number>();
  for (const v of values.filter((x) => x.metricName === `${name}_bucket`)) {
    const le = String(v.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + v.value);
  }
  let p99: number | null = null;
  if (count > 0) {
    const bounds = [...buckets.entries()]
      .filter(([le]) => le !== '+Inf')
      .map(([le, n]) => [Number(le), n] as const)
      .sort((a, b) => a[0] - b[0]);
    p99 = bounds.find(([, n]) => n >= 0.99 * count)?.[0] ?? null;
  }
  return { count, sum: Math.round(sum * 1e6) / 1e6, p99 };
}
