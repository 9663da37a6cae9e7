import type { PartView } from './inventory.views.js';

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [changed: `stockChanged:${string}`]: PartView;
    [low: `partLowStock:${string}`]: PartView;
  }
}

/** A part's quantity on hand changed (any ledger entry): the part after the change. */
export const stockChangedTopic = (tenantId: string) => `stockChanged:${tenantId}` as const;
/** A part went from above its reorder point to at or below it (once per crossing). */
export const partLowStockTopic = (tenantId: string) => `partLowStock:${tenantId}` as const;
