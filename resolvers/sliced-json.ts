/**
 * Apollo's `stringifyResult` for answers with long lists. One JSON.stringify of 100,000 series
 * points (~5 MB) held the event loop for ~40 ms on top of graphql-js' completion; here an answer
 * with more than SMALL_NODES array items is written a piece at a time, with a turn of the event
 * loop after every BUDGET_MS of work. Smaller answers keep the one-call path (same bytes either way).
 */
export const SMALL_NODES = 5_000;
/** flat items serialized per JSON.stringify call */
const SLICE = 1_000;
/** work between two yields to the event loop */
const BUDGET_MS = 8;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** true when `value` holds more than `limit` array items, counting only as far as needed */
export function exceeds(value: unknown, limit: number): boolean {
  let left = limit;
  const visit = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') return false;
    if (Array.isArray(v)) {
      left -= v.length;
      if (left < 0) return true;
      return v.some(visit);
    }
    return Object.values(v).some(visit);
  };
  return visit(value);
}

/** an item JSON.stringify serializes in time proportional to its few keys: no nested objects or lists */
function isFlat(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const key in v) {
    const item = (v as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object') return false;
  }
  return true;
}

export async function stringifyResult(value: unknown): Promise<string> {
  if (!exceeds(value, SMALL_NODES)) return `${JSON.stringify(value)}\n`;
  const out: string[] = [];
  let since = performance.now();
  const turn = async () => {
    if (performance.now() - since < BUDGET_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
  const write = async (input: unknown): Promise<void> => {
    const v = input !== null && typeof input === 'object' && typeof (input as { toJSON?: unknown }).toJSON === 'function' ? (input as { toJSON(): Json }).toJSON() : input;
    if (isFlat(v)) {
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      out.push('[');
      let flat: unknown[] = [];
      let wrote = false;
      const flush = async () => {
        if (flat.length === 0) return;
        const text = JSON.stringify(flat);
        out.push(wrote ? ',' : '', text.slice(1, -1));
        wrote = true;
        flat = [];
        await turn();
      };
      for (const item of v) {
        // undefined and functions in an array are written as null, as JSON.stringify does
        if (isFlat(item)) {
          flat.push(item);
          if (flat.length >= SLICE) await flush();
          continue;
        }
        await flush();
        if (wrote) out.push(',');
        wrote = true;
        await write(item);
      }
      await flush();
      out.push(']');
      return;
    }
    out.push('{');
    let first = true;
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      out.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      await write(item);
      await turn();
    }
    out.push('}');
  };
  await write(value);
  out.push('\n');
  return out.join('');
}
