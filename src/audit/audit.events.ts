/** Payload of the `auditEventRecorded` topic (plain data, crosses Redis). */
export interface AuditEventRecorded {
  id: string;
  tenantId: string;
  userId: string | null;
  apiKeyId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  details: Record<string, unknown>;
  ipAddress: string | null;
  createdAt: Date;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    auditEventRecorded: AuditEventRecorded;
  }
}

export const AUDIT_TOPIC = 'auditEventRecorded' as const;
