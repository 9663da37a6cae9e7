/**
 * Whether a tenant's plan includes direct ingestion (the spec names "an active subscription" as a
 * prerequisite). Until billing exists every tenant counts as subscribed; billing replaces this one
 * function (IngestSourceService.setSubscriptionCheck) and a `false` becomes the 402 below.
 */
export type SubscriptionCheck = (tenantId: string, feature: 'direct_ingestion') => boolean | Promise<boolean>;

export const everyTenantSubscribed: SubscriptionCheck = () => true;
