import { defineModule } from '../app/module.js';
import type { MachineService } from '../machines/machine.service.js';
import { FleetService } from './fleet.service.js';

/** A read model over machines (and, with alerts, their open alerts); it owns no table. */
export const fleetModule = defineModule({
  name: 'fleet',
  entities: [],
  services: ({ db, config }, { machines }: { machines: MachineService }) => ({ fleet: new FleetService(db, machines, config.machineOfflineAfterMs) }),
  topics: [],
  feeds: [],
});
