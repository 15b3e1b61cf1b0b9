/**
 * System › Restart: restart the device links or the whole server, each after a dialog that asks
 * for the reason (it goes to the access log). After a server restart the panel says so and
 * polls the public /readyz every second until the server has gone and is ready again; then the
 * page carries on (the session is kept in the database, so the user stays logged in).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';

type Scope = 'interfaces' | 'server';
type Phase = 'idle' | 'restarting' | 'back';

const READY_POLL_MS = 1_000;
/** Ready all along for this many polls: the restart was quicker than a poll; it is back. */
const READY_WITHOUT_GAP = 60;

export function RestartPanel(props: { onRestarted: () => void; onServerGone: () => void; onServerBack: () => void }) {
  const { t } = useConsole();
  const [asking, setAsking] = useState<Scope>();
  const [phase, setPhase] = useState<Phase>('idle');
  const [done, setDone] = useState<string>();
  const [refused, setRefused] = useState<string>();

  useEffect(() => {
    if (phase !== 'restarting') return;
    let gone = false;
    let readyPolls = 0;
    let stopped = false;
    const timer = setInterval(() => {
      void fetch('/readyz', { cache: 'no-store' })
        .then((r) => r.ok)
        .catch(() => false)
        .then((ready) => {
          if (stopped) return;
          if (!ready) gone = true;
          else readyPolls++;
          if (ready && (gone || readyPolls >= READY_WITHOUT_GAP)) {
            stopped = true;
            clearInterval(timer);
            setPhase('back');
            props.onServerBack();
          }
        });
    }, READY_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [phase]);

  const restart = async (scope: Scope, reason: string): Promise<string | undefined> => {
    try {
      await api.post('/api/v1/system/restart', { scope, reason });
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) return err.errors[0]?.reason ?? err.detail;
      setAsking(undefined);
      setRefused(t('system.restart.refused', { detail: err instanceof ApiError ? err.detail : String(err) }));
      return undefined;
    }
    setAsking(undefined);
    setRefused(undefined);
    if (scope === 'interfaces') {
      setDone(t('system.restart.done'));
      props.onRestarted();
    } else {
      setDone(undefined);
      setPhase('restarting');
      props.onServerGone();
    }
    return undefined;
  };

  const busy = phase === 'restarting';
  return (
    <section aria-labelledby="restart-title" class="sys-restart">
      <h2 id="restart-title">{t('system.restart.title')}</h2>
      <div class="sys-restart-actions">
        <div>
          <button type="button" disabled={busy} onClick={() => setAsking('interfaces')}>
            {t('system.restart.interfaces')}
          </button>
          <p class="muted">{t('system.restart.interfacesHint')}</p>
        </div>
        <div>
          <button type="button" class="danger" disabled={busy} onClick={() => setAsking('server')}>
            {t('system.restart.server')}
          </button>
          <p class="muted">{t('system.restart.serverHint')}</p>
        </div>
      </div>
      {refused && (
        <p class="error" role="alert">
          {refused}
        </p>
      )}
      <p class="ok" role="status" data-testid="restart-status">
        {phase === 'restarting' ? (
          <span class="sys-restarting">{t('system.restart.restarting')}</span>
        ) : phase === 'back' ? (
          t('system.restart.back')
        ) : (
          (done ?? '')
        )}
      </p>
      {asking && <RestartDialog scope={asking} onCancel={() => setAsking(undefined)} onConfirm={restart} />}
    </section>
  );
}

/** The modal dialog asking for the reason; Escape or Cancel closes it without restarting. */
function RestartDialog(props: {
  scope: Scope;
  onCancel: () => void;
  onConfirm: (scope: Scope, reason: string) => Promise<string | undefined>;
}) {
  const { t } = useConsole();
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (reason.trim() === '') {
      setError(t('system.restart.reasonMissing'));
      return;
    }
    setSending(true);
    const problem = await props.onConfirm(props.scope, reason.trim());
    setSending(false);
    if (problem) setError(problem);
  };

  return (
    <dialog
      ref={dialog}
      class="sys-dialog"
      aria-labelledby="restart-ask"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id="restart-ask">
          {t(props.scope === 'server' ? 'system.restart.askServer' : 'system.restart.askInterfaces')}
        </h2>
        <p class="muted">
          {t(props.scope === 'server' ? 'system.restart.serverHint' : 'system.restart.interfacesHint')}
        </p>
        <label for="restart-reason">{t('system.restart.reason')}</label>
        <textarea
          id="restart-reason"
          name="reason"
          rows={3}
          maxLength={500}
          required
          aria-invalid={error !== undefined}
          aria-describedby={error ? 'restart-reason-error' : undefined}
          value={reason}
          onInput={(e) => {
            setReason(e.currentTarget.value);
            setError(undefined);
          }}
        />
        {error && (
          <p id="restart-reason-error" class="error">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="submit" class={props.scope === 'server' ? 'danger' : 'primary'} disabled={sending}>
            {t('system.restart.confirm')}
          </button>
          <button type="button" onClick={props.onCancel}>
            {t('system.restart.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
