import 'reflect-metadata';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';

/** One pagination shape for every list: items, total, page, pageSize, totalPages. */
export function PageOf<T extends object>(item: ClassType<T>, name: string) {
  @ObjectType(name, { simpleResolvers: true })
  abstract class PageClass {
    @Field(() => [item])
    items!: T[];

    @Field(() => Int)
    total!: number;

    @Field(() => Int)
    page!: number;

    @Field(() => Int)
    pageSize!: number;

    @Field(() => Int)
    totalPages!: number;
  }
  return PageClass;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: 1 })
  page?: number;

  @Field(() => Int, { nullable: true, defaultValue: 20, description: 'at most 100' })
  pageSize?: number;
}

@ObjectType({ simpleResolvers: true })
export class MessageResult {
  @Field()
  detail!: string;
}
