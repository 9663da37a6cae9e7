import { ErrorCode, errorsOf } from '../common/errors.js';

export const INVENTORY_ERROR_CODES = {
  PART_NOT_FOUND: ErrorCode.NOT_FOUND,
  DUPLICATE_PART_NUMBER: ErrorCode.CONFLICT,
  INSUFFICIENT_STOCK: ErrorCode.CONFLICT,
  STOCK_LIMIT_EXCEEDED: ErrorCode.CONFLICT,
  INVALID_PART: ErrorCode.VALIDATION,
  PART_CATEGORY_NOT_FOUND: ErrorCode.NOT_FOUND,
  DUPLICATE_PART_CATEGORY: ErrorCode.CONFLICT,
  PART_CATEGORY_IN_USE: ErrorCode.CONFLICT,
  TOO_MANY_PART_CATEGORIES: ErrorCode.VALIDATION,
  WORK_ORDER_PART_NOT_FOUND: ErrorCode.NOT_FOUND,
  WORK_ORDER_CLOSED: ErrorCode.CONFLICT,
  TOO_MANY_WORK_ORDER_PARTS: ErrorCode.CONFLICT,
} as const;
export type InventoryErrorCode = keyof typeof INVENTORY_ERROR_CODES;

const { fail, invalid } = errorsOf(INVENTORY_ERROR_CODES);

export const InventoryErrors = {
  partNotFound: () => fail('PART_NOT_FOUND', 'Part not found'),
  duplicatePartNumber: (n: string) => fail('DUPLICATE_PART_NUMBER', `Part number already exists: ${n}`),
  /** the spec's wording: "Insufficient stock: 1 on hand, 2 requested" */
  insufficient: (onHand: string, requested: string) => fail('INSUFFICIENT_STOCK', `Insufficient stock: ${onHand} on hand, ${requested} requested`),
  limit: (onHand: string, max: string) => fail('STOCK_LIMIT_EXCEEDED', `Stock would exceed the maximum of ${max} (${onHand} on hand)`),
  /** a 422 on one field of an inventory input */
  invalid: (field: string | (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_PART', field, msg, type),
  categoryNotFound: () => fail('PART_CATEGORY_NOT_FOUND', 'Category not found'),
  duplicateCategory: (name: string) => fail('DUPLICATE_PART_CATEGORY', `Category already exists: ${name}`),
  categoryInUse: (n: number | string) => fail('PART_CATEGORY_IN_USE', `Category is in use by ${n} part(s)`),
  tooManyCategories: (max: number) => invalid('TOO_MANY_PART_CATEGORIES', 'name', `A tenant may hold at most ${max} categories`, 'value_error'),
  workOrderPartNotFound: () => fail('WORK_ORDER_PART_NOT_FOUND', 'Work order part not found'),
  workOrderClosed: (status: string) => fail('WORK_ORDER_CLOSED', `Work order is ${status}; its parts cannot change`),
  tooManyLines: (max: number) => fail('TOO_MANY_WORK_ORDER_PARTS', `A work order may hold at most ${max} part lines`),
};
