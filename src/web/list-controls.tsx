/**
 * Pieces the console's lists share: the search field that filters a list as you type (and sends
 * it back to its first page), previous / next over a list's pages; for the filtered, cursor-paged lists (Operation › Protocol, System ›
 * Access log) the filter form with its draft, applied filters and pages (`useFilters`,
 * `FilterForm`), the export with its progress (`useExport`, `ExportBar`) and the newer / older
 * pager over the server's `nextBefore` cursors. The labels are the page's own.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { downloadExport } from './download.ts';

/**
 * Previous / next over the pages of a list held in the browser, with the position in words
 * (announced politely to screen readers); nothing when the list fits one page.
 */
export function PageNav(props: {
  label: string;
  previous: string;
  next: string;
  /** E.g. "Page 2 of 5". */
  position: string;
  page: number;
  pages: number;
  onPage: (page: number) => void;
  class?: string;
}) {
  const { page, pages, onPage } = props;
  if (pages <= 1) return null;
  return (
    <nav class={props.class ?? 'pager'} aria-label={props.label}>
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)}>
        {props.previous}
      </button>
      <span class="muted" aria-live="polite" data-testid="page">
        {props.position}
      </span>
      <button type="button" disabled={page + 1 >= pages} onClick={() => onPage(page + 1)}>
        {props.next}
      </button>
    </nav>
  );
}

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

/** A filter form's draft, the filters applied, and the cursors of the pages shown under them. */
export function useFilters<F extends object, C>(empty: F) {
  const [draft, setDraft] = useState<F>(empty);
  const [filters, setFilters] = useState<F>(empty);
  // The cursors of the pages shown so far: [undefined] is the newest page.
  const [cursors, setCursors] = useState<readonly (C | undefined)[]>([undefined]);
  return {
    draft,
    setDraft,
    filters,
    cursors,
    setCursors,
    /** The draft becomes the filters; back to the newest page. */
    apply: () => {
      setFilters({ ...draft });
      setCursors([undefined]);
    },
    /** Draft and filters cleared; back to the newest page. */
    reset: () => {
      setDraft(empty);
      setFilters(empty);
      setCursors([undefined]);
    },
  };
}

/** The filter form: its fields (`children`), then apply (submit) and reset. */
export function FilterForm(props: {
  label: string;
  apply: string;
  reset: string;
  onApply: () => void;
  onReset: () => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="filters"
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply();
      }}
    >
      {props.children}
      <div class="filter-actions">
        <button type="submit" class="primary">
          {props.apply}
        </button>
        <button type="button" onClick={props.onReset}>
          {props.reset}
        </button>
      </div>
    </form>
  );
}

export type ExportFormat = 'csv' | 'json';
/** An export under way: its format and the bytes arrived so far. */
export type ExportProgress = { format: ExportFormat; bytes: number } | undefined;

/** An export: the one under way, the last one's message, and how to start one. */
export interface Exporter {
  readonly exporting: ExportProgress;
  readonly done: string | undefined;
  download(format: ExportFormat): Promise<void>;
}

/**
 * Streams `url(format)` to a download (download.ts), with its progress; `done` words the saved
 * file's name, `onStart` runs as one starts (clear the page's error), `onError` gets a failure.
 */
export function useExport(o: {
  url: (format: ExportFormat) => string;
  fallbackName: (format: ExportFormat) => string;
  done: (name: string) => string;
  onStart: () => void;
  onError: (err: unknown) => void;
}): Exporter {
  const [exporting, setExporting] = useState<ExportProgress>();
  const [done, setDone] = useState<string | undefined>();
  return {
    exporting,
    done,
    async download(format) {
      setExporting({ format, bytes: 0 });
      setDone(undefined);
      o.onStart();
      try {
        const name = await downloadExport(o.url(format), o.fallbackName(format), (bytes) =>
          setExporting({ format, bytes }),
        );
        setDone(o.done(name));
      } catch (err) {
        o.onError(err);
      } finally {
        setExporting(undefined);
      }
    },
  };
}

/**
 * The export buttons (disabled while one runs), any further buttons (`children`), and the status
 * line: the progress while exporting, else the last export's message.
 */
export function ExportBar(props: {
  csv: string;
  json: string;
  exporter: Exporter;
  progress: (p: { format: string; kb: string }) => string;
  children?: ComponentChildren;
}) {
  const { exporting, done, download } = props.exporter;
  return (
    <div class="export-bar">
      <button type="button" disabled={exporting !== undefined} onClick={() => void download('csv')}>
        {props.csv}
      </button>
      <button type="button" disabled={exporting !== undefined} onClick={() => void download('json')}>
        {props.json}
      </button>
      {props.children}
      <p role="status" data-testid="export-status" class="muted">
        {exporting
          ? props.progress({ format: exporting.format.toUpperCase(), kb: (exporting.bytes / 1024).toFixed(1) })
          : (done ?? '')}
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
