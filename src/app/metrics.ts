/** Prometheus metrics through prom-client: the RuntimeObserver, plus gauges read at scrape time. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { RuntimeObserver } from '../runtime/observer.ts';

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface Metrics {
  readonly registry: Registry;
  readonly observer: RuntimeObserver;
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(store: AlarmStore, scheduler: Scheduler): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tocsin_process_' });
  const steps = new Counter({
    name: 'tocsin_events_processed_total',
    help: 'Alarm steps committed, by kind (raised, event, timer).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const notify = new Histogram({
    name: 'tocsin_notify_latency_seconds',
    help: 'Trigger to notification handed to the channel.',
    labelNames: ['channel'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'tocsin_timer_lateness_seconds',
    help: 'How late a durable timer step ran after its due time.',
    labelNames: ['via'],
    buckets: [0, ...latencyBuckets],
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'tocsin_commit_conflicts_total',
    help: 'Commits that lost the seq compare-and-set and were retried.',
    registers: [registry],
  });
  const effectFailures = new Counter({
    name: 'tocsin_effect_failures_total',
    help: 'Failed effect attempts.',
    labelNames: ['kind', 'retryable'],
    registers: [registry],
  });
  const supervision = new Counter({
    name: 'tocsin_supervision_events_total',
    help: 'Supervision events, e.g. an alarm that fell back from its own plan.',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'tocsin_alarms_active',
    help: 'Active alarms by plan state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [state, n] of Object.entries(await store.countActiveByState())) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'tocsin_timers_armed',
    help: 'Timers armed in the scheduler.',
    labelNames: ['scheduler'],
    registers: [registry],
    async collect() {
      this.set({ scheduler: scheduler.kind }, await scheduler.armedCount());
    },
  });
  const observer: RuntimeObserver = {
    stepCommitted: (kind) => steps.inc({ kind }),
    notifyLatency: (ms, channel) => notify.observe({ channel }, ms / 1000),
    timerLateness: (ms, via) => lateness.observe({ via }, ms / 1000),
    conflictRetried: () => conflicts.inc(),
    effectFailed: (kind, retryable) => effectFailures.inc({ kind, retryable: String(retryable) }),
    supervision: (reason) => supervision.inc({ reason }),
  };
  return {
    registry,
    observer,
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
