import type { Database } from '../infra/database.js';
import { MAINTENANCE_LIMITS as L } from './maintenance.rules.js';

/** What the shift report asks a handover section about (structurally the shifts module's HandoverScope). */
export interface MaintenanceHandoverScope {
  tenantId: string;
  logId: string;
  machineIds: string[];
  start: Date;
  end: Date;
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : (v instanceof Date ? v : new Date(String(v))).toISOString());

/**
 * The handover report's `maintenance` section: the maintenance events and the work orders of the
 * log's machines that were active in the window, newest activity first. An event counts when its
 * scheduled or its actual span meets the window; a work order from its creation until it was
 * completed or cancelled (`completed_at` / `cancelled_at`: a cancelled order's fields stay
 * editable, so its last update says nothing about when it ended). `at` orders them: an event's actual end, else its actual
 * start, else its scheduled start; an order's completion, else its start, else its creation.
 * Each kind is read up to MAINTENANCE_LIMITS.handoverRows rows; the report cuts the merged list.
 */
export function maintenanceHandoverSection(db: Database) {
  return {
    name: 'maintenance' as const,
    async build(scope: MaintenanceHandoverScope): Promise<Record<string, unknown>[]> {
      if (!scope.machineIds.length) return [];
      const { tenantId, machineIds, start, end } = scope;
      const [events, orders] = await Promise.all([
        db.query<Row>(
          `select e.id, e.machine_id, m.name as machine_name, e.title, e.type, e.status, e.scheduled_start, e.scheduled_end, e.actual_start, e.actual_end,
                  e.downtime_record_id, coalesce(e.actual_end, e.actual_start, e.scheduled_start) as at
             from maintenance_events e join machines m on m.id = e.machine_id
            where e.tenant_id = ? and e.machine_id = any(?::uuid[])
              and ((e.scheduled_start < ? and e.scheduled_end >= ?) or (e.actual_start < ? and coalesce(e.actual_end, 'infinity') >= ?))
            order by at desc, e.id desc limit ?`,
          [tenantId, machineIds, end, start, end, start, L.handoverRows],
        ),
        db.query<Row>(
          `select w.id, w.machine_id, m.name as machine_name, w.title, w.priority, w.status, w.assigned_to, w.maintenance_event_id,
                  w.created_at, w.started_at, w.completed_at, coalesce(w.completed_at, w.started_at, w.created_at) as at
             from work_orders w join machines m on m.id = w.machine_id
            where w.tenant_id = ? and w.machine_id = any(?::uuid[]) and w.created_at < ?
              and (w.status in ('open', 'in_progress') or coalesce(w.completed_at, w.cancelled_at) >= ?)
            order by at desc, w.id desc limit ?`,
          [tenantId, machineIds, end, start, L.handoverRows],
        ),
      ]);
      const items = [
        ...events.map((e) => ({
          kind: 'maintenance_event',
          id: e.id, machine_id: e.machine_id, machine_name: e.machine_name, title: e.title, type: e.type, status: e.status,
          scheduled_start: iso(e.scheduled_start), scheduled_end: iso(e.scheduled_end), actual_start: iso(e.actual_start), actual_end: iso(e.actual_end),
          downtime_record_id: e.downtime_record_id ?? null, at: iso(e.at)!,
        })),
        ...orders.map((w) => ({
          kind: 'work_order',
          id: w.id, machine_id: w.machine_id, machine_name: w.machine_name, title: w.title, priority: w.priority, status: w.status,
          assigned_to: w.assigned_to ?? null, maintenance_event_id: w.maintenance_event_id ?? null,
          created_at: iso(w.created_at), started_at: iso(w.started_at), completed_at: iso(w.completed_at), at: iso(w.at)!,
        })),
      ];
      return items.sort((a, b) => (a.at === b.at ? String(b.id).localeCompare(String(a.id)) : b.at.localeCompare(a.at)));
    },
  };
}
