import type { StockTransactionType } from './inventory.rules.js';

/**
 * What the inventory answers and publishes (plain data, so it crosses Redis as is). Quantities and
 * costs are exact decimal texts in canonical form ("12.5"), never floats.
 */
export interface PartView {
  id: string;
  tenantId: string;
  partNumber: string;
  name: string;
  categoryId: string | null;
  quantityOnHand: string;
  reorderPoint: string;
  reorderQuantity: string;
  unitCost: string | null;
  unit: string;
  location: string | null;
  supplier: string | null;
  manufacturerPartNumber: string | null;
  /** quantity on hand at or below the reorder point (design decision 6) */
  isLowStock: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PartCategoryView {
  id: string;
  name: string;
  description: string | null;
  /** parts (not archived) in the category */
  partCount: number;
  createdAt: Date;
}

export interface StockTransactionView {
  id: string;
  partId: string;
  type: StockTransactionType;
  /** signed change of quantity_on_hand */
  delta: string;
  /** |delta| for receive/consume/return/transfer; the signed delta for adjust */
  quantity: string;
  balanceAfter: string;
  notes: string | null;
  workOrderId: string | null;
  workOrderPartId: string | null;
  /** the other part of a transfer */
  relatedPartId: string | null;
  userId: string | null;
  createdAt: Date;
}

/** A part used by a work order: a linked `consume` entry of the ledger. */
export interface WorkOrderPartView {
  id: string;
  workOrderId: string;
  partId: string;
  partNumber: string;
  name: string;
  quantity: string;
  unit: string;
  /** the part's unit cost when the line was added */
  unitCost: string | null;
  transactionId: string;
  createdBy: string | null;
  createdAt: Date;
}
