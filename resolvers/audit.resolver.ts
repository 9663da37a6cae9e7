import { Args, Ctx, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import type { AuditService } from '../src/audit/audit.service.js';
import { AUDIT_TOPIC, type AuditEventRecorded } from '../src/audit/audit.events.js';
import type { EventBus } from '../src/infra/event-bus.js';
import type { MachineService } from '../src/machines/machine.service.js';
import type { ModuleServices } from '../src/app/modules.js';
import { filterIterator } from '../src/common/async-iter.js';
import { AuditEvent, AuditEventPage, AuditEventsArgs } from '../schema/audit.type.js';

/** The bus and the machines are reached through the GraphQL context so subscribe functions (static) can use them. */
export interface SubscriptionContext extends RequestContext {
  bus: EventBus;
  /** a subscription naming a machine checks it is one of the caller's tenant */
  machines: Pick<MachineService, 'get'>;
  /** every module's services, for subscribe functions that filter by more than the payload (e.g. group membership) */
  services: ModuleServices;
}

@Resolver(() => AuditEvent)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Allow(policies.anyRole())
  @Query(() => AuditEventPage)
  auditEvents(@Ctx() ctx: RequestContext, @Args() args: AuditEventsArgs): Promise<AuditEventPage> {
    return this.audit.list(ctx, args);
  }

  @Subscription(() => AuditEvent, {
    description: 'Audit events of the caller\'s tenant as they are recorded',
    subscribe: ({ context }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      return filterIterator(ctx.bus.subscribe(AUDIT_TOPIC), (e) => e.tenantId === tenantId);
    },
  })
  auditEventRecorded(@Root() event: AuditEventRecorded): AuditEvent {
    return event;
  }
}
