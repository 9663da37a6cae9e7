import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { WorkOrderComment } from './work-order-comment.entity.js';
import { WorkOrder } from './work-order.entity.js';
import { WORK_ORDER_ERROR_CODES } from './work-order.errors.js';
import { WorkOrderService, type MaintenanceEventLookup } from './work-order.service.js';

export const workOrdersModule = defineModule({
  name: 'work-orders',
  entities: [WorkOrder, WorkOrderComment],
  services: ({ db, bus }, { audit, maintenance }: { audit: AuditService; maintenance: MaintenanceEventLookup }) => ({
    workOrders: new WorkOrderService(db, bus, audit, maintenance),
  }),
  topics: ['workOrderChanged', 'workOrderCommentAdded'],
  feeds: [],
  errors: WORK_ORDER_ERROR_CODES,
});
