/**
 * System: the state of every interface of this node (polled every 5 s; the state is shown by
 * symbol and text, colour only adds to them), the monitor digest for holders of system.monitor,
 * and the restart actions for holders of system.restart. The server refuses each API call
 * without its permission anyway; this page only leaves out what the user cannot use.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { MonitorPanel } from './monitor-panel.tsx';
import { RestartPanel } from './restart-panel.tsx';
import { STATE_SYMBOL, type InterfacesView, type MonitorView } from './system-model.ts';
import './system.css';

const POLL_MS = 5_000;

export function SystemPage({ me }: { me: Me }) {
  const { t, lang } = useConsole();
  const [view, setView] = useState<InterfacesView>();
  const [monitor, setMonitor] = useState<MonitorView>();
  const [error, setError] = useState<string>();
  const [updated, setUpdated] = useState<Date>();
  /** While the server restarts, polling waits: the restart panel reconnects first. */
  const [paused, setPaused] = useState(false);
  const canMonitor = me.permissions.includes('system.monitor');
  const canRestart = me.permissions.includes('system.restart');

  const load = useCallback(async () => {
    try {
      const [v, m] = await Promise.all([
        api.get<InterfacesView>('/api/v1/system/interfaces'),
        canMonitor ? api.get<MonitorView>('/api/v1/system/monitor') : Promise.resolve(undefined),
      ]);
      setView(v);
      setMonitor(m);
      setError(undefined);
      setUpdated(new Date());
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : String(err));
    }
  }, [canMonitor]);

  useEffect(() => {
    if (paused) return;
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load, paused]);

  const time = (iso: string | undefined) =>
    iso === undefined
      ? '—'
      : new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
  const up = view?.interfaces.filter((i) => i.state === 'up').length ?? 0;

  return (
    <section class="system" aria-labelledby="system-title">
      <h1 id="system-title">{t('nav.system')}</h1>
      {error && (
        <p class="error" role="alert">
          {t('system.error', { detail: error })}
        </p>
      )}
      <section aria-labelledby="interfaces-title">
        <h2 id="interfaces-title">{t('system.interfaces.title')}</h2>
        {view === undefined ? (
          <p class="muted">{t('system.loading')}</p>
        ) : (
          <>
            <p class="muted" data-testid="system-mode">
              {t(view.mode === 'cluster' ? 'system.mode.cluster' : 'system.mode.embedded')}{' '}
              {view.lease &&
                (view.lease.heldHere
                  ? t('system.lease.here', { until: time(view.lease.expiresAt) })
                  : view.lease.holder
                    ? t('system.lease.other', { holder: view.lease.holder, until: time(view.lease.expiresAt) })
                    : t('system.lease.none'))}
            </p>
            <table class="list sys-interfaces" data-testid="interfaces">
              <caption>{t('system.interfaces.caption', { n: view.interfaces.length, up })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('system.col.interface')}</th>
                  <th scope="col">{t('system.col.state')}</th>
                  <th scope="col">{t('system.col.since')}</th>
                  <th scope="col">{t('system.col.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {view.interfaces.map((i) => (
                  <tr key={i.id} data-testid="interface-row" data-id={i.id} data-state={i.state}>
                    <th scope="row">
                      {t(`system.kind.${i.kind}`)}
                      {i.id !== i.kind && <span class="muted sys-id"> {i.id}</span>}
                    </th>
                    <td>
                      <span class={`sys-state sys-${i.state}`}>
                        <span aria-hidden="true">{STATE_SYMBOL[i.state]}</span> {t(`system.state.${i.state}`)}
                      </span>
                    </td>
                    <td>{time(i.since)}</td>
                    <td>
                      <dl class="sys-detail">
                        {Object.entries(i.detail).map(([k, v]) => (
                          <div key={k}>
                            <dt>{k}</dt>
                            <dd>{v === true ? t('system.yes') : v === false ? t('system.no') : String(v ?? '—')}</dd>
                          </div>
                        ))}
                      </dl>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {updated && (
              <p class="muted sys-updated">
                {t('system.updated', {
                  time: new Intl.DateTimeFormat(LOCALE[lang], { timeStyle: 'medium' }).format(updated),
                })}
              </p>
            )}
          </>
        )}
      </section>
      {canMonitor && monitor && <MonitorPanel monitor={monitor} />}
      {canRestart && (
        <RestartPanel
          onRestarted={() => void load()}
          onServerGone={() => setPaused(true)}
          onServerBack={() => setPaused(false)}
        />
      )}
    </section>
  );
}
