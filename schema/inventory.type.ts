import { GraphQLScalarType, Kind } from 'graphql';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { INVENTORY_LIMITS as L } from '../src/inventory/inventory.rules.js';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

/**
 * An exact decimal: answered as a string ("12.5"), so no client reads a quantity through a float;
 * taken as a string or a number literal (the literal's own digits) and checked by the service
 * (scale, sign), so a bad value is a VALIDATION error on its field like on REST.
 */
export const Decimal = new GraphQLScalarType({
  name: 'Decimal',
  description: 'an exact decimal, answered as a string ("12.5"); input as a string or a number',
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v === 'string' || typeof v === 'number') return v;
    throw new TypeError('Decimal must be a string or a number');
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value;
    throw new TypeError('Decimal must be a string or a number');
  },
});

export enum StockTransactionType {
  receive = 'receive',
  consume = 'consume',
  adjust = 'adjust',
  return = 'return',
  transfer = 'transfer',
}
registerEnumType(StockTransactionType, {
  name: 'StockTransactionType',
  description: 'receive and return add; consume subtracts; adjust adds a signed delta or sets a count; transfer subtracts (and adds to toPartId)',
});

@ObjectType({ simpleResolvers: true })
export class Part {
  @Field(() => ID) id!: string;
  @Field({ description: 'unique per tenant among live parts (case-insensitively)' }) partNumber!: string;
  @Field() name!: string;
  @Field(() => ID, { nullable: true }) categoryId!: string | null;
  @Field(() => Decimal, { description: 'changes only through the ledger' }) quantityOnHand!: string;
  @Field(() => Decimal) reorderPoint!: string;
  @Field(() => Decimal) reorderQuantity!: string;
  @Field(() => Decimal, { nullable: true }) unitCost!: string | null;
  @Field() unit!: string;
  @Field(() => String, { nullable: true }) location!: string | null;
  @Field(() => String, { nullable: true }) supplier!: string | null;
  @Field(() => String, { nullable: true }) manufacturerPartNumber!: string | null;
  @Field({ description: 'quantity on hand at or below the reorder point' }) isLowStock!: boolean;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class PartPage extends PageOf(Part, 'PartPage') {}

@ObjectType({ simpleResolvers: true })
export class PartCategory {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Int, { description: 'parts (not archived) in the category' }) partCount!: number;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class PartCategoryPage extends PageOf(PartCategory, 'PartCategoryPage') {}

@ObjectType({ simpleResolvers: true, description: 'one entry of the append-only stock ledger' })
export class StockTransaction {
  @Field(() => ID) id!: string;
  @Field(() => ID) partId!: string;
  @Field(() => StockTransactionType) type!: string;
  @Field(() => Decimal, { description: 'signed change of the quantity on hand' }) delta!: string;
  @Field(() => Decimal, { description: 'the amount moved (signed for adjust)' }) quantity!: string;
  @Field(() => Decimal) balanceAfter!: string;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => ID, { nullable: true }) workOrderId!: string | null;
  @Field(() => ID, { nullable: true }) workOrderPartId!: string | null;
  @Field(() => ID, { nullable: true, description: 'the other part of a transfer' }) relatedPartId!: string | null;
  @Field(() => ID, { nullable: true }) userId!: string | null;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class StockTransactionPage extends PageOf(StockTransaction, 'StockTransactionPage') {}

@ObjectType({ simpleResolvers: true, description: 'a part used by a work order (a linked consume entry of the ledger)' })
export class WorkOrderPart {
  @Field(() => ID) id!: string;
  @Field(() => ID) workOrderId!: string;
  @Field(() => ID) partId!: string;
  @Field() partNumber!: string;
  @Field() name!: string;
  @Field(() => Decimal) quantity!: string;
  @Field() unit!: string;
  @Field(() => Decimal, { nullable: true, description: "the part's unit cost when the line was added" }) unitCost!: string | null;
  @Field(() => ID) transactionId!: string;
  @Field(() => ID, { nullable: true }) createdBy!: string | null;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class WorkOrderPartPage extends PageOf(WorkOrderPart, 'WorkOrderPartPage') {}

@ArgsType()
export class PartsArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) categoryId?: string | null;
  @Field(() => String, { nullable: true, description: `name or part number contains (at most ${L.search} characters)` }) search?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'only parts at or below their reorder point' }) lowStockOnly?: boolean | null;
}

@InputType()
export class CreatePartInput {
  @Field({ description: `1 to ${L.partNumber} characters, unique per tenant` }) partNumber!: string;
  @Field({ description: `1 to ${L.name} characters` }) name!: string;
  @Field(() => ID, { nullable: true }) categoryId?: string | null;
  @Field(() => Decimal, { nullable: true, description: `initial stock, booked as an adjust entry (default 0; at most ${L.quantityScale} decimals)` }) quantityOnHand?: unknown;
  @Field(() => Decimal, { nullable: true, description: 'default 0' }) reorderPoint?: unknown;
  @Field(() => Decimal, { nullable: true, description: 'default 0' }) reorderQuantity?: unknown;
  @Field(() => Decimal, { nullable: true, description: `at most ${L.costScale} decimals` }) unitCost?: unknown;
  @Field(() => String, { nullable: true, description: "default 'piece'" }) unit?: string | null;
  @Field(() => String, { nullable: true }) location?: string | null;
  @Field(() => String, { nullable: true }) supplier?: string | null;
  @Field(() => String, { nullable: true }) manufacturerPartNumber?: string | null;
}

@InputType({ description: 'absent fields keep their value; a new quantityOnHand is booked as an adjust entry of the difference' })
export class UpdatePartInput {
  @Field(() => String, { nullable: true }) partNumber?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => ID, { nullable: true }) categoryId?: string | null;
  @Field(() => Decimal, { nullable: true }) quantityOnHand?: unknown;
  @Field(() => Decimal, { nullable: true }) reorderPoint?: unknown;
  @Field(() => Decimal, { nullable: true }) reorderQuantity?: unknown;
  @Field(() => Decimal, { nullable: true }) unitCost?: unknown;
  @Field(() => String, { nullable: true }) unit?: string | null;
  @Field(() => String, { nullable: true }) location?: string | null;
  @Field(() => String, { nullable: true }) supplier?: string | null;
  @Field(() => String, { nullable: true }) manufacturerPartNumber?: string | null;
}

@InputType()
export class StockTransactionInput {
  @Field(() => StockTransactionType) type!: string;
  @Field(() => Decimal, { nullable: true, description: '> 0; for adjust a signed, non-zero delta' }) quantity?: unknown;
  @Field(() => Decimal, { nullable: true, description: 'adjust only, instead of quantity: the counted stock' }) countedQuantity?: unknown;
  @Field(() => ID, { nullable: true, description: 'transfer only: the part that receives the quantity' }) toPartId?: string | null;
  @Field(() => String, { nullable: true, description: `at most ${L.notes} characters` }) notes?: string | null;
}

@InputType()
export class CreatePartCategoryInput {
  @Field({ description: `1 to ${L.categoryName} characters, unique per tenant` }) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType()
export class AddWorkOrderPartInput {
  @Field(() => ID) sparePartId!: string;
  @Field(() => Decimal, { description: '> 0' }) quantity!: unknown;
  @Field(() => String, { nullable: true }) notes?: string | null;
}

@ArgsType()
export class StockSubscriptionArgs {
  @Field(() => ID, { nullable: true, description: 'only this part' }) partId?: string | null;
}
