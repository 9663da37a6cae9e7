import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import { signoffRecordedTopic, type SignoffRecorded } from '../src/signoffs/signoff.events.js';
import type { SignoffService, SignoffVerification as VerificationView } from '../src/signoffs/signoff.service.js';
import { CreateSignoffInput, Signoff, SignoffCertificate, SignoffVerification } from '../schema/signoff.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

@Resolver(() => Signoff)
export class SignoffResolver {
  constructor(private readonly signoffs: SignoffService) {}

  @Allow(policies.anyRole())
  @Query(() => [Signoff], { description: "a work order's sign-offs, newest first (at most 20)" })
  workOrderSignoffs(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string): Promise<Signoff[]> {
    return this.signoffs.list(ctx, workOrderId);
  }

  @Allow(policies.writers())
  @Mutation(() => Signoff, {
    description: 'sign a completed work order (admin, operator; user tokens only) with the caller\'s password; a wrong password is FORBIDDEN and counts towards the login lock-out',
  })
  createSignoff(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string, @Arg('input') input: CreateSignoffInput): Promise<Signoff> {
    return this.signoffs.create(ctx, workOrderId, input);
  }

  @Allow(policies.anyRole())
  @Query(() => SignoffVerification, { description: 'recompute a sign-off\'s signature from the current rows; isValid false when anything signed was altered' })
  verifySignoff(
    @Ctx() ctx: RequestContext,
    @Arg('workOrderId', () => ID) workOrderId: string,
    @Arg('signoffId', () => ID) signoffId: string,
  ): Promise<VerificationView> {
    return this.signoffs.verify(ctx, workOrderId, signoffId);
  }

  @Allow(policies.anyRole())
  @Query(() => SignoffCertificate, { description: 'the completion certificate PDF (base64) of a completed, signed work order' })
  async workOrderCertificate(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string): Promise<SignoffCertificate> {
    const cert = await this.signoffs.certificate(ctx, workOrderId);
    // base64 inside the JSON answer (one round trip, the same authorization); REST sends `content` as the file
    return { ...cert, byteLength: cert.content.length, contentBase64: cert.content.toString('base64') };
  }

  @Subscription(() => Signoff, {
    description: 'sign-offs of one work order as they are recorded (on any instance)',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      // an unknown or foreign order is a NOT_FOUND now, not a subscription that never delivers
      const workOrderId = await ctx.services.signoffs.workOrderOf(tenantId, (args as { workOrderId: string }).workOrderId);
      const source = ctx.bus.subscribe(signoffRecordedTopic(tenantId)) as AsyncIterableIterator<SignoffRecorded>;
      return filterIterator(source, (s) => s.tenantId === tenantId && s.workOrderId === workOrderId);
    },
  })
  signoffRecorded(@Root() signoff: SignoffRecorded, @Arg('workOrderId', () => ID) _workOrderId: string): SignoffRecorded {
    return signoff;
  }
}
