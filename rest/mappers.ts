import { z } from 'zod';
import type { Page } from '../src/common/pagination.js';

/** ISO 8601 in UTC with milliseconds (`Date#toISOString`); a non-null Date gives a non-null string. */
export function iso(d: Date): string;
export function iso(d: Date | null | undefined): string | null;
export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/**
 * The named response shapes: each is one `components.schemas` entry of the OpenAPI document, and
 * a shape used inside another becomes a `$ref` to it.
 */
export const responseShapes = z.registry<{ id: string }>();

const shapeByName = new Map<string, z.ZodType>();

/** Declares a response shape under its component name. */
export function shape<S extends z.ZodType>(name: string, schema: S): S {
  const known = shapeByName.get(name);
  if (known && known !== schema) throw new Error(`response shape ${name} is declared twice`);
  const named = responseShapes.get(schema)?.id;
  if (named && named !== name) throw new Error(`response shape ${named} is declared again as ${name}`);
  if (!known) {
    shapeByName.set(name, schema);
    responseShapes.add(schema, { id: name });
  }
  return schema;
}

/** what `iso()` writes: fields of the shapes use it for every instant */
export const isoInstant = () => z.iso.datetime({ offset: false });

/**
 * What JSON.stringify makes of a value of type T: `toJSON()` applied (a LazyList is its array, a
 * Date its string), literal types widened. Both sides of the
 * mapper check go through it, so the check compares JSON shapes: fields, their JSON types,
 * nullability and optionality. Enum members are not part of it (the mapped types carry `string`);
 * the live contract test checks them against the served values.
 */
export type Json<T> = T extends { toJSON(): infer J }
  ? Json<J>
  : T extends string
    ? string
    : T extends number
      ? number
      : T extends boolean
        ? boolean
        : T extends null | undefined
          ? T
          : T extends readonly (infer E)[]
            ? Json<E>[]
            : T extends object
              ? { [K in keyof T]: Json<T[K]> }
              : T;

type Same<X, Y> = (<G>() => G extends X ? 1 : 2) extends <G>() => G extends Y ? 1 : 2 ? true : false;

/** The extra argument `mapper` demands when the mapper's JSON and its declared shape differ. */
type ShapeCheck<R, S extends z.ZodType> =
  Same<Json<R>, Json<z.output<S>>> extends true ? [] : [mapperDiffersFromItsShape: { mapper: Json<R>; shape: Json<z.output<S>> }];

/** A REST response mapper with the declared shape of what it returns. */
export interface Mapper<T, R = unknown> {
  (result: T): R;
  readonly schema: z.ZodType;
}

/**
 * Binds a mapper to its response shape. The mapper's return type must have exactly the shape's
 * JSON type (no field more or less, same nullability), or this call does not compile; the OpenAPI
 * document emits the shape, so the document and the bodies cannot drift apart.
 */
export function mapper<S extends z.ZodType, T, R>(schema: S, map: (result: T) => R, ..._check: ShapeCheck<R, S>): Mapper<T, R> {
  if (!responseShapes.has(schema)) throw new Error('a mapper shape must be declared with shape(name, schema)');
  return Object.assign((result: T) => map(result), { schema });
}

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

const pageMappers = new WeakMap<Mapper<never>, Mapper<never>>();

/** The page mapper of an item mapper; its shape is `<Item>Page` (one per item shape). */
export function pageOf<T, U>(item: Mapper<T, U>): Mapper<Page<T>, ReturnType<typeof mapPage<T, U>>> {
  const known = pageMappers.get(item as Mapper<never>);
  if (known) return known as unknown as Mapper<Page<T>, ReturnType<typeof mapPage<T, U>>>;
  const name = responseShapes.get(item.schema)?.id;
  if (!name) throw new Error('pageOf: the item shape has no name');
  const count = z.number().int().min(0);
  const schema = shape(
    `${name}Page`,
    z.object({ items: z.array(item.schema), total: count, page: z.number().int().min(1), page_size: z.number().int().min(1), total_pages: count }),
  );
  const paged = Object.assign((page: Page<T>) => mapPage(page, item), { schema });
  pageMappers.set(item as Mapper<never>, paged as unknown as Mapper<never>);
  return paged;
}

/** `{detail}` of the operations that only confirm (logout, change-password). */
export const MessageShape = shape('Message', z.object({ detail: z.string() }));
export const mapMessage = mapper(MessageShape, (m: { detail: string }) => ({ detail: m.detail }));
