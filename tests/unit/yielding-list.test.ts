import 'reflect-metadata';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../resolvers/schema.js';
import { yieldingList } from '../../resolvers/yielding-list.js';

describe('long GraphQL lists are completed a slice at a time', () => {
  it('yieldingList: the first 1,000 items as they are, the rest released one event-loop turn per 1,000', async () => {
    const items = Array.from({ length: 3_500 }, (_, i) => ({ i }));
    const list = yieldingList(items);
    expect(list.slice(0, 1000)).toEqual(items.slice(0, 1000));
    const released: number[] = [];
    let turns = 0;
    const count = () => {
      turns++;
      if (released.length < items.length - 1000) setImmediate(count);
    };
    setImmediate(count);
    await Promise.all(list.slice(1000).map((p) => Promise.resolve(p).then((v) => released.push(turns) && v)));
    expect(await Promise.all(list)).toEqual(items);
    // the items after the first 1,000 come in slices of 1,000 (the last one shorter), each on a later turn
    const bySlice = [0, 1, 2].map((k) => released.slice(k * 1000, k * 1000 + 1000));
    expect(bySlice.map((b) => b.length)).toEqual([1000, 1000, 500]);
    for (const b of bySlice) expect(new Set(b).size).toBe(1);
    expect(bySlice[0]![0]! < bySlice[1]![0]! && bySlice[1]![0]! < bySlice[2]![0]!).toBe(true);
  });

  it('the schema resolves ReadingSeries.points and FleetStatus.machines through it (type-graphql pairs field resolvers by method name)', async () => {
    const schema = await buildAppSchema();
    for (const [type, field] of [['ReadingSeries', 'points'], ['FleetStatus', 'machines']] as const) {
      const resolve = (schema.getType(type) as GraphQLObjectType).getFields()[field]!.resolve;
      expect(resolve, `${type}.${field}`).toBeDefined();
      const items = Array.from({ length: 2_500 }, (_, i) => ({ i }));
      const out = (await resolve!({ [field]: items }, {}, {}, {} as never)) as unknown[];
      expect(out).toHaveLength(items.length);
      expect(out[999]).toBe(items[999]);
      expect(typeof (out[1000] as PromiseLike<unknown>).then).toBe('function');
      expect(await Promise.all(out)).toEqual(items);
    }
  });
});
