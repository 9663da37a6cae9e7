import { z } from 'zod';
import { UserResolver } from '../resolvers/user.resolver.js';
import type { User } from '../schema/user.type.js';
import { iso, isoInstant, mapMessage, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';
import { USER_LIMITS } from '../src/users/user.rules.js';

const role = z.enum(['admin', 'operator', 'viewer']);

const UserShape = shape(
  'User',
  z.object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    email: z.string(),
    full_name: z.string(),
    role,
    is_active: z.boolean(),
    mfa_enabled: z.boolean(),
    last_login_at: isoInstant().nullable(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

export const mapUser = mapper(UserShape, (u: User) => ({
  id: u.id,
  tenant_id: u.tenantId,
  email: u.email,
  full_name: u.fullName,
  role: u.role,
  is_active: u.isActive,
  mfa_enabled: u.mfaEnabled,
  last_login_at: iso(u.lastLoginAt),
  created_at: iso(u.createdAt),
  updated_at: iso(u.updatedAt),
}));

const userId = z.object({ user_id: v.uuid('user_id') });

export const userRoutes = [
  route({
    method: 'GET', path: '/users', tag: 'Users', summary: "List the tenant's users",
    resolver: UserResolver, operation: 'users', query: z.object(pageQuery),
    call: (r, ctx, { query }) => r.users(ctx, { page: query.page, pageSize: query.page_size }),
    map: pageOf(mapUser),
  }),
  route({
    method: 'POST', path: '/users', tag: 'Users', summary: 'Create a user', status: 201,
    resolver: UserResolver, operation: 'createUser', errors: [409],
    body: z.object({ email: v.email(), full_name: v.str(USER_LIMITS.name, 1), role: role.default('operator'), password: v.password() }),
    call: (r, ctx, { body }) => r.createUser(ctx, { email: body.email, fullName: body.full_name, role: body.role, password: body.password }),
    map: mapUser,
  }),
  route({
    method: 'GET', path: '/users/{user_id}', tag: 'Users', summary: 'Get a user',
    resolver: UserResolver, operation: 'user', params: userId,
    call: (r, ctx, { params }) => r.user(ctx, params.user_id),
    map: mapUser,
  }),
  route({
    method: 'PATCH', path: '/users/{user_id}', tag: 'Users', summary: 'Change role, name or active flag (deactivate with is_active=false)',
    resolver: UserResolver, operation: 'updateUser', errors: [409], params: userId,
    body: z.object({ role: role.optional(), full_name: v.str(USER_LIMITS.name, 1).optional(), is_active: z.boolean().optional() }),
    call: (r, ctx, { params, body }) => r.updateUser(ctx, params.user_id, { role: body.role, fullName: body.full_name, isActive: body.is_active }),
    map: mapUser,
  }),
  route({
    method: 'PATCH', path: '/settings/profile', tag: 'Settings', summary: 'Update own name or e-mail (e-mail needs current_password)',
    resolver: UserResolver, operation: 'updateProfile', errors: [409],
    body: z.object({ full_name: v.str(USER_LIMITS.name, 1).optional(), email: v.email().optional(), current_password: v.password().optional() }),
    call: (r, ctx, { body }) => r.updateProfile(ctx, { fullName: body.full_name, email: body.email, currentPassword: body.current_password }),
    map: mapUser,
  }),
  route({
    method: 'POST', path: '/settings/change-password', tag: 'Settings', summary: 'Change own password (ends all sessions)',
    resolver: UserResolver, operation: 'changePassword',
    body: z.object({ current_password: v.password(), new_password: v.password() }),
    call: (r, ctx, { body }) => r.changePassword(ctx, { currentPassword: body.current_password, newPassword: body.new_password }),
    map: mapMessage,
  }),
];
