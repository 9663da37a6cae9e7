import { UniqueConstraintViolationException, type EntityName, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from './context.js';
import { isUuid, type DomainError } from './errors.js';

/**
 * One row of the caller's tenant by id, or the module's not-found error: an id of another tenant
 * and an id that is not a UUID (GraphQL `ID` is unvalidated; PostgreSQL would answer a 500) are
 * both simply "not found", so a tenant learns nothing about another's ids.
 */
export async function findInTenantOrThrow<T extends object>(
  em: EntityManager,
  ctx: RequestContext,
  entity: EntityName<T>,
  id: string,
  notFound: () => DomainError,
  where: Record<string, unknown> = {},
): Promise<T> {
  if (!isUuid(id)) throw notFound();
  const filter = { ...where, id, tenantId: ctx.principal!.tenantId } as FilterQuery<NoInfer<T>>;
  const row = await em.findOne<T>(entity, filter);
  if (!row) throw notFound();
  return row as T;
}

/**
 * Runs a write whose unique constraint is the duplicate check (a check-then-insert would race):
 * the violation becomes the module's conflict error, anything else propagates.
 */
export async function uniqueOrThrow<R>(write: () => Promise<R>, conflict: () => DomainError): Promise<R> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw conflict();
    throw err;
  }
}
