import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SIGNOFF_LIMITS as L } from '../src/signoffs/signoff.rules.js';
import { DateTime } from './scalars.js';

export enum SignoffMeaning {
  performed = 'performed',
  reviewed = 'reviewed',
  approved = 'approved',
}
registerEnumType(SignoffMeaning, { name: 'SignoffMeaning', description: 'what the signer attests: performed the work, reviewed it, or approved it' });

@ObjectType({ simpleResolvers: true, description: 'an electronic signature of a completed work order (never changed or deleted)' })
export class Signoff {
  @Field(() => ID) id!: string;
  @Field(() => ID) workOrderId!: string;
  @Field(() => Int, { description: 'position in the order\'s chain of sign-offs (1 = first)' }) seq!: number;
  @Field(() => ID) signedBy!: string;
  @Field({ description: 'the signer\'s name at signing' }) signerName!: string;
  @Field({ description: 'the signer\'s role at signing' }) signerRole!: string;
  @Field(() => SignoffMeaning) meaning!: string;
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field({ description: 'HMAC-SHA256 (hex) over the RFC 8785 canonical JSON of the order, its parts, the signer, meaning, comment, signed_at and prevHash' })
  signatureHash!: string;
  @Field({ description: 'id of the SIGNOFF_KEYS entry that signed it' }) keyId!: string;
  @Field(() => String, { nullable: true, description: 'signatureHash of the previous sign-off of the order (null for the first)' }) prevHash!: string | null;
  @Field(() => DateTime) signedAt!: Date;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class SignoffVerification {
  @Field(() => ID) signoffId!: string;
  @Field({ description: 'the signature recomputed from the current rows equals the stored one' }) isValid!: boolean;
  @Field() detail!: string;
}

@ObjectType({ simpleResolvers: true, description: 'the maintenance completion certificate, a PDF (REST serves the same file as a download)' })
export class SignoffCertificate {
  @Field() fileName!: string;
  @Field() contentType!: string;
  @Field(() => Int, { description: 'size of the PDF in bytes' }) byteLength!: number;
  @Field({ description: 'the PDF, base64-encoded' }) contentBase64!: string;
  /** the PDF itself: what REST sends as the download */
  content!: Buffer;
}

@InputType()
export class CreateSignoffInput {
  @Field({ description: "the caller's current password, re-entered (non-repudiation)" }) password!: string;
  @Field(() => SignoffMeaning, { nullable: true, description: 'default approved' }) meaning?: string | null;
  @Field(() => String, { nullable: true, description: `at most ${L.comment} characters` }) comment?: string | null;
}
