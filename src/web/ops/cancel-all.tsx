/**
 * Cancel all alarms/presences (operation.alarms.cancel-all) on the board: a button that opens
 * an inline confirmation (what to cancel, an optional reason), then POST /api/v1/alarms/cancel-all.
 * Each alarm is cancelled by the server as an ordinary, recorded cancel; the board empties
 * through its live events. Escape or "No" closes the confirmation and returns focus.
 */
import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';
import './ops.css';

export function CancelAll({ active }: { active: number }) {
  const { t } = useConsole();
  const [confirming, setConfirming] = useState(false);
  const [alarms, setAlarms] = useState(true);
  const [presences, setPresences] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; error?: boolean } | undefined>();
  const opener = useRef<HTMLButtonElement>(null);

  const close = () => {
    setConfirming(false);
    setTimeout(() => opener.current?.focus(), 0);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!alarms && !presences) return setResult({ text: t('ops.cancelAll.nothing'), error: true });
    setBusy(true);
    setResult(undefined);
    try {
      const r = await api.post<{ alarms: number; presences: number }>('/api/v1/alarms/cancel-all', {
        alarms,
        presences,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setResult({ text: t('ops.cancelAll.done', { alarms: r.alarms, presences: r.presences }) });
      close();
    } catch (err) {
      setResult({ text: err instanceof ApiError ? err.detail : String(err), error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="ops-cancel-all">
      {!confirming && (
        <button
          type="button"
          class="danger"
          ref={opener}
          onClick={() => {
            setResult(undefined);
            setConfirming(true);
          }}
          data-testid="cancel-all"
        >
          {t('ops.cancelAll.open')}
        </button>
      )}
      {confirming && (
        <form
          class="ops-confirm"
          aria-labelledby="cancel-all-title"
          onSubmit={(e) => void submit(e)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
          data-testid="cancel-all-confirm"
        >
          <h2 id="cancel-all-title">{t('ops.cancelAll.title')}</h2>
          <p>{t('ops.cancelAll.question', { n: active })}</p>
          <label class="check">
            <input
              type="checkbox"
              checked={alarms}
              onChange={(e) => setAlarms((e.target as HTMLInputElement).checked)}
            />
            {t('ops.cancelAll.alarms')}
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={presences}
              onChange={(e) => setPresences((e.target as HTMLInputElement).checked)}
              data-testid="cancel-all-presences"
            />
            {t('ops.cancelAll.presences')}
          </label>
          <label>
            {t('ops.cancelAll.reason')}
            <input
              type="text"
              maxLength={500}
              value={reason}
              onInput={(e) => setReason((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="actions">
            <button type="submit" class="danger" autoFocus disabled={busy} data-testid="cancel-all-yes">
              {busy ? t('ops.cancelAll.working') : t('ops.cancelAll.confirm')}
            </button>
            <button type="button" onClick={close}>
              {t('ops.cancelAll.keep')}
            </button>
          </div>
        </form>
      )}
      {result && (
        <p
          class={result.error ? 'error' : 'ok'}
          role={result.error ? 'alert' : 'status'}
          data-testid="cancel-all-result"
        >
          {result.text}
        </p>
      )}
    </div>
  );
}
