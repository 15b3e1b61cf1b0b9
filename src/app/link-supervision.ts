/**
 * What a device link's supervision events do (DECT, ESPA 4.4.4 lines, the ESPA-X server):
 * every event counts in `tocsin_supervision_events_total{reason="<link>-<event>"}`; a failure
 * raises the environment's supervision alarm type, when it names one, once per outage, as
 * `supervision-<link>-<second>` from source `{adapter: 'supervision', device: <link>}`; `link-up`
 * ends the outage and signals `LINK_UP` to that source's alarms, so a plan can end them.
 */
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../ports/directory.ts';
import type { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import type { Logger, RuntimeObserver } from '../runtime/observer.ts';

export interface LinkSupervisionOptions {
  /** The link's name in metrics, alarm ids and the alarm source, e.g. `dect`, `espa444-nursecall`. */
  readonly link: string;
  /** How the alarm text names the link, e.g. `DECT link to omm:12622`. */
  readonly title: string;
  /** The environment whose supervision alarm type is raised. */
  readonly environment: string;
  readonly directory: Directory;
  readonly runtime: () => AlarmRuntime;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly observer: RuntimeObserver;
}

export function linkSupervision(o: LinkSupervisionOptions): (event: string, detail: string) => void {
  let outage: number | undefined;
  const SYSTEM = { kind: 'system', id: o.link } as const;
  const source = { adapter: 'supervision', device: o.link } as const;
  return (event, detail) => {
    o.observer.supervision?.(`${o.link}-${event}`);
    if (event === 'link-up') {
      outage = undefined;
      void Promise.resolve()
        .then(() => o.runtime().signalSource(source, 'LINK_UP', SYSTEM))
        .catch((err: unknown) => o.logger.warn({ err, link: o.link }, 'could not signal LINK_UP'));
      return;
    }
    if (outage !== undefined) return;
    outage = o.clock.now();
    const id = `supervision-${o.link}-${Math.floor(outage / 1000)}`;
    void (async () => {
      const env = (await o.directory.current()).environment(o.environment);
      if (!env?.supervisionAlarmType) return;
      await o
        .runtime()
        .raise({ type: env.supervisionAlarmType, text: `${o.title}: ${event} (${detail})`, source, id }, SYSTEM);
    })().catch((err: unknown) => o.logger.error({ err, link: o.link }, 'could not raise the supervision alarm'));
  };
}
