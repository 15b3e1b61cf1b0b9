/** System › Monitor: the digest of /metrics (GET /api/v1/system/monitor) as figures and a table. */
import { useConsole } from '../context.ts';
import { hoursMinutes, megabytes, SUPERVISION_EVENTS, type MonitorView } from './system-model.ts';

const sum = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, b) => a + b, 0);

export function MonitorPanel({ monitor: m }: { monitor: MonitorView }) {
  const { t } = useConsole();
  const mb = (bytes: number | null) => {
    const v = megabytes(bytes);
    return v === undefined ? '—' : t('system.monitor.megabytes', { n: v });
  };
  const events = Object.entries(m.supervisionEvents).sort(([a], [b]) => a.localeCompare(b));
  /** `dect-link-down` → "dect: link down" (the link's name is technical, the event translated). */
  const label = (reason: string): string => {
    for (const e of SUPERVISION_EVENTS) {
      if (reason === e) return t(`system.event.${e}`);
      for (const sep of ['-handset-', '-'])
        if (reason.endsWith(`${sep}${e}`))
          return `${reason.slice(0, reason.length - sep.length - e.length)}: ${t(`system.event.${e}`)}`;
    }
    return reason;
  };
  const lateness =
    m.timerLateness.count === 0 || m.timerLateness.p99 === null
      ? t('system.monitor.latenessNone')
      : t('system.monitor.latenessValue', { count: m.timerLateness.count, p99: m.timerLateness.p99 });
  return (
    <section aria-labelledby="monitor-title" data-testid="monitor">
      <h2 id="monitor-title">{t('system.monitor.title')}</h2>
      <dl class="sys-figures">
        <div>
          <dt>{t('system.monitor.uptime')}</dt>
          <dd>{t('system.monitor.uptimeValue', hoursMinutes(m.uptimeSeconds))}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.active')}</dt>
          <dd data-testid="monitor-active">{m.alarms.active}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.raised')}</dt>
          <dd>{m.steps.raised ?? 0}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.sent')}</dt>
          <dd>{sum(m.notifications.sent)}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.failed')}</dt>
          <dd>{m.notifications.failed}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.armed')}</dt>
          <dd>{m.timersArmed}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.lateness')}</dt>
          <dd>{lateness}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.memory')}</dt>
          <dd>{mb(m.memory.residentBytes)}</dd>
        </div>
        <div>
          <dt>{t('system.monitor.heap')}</dt>
          <dd>{mb(m.memory.heapUsedBytes)}</dd>
        </div>
      </dl>
      <h3>{t('system.monitor.supervision')}</h3>
      {events.length === 0 ? (
        <p class="muted">{t('system.monitor.supervisionNone')}</p>
      ) : (
        <table class="list sys-events">
          <thead>
            <tr>
              <th scope="col">{t('system.monitor.reason')}</th>
              <th scope="col">{t('system.monitor.count')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map(([reason, n]) => (
              <tr key={reason}>
                <td>{label(reason)}</td>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
