/**
 * The form of one configuration item, generated from its kind's fields (config-fields.ts):
 * text, numbers, flags, choices, and JSON text for nested fields. A new item is saved with
 * `If-Match: "0"` (it must not exist yet), a changed one with the version it was read at, so a
 * change made meanwhile by someone else is refused (412) instead of overwritten. The server's
 * `errors` appear at their fields; JSON that does not parse is caught before sending.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { formErrors, messageOf, NO_ERRORS, type FormErrors } from './admin-model.ts';
import { Confirm, Field } from './admin-ui.tsx';
import {
  fieldsOf,
  formToItem,
  itemToForm,
  KIND_SEGMENT,
  type ConfigItem,
  type ConfigKind,
  type FieldSpec,
  type FormValues,
} from './config-fields.ts';

export function ConfigForm(props: {
  kind: ConfigKind;
  item: ConfigItem | undefined;
  /** Ids of each kind, offered in the fields that refer to one. */
  suggestions: Readonly<Partial<Record<ConfigKind, readonly string[]>>>;
  onSaved: (item: ConfigItem, created: boolean) => void;
  onDeleted: (item: ConfigItem, warnings: readonly string[]) => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const { t } = useConsole();
  const { kind, item } = props;
  const [form, setForm] = useState<FormValues>(() => itemToForm(kind, item));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const kindName = t(`admin.config.one.${kind}`);
  const url = (id: string) => `/api/v1/config/${KIND_SEGMENT[kind]}/${encodeURIComponent(id)}`;

  const failed = (err: unknown) => {
    if (err instanceof ApiError && err.status === 412) {
      setStale(true);
      setErrors(NO_ERRORS);
    } else setErrors(formErrors(err));
  };

  async function save(e: Event) {
    e.preventDefault();
    const { item: body, badJson } = formToItem(kind, form);
    if (badJson.length > 0) {
      setErrors({ fields: Object.fromEntries(badJson.map((f) => [f, t('admin.config.badJson')])), general: undefined });
      return;
    }
    const id = typeof body.id === 'string' ? body.id : '';
    if (id === '') {
      setErrors({ fields: { id: t('admin.required') }, general: undefined });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const saved = await api.put<ConfigItem>(url(id), body, { 'If-Match': `"${item?.version ?? 0}"` });
      props.onSaved(saved, !item);
    } catch (err) {
      // A new item whose id exists answers 412 too: say so at the id.
      if (!item && err instanceof ApiError && err.status === 412)
        setErrors({ fields: { id: t('admin.idTaken', { id }) }, general: undefined });
      else failed(err);
    } finally {
      setBusy(false);
    }
  }

  const control = (f: FieldSpec, ids: { id: string; describedBy: string | undefined; invalid: boolean }) => {
    const common = {
      id: ids.id,
      name: f.name,
      'aria-invalid': ids.invalid,
      'aria-describedby': ids.describedBy,
    };
    const value = form[f.name];
    const setText = (e: Event) =>
      setForm({ ...form, [f.name]: (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value });
    switch (f.type) {
      case 'boolean':
        return (
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(e) => setForm({ ...form, [f.name]: (e.currentTarget as HTMLInputElement).checked })}
          />
        );
      case 'select':
        return (
          <select {...common} value={String(value)} onChange={setText}>
            <option value="">{t('admin.config.default')}</option>
            {f.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        );
      case 'json':
        return <textarea {...common} rows={4} spellcheck={false} value={String(value)} onInput={setText} />;
      case 'number':
        return (
          <input
            {...common}
            type="number"
            min={f.min}
            max={f.max}
            required={f.required}
            value={String(value)}
            onInput={setText}
          />
        );
      case 'numberOrText':
        return <input {...common} value={String(value)} onInput={setText} />;
      case 'text': {
        const list = f.ref ? `suggest-${f.ref}` : undefined;
        return (
          <input
            {...common}
            value={String(value)}
            required={f.required}
            disabled={f.name === 'id' && item !== undefined}
            list={list}
            onInput={setText}
          />
        );
      }
      default: {
        const never: never = f;
        throw new Error(`unknown field ${String(never)}`);
      }
    }
  };

  return (
    <form
      class="admin-form"
      onSubmit={save}
      aria-labelledby="config-form-title"
      data-testid="config-form"
      data-kind={kind}
      novalidate
    >
      <h2 id="config-form-title">
        {item
          ? t('admin.config.editTitle', { kind: kindName, name: item.name })
          : t('admin.config.createTitle', { kind: kindName })}
        {item && <span class="muted"> · {t('admin.config.version', { version: item.version })}</span>}
      </h2>
      {(Object.keys(props.suggestions) as ConfigKind[]).map((k) => (
        <datalist key={k} id={`suggest-${k}`}>
          {(props.suggestions[k] ?? []).map((id) => (
            <option key={id} value={id} />
          ))}
        </datalist>
      ))}
      <div class="admin-grid">
        {fieldsOf(kind).map((f) => (
          <Field
            key={f.name}
            label={t(`admin.config.field.${f.name}` as MessageKey)}
            error={errors.fields[f.name]}
            hint={f.type === 'json' ? t('admin.config.jsonHint') : undefined}
            wide={f.type === 'json'}
          >
            {(ids) => control(f, ids)}
          </Field>
        ))}
      </div>
      {stale && (
        <p class="warning" role="alert" data-testid="stale">
          {t('admin.config.stale')}{' '}
          <button type="button" onClick={props.onReload}>
            {t('admin.config.reload')}
          </button>
        </p>
      )}
      {errors.general && (
        <p class="error" role="alert">
          {errors.general}
        </p>
      )}
      <div class="filter-actions">
        <button type="submit" class="primary" disabled={busy}>
          {item ? t('admin.save') : t('admin.config.create')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('admin.cancel')}
        </button>
        {item && (
          <Confirm
            danger
            label={t('admin.delete')}
            question={t('admin.config.deleteQuestion', { kind: kindName, name: item.name })}
            yes={t('admin.deleteYes')}
            onConfirm={async () => {
              try {
                const out = await api.delete<{ warnings?: readonly unknown[] }>(url(item.id), {
                  'If-Match': `"${item.version}"`,
                });
                props.onDeleted(
                  item,
                  (out.warnings ?? []).map((w) => (typeof w === 'string' ? w : JSON.stringify(w))),
                );
              } catch (err) {
                if (err instanceof ApiError && err.status === 412) setStale(true);
                else setErrors({ fields: {}, general: t('common.error', { detail: messageOf(err) }) });
              }
            }}
          />
        )}
      </div>
    </form>
  );
}
