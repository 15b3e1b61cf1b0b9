/**
 * Administration › Supervision alarms: which alarm type each environment raises when one of
 * its supervised interfaces fails (saved as a configuration change of the environment), the
 * interfaces under supervision with the events they watch, and the recent supervision alarms.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { isSupervisionEvent, type SupervisionView } from './system-model.ts';
import './system.css';

export function SupervisionPage() {
  const { t, lang } = useConsole();
  const [view, setView] = useState<SupervisionView>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  /** The choice in each environment's select, before it is saved. */
  const [choice, setChoice] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    try {
      const v = await api.get<SupervisionView>('/api/v1/system/supervision');
      setView(v);
      setChoice(Object.fromEntries(v.environments.map((e) => [e.id, e.supervisionAlarmType ?? ''])));
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : String(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const save = async (environment: string) => {
    const type = choice[environment] ?? '';
    setDone(undefined);
    try {
      await api.put(`/api/v1/system/supervision/${encodeURIComponent(environment)}`, {
        alarmType: type === '' ? null : type,
      });
      setDone(
        type === ''
          ? t('system.supervision.savedNone', { environment })
          : t('system.supervision.saved', { environment, type }),
      );
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.reason ?? err.detail) : String(err));
    }
  };

  const time = (iso: string) =>
    new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
  const event = (e: string) => (isSupervisionEvent(e) ? t(`system.event.${e}`) : e);

  return (
    <section class="system" aria-labelledby="supervision-title">
      <h1 id="supervision-title">{t('nav.supervision')}</h1>
      {error && (
        <p class="error" role="alert">
          {t('system.error', { detail: error })}
        </p>
      )}
      <p class="ok" role="status" data-testid="supervision-status">
        {done ?? ''}
      </p>
      {view === undefined ? (
        !error && <p class="muted">{t('system.loading')}</p>
      ) : (
        <>
          <section aria-labelledby="assign-title">
            <h2 id="assign-title">{t('system.supervision.assign')}</h2>
            <p class="muted">{t('system.supervision.assignHint')}</p>
            <table class="list" data-testid="supervision-environments">
              <thead>
                <tr>
                  <th scope="col">{t('system.supervision.environment')}</th>
                  <th scope="col">{t('system.supervision.alarmType')}</th>
                  <th scope="col">{t('system.supervision.version')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('system.supervision.save')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {view.environments.map((e) => (
                  <tr key={e.id} data-id={e.id}>
                    <th scope="row">
                      {e.name} <span class="muted sys-id">{e.id}</span>
                    </th>
                    <td>
                      <select
                        aria-label={t('system.supervision.alarmTypeOf', { environment: e.name })}
                        value={choice[e.id] ?? ''}
                        onChange={(ev) => setChoice({ ...choice, [e.id]: ev.currentTarget.value })}
                      >
                        <option value="">{t('system.supervision.none')}</option>
                        {e.alarmTypes.map((a) => (
                          <option key={a} value={a}>
                            {a}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>{e.version}</td>
                    <td>
                      <button
                        type="button"
                        class="primary"
                        disabled={(choice[e.id] ?? '') === (e.supervisionAlarmType ?? '')}
                        onClick={() => void save(e.id)}
                      >
                        {t('system.supervision.save')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section aria-labelledby="supervised-title">
            <h2 id="supervised-title">{t('system.supervision.interfaces')}</h2>
            <table class="list" data-testid="supervised-interfaces">
              <thead>
                <tr>
                  <th scope="col">{t('system.col.interface')}</th>
                  <th scope="col">{t('system.supervision.watches')}</th>
                  <th scope="col">{t('system.supervision.raisesIn')}</th>
                </tr>
              </thead>
              <tbody>
                {view.interfaces.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">
                      {i.id === 'dect-handsets'
                        ? t('system.supervision.handsets')
                        : i.id === 'plans'
                          ? t('system.supervision.planFallback')
                          : i.title}{' '}
                      <span class="muted sys-id">{i.id}</span>
                    </th>
                    <td>{i.events.map(event).join(', ')}</td>
                    <td>{i.environment === '*' ? t('system.supervision.alarmEnvironment') : i.environment}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section aria-labelledby="supervision-alarms-title">
            <h2 id="supervision-alarms-title">{t('system.supervision.alarms')}</h2>
            {view.alarms.length === 0 ? (
              <p class="muted" data-testid="supervision-no-alarms">
                {t('system.supervision.noAlarms')}
              </p>
            ) : (
              <table class="list" data-testid="supervision-alarms">
                <thead>
                  <tr>
                    <th scope="col">{t('system.supervision.raised')}</th>
                    <th scope="col">{t('system.supervision.source')}</th>
                    <th scope="col">{t('system.supervision.text')}</th>
                    <th scope="col">{t('system.supervision.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {view.alarms.map((a) => (
                    <tr key={a.id}>
                      <td>{time(a.raisedAt)}</td>
                      <td>{a.device}</td>
                      <td>{a.text}</td>
                      <td>{t(a.status === 'active' ? 'system.status.active' : 'system.status.ended')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </section>
  );
}
