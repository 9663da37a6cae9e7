import type { Response } from 'express';

/**
 * A list whose items are mapped to their JSON shape only while the answer is written. A mapper
 * returns one for lists that can hold tens of thousands of items (series points, the fleet):
 * `writeJson` then maps and serializes them a slice at a time and lets other requests run in
 * between. Anything else that serializes it (JSON.stringify, res.json) gets the mapped array.
 */
export class LazyList<T, U> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T) => U,
  ) {}

  toJSON(): U[] {
    return this.items.map(this.map);
  }
}

export const lazyList = <T, U>(items: readonly T[], map: (item: T) => U) => new LazyList(items, map);

/** true when a LazyList sits anywhere in the first levels of an answer (where mappers put them). */
export function hasLazyList(value: unknown, depth = 4): boolean {
  if (value instanceof LazyList) return true;
  if (depth === 0 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => hasLazyList(v, depth - 1));
  return Object.values(value).some((v) => hasLazyList(v, depth - 1));
}

const SLICE = 1000;
const FLUSH_CHARS = 64 * 1024;
/** work between two yields to the event loop */
const BUDGET_MS = 8;

/**
 * Writes `value` as JSON with the given status, in pieces: LazyLists are mapped and serialized a
 * slice at a time, the output goes out in 64 KB writes (waiting for the socket to drain), and
 * after every few milliseconds of work the event loop gets a turn.
 */
export async function writeJson(res: Response, status: number, value: unknown): Promise<void> {
  res.status(status);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  let buf: string[] = [];
  let size = 0;
  let since = performance.now();
  let aborted = false;
  res.once('close', () => {
    aborted = true;
  });
  const flush = async () => {
    if (size === 0 || aborted) return;
    const chunk = buf.join('');
    buf = [];
    size = 0;
    if (res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  const emit = async (s: string) => {
    buf.push(s);
    size += s.length;
    if (size >= FLUSH_CHARS) await flush();
    if (performance.now() - since > BUDGET_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  };
  const write = async (v: unknown): Promise<void> => {
    if (aborted) return;
    if (v instanceof LazyList) {
      await emit('[');
      for (let i = 0; i < v.items.length && !aborted; i += SLICE) {
        const slice = JSON.stringify(v.items.slice(i, i + SLICE).map(v.map));
        await emit(i === 0 ? slice.slice(1, -1) : `,${slice.slice(1, -1)}`);
      }
      await emit(']');
      return;
    }
    if (v === null || typeof v !== 'object' || !hasLazyList(v)) {
      await emit(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      await emit('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) await emit(',');
        await write(v[i] === undefined ? null : v[i]);
      }
      await emit(']');
      return;
    }
    await emit('{');
    let first = true;
    for (const [k, item] of Object.entries(v)) {
      if (item === undefined || typeof item === 'function') continue;
      await emit(`${first ? '' : ','}${JSON.stringify(k)}:`);
      first = false;
      await write(item);
    }
    await emit('}');
  };
  await write(value);
  await flush();
  if (!aborted) res.end();
}
