import { ApiKey } from '../api-keys/api-key.entity.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { RefreshSession } from '../auth/refresh-session.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { User } from '../users/user.entity.js';
import { Machine } from '../machines/machine.entity.js';
import { MachineGroup, MachineGroupMember } from '../machine-groups/machine-group.entity.js';

/** Every entity class, registered once; modules append here. */
export const ENTITIES = [Tenant, User, ApiKey, AuditEvent, RefreshSession, Machine, MachineGroup, MachineGroupMember];
