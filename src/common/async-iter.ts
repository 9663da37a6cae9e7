/** Passes through the items of an async iterator that satisfy pred; return() reaches the source. */
export function filterIterator<T>(source: AsyncIterableIterator<T>, pred: (item: T) => boolean): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const r = await source.next();
        if (r.done || pred(r.value)) return r;
      }
    },
    async return(value?: unknown) {
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

/** Yields every item of each array the source produces (a batch event becomes single events). */
export function flattenIterator<T>(source: AsyncIterableIterator<T[]>): AsyncIterableIterator<T> {
  let buffer: T[] = [];
  const it: AsyncIterableIterator<T> = {
    async next() {
      while (buffer.length === 0) {
        const r = await source.next();
        if (r.done) return { done: true, value: undefined };
        buffer = r.value.slice();
      }
      return { done: false, value: buffer.shift()! };
    },
    async return(value?: unknown) {
      buffer = [];
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

/** Maps each item of an async iterator; return() reaches the source. */
export function mapIterator<T, U>(source: AsyncIterableIterator<T>, fn: (item: T) => U): AsyncIterableIterator<U> {
  const it: AsyncIterableIterator<U> = {
    async next() {
      const r = await source.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: fn(r.value) };
    },
    async return(value?: unknown) {
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
