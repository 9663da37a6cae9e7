import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-offs of completed work orders: append-only (a trigger refuses UPDATE, DELETE and
 * TRUNCATE), at most one per (order, signer, meaning), numbered per order so the hash chain has
 * one order and two concurrent sign-offs cannot take the same place.
 */
export class Migration20261130020300_signoffs extends Migration {
  override name = 'Migration20261130020300_signoffs';

  override up(): void {
    this.addSql(`create table "signoffs" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete restrict deferrable initially deferred,
      "work_order_id" uuid not null references "work_orders" ("id") on delete restrict deferrable initially deferred,
      "seq" integer not null check ("seq" between 1 and 20),
      "signed_by" uuid not null,
      "signer_name" varchar(200) not null,
      "signer_role" varchar(20) not null,
      "meaning" varchar(20) not null check ("meaning" in ('performed','reviewed','approved')),
      "comment" text null,
      "key_id" varchar(32) not null,
      "prev_hash" varchar(64) null,
      "signature_hash" varchar(64) not null,
      "signed_at" timestamptz not null,
      "created_at" timestamptz not null default now()
    );`);
    this.addSql(`create unique index "signoffs_work_order_seq_unique" on "signoffs" ("work_order_id", "seq");`);
    this.addSql(`create unique index "signoffs_work_order_signer_meaning_unique" on "signoffs" ("work_order_id", "signed_by", "meaning");`);
    this.addSql(`create index "signoffs_tenant_work_order_index" on "signoffs" ("tenant_id", "work_order_id", "seq" desc);`);
    // a database role with only DML rights cannot rewrite history; the owner can disable this, which verify detects
    this.addSql(`create function "signoffs_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'signoffs are append-only: % refused', tg_op using errcode = '55000';
      end
    $$;`);
    this.addSql(`create trigger "signoffs_append_only" before update or delete on "signoffs" for each row execute function "signoffs_append_only"();`);
    this.addSql(`create trigger "signoffs_no_truncate" before truncate on "signoffs" for each statement execute function "signoffs_append_only"();`);
  }

  override down(): void {
    this.addSql(`drop table if exists "signoffs" cascade;`);
    this.addSql(`drop function if exists "signoffs_append_only"();`);
  }
}
