import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { MachineGroup, MachineGroupMember } from './machine-group.entity.js';
import { MachineGroupService } from './machine-group.service.js';
import { MachineZoneService } from './machine-zone.service.js';
import { MACHINE_GROUP_ERROR_CODES } from './machine-group.errors.js';

export const machineGroupsModule = defineModule({
  name: 'machine-groups',
  entities: [MachineGroup, MachineGroupMember],
  services: ({ db, config }, { audit }: { audit: AuditService }) => ({
    machineGroups: new MachineGroupService(db, audit, config.machineOfflineAfterMs),
    machineZones: new MachineZoneService(db),
  }),
  topics: [],
  feeds: [],
  errors: MACHINE_GROUP_ERROR_CODES,
});
