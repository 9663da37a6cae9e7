/** Payload of a tenant's `signoffRecorded` topic: a sign-off was stored (plain data, crosses Redis). */
export interface SignoffRecorded {
  id: string;
  tenantId: string;
  workOrderId: string;
  seq: number;
  signedBy: string;
  signerName: string;
  signerRole: string;
  meaning: string;
  comment: string | null;
  keyId: string;
  prevHash: string | null;
  signatureHash: string;
  signedAt: Date;
  createdAt: Date;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [recorded: `signoffRecorded:${string}`]: SignoffRecorded;
  }
}

/** Topic of one tenant's new sign-offs (subscribers filter by work order). */
export const signoffRecordedTopic = (tenantId: string) => `signoffRecorded:${tenantId}` as const;
