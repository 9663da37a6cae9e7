const SLICE = 1000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A long list for graphql-js to complete a slice at a time. graphql-js completes every item that is
 * not a promise in one synchronous pass, so 10,000 fleet entries or 100,000 series points held the
 * event loop for hundreds of milliseconds. Here the first slice is given as is, and the items of
 * each further slice are promises released one event-loop turn after the slice before: requests
 * and timers run in between.
 */
export function yieldingList<T>(items: readonly T[]): readonly (T | Promise<T>)[] {
  if (items.length <= SLICE) return items;
  const out: (T | Promise<T>)[] = items.slice(0, SLICE);
  let gate: Promise<void> = Promise.resolve();
  for (let i = SLICE; i < items.length; i += SLICE) {
    gate = gate.then(nextTurn);
    const released = gate;
    for (let j = i; j < Math.min(i + SLICE, items.length); j++) {
      const item = items[j]!;
      out.push(released.then(() => item));
    }
  }
  return out;
}
