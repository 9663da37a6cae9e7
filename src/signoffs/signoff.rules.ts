/** What a signer attests (21 CFR 11.50: the meaning of a signature is part of it). */
export const SIGNOFF_MEANINGS = ['performed', 'reviewed', 'approved'] as const;
export type SignoffMeaning = (typeof SIGNOFF_MEANINGS)[number];
export const DEFAULT_SIGNOFF_MEANING: SignoffMeaning = 'approved';

export const isSignoffMeaning = (v: unknown): v is SignoffMeaning => typeof v === 'string' && (SIGNOFF_MEANINGS as readonly string[]).includes(v);

export const SIGNOFF_LIMITS = {
  /** sign-offs per work order (the reference's maximum) */
  perWorkOrder: 20,
  /** characters of the optional comment */
  comment: 1000,
  /** characters of the re-entered password (argon2 hashes any length; a bound keeps the request cheap) */
  password: 1024,
} as const;
