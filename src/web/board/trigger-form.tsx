/**
 * Trigger an alarm from a web alarm template (GET /api/v1/alarms/templates, then
 * POST /api/v1/alarms with the template's type, text and location).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';

interface WebTemplate {
  readonly id: string;
  readonly name: string;
  readonly alarmType: string;
  readonly text: string;
  readonly location?: string;
}

export function TriggerForm() {
  const { t } = useConsole();
  const [templates, setTemplates] = useState<readonly WebTemplate[] | undefined>();
  const [chosen, setChosen] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .get<{ templates: WebTemplate[] }>('/api/v1/alarms/templates')
      .then((a) => {
        setTemplates(a.templates);
        setChosen(a.templates[0]?.id ?? '');
      })
      .catch((err: unknown) => {
        setTemplates([]);
        if (err instanceof ApiError && err.status === 403) setMessage({ kind: 'error', text: t('trigger.noAccess') });
        else setMessage({ kind: 'error', text: t('common.error', { detail: String(err) }) });
      });
  }, [t]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const tpl = templates?.find((x) => x.id === chosen);
    if (!tpl) return;
    setBusy(true);
    setMessage(undefined);
    try {
      await api.post('/api/v1/alarms', {
        type: tpl.alarmType,
        text: tpl.text,
        ...(tpl.location ? { location: tpl.location } : {}),
      });
      setMessage({ kind: 'ok', text: t('trigger.done', { name: tpl.name }) });
    } catch (err) {
      setMessage({ kind: 'error', text: t('common.error', { detail: err instanceof Error ? err.message : '' }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="trigger" onSubmit={submit} aria-labelledby="trigger-title">
      <h2 id="trigger-title">{t('trigger.title')}</h2>
      {templates === undefined ? (
        <p>{t('common.loading')}</p>
      ) : templates.length === 0 ? (
        !message && <p>{t('trigger.none')}</p>
      ) : (
        <>
          <label>
            <span>{t('trigger.template')}</span>
            <select name="template" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              {templates.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.location ? `${x.name} — ${x.location}` : x.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="danger" disabled={busy || chosen === ''}>
            {t('trigger.submit')}
          </button>
        </>
      )}
      {message && (
        <p class={message.kind === 'error' ? 'error' : 'ok'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
