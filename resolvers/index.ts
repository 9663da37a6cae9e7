import type { Container } from '../src/app/container.js';
import { RESOLVER_MODULES } from './modules.js';

/** Resolver classes in schema order, from the module list. */
export const RESOLVER_CLASSES: readonly Function[] = RESOLVER_MODULES.flatMap((m) => m.resolvers.map((r) => r.cls));

export function createResolvers(c: Container): Map<Function, object> {
  return new Map(RESOLVER_MODULES.flatMap((m) => m.resolvers.map((r) => [r.cls, r.create(c.services, c)] as const)));
}
