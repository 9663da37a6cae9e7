import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { UserService } from '../src/users/user.service.js';
import { MessageResult, PageArgs } from '../schema/page.type.js';
import { ChangePasswordInput, CreateUserInput, UpdateProfileInput, UpdateUserInput, User, UserPage } from '../schema/user.type.js';

@Resolver(() => User)
export class UserResolver {
  constructor(private readonly userService: UserService) {}

  @Allow(policies.admin())
  @Query(() => UserPage)
  users(@Ctx() ctx: RequestContext, @Args() args: PageArgs): Promise<UserPage> {
    return this.userService.list(ctx, args);
  }

  @Allow(policies.admin())
  @Query(() => User)
  user(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<User> {
    return this.userService.get(ctx, id);
  }

  @Allow(policies.admin())
  @Mutation(() => User)
  createUser(@Ctx() ctx: RequestContext, @Arg('input') input: CreateUserInput): Promise<User> {
    return this.userService.create(ctx, input);
  }

  @Allow(policies.admin())
  @Mutation(() => User, { description: 'Change role, name or active flag; deactivation ends the user\'s sessions' })
  updateUser(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateUserInput): Promise<User> {
    return this.userService.update(ctx, id, input);
  }

  @Allow(policies.anyRole())
  @Mutation(() => User)
  updateProfile(@Ctx() ctx: RequestContext, @Arg('input') input: UpdateProfileInput): Promise<User> {
    return this.userService.updateProfile(ctx, input);
  }

  @Allow(policies.anyRole())
  @Mutation(() => MessageResult)
  changePassword(@Ctx() ctx: RequestContext, @Arg('input') input: ChangePasswordInput): Promise<MessageResult> {
    return this.userService.changePassword(ctx, input);
  }
}
