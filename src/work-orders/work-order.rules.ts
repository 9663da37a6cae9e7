/** Field limits and the status machine of work orders, declared once for both doors and the service. */
export const WORK_ORDER_LIMITS = {
  /** characters (code points) of a title */
  title: 200,
  /** characters of a description */
  description: 10_000,
  /** characters of a comment body */
  commentBody: 5000,
} as const;

export const WORK_ORDER_STATUSES = ['open', 'in_progress', 'completed', 'cancelled'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export const WORK_ORDER_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type WorkOrderPriority = (typeof WORK_ORDER_PRIORITIES)[number];

/** The docs' diagram: open → in_progress → completed, open | in_progress → cancelled. Nothing leaves completed or cancelled. */
export const WORK_ORDER_TRANSITIONS: Readonly<Record<WorkOrderStatus, readonly WorkOrderStatus[]>> = {
  open: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** Statuses an order may be deleted in (a started or finished order is history). */
export const DELETABLE_STATUSES: readonly WorkOrderStatus[] = ['open', 'cancelled'];

export const isWorkOrderStatus = (s: unknown): s is WorkOrderStatus => typeof s === 'string' && (WORK_ORDER_STATUSES as readonly string[]).includes(s);
export const isWorkOrderPriority = (s: unknown): s is WorkOrderPriority => typeof s === 'string' && (WORK_ORDER_PRIORITIES as readonly string[]).includes(s);

/** Whether `from → to` is an edge of the diagram (staying in the same status is not a transition). */
export const canTransition = (from: WorkOrderStatus, to: WorkOrderStatus): boolean => WORK_ORDER_TRANSITIONS[from].includes(to);

export const enumMessage = (values: readonly string[]) => `Input should be ${values.map((s) => `'${s}'`).join(', ')}`;
