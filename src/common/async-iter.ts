/**
 * An iterator derived from `source` by `next`; return() and throw() always reach the source, so
 * a GraphQL subscription that ends releases its bus subscription.
 */
function derived<S, T>(source: AsyncIterableIterator<S>, next: () => Promise<IteratorResult<T>>, onReturn?: () => void): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    next,
    async return(value?: unknown) {
      onReturn?.();
      await source.return?.(value);
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      await source.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

/** Passes through the items of an async iterator that satisfy pred. */
export function filterIterator<T>(source: AsyncIterableIterator<T>, pred: (item: T) => boolean): AsyncIterableIterator<T> {
  return derived(source, async () => {
    for (;;) {
      const r = await source.next();
      if (r.done || pred(r.value)) return r;
    }
  });
}

/** filterIterator for a predicate that needs I/O (e.g. a membership lookup); items stay in order. */
export function filterIteratorAsync<T>(source: AsyncIterableIterator<T>, pred: (item: T) => boolean | Promise<boolean>): AsyncIterableIterator<T> {
  return derived(source, async () => {
    for (;;) {
      const r = await source.next();
      if (r.done || (await pred(r.value))) return r;
    }
  });
}

/** Yields every item of each array the source produces (a batch event becomes single events). */
export function flattenIterator<T>(source: AsyncIterableIterator<T[]>): AsyncIterableIterator<T> {
  let buffer: T[] = [];
  return derived<T[], T>(
    source,
    async () => {
      while (buffer.length === 0) {
        const r = await source.next();
        if (r.done) return { done: true, value: undefined } as IteratorResult<T>;
        buffer = r.value.slice();
      }
      return { done: false, value: buffer.shift() as T };
    },
    () => {
      buffer = [];
    },
  );
}

/** Maps each item of an async iterator. */
export function mapIterator<T, U>(source: AsyncIterableIterator<T>, fn: (item: T) => U): AsyncIterableIterator<U> {
  return derived<T, U>(source, async () => {
    const r = await source.next();
    return r.done ? ({ done: true, value: undefined } as IteratorResult<U>) : { done: false, value: fn(r.value) };
  });
}
