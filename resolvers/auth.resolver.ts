import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { AuthService } from '../src/auth/auth.service.js';
import { AuthPayload, CurrentUser, LoginInput, MfaCodeInput, MfaReauthInput, MfaSetupPayload, MfaStatus, MfaVerifyInput, RegisterInput } from '../schema/auth.type.js';
import { MessageResult } from '../schema/page.type.js';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Allow(policies.public)
  @Mutation(() => AuthPayload, { description: 'Create a tenant and its first admin, signed in' })
  register(@Ctx() ctx: RequestContext, @Arg('input') input: RegisterInput): Promise<AuthPayload> {
    return this.auth.register(ctx, input);
  }

  @Allow(policies.public)
  @Mutation(() => AuthPayload)
  login(@Ctx() ctx: RequestContext, @Arg('input') input: LoginInput): Promise<AuthPayload> {
    return this.auth.login(ctx, input);
  }

  @Allow(policies.public)
  @Mutation(() => AuthPayload, { description: 'Finish a login that returned mfaRequired' })
  verifyMfa(@Ctx() ctx: RequestContext, @Arg('input') input: MfaVerifyInput): Promise<AuthPayload> {
    return this.auth.verifyMfa(ctx, input);
  }

  @Allow(policies.public)
  @Mutation(() => AuthPayload, { description: 'Rotate the refresh token (argument, or the refresh_token cookie)' })
  refreshToken(
    @Ctx() ctx: RequestContext,
    @Arg('refreshToken', () => String, { nullable: true }) refreshToken?: string | null,
  ): Promise<AuthPayload> {
    return this.auth.refresh(ctx, { refreshToken });
  }

  @Allow(policies.anyRole())
  @Mutation(() => MessageResult)
  logout(
    @Ctx() ctx: RequestContext,
    @Arg('refreshToken', () => String, { nullable: true }) refreshToken?: string | null,
  ): Promise<MessageResult> {
    return this.auth.logout(ctx, { refreshToken });
  }

  @Allow(policies.anyRole())
  @Query(() => CurrentUser)
  async me(@Ctx() ctx: RequestContext): Promise<CurrentUser> {
    const { user, tenant } = await this.auth.me(ctx);
    return { ...user, subscriptionStatus: tenant.subscriptionStatus, subscriptionTier: tenant.plan };
  }

  @Allow(policies.anyRole())
  @Mutation(() => MfaSetupPayload, { description: 'Start TOTP enrolment; while MFA is on (replacing the factor) input is required' })
  setupMfa(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => MfaReauthInput, { nullable: true }) input?: MfaReauthInput | null,
  ): Promise<MfaSetupPayload> {
    return this.auth.mfaSetup(ctx, input ?? {});
  }

  @Allow(policies.anyRole())
  @Mutation(() => MfaStatus)
  verifyMfaSetup(@Ctx() ctx: RequestContext, @Arg('input') input: MfaCodeInput): Promise<MfaStatus> {
    return this.auth.mfaVerifySetup(ctx, input);
  }

  @Allow(policies.anyRole())
  @Mutation(() => MfaStatus, { description: 'Turn MFA off; needs the password and a current code' })
  disableMfa(@Ctx() ctx: RequestContext, @Arg('input') input: MfaReauthInput): Promise<MfaStatus> {
    return this.auth.mfaDisable(ctx, input);
  }
}
