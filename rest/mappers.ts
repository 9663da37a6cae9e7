import type { Page } from '../src/common/pagination.js';

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** REST pagination envelope of the reference: items, total, page, page_size, total_pages. */
export function mapPage<T, U>(page: Page<T>, item: (t: T) => U) {
  return {
    items: page.items.map(item),
    total: page.total,
    page: page.page,
    page_size: page.pageSize,
    total_pages: page.totalPages,
  };
}
