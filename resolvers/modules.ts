import type { Container } from '../src/app/container.js';
import type { ModuleName } from '../src/app/modules.js';
import { AgentResolver } from './agent.resolver.js';
import { AlertResolver, AlertRuleResolver } from './alert.resolver.js';
import { ApiKeyResolver } from './api-key.resolver.js';
import { AuditResolver } from './audit.resolver.js';
import { AuthResolver } from './auth.resolver.js';
import { DowntimeResolver, DowntimeSettingsResolver, ReasonCodeResolver } from './downtime.resolver.js';
import { FleetResolver } from './fleet.resolver.js';
import { IngestSourceResolver } from './ingest-source.resolver.js';
import { MachineGroupResolver } from './machine-group.resolver.js';
import { MachineResolver } from './machine.resolver.js';
import { NotificationDeliveryResolver, NotificationResolver } from './notification.resolver.js';
import { ShiftResolver } from './shift.resolver.js';
import { OeeResolver } from './oee.resolver.js';
import { ReadingResolver, ReadingSeriesResolver } from './reading.resolver.js';
import { TenantSettingsResolver } from './tenant.resolver.js';
import { InventoryResolver } from './inventory.resolver.js';
import { MaintenanceResolver } from './maintenance.resolver.js';
import { SignoffResolver } from './signoff.resolver.js';
import { UserResolver } from './user.resolver.js';
import { WorkOrderResolver } from './work-order.resolver.js';

/** One resolver class and how its instance is made from the container's services. */
export interface ResolverBinding<R extends object = object> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  cls: abstract new (...args: any[]) => R;
  create(services: Container['services'], c: Container): R;
}

/** A module's resolver classes, keyed by the name of its manifest in src/app/modules.ts. */
export interface ResolverModule {
  module: ModuleName;
  resolvers: readonly ResolverBinding[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bind<R extends object>(cls: abstract new (...args: any[]) => R, create: (services: Container['services'], c: Container) => R): ResolverBinding {
  return { cls, create } as ResolverBinding;
}

/** Every module's resolvers, one line each, in schema build order. */
export const RESOLVER_MODULES: readonly ResolverModule[] = [
  { module: 'auth', resolvers: [bind(AuthResolver, (s) => new AuthResolver(s.auth))] },
  { module: 'users', resolvers: [bind(UserResolver, (s) => new UserResolver(s.users))] },
  { module: 'api-keys', resolvers: [bind(ApiKeyResolver, (s) => new ApiKeyResolver(s.apiKeys))] },
  { module: 'audit', resolvers: [bind(AuditResolver, (s) => new AuditResolver(s.audit))] },
  { module: 'tenants', resolvers: [bind(TenantSettingsResolver, (s) => new TenantSettingsResolver(s.tenantSettings))] },
  { module: 'machines', resolvers: [bind(MachineResolver, (s) => new MachineResolver(s.machines, s.machineImport))] },
  { module: 'machine-groups', resolvers: [bind(MachineGroupResolver, (s) => new MachineGroupResolver(s.machineGroups))] },
  { module: 'downtime', resolvers: [bind(ReasonCodeResolver, (s) => new ReasonCodeResolver(s.reasonCodes)), bind(DowntimeResolver, (s) => new DowntimeResolver(s.downtime)), bind(DowntimeSettingsResolver, (s) => new DowntimeSettingsResolver(s.downtimeSettings))] },
  { module: 'alerts', resolvers: [bind(AlertRuleResolver, (s) => new AlertRuleResolver(s.alertRules)), bind(AlertResolver, (s) => new AlertResolver(s.alerts))] },
  { module: 'fleet', resolvers: [bind(FleetResolver, (s) => new FleetResolver(s.fleet))] },
  { module: 'readings', resolvers: [bind(ReadingResolver, (s) => new ReadingResolver(s.ingest, s.readings)), bind(ReadingSeriesResolver, () => new ReadingSeriesResolver())] },
  { module: 'ingest-sources', resolvers: [bind(IngestSourceResolver, (s) => new IngestSourceResolver(s.ingestSources))] },
  { module: 'agents', resolvers: [bind(AgentResolver, (s) => new AgentResolver(s.agents))] },
  {
    module: 'notifications',
    resolvers: [
      bind(NotificationResolver, (s) => new NotificationResolver(s.notificationChannels, s.escalationPolicies, s.pushSubscriptions)),
      bind(NotificationDeliveryResolver, (s) => new NotificationDeliveryResolver(s.notificationDeliveries)),
    ],
  },
  { module: 'shifts', resolvers: [bind(ShiftResolver, (s) => new ShiftResolver(s.shiftDefinitions, s.shifts))] },
  { module: 'oee', resolvers: [bind(OeeResolver, (s) => new OeeResolver(s.oee))] },
  { module: 'maintenance', resolvers: [bind(MaintenanceResolver, (s) => new MaintenanceResolver(s.maintenance))] },
  { module: 'work-orders', resolvers: [bind(WorkOrderResolver, (s) => new WorkOrderResolver(s.workOrders))] },
  { module: 'inventory', resolvers: [bind(InventoryResolver, (s) => new InventoryResolver(s.inventory, s.workOrderParts))] },
  { module: 'signoffs', resolvers: [bind(SignoffResolver, (s) => new SignoffResolver(s.signoffs))] },
];
