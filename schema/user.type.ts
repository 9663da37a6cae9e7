import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

@ObjectType({ simpleResolvers: true })
export class User {
  @Field(() => ID) id!: string;
  @Field() tenantId!: string;
  @Field() email!: string;
  @Field() fullName!: string;
  @Field() role!: string;
  @Field() isActive!: boolean;
  @Field() mfaEnabled!: boolean;
  @Field(() => DateTime, { nullable: true }) lastLoginAt!: Date | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class UserPage extends PageOf(User, 'UserPage') {}

@InputType()
export class CreateUserInput {
  @Field() email!: string;
  @Field() fullName!: string;
  @Field({ description: 'admin, operator or viewer' }) role!: string;
  @Field({ description: 'initial password' }) password!: string;
}

@InputType()
export class UpdateUserInput {
  @Field(() => String, { nullable: true }) role?: string | null;
  @Field(() => String, { nullable: true }) fullName?: string | null;
  @Field(() => Boolean, { nullable: true }) isActive?: boolean | null;
}

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true }) fullName?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) currentPassword?: string | null;
}

@InputType()
export class ChangePasswordInput {
  @Field() currentPassword!: string;
  @Field() newPassword!: string;
}
