import { invalid } from './errors.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  page?: number | null;
  pageSize?: number | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

/** Normalises page arguments (1-based page, page size 1..100). */
export function pageWindow(args: PageArgs): { page: number; pageSize: number; offset: number } {
  const page = args.page ?? 1;
  const pageSize = args.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1) throw invalid('page', 'Input should be greater than or equal to 1', 'greater_than_equal');
  if (!Number.isInteger(pageSize) || pageSize < 1) throw invalid('page_size', 'Input should be greater than or equal to 1', 'greater_than_equal');
  if (pageSize > MAX_PAGE_SIZE) throw invalid('page_size', `Input should be less than or equal to ${MAX_PAGE_SIZE}`, 'less_than_equal');
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export function toPage<T>(items: T[], total: number, w: { page: number; pageSize: number }): Page<T> {
  return { items, total, page: w.page, pageSize: w.pageSize, totalPages: Math.ceil(total / w.pageSize) };
}
