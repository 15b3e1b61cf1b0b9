/**
 * Small pieces the administration pages share: a labelled field with its error, a pager over a
 * client-side list, a two-step confirmation, the page's status line, and the notice that a record
 * changed meanwhile (a stale If-Match) with a reload.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { PageNav } from '../list-controls.tsx';
import type { PageOf } from './admin-model.ts';
import './admin.css';

let nextId = 0;
/** A stable id for a component instance (label ↔ error wiring). */
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

/**
 * A label, the control (given as a function of its ids, so it can point at its error) and the
 * field's error under it. `wide` spans the form's full width.
 */
/** What a Field gives its input: the id, the describing ids, whether it is invalid. */
export interface FieldIds {
  readonly id: string;
  readonly describedBy: string | undefined;
  readonly invalid: boolean;
}

export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  wide?: boolean;
  children: (ids: FieldIds) => JSX.Element;
}) {
  const id = useId('f');
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy =
    [props.error ? errId : '', props.hint ? hintId : ''].filter((s) => s !== '').join(' ') || undefined;
  return (
    <div class={`admin-field${props.wide ? ' wide' : ''}${props.error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children({ id, describedBy, invalid: props.error !== undefined })}
      {props.hint && (
        <span id={hintId} class="muted hint">
          {props.hint}
        </span>
      )}
      {props.error && (
        <span id={errId} class="error field-error" data-testid="field-error">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** Previous / next over a client-side list (nothing when it fits one page). */
export function Pager<T>({ page, onPage }: { page: PageOf<T>; onPage: (p: number) => void }) {
  const { t } = useConsole();
  return (
    <PageNav
      label={t('admin.pages')}
      previous={t('admin.previous')}
      next={t('admin.next')}
      position={t('admin.pageOf', { page: page.page + 1, pages: page.pages })}
      page={page.page}
      pages={page.pages}
      onPage={onPage}
    />
  );
}

/**
 * A button that asks first: the first press shows the question with "yes" and "no" (focus on
 * "no", so Enter twice does nothing harmful).
 */
export function Confirm(props: {
  label: string;
  question: string;
  yes: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => void | Promise<void>;
}) {
  const { t } = useConsole();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        class={props.danger ? 'danger-outline' : undefined}
        disabled={props.disabled}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  return (
    <div class="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        type="button"
        class={props.danger ? 'danger' : 'primary'}
        onClick={async () => {
          setAsking(false);
          await props.onConfirm();
        }}
      >
        {props.yes}
      </button>
      <button type="button" ref={(b) => b?.focus()} onClick={() => setAsking(false)}>
        {t('admin.no')}
      </button>
    </div>
  );
}

/** The page's outcome line: an error (role=alert) or a confirmation (role=status). */
export function Outcome({ error, done }: { error: string | undefined; done: string | undefined }) {
  return (
    <>
      {error && (
        <p class="error" role="alert" data-testid="admin-error">
          {error}
        </p>
      )}
      <p class="ok" role="status" data-testid="admin-done">
        {done ?? ''}
      </p>
    </>
  );
}

/** The empty state of a list: what is missing and what to do next. */
export function Empty({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="notice" data-testid="admin-empty">
      <h2>{title}</h2>
      <p>{children}</p>
    </section>
  );
}

/** Says that a record changed meanwhile and the change was not saved, with a button that reloads it. */
export function StaleNotice({ message, onReload }: { message: string; onReload: () => void }) {
  const { t } = useConsole();
  return (
    <p class="warning" role="alert" data-testid="stale">
      {message}{' '}
      <button type="button" onClick={onReload}>
        {t('admin.staleReload')}
      </button>
    </p>
  );
}
