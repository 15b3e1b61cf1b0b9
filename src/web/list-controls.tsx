/**
 * Pieces the console's lists share: the search field that filters a list as you type (and sends
 * it back to its first page), the filter form's apply / reset buttons, the export bar (CSV, JSON,
 * how much has arrived) and the newer / older pager over the server's `nextBefore` cursors
 * (Operation › Protocol, System › Access log). The labels are the page's own.
 */
import type { ComponentChildren } from 'preact';

/** A labelled search field; `onSearch` gets every change (the page filters, and goes to page 1). */
export function SearchField(props: {
  label: string;
  value: string;
  onSearch: (value: string) => void;
  placeholder?: string;
  name?: string;
  class?: string;
}) {
  return (
    <label class={props.class}>
      {props.label}
      <input
        type="search"
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
        onInput={(e) => props.onSearch((e.currentTarget as HTMLInputElement).value)}
      />
    </label>
  );
}

/** The filter form's buttons: submit applies the draft; `onReset` clears draft and filters. */
export function FilterActions(props: { apply: string; reset: string; onReset: () => void }) {
  return (
    <div class="filter-actions">
      <button type="submit" class="primary">
        {props.apply}
      </button>
      <button type="button" onClick={props.onReset}>
        {props.reset}
      </button>
    </div>
  );
}

export type ExportFormat = 'csv' | 'json';
/** An export under way: its format and the bytes arrived so far. */
export type ExportProgress = { format: ExportFormat; bytes: number } | undefined;

/**
 * The export buttons (disabled while one runs), any further buttons (`children`), and the status
 * line: the progress while exporting, else `done` (the last export's message).
 */
export function ExportBar(props: {
  csv: string;
  json: string;
  exporting: ExportProgress;
  done: string | undefined;
  progress: (p: { format: string; kb: string }) => string;
  onExport: (format: ExportFormat) => void;
  children?: ComponentChildren;
}) {
  const { exporting } = props;
  return (
    <div class="export-bar">
      <button type="button" disabled={exporting !== undefined} onClick={() => props.onExport('csv')}>
        {props.csv}
      </button>
      <button type="button" disabled={exporting !== undefined} onClick={() => props.onExport('json')}>
        {props.json}
      </button>
      {props.children}
      <p role="status" data-testid="export-status" class="muted">
        {exporting
          ? props.progress({ format: exporting.format.toUpperCase(), kb: (exporting.bytes / 1024).toFixed(1) })
          : (props.done ?? '')}
      </p>
    </div>
  );
}

/**
 * Newer / older over cursor pages: `cursors` are those of the pages shown so far (the last is
 * the current one); "older" follows `nextBefore`. Nothing when there is a single page.
 */
export function CursorPager<C extends string | number>(props: {
  label: string;
  newer: string;
  older: string;
  cursors: readonly (C | undefined)[];
  nextBefore: C | null;
  onCursors: (cursors: readonly (C | undefined)[]) => void;
}) {
  const { cursors, nextBefore, onCursors } = props;
  if (cursors.length === 1 && nextBefore === null) return null;
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" disabled={cursors.length === 1} onClick={() => onCursors(cursors.slice(0, -1))}>
        {props.newer}
      </button>
      <button
        type="button"
        disabled={nextBefore === null}
        onClick={() => nextBefore !== null && onCursors([...cursors, nextBefore])}
      >
        {props.older}
      </button>
    </nav>
  );
}
