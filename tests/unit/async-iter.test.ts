import { describe, expect, it } from 'vitest';
import { filterIterator, flattenIterator, mapIterator } from '../../src/common/async-iter.js';

/** A source that records whether return() reached it. */
function source<T>(items: T[]) {
  let returned = false;
  let i = 0;
  const it: AsyncIterableIterator<T> = {
    async next() {
      return i < items.length ? { done: false, value: items[i++]! } : { done: true, value: undefined };
    },
    async return() {
      returned = true;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return { it, returned: () => returned };
}

async function collect<T>(it: AsyncIterableIterator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('derived async iterators', () => {
  it('filter keeps matching items in order', async () => {
    expect(await collect(filterIterator(source([1, 2, 3, 4]).it, (n) => n % 2 === 0))).toEqual([2, 4]);
  });

  it('flatten turns batches into single items, skipping empty batches', async () => {
    expect(await collect(flattenIterator(source([[1, 2], [], [3]]).it))).toEqual([1, 2, 3]);
  });

  it('map transforms each item', async () => {
    expect(await collect(mapIterator(source(['a', 'bb']).it, (s) => s.length))).toEqual([1, 2]);
  });

  it('return() on a composed iterator reaches the source', async () => {
    const s = source([[1, 2, 3]]);
    const it = filterIterator(flattenIterator(mapIterator(s.it, (b) => b)), () => true);
    expect((await it.next()).value).toBe(1);
    await it.return!();
    expect(s.returned()).toBe(true);
  });
});
