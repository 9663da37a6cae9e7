/** The work-order status machine (issue 16): the docs' diagram, nothing else, nothing out of the final states. */
import { describe, expect, it } from 'vitest';
import {
  canTransition,
  DELETABLE_STATUSES,
  isWorkOrderPriority,
  isWorkOrderStatus,
  WORK_ORDER_PRIORITIES,
  WORK_ORDER_STATUSES,
  type WorkOrderStatus,
} from '../../src/work-orders/work-order.rules.js';

const DIAGRAM: [WorkOrderStatus, WorkOrderStatus][] = [
  ['open', 'in_progress'],
  ['in_progress', 'completed'],
  ['open', 'cancelled'],
  ['in_progress', 'cancelled'],
];

describe('work order status machine', () => {
  it('allows exactly the four edges of the diagram among all 16 (from, to) pairs', () => {
    const allowed: string[] = [];
    for (const from of WORK_ORDER_STATUSES) for (const to of WORK_ORDER_STATUSES) if (canTransition(from, to)) allowed.push(`${from}->${to}`);
    expect(allowed.sort()).toEqual(DIAGRAM.map(([f, t]) => `${f}->${t}`).sort());
  });

  it('has no way out of completed or cancelled, and staying put is not a transition', () => {
    for (const to of WORK_ORDER_STATUSES) {
      expect(canTransition('completed', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
    for (const s of WORK_ORDER_STATUSES) expect(canTransition(s, s)).toBe(false);
  });

  it('deletes only open and cancelled orders', () => {
    expect([...DELETABLE_STATUSES].sort()).toEqual(['cancelled', 'open']);
  });

  it('recognises the documented statuses and priorities only (case-sensitive, strings only)', () => {
    for (const s of WORK_ORDER_STATUSES) expect(isWorkOrderStatus(s)).toBe(true);
    for (const p of WORK_ORDER_PRIORITIES) expect(isWorkOrderPriority(p)).toBe(true);
    expect(WORK_ORDER_PRIORITIES).toEqual(['low', 'medium', 'high', 'critical']);
    for (const bad of ['done', 'OPEN', 'in-progress', '', null, undefined, 1, ['open']]) expect(isWorkOrderStatus(bad)).toBe(false);
    for (const bad of ['urgent', 'High', '', null, 0]) expect(isWorkOrderPriority(bad)).toBe(false);
  });
});
