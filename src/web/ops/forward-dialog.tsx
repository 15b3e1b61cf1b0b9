/**
 * Forward an alarm (operation.alarms.forward): a modal dialog (the native <dialog>: focus moves
 * in, Escape closes, focus returns to the opener) to pick a user, a group or a contact of the
 * caller's environments (GET /api/v1/forward-targets) and an optional message, then
 * POST /api/v1/alarms/{id}/forward. The server records it in the alarm's protocol; the new
 * recipients then appear on the card through the live board.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';
import './ops.css';

interface Target {
  readonly id: string;
  readonly name: string;
}
interface Targets {
  readonly users: readonly Target[];
  readonly groups: readonly Target[];
  readonly contacts: readonly Target[];
}

/** The Forward button of an alarm card and its dialog. */
export function ForwardButton({ alarmId, label }: { alarmId: string; label: string }) {
  const { t } = useConsole();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setDone(undefined);
          setOpen(true);
        }}
        aria-label={t('ops.forward.openFor', { alarm: label })}
        data-testid="forward"
      >
        {t('ops.forward.open')}
      </button>
      {done && (
        <span class="ok" role="status">
          {done}
        </span>
      )}
      {open && (
        <ForwardDialog
          alarmId={alarmId}
          label={label}
          onClose={(to) => {
            setOpen(false);
            if (to) setDone(t('ops.forward.done', { to }));
          }}
        />
      )}
    </>
  );
}

function ForwardDialog({
  alarmId,
  label,
  onClose,
}: {
  alarmId: string;
  label: string;
  onClose: (forwardedTo?: string) => void;
}) {
  const { t } = useConsole();
  const ref = useRef<HTMLDialogElement>(null);
  const [targets, setTargets] = useState<Targets | undefined>();
  const [to, setTo] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    api
      .get<Targets>('/api/v1/forward-targets')
      .then(setTargets)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);

  const nameOf = (value: string): string => {
    const all = [
      ...(targets?.users ?? []).map((u) => [u.id, u.name] as const),
      ...(targets?.groups ?? []).map((g) => [`group:${g.id}`, g.name] as const),
      ...(targets?.contacts ?? []).map((c) => [`contact:${c.id}`, c.name] as const),
    ];
    return all.find(([v]) => v === value)?.[1] ?? value;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (to === '') return setError(t('ops.forward.pick'));
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/api/v1/alarms/${encodeURIComponent(alarmId)}/forward`, {
        to,
        ...(text.trim() ? { text: text.trim() } : {}),
      });
      ref.current?.close();
      onClose(nameOf(to));
    } catch (err) {
      const reasons = err instanceof ApiError ? err.errors.map((x) => x.reason) : [];
      setError([err instanceof ApiError ? err.detail : String(err), ...reasons].join(': '));
    } finally {
      setBusy(false);
    }
  };

  const none = targets && targets.users.length + targets.groups.length + targets.contacts.length === 0;
  const titleId = `forward-title-${alarmId}`;
  return (
    <dialog
      ref={ref}
      class="ops-dialog"
      aria-labelledby={titleId}
      onClose={() => onClose()}
      data-testid="forward-dialog"
    >
      <form method="dialog" onSubmit={(e) => void submit(e)}>
        <h2 id={titleId}>{t('ops.forward.title', { alarm: label })}</h2>
        <p class="muted">{t('ops.forward.intro')}</p>
        {targets === undefined && !error && <p class="loading">{t('ops.loading')}</p>}
        {none && <p class="notice">{t('ops.forward.nobody')}</p>}
        {targets && !none && (
          <label>
            {t('ops.forward.to')}
            <select
              value={to}
              required
              autoFocus
              onChange={(e) => setTo((e.target as HTMLSelectElement).value)}
              data-testid="forward-to"
            >
              <option value="">{t('ops.forward.choose')}</option>
              {targets.users.length > 0 && (
                <optgroup label={t('ops.forward.users')}>
                  {targets.users.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name === u.id ? u.id : `${u.name} (${u.id})`}
                    </option>
                  ))}
                </optgroup>
              )}
              {targets.groups.length > 0 && (
                <optgroup label={t('ops.forward.groups')}>
                  {targets.groups.map((g) => (
                    <option key={g.id} value={`group:${g.id}`}>
                      {g.name}
                    </option>
                  ))}
                </optgroup>
              )}
              {targets.contacts.length > 0 && (
                <optgroup label={t('ops.forward.contacts')}>
                  {targets.contacts.map((c) => (
                    <option key={c.id} value={`contact:${c.id}`}>
                      {c.name}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </label>
        )}
        <label>
          {t('ops.forward.text')}
          <input
            type="text"
            maxLength={500}
            value={text}
            aria-describedby={`${titleId}-hint`}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
          <small id={`${titleId}-hint`} class="muted">
            {t('ops.forward.textHint')}
          </small>
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !targets || none} data-testid="forward-send">
            {busy ? t('ops.forward.sending') : t('ops.forward.send')}
          </button>
          <button
            type="button"
            onClick={() => {
              ref.current?.close();
            }}
          >
            {t('ops.forward.close')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
