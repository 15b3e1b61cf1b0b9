/**
 * Long lists a page at a time: `paged` cuts a list (pure), `Pager` is the keyboard-operable
 * Previous / Next navigation under a table, with the page in words for screen readers.
 */
import { useConsole } from '../context.ts';
import { PageNav } from '../list-controls.tsx';

/** Rows per page: one screen at 1280×720 without scrolling past the header. */
export const PAGE_SIZE = 15;

/** The `page` (0-based, clamped) of `items`, and how many pages there are (at least 1). */
export function paged<T>(items: readonly T[], page: number, size = PAGE_SIZE) {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const at = Math.min(Math.max(0, page), pages - 1);
  return { rows: items.slice(at * size, (at + 1) * size), page: at, pages };
}

export function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (p: number) => void }) {
  const { t } = useConsole();
  return (
    <PageNav
      class="ops-pager"
      label={t('ops.pages')}
      previous={`‹ ${t('ops.previous')}`}
      next={`${t('ops.next')} ›`}
      position={t('ops.pageOf', { page: page + 1, pages })}
      page={page}
      pages={pages}
      onPage={onPage}
    />
  );
}
