import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { INVENTORY_ERROR_CODES } from './inventory.errors.js';
import { InventoryService } from './inventory.service.js';
import { WorkOrderPartService, type WorkOrderGate } from './work-order-part.service.js';

export const inventoryModule = defineModule({
  name: 'inventory',
  // the tables are written by SQL only (guarded updates and an append-only ledger): no entity maps them
  entities: [],
  services: ({ db, bus }, { audit, workOrders }: { audit: AuditService; workOrders: WorkOrderGate }) => {
    const workOrderParts = new WorkOrderPartService(db, bus, audit, workOrders);
    return { inventory: new InventoryService(db, bus, audit, workOrderParts), workOrderParts };
  },
  topics: ['stockChanged', 'partLowStock'],
  feeds: [],
  errors: INVENTORY_ERROR_CODES,
});
