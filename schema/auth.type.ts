import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { DateTime } from './scalars.js';

@ObjectType({ description: 'Tokens of a session; with mfaRequired the accessToken is a short-lived pending token for verifyMfa', simpleResolvers: true })
export class AuthPayload {
  @Field()
  accessToken!: string;

  @Field()
  tokenType!: string;

  @Field()
  mfaRequired!: boolean;

  @Field(() => Int)
  expiresIn!: number;

  @Field(() => String, { nullable: true })
  refreshToken!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CurrentUser {
  @Field() id!: string;
  @Field() email!: string;
  @Field() fullName!: string;
  @Field() tenantId!: string;
  @Field() role!: string;
  @Field() isActive!: boolean;
  @Field() mfaEnabled!: boolean;
  @Field() onboardingCompleted!: boolean;
  @Field() subscriptionStatus!: string;
  @Field() subscriptionTier!: string;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class MfaSetupPayload {
  @Field() secret!: string;
  @Field({ description: 'otpauth:// provisioning URI for authenticator apps (render as QR code)' }) otpauthUrl!: string;
  @Field() issuer!: string;
  @Field() accountName!: string;
}

@ObjectType({ simpleResolvers: true })
export class MfaStatus {
  @Field() mfaEnabled!: boolean;
}

@InputType()
export class RegisterInput {
  @Field() email!: string;
  @Field() password!: string;
  @Field() fullName!: string;
  @Field() tenantName!: string;
}

@InputType()
export class LoginInput {
  @Field() email!: string;
  @Field() password!: string;
}

@InputType()
export class MfaVerifyInput {
  @Field(() => String, { nullable: true, description: 'the pending token returned by login when mfaRequired is true; when absent, the bearer token of the Authorization header' })
  mfaToken?: string | null;
  @Field() code!: string;
}

@InputType()
export class MfaCodeInput {
  @Field() code!: string;
}

@InputType({ description: 'Re-authentication to replace (setupMfa) or remove (disableMfa) an active second factor' })
export class MfaReauthInput {
  @Field({ description: 'the account password' }) currentPassword!: string;
  @Field({ description: 'a current code from the active authenticator app; each code is accepted once' }) code!: string;
}
