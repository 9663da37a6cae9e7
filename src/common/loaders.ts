import DataLoader from 'dataloader';

const perContext = new WeakMap<object, Map<string, DataLoader<string, unknown>>>();

/**
 * A DataLoader that lives as long as one request context, so field resolvers across a
 * response batch their lookups into one query per key kind.
 */
export function loaderFor<V>(ctx: object, name: string, batch: (keys: readonly string[]) => Promise<Map<string, V>>, empty: () => V): DataLoader<string, V> {
  let loaders = perContext.get(ctx);
  if (!loaders) perContext.set(ctx, (loaders = new Map()));
  let loader = loaders.get(name) as DataLoader<string, V> | undefined;
  if (!loader) {
    loader = new DataLoader<string, V>(async (keys) => {
      const found = await batch(keys);
      return keys.map((k) => found.get(k) ?? empty());
    });
    loaders.set(name, loader as DataLoader<string, unknown>);
  }
  return loader;
}
