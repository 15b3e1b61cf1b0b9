/**
 * The User Account form (security guidelines): login name, name, phone, mobile, e-mail,
 * language, start page, user group and environments; for a new user also the initial password
 * (the password policy applies; by default to be changed at the first login). Saves with
 * POST /api/v1/users or PATCH /api/v1/users/{id}; the server's `errors` appear at their fields.
 * A user changed by someone else since it was read (another version) is not overwritten: the
 * form says so and offers to reload (admin-ui.tsx StaleNotice).
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { CONSOLE_PAGES, type ConsolePage } from '../console-pages.ts';
import { useConsole } from '../context.ts';
import { LANGUAGE_NAMES, LANGUAGES } from '../i18n/i18n.ts';
import {
  formErrors,
  isStale,
  NO_ERRORS,
  parseList,
  passwordProblem,
  type FormErrors,
  type GroupRow,
  type UserRow,
} from './admin-model.ts';
import { Field, StaleNotice, type FieldIds } from './admin-ui.tsx';

const START_PAGES = [
  '/',
  ...(CONSOLE_PAGES as readonly ConsolePage[])
    .filter((p) => !p.param && p.path !== '/login' && p.path !== '/password')
    .map((p) => p.path),
];

interface Values {
  loginName: string;
  displayName: string;
  phone: string;
  mobile: string;
  email: string;
  language: string;
  startPage: string;
  userGroup: string;
  environments: string[];
}

const valuesOf = (u: UserRow | undefined, groups: readonly GroupRow[]): Values => ({
  loginName: u?.loginName ?? '',
  displayName: u?.displayName ?? '',
  phone: u?.phone ?? '',
  mobile: u?.mobile ?? '',
  email: u?.email ?? '',
  language: u?.language ?? 'EN',
  startPage: u?.startPage ?? '/',
  userGroup: u?.userGroup ?? groups.find((g) => g.id !== 'administrator')?.id ?? groups[0]?.id ?? '',
  environments: [...(u?.environments ?? ['*'])],
});

export function UserForm(props: {
  user: UserRow | undefined;
  groups: readonly GroupRow[];
  /** The environments to offer (undefined: the caller may not list them; a text field instead). */
  environments: readonly string[] | undefined;
  onSaved: (u: UserRow) => void;
  onCancel: () => void;
  /** Reads the user again (after a change made meanwhile by someone else). */
  onReload: () => void;
}) {
  const { t } = useConsole();
  const { user, groups } = props;
  const [stale, setStale] = useState(false);
  const [v, setV] = useState<Values>(() => valuesOf(user, groups));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Values) => (e: Event) => setV({ ...v, [k]: (e.currentTarget as HTMLInputElement).value });
  const err = (k: string) => errors.fields[k];

  async function save(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = {
      loginName: v.loginName.trim(),
      displayName: v.displayName.trim(),
      language: v.language,
      startPage: v.startPage,
      userGroup: v.userGroup,
      environments: v.environments,
    };
    for (const k of ['phone', 'mobile', 'email'] as const) {
      const s = v[k].trim();
      if (s !== '') body[k] = s;
      else if (user) body[k] = null;
    }
    if (!user) {
      const problem = passwordProblem(password, repeat, v.loginName.trim());
      if (problem) {
        setErrors({
          fields: { [problem === 'repeat' ? 'repeat' : 'password']: t(`admin.password.${problem}`) },
          general: undefined,
        });
        return;
      }
      body.password = password;
      body.mustChangePassword = mustChange;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      let saved: UserRow | undefined;
      if (user) {
        const url = `/api/v1/users/${encodeURIComponent(user.id)}`;
        // Checked against the version this form was read at: the server refuses a stale one
        // atomically (412), so two administrators never overwrite each other's edits.
        try {
          saved = await api.patch<UserRow>(url, body, { 'If-Match': `"${user.version}"` });
        } catch (error) {
          if (!isStale(error)) throw error;
          setStale(true);
        }
      } else saved = await api.post<UserRow>('/api/v1/users', body);
      if (saved) props.onSaved(saved);
    } catch (error) {
      setErrors(formErrors(error));
    } finally {
      setBusy(false);
    }
  }

  const text = (
    k: 'loginName' | 'displayName' | 'phone' | 'mobile' | 'email',
    type: 'text' | 'tel' | 'email' = 'text',
    opts = {},
  ) => (
    <Field label={t(`admin.users.${k}`)} error={err(k)}>
      {(ids) => (
        <input
          id={ids.id}
          name={k}
          // The three kinds of text box take the same attributes.
          type={type as 'text'}
          value={v[k]}
          onInput={set(k)}
          aria-invalid={ids.invalid}
          aria-describedby={ids.describedBy}
          {...opts}
        />
      )}
    </Field>
  );

  const envField = props.environments ? (
    <fieldset class="admin-field wide">
      <legend>{t('admin.users.environments')}</legend>
      <div class="checks">
        {['*', ...props.environments].map((env) => (
          <label key={env}>
            <input
              type="checkbox"
              name="environments"
              value={env}
              checked={v.environments.includes(env)}
              disabled={env !== '*' && v.environments.includes('*')}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                setV({
                  ...v,
                  environments: on ? [...v.environments, env] : v.environments.filter((x) => x !== env),
                });
              }}
            />
            {env === '*' ? t('admin.users.allEnvironments') : env}
          </label>
        ))}
      </div>
      {err('environments') && (
        <span class="error field-error" data-testid="field-error">
          {err('environments')}
        </span>
      )}
    </fieldset>
  ) : (
    <Field label={t('admin.users.environments')} error={err('environments')} hint={t('admin.users.environmentsHint')}>
      {(ids) => (
        <input
          id={ids.id}
          name="environments"
          value={v.environments.join(', ')}
          onInput={(e) => setV({ ...v, environments: parseList((e.currentTarget as HTMLInputElement).value) })}
          aria-invalid={ids.invalid}
          aria-describedby={ids.describedBy}
        />
      )}
    </Field>
  );

  return (
    <form class="admin-form" onSubmit={save} aria-labelledby="user-form-title" data-testid="user-form" novalidate>
      <h2 id="user-form-title">
        {user ? t('admin.users.editTitle', { name: user.loginName }) : t('admin.users.createTitle')}
      </h2>
      <div class="admin-grid">
        {text('loginName', 'text', { required: true, autocomplete: 'off', disabled: user?.builtIn })}
        {text('displayName', 'text', { required: true })}
        <Field label={t('admin.users.userGroup')} error={err('userGroup')}>
          {(ids) => (
            <select
              id={ids.id}
              name="userGroup"
              value={v.userGroup}
              onChange={set('userGroup')}
              disabled={user?.builtIn}
              aria-invalid={ids.invalid}
              aria-describedby={ids.describedBy}
            >
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('admin.users.language')} error={err('language')}>
          {(ids) => (
            <select id={ids.id} name="language" value={v.language} onChange={set('language')}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text('phone', 'tel')}
        {text('mobile', 'tel')}
        {text('email', 'email')}
        <Field label={t('admin.users.startPage')} error={err('startPage')}>
          {(ids) => (
            <select id={ids.id} name="startPage" value={v.startPage} onChange={set('startPage')}>
              {(START_PAGES.includes(v.startPage) ? START_PAGES : [...START_PAGES, v.startPage]).map((p) => (
                <option key={p} value={p}>
                  {p === '/' ? t('admin.users.startDefault') : p}
                </option>
              ))}
            </select>
          )}
        </Field>
        {envField}
        {!user && (
          <>
            <PasswordFields
              names={['password', 'repeat']}
              label={t('admin.users.password')}
              password={password}
              repeat={repeat}
              mustChange={mustChange}
              errors={{ password: err('password'), repeat: err('repeat') }}
              onPassword={setPassword}
              onRepeat={setRepeat}
              onMustChange={setMustChange}
            />
          </>
        )}
      </div>
      {stale && <StaleNotice message={t('admin.users.stale')} onReload={props.onReload} />}
      {errors.general && (
        <p class="error" role="alert">
          {errors.general}
        </p>
      )}
      <div class="filter-actions">
        <button type="submit" class="primary" disabled={busy}>
          {user ? t('admin.save') : t('admin.users.create')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('admin.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Sets a user's password (PUT /api/v1/users/{id}/password); the user's sessions end. */
export function PasswordForm({ user, onDone }: { user: UserRow; onDone: (message: string) => void }) {
  const { t } = useConsole();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  return (
    <form
      class="admin-form compact"
      aria-label={t('admin.users.setPassword')}
      novalidate
      onSubmit={async (e) => {
        e.preventDefault();
        const problem = passwordProblem(password, repeat, user.loginName);
        if (problem) {
          const field = problem === 'repeat' ? 'repeat' : 'password';
          setErrors({ fields: { [field]: t(`admin.password.${problem}`) }, general: undefined });
          return;
        }
        try {
          await api.put(`/api/v1/users/${encodeURIComponent(user.id)}/password`, {
            password,
            mustChangePassword: mustChange,
          });
          setPassword('');
          setRepeat('');
          setErrors(NO_ERRORS);
          onDone(t('admin.users.passwordSet', { name: user.loginName }));
        } catch (error) {
          setErrors(formErrors(error));
        }
      }}
    >
      <h3>{t('admin.users.setPassword')}</h3>
      <div class="admin-grid">
        <PasswordFields
          names={['newPassword', 'newRepeat']}
          label={t('admin.users.newPassword')}
          password={password}
          repeat={repeat}
          mustChange={mustChange}
          errors={{ password: errors.fields.password, repeat: errors.fields.repeat }}
          onPassword={setPassword}
          onRepeat={setRepeat}
          onMustChange={setMustChange}
        />
      </div>
      {errors.general && (
        <p class="error" role="alert">
          {errors.general}
        </p>
      )}
      <button type="submit">{t('admin.users.setPassword')}</button>
    </form>
  );
}

/** A new password, its repetition and "must change at next login": the create form's and the set-password form's. */
function PasswordFields(p: {
  readonly names: readonly [password: string, repeat: string];
  readonly label: string;
  readonly password: string;
  readonly repeat: string;
  readonly mustChange: boolean;
  readonly errors: { readonly password?: string | undefined; readonly repeat?: string | undefined };
  readonly onPassword: (v: string) => void;
  readonly onRepeat: (v: string) => void;
  readonly onMustChange: (v: boolean) => void;
}) {
  const { t } = useConsole();
  const field = (name: string, value: string, onValue: (v: string) => void) => (ids: FieldIds) => (
    <input
      id={ids.id}
      name={name}
      type="password"
      autocomplete="new-password"
      value={value}
      onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
      aria-invalid={ids.invalid}
      aria-describedby={ids.describedBy}
    />
  );
  return (
    <>
      <Field label={p.label} error={p.errors.password} hint={t('admin.password.policy')}>
        {field(p.names[0], p.password, p.onPassword)}
      </Field>
      <Field label={t('admin.users.repeat')} error={p.errors.repeat}>
        {field(p.names[1], p.repeat, p.onRepeat)}
      </Field>
      <label class="check wide">
        <input
          type="checkbox"
          name="mustChangePassword"
          checked={p.mustChange}
          onChange={(e) => p.onMustChange((e.currentTarget as HTMLInputElement).checked)}
        />
        {t('admin.users.mustChange')}
      </label>
    </>
  );
}
