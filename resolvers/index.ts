import type { Container } from '../src/app/container.js';
import { ApiKeyResolver } from './api-key.resolver.js';
import { AuditResolver } from './audit.resolver.js';
import { AuthResolver } from './auth.resolver.js';
import { UserResolver } from './user.resolver.js';
import { MachineResolver } from './machine.resolver.js';
import { MachineGroupResolver } from './machine-group.resolver.js';
import { FleetResolver } from './fleet.resolver.js';
import { ReadingResolver, ReadingSeriesResolver } from './reading.resolver.js';

/** Resolver classes in schema order; each instance gets its services from the container. */
export const RESOLVER_CLASSES = [AuthResolver, UserResolver, ApiKeyResolver, AuditResolver, MachineResolver, MachineGroupResolver, FleetResolver, ReadingResolver, ReadingSeriesResolver] as const;

export function createResolvers(c: Container): Map<Function, object> {
  const s = c.services;
  return new Map<Function, object>([
    [AuthResolver, new AuthResolver(s.auth)],
    [UserResolver, new UserResolver(s.users)],
    [ApiKeyResolver, new ApiKeyResolver(s.apiKeys)],
    [AuditResolver, new AuditResolver(s.audit)],
    [MachineResolver, new MachineResolver(s.machines, s.machineImport)],
    [MachineGroupResolver, new MachineGroupResolver(s.machineGroups)],
    [FleetResolver, new FleetResolver(s.fleet)],
    [ReadingResolver, new ReadingResolver(s.ingest, s.readings)],
    [ReadingSeriesResolver, new ReadingSeriesResolver()],
  ]);
}
