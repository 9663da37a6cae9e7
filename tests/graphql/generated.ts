import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar.This scalar is serialized to a string in ISO 8601 format and parsed from a string in ISO 8601 format. */
  DateTimeISO: { input: string; output: string; }
  /** an exact decimal, answered as a string ("12.5"); input as a string or a number */
  Decimal: { input: any; output: any; }
  /** The `JSONObject` scalar type represents JSON objects as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }
};

export type AddWorkOrderPartInput = {
  notes?: InputMaybe<Scalars['String']['input']>;
  /** > 0 */
  quantity: Scalars['Decimal']['input'];
  sparePartId: Scalars['ID']['input'];
};

/** What an agent reports with its heartbeat (REST: query parameters of GET /agent/heartbeat) */
export type AgentHeartbeatInput = {
  /** readings in its buffer (whole number) */
  buffered?: InputMaybe<Scalars['Float']['input']>;
  /** readings its buffer dropped since start (whole number) */
  dropped?: InputMaybe<Scalars['Float']['input']>;
  /** at most 255 characters */
  hostname?: InputMaybe<Scalars['String']['input']>;
  /** at most 100 */
  sources?: InputMaybe<Array<AgentSourceHealthInput>>;
  /** sources configured (may exceed those listed) */
  sourcesTotal?: InputMaybe<Scalars['Int']['input']>;
  /** at most 64 characters */
  version?: InputMaybe<Scalars['String']['input']>;
};

export type AgentHeartbeatResult = {
  __typename?: 'AgentHeartbeatResult';
  apiKeyId: Scalars['ID']['output'];
  /** the server's clock (agents check their own against it) */
  serverTime: Scalars['DateTimeISO']['output'];
  /** always ok */
  status: Scalars['String']['output'];
};

/** A source's health as the agent reported it */
export type AgentSourceHealth = {
  __typename?: 'AgentSourceHealth';
  name: Scalars['String']['output'];
  /** pending, ok, degraded or failing */
  state: Scalars['String']['output'];
};

export type AgentSourceHealthInput = {
  name: Scalars['String']['input'];
  /** pending, ok, degraded or failing */
  state: Scalars['String']['input'];
};

export type Alert = {
  __typename?: 'Alert';
  acknowledgedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** user who acknowledged it */
  acknowledgedBy?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  isAcknowledged: Scalars['Boolean']['output'];
  machineId: Scalars['ID']['output'];
  machineName: Scalars['String']['output'];
  message: Scalars['String']['output'];
  metricName: Scalars['String']['output'];
  metricValue: Scalars['Float']['output'];
  resolvedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** the rule that raised it (null once the rule is deleted) */
  ruleId?: Maybe<Scalars['ID']['output']>;
  severity: AlertSeverity;
  /** notifications are suppressed until then; the alert stays active */
  snoozedUntil?: Maybe<Scalars['DateTimeISO']['output']>;
  status: AlertStatus;
  /** the threshold crossed */
  thresholdValue: Scalars['Float']['output'];
};

export type AlertComment = {
  __typename?: 'AlertComment';
  alertId: Scalars['ID']['output'];
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  /** the commenting user */
  userId: Scalars['ID']['output'];
};

export type AlertCommentInput = {
  /** 1 to 5000 characters */
  body: Scalars['String']['input'];
};

export type AlertCommentPage = {
  __typename?: 'AlertCommentPage';
  items: Array<AlertComment>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type AlertCondition = {
  __typename?: 'AlertCondition';
  metricName: Scalars['String']['output'];
  /** one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, neq); returned as the symbol */
  operator: Scalars['String']['output'];
  threshold: Scalars['Float']['output'];
};

export type AlertConditionInput = {
  /** at most 255 characters */
  metricName: Scalars['String']['input'];
  /** one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, neq); returned as the symbol */
  operator: Scalars['String']['input'];
  threshold: Scalars['Float']['input'];
};

/** an escalation step fired: the alert stayed unacknowledged for the policy wait */
export type AlertEscalation = {
  __typename?: 'AlertEscalation';
  alertId: Scalars['ID']['output'];
  at: Scalars['DateTimeISO']['output'];
  channelId: Scalars['ID']['output'];
  deliveryId: Scalars['ID']['output'];
  machineId: Scalars['ID']['output'];
  policyId: Scalars['ID']['output'];
  policyName: Scalars['String']['output'];
  severity: AlertSeverity;
  waitMinutes: Scalars['Int']['output'];
};

export type AlertPage = {
  __typename?: 'AlertPage';
  items: Array<Alert>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** A simple rule (metricName, operator, thresholds) or a composite one (conditions, logic, severity, windowSeconds) */
export type AlertRule = {
  __typename?: 'AlertRule';
  conditions?: Maybe<Array<AlertCondition>>;
  createdAt: Scalars['DateTimeISO']['output'];
  criticalThreshold?: Maybe<Scalars['Float']['output']>;
  deadband: Scalars['Float']['output'];
  durationSeconds: Scalars['Int']['output'];
  /** scope: a group and its descendants; neither id: every machine */
  groupId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  isEnabled: Scalars['Boolean']['output'];
  logic?: Maybe<AlertRuleLogic>;
  /** scope: one machine */
  machineId?: Maybe<Scalars['ID']['output']>;
  messageTemplate: Scalars['String']['output'];
  metricName?: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  /** one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, neq); returned as the symbol */
  operator?: Maybe<Scalars['String']['output']>;
  severity?: Maybe<AlertSeverity>;
  tenantId: Scalars['ID']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
  warningThreshold?: Maybe<Scalars['Float']['output']>;
  windowSeconds?: Maybe<Scalars['Int']['output']>;
};

/** how the conditions of a composite rule combine */
export enum AlertRuleLogic {
  And = 'and',
  Or = 'or'
}

export type AlertRulePage = {
  __typename?: 'AlertRulePage';
  items: Array<AlertRule>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export enum AlertSeverity {
  Critical = 'critical',
  Info = 'info',
  Warning = 'warning'
}

export type AlertSeverityCounts = {
  __typename?: 'AlertSeverityCounts';
  critical: Scalars['Int']['output'];
  info: Scalars['Int']['output'];
  warning: Scalars['Int']['output'];
};

/** counts over active alerts */
export type AlertStats = {
  __typename?: 'AlertStats';
  criticalCount: Scalars['Int']['output'];
  infoCount: Scalars['Int']['output'];
  totalActive: Scalars['Int']['output'];
  unacknowledgedCount: Scalars['Int']['output'];
  warningCount: Scalars['Int']['output'];
};

/** active until the metric is back to normal or its rule is disabled or deleted */
export enum AlertStatus {
  Active = 'active',
  Resolved = 'resolved'
}

export type ApiKey = {
  __typename?: 'ApiKey';
  createdAt: Scalars['DateTimeISO']['output'];
  expiresAt?: Maybe<Scalars['DateTimeISO']['output']>;
  id: Scalars['ID']['output'];
  keyPrefix: Scalars['String']['output'];
  lastUsedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  name: Scalars['String']['output'];
  scopes: Array<Scalars['String']['output']>;
  tenantId: Scalars['String']['output'];
};

export type ApiKeyPage = {
  __typename?: 'ApiKeyPage';
  items: Array<ApiKey>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type AppliedTagMapping = {
  __typename?: 'AppliedTagMapping';
  metricName: Scalars['String']['output'];
  sourceIds: Array<Scalars['ID']['output']>;
  tag: Scalars['String']['output'];
  unit: Scalars['String']['output'];
};

export type AuditEvent = {
  __typename?: 'AuditEvent';
  action: Scalars['String']['output'];
  apiKeyId?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  details: Scalars['JSONObject']['output'];
  id: Scalars['ID']['output'];
  ipAddress?: Maybe<Scalars['String']['output']>;
  resourceId?: Maybe<Scalars['String']['output']>;
  resourceType: Scalars['String']['output'];
  tenantId: Scalars['String']['output'];
  userId?: Maybe<Scalars['String']['output']>;
};

export type AuditEventPage = {
  __typename?: 'AuditEventPage';
  items: Array<AuditEvent>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** Tokens of a session; with mfaRequired the accessToken is a short-lived pending token for verifyMfa */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  accessToken: Scalars['String']['output'];
  expiresIn: Scalars['Int']['output'];
  mfaRequired: Scalars['Boolean']['output'];
  refreshToken?: Maybe<Scalars['String']['output']>;
  tokenType: Scalars['String']['output'];
};

export type BulkAcknowledgeInput = {
  /** 1 to 500 alert ids */
  alertIds: Array<Scalars['ID']['input']>;
};

export type BulkAcknowledgeResult = {
  __typename?: 'BulkAcknowledgeResult';
  /** alerts acknowledged by this call */
  acknowledgedCount: Scalars['Int']['output'];
  /** alerts that were acknowledged already */
  alreadyAcknowledgedCount: Scalars['Int']['output'];
  /** ids that name no alert of the caller's tenant */
  notFoundCount: Scalars['Int']['output'];
};

export type CategoryDowntime = {
  __typename?: 'CategoryDowntime';
  category: DowntimeCategory;
  count: Scalars['Int']['output'];
  downtimeSeconds: Scalars['Float']['output'];
};

export type ChangePasswordInput = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};

export type ConnectionTestResult = {
  __typename?: 'ConnectionTestResult';
  latencyMs: Scalars['Int']['output'];
  message: Scalars['String']['output'];
  /** the device answered */
  success: Scalars['Boolean']['output'];
};

export type CreateAlertRuleInput = {
  /** composite rules: 2 to 10 conditions */
  conditions?: InputMaybe<Array<AlertConditionInput>>;
  criticalThreshold?: InputMaybe<Scalars['Float']['input']>;
  /** at least 0; default 0 */
  deadband?: InputMaybe<Scalars['Float']['input']>;
  /** 0 to 86400; default 0 */
  durationSeconds?: InputMaybe<Scalars['Int']['input']>;
  groupId?: InputMaybe<Scalars['ID']['input']>;
  /** default true */
  isEnabled?: InputMaybe<Scalars['Boolean']['input']>;
  logic?: InputMaybe<AlertRuleLogic>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  /** at most 1000 characters; placeholders {rule_name}, {machine_name}, {metric_name}, {value}, {unit}, {operator}, {threshold}, {severity} */
  messageTemplate?: InputMaybe<Scalars['String']['input']>;
  /** simple rules */
  metricName?: InputMaybe<Scalars['String']['input']>;
  /** at most 200 characters */
  name: Scalars['String']['input'];
  /** one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, neq); returned as the symbol */
  operator?: InputMaybe<Scalars['String']['input']>;
  severity?: InputMaybe<AlertSeverity>;
  warningThreshold?: InputMaybe<Scalars['Float']['input']>;
  /** 1 to 86400 */
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateApiKeyInput = {
  expiresAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
  name: Scalars['String']['input'];
  /** a preset name instead of scopes */
  preset?: InputMaybe<Scalars['String']['input']>;
  /** ingest, agent, read:machines, read:sensors, or preset names edge_agent / read_only */
  scopes?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type CreateDowntimeInput = {
  /** default: the reason code's category */
  category?: InputMaybe<DowntimeCategory>;
  /** not before startedAt, at most 5 minutes ahead of the server clock; absent: the downtime is still going on */
  endedAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
  /** 1 to 500 characters; default: the reason code's name */
  reason?: InputMaybe<Scalars['String']['input']>;
  /** an active reason code of the tenant */
  reasonCodeId?: InputMaybe<Scalars['ID']['input']>;
  /** at most 5 minutes ahead of the server clock */
  startedAt: Scalars['DateTimeISO']['input'];
};

export type CreateEscalationPolicyInput = {
  /** a notification channel of the tenant */
  channelId: Scalars['ID']['input'];
  /** default true */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** 1 to 200 characters */
  name: Scalars['String']['input'];
  severity: AlertSeverity;
  /** 1 to 1440 */
  waitMinutes: Scalars['Int']['input'];
};

export type CreateIngestSourceInput = {
  config: IngestSourceConfigInput;
  /** host name or IP (OPC-UA: or config.endpointUrl) */
  host?: InputMaybe<Scalars['String']['input']>;
  /** default true */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  machineId: Scalars['ID']['input'];
  /** at most 255 characters */
  name: Scalars['String']['input'];
  /** 1 to 86400; default 30 */
  pollIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** default 4840 (OPC-UA) / 502 (Modbus) */
  port?: InputMaybe<Scalars['Int']['input']>;
  /** opcua, opc_ua, modbus, modbus_tcp (returned as opcua or modbus) */
  protocol: Scalars['String']['input'];
};

export type CreateMachineGroupInput = {
  /** at most 1000 characters */
  description?: InputMaybe<Scalars['String']['input']>;
  groupType: GroupType;
  /** at most 200 characters */
  name: Scalars['String']['input'];
  parentId?: InputMaybe<Scalars['ID']['input']>;
  /** IANA zone of the site's machines, e.g. "Europe/Berlin" (site groups only) */
  timeZone?: InputMaybe<Scalars['String']['input']>;
};

export type CreateMachineInput = {
  /** seconds per piece at the ideal rate, more than 0 and at most 86400 (OEE records derive performance from it) */
  idealCycleTimeSeconds?: InputMaybe<Scalars['Float']['input']>;
  /** at most 500 characters */
  location?: InputMaybe<Scalars['String']['input']>;
  /** at most 100 characters: letters, digits and - _ . : / # */
  machineIdentifier: Scalars['String']['input'];
  /** at most 200 characters */
  name: Scalars['String']['input'];
  protocol: MachineProtocol;
};

export type CreateMaintenanceEventInput = {
  /** an alert of the same machine */
  alertId?: InputMaybe<Scalars['ID']['input']>;
  createsDowntime?: InputMaybe<Scalars['Boolean']['input']>;
  /** at most 5000 characters */
  description?: InputMaybe<Scalars['String']['input']>;
  /** a downtime record of the same machine */
  downtimeRecordId?: InputMaybe<Scalars['ID']['input']>;
  /** an active machine of the tenant */
  machineId: Scalars['ID']['input'];
  /** not before scheduledStart */
  scheduledEnd: Scalars['DateTimeISO']['input'];
  scheduledStart: Scalars['DateTimeISO']['input'];
  /** 1 to 200 characters */
  title: Scalars['String']['input'];
  type?: InputMaybe<MaintenanceType>;
};

export type CreateNotificationChannelInput = {
  /** by type (documented snake_case keys): email {"email": "a@x.com, b@y.com"} (at most 20); slack and teams {"webhook_url"}; webhook {"url", "headers": {name: value}}; may carry "min_severity". Secrets come back masked ("***"; URLs as origin + "/***"); a mask sent back keeps the stored value */
  config: Scalars['JSONObject']['input'];
  /** default true */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** default info */
  minSeverity?: InputMaybe<AlertSeverity>;
  /** 1 to 200 characters */
  name: Scalars['String']['input'];
  /** webhook only: 16 to 256 printable characters; generated when absent */
  signingSecret?: InputMaybe<Scalars['String']['input']>;
  type: NotificationChannelType;
};

/** the direct-ingestion guide's OPC-UA source; it becomes an ingest source */
export type CreateOpcuaSourceInput = {
  authType?: InputMaybe<Scalars['String']['input']>;
  /** default true */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** opc.tcp://host[:port][/path] */
  endpointUrl: Scalars['String']['input'];
  machineId: Scalars['ID']['input'];
  /** default: OPC-UA <host> */
  name?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 10000; metric names default to the raw tag (ns=2;s=Temperature -> ns2_sTemperature) until mapped */
  nodeIds: Array<Scalars['String']['input']>;
  password?: InputMaybe<Scalars['String']['input']>;
  pollIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  securityMode?: InputMaybe<Scalars['String']['input']>;
  securityPolicy?: InputMaybe<Scalars['String']['input']>;
  username?: InputMaybe<Scalars['String']['input']>;
};

export type CreatePartCategoryInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 100 characters, unique per tenant */
  name: Scalars['String']['input'];
};

export type CreatePartInput = {
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  location?: InputMaybe<Scalars['String']['input']>;
  manufacturerPartNumber?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 200 characters */
  name: Scalars['String']['input'];
  /** 1 to 100 characters, unique per tenant */
  partNumber: Scalars['String']['input'];
  /** initial stock, booked as an adjust entry (default 0; at most 3 decimals) */
  quantityOnHand?: InputMaybe<Scalars['Decimal']['input']>;
  /** default 0 */
  reorderPoint?: InputMaybe<Scalars['Decimal']['input']>;
  /** default 0 */
  reorderQuantity?: InputMaybe<Scalars['Decimal']['input']>;
  supplier?: InputMaybe<Scalars['String']['input']>;
  /** default 'piece' */
  unit?: InputMaybe<Scalars['String']['input']>;
  /** at most 4 decimals */
  unitCost?: InputMaybe<Scalars['Decimal']['input']>;
};

export type CreateReasonCodeInput = {
  category?: InputMaybe<DowntimeCategory>;
  /** 1 to 50 characters, unique per tenant */
  code: Scalars['String']['input'];
  /** at most 1000 characters */
  description?: InputMaybe<Scalars['String']['input']>;
  /** default true */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** 1 to 200 characters */
  name: Scalars['String']['input'];
  parentId?: InputMaybe<Scalars['ID']['input']>;
};

export type CreateShiftDefinitionInput = {
  /** #RRGGBB (default #3B82F6) */
  color?: InputMaybe<Scalars['String']['input']>;
  /** HH:MM or 24:00; not equal to startTime */
  endTime: Scalars['String']['input'];
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** 1 to 100 characters, unique in its scope */
  name: Scalars['String']['input'];
  /** a site group; absent: tenant-wide */
  siteId?: InputMaybe<Scalars['ID']['input']>;
  /** HH:MM */
  startTime: Scalars['String']['input'];
};

export type CreateShiftLogInput = {
  /** local date the shift starts on (YYYY-MM-DD) */
  date: Scalars['String']['input'];
  /** completed logs only; default: the planned end */
  endedAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
  /** default: totalPieces */
  goodPieces?: InputMaybe<Scalars['Int']['input']>;
  handoverNotes?: InputMaybe<Scalars['String']['input']>;
  /** absent: the definition's whole scope */
  machineId?: InputMaybe<Scalars['ID']['input']>;
  notes?: InputMaybe<Scalars['String']['input']>;
  shiftDefinitionId: Scalars['ID']['input'];
  /** default: the planned start */
  startedAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
  /** active (default) or completed */
  status?: InputMaybe<ShiftLogStatus>;
  /** a user of the tenant */
  supervisorId?: InputMaybe<Scalars['ID']['input']>;
  supervisorName?: InputMaybe<Scalars['String']['input']>;
  totalPieces?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateSignoffInput = {
  /** at most 1000 characters */
  comment?: InputMaybe<Scalars['String']['input']>;
  /** default approved */
  meaning?: InputMaybe<SignoffMeaning>;
  /** the caller's current password, re-entered (non-repudiation) */
  password: Scalars['String']['input'];
};

export type CreateUserInput = {
  email: Scalars['String']['input'];
  fullName: Scalars['String']['input'];
  /** initial password */
  password: Scalars['String']['input'];
  /** admin, operator or viewer */
  role: Scalars['String']['input'];
};

export type CreateWorkOrderInput = {
  /** an alert of the same machine */
  alertId?: InputMaybe<Scalars['ID']['input']>;
  /** an active user of the tenant */
  assignedTo?: InputMaybe<Scalars['ID']['input']>;
  /** at most 10000 characters */
  description?: InputMaybe<Scalars['String']['input']>;
  /** a downtime record of the same machine */
  downtimeRecordId?: InputMaybe<Scalars['ID']['input']>;
  /** an active machine of the tenant */
  machineId: Scalars['ID']['input'];
  /** a maintenance event of the same machine */
  maintenanceEventId?: InputMaybe<Scalars['ID']['input']>;
  /** default medium */
  priority?: InputMaybe<WorkOrderPriority>;
  /** 1 to 200 characters, one line */
  title: Scalars['String']['input'];
};

/** A new key; plaintextKey (same as key) is shown only once */
export type CreatedApiKey = {
  __typename?: 'CreatedApiKey';
  createdAt: Scalars['DateTimeISO']['output'];
  expiresAt?: Maybe<Scalars['DateTimeISO']['output']>;
  id: Scalars['ID']['output'];
  key: Scalars['String']['output'];
  keyPrefix: Scalars['String']['output'];
  lastUsedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  name: Scalars['String']['output'];
  plaintextKey: Scalars['String']['output'];
  scopes: Array<Scalars['String']['output']>;
  tenantId: Scalars['String']['output'];
};

export type CurrentUser = {
  __typename?: 'CurrentUser';
  createdAt: Scalars['DateTimeISO']['output'];
  email: Scalars['String']['output'];
  fullName: Scalars['String']['output'];
  id: Scalars['String']['output'];
  isActive: Scalars['Boolean']['output'];
  mfaEnabled: Scalars['Boolean']['output'];
  onboardingCompleted: Scalars['Boolean']['output'];
  role: Scalars['String']['output'];
  subscriptionStatus: Scalars['String']['output'];
  subscriptionTier: Scalars['String']['output'];
  tenantId: Scalars['String']['output'];
};

export enum DowntimeCategory {
  Changeover = 'changeover',
  Maintenance = 'maintenance',
  Planned = 'planned',
  Unplanned = 'unplanned'
}

/** manual: entered by a person; automatic: opened when the machine went offline */
export enum DowntimeOrigin {
  Automatic = 'automatic',
  Manual = 'manual'
}

export type DowntimeRecord = {
  __typename?: 'DowntimeRecord';
  category: DowntimeCategory;
  createdAt: Scalars['DateTimeISO']['output'];
  /** the user who entered it (null for automatic records) */
  createdBy?: Maybe<Scalars['ID']['output']>;
  /** ended_at − started_at in minutes (2 places); null while open */
  durationMinutes?: Maybe<Scalars['Float']['output']>;
  /** null while the downtime lasts */
  endedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  id: Scalars['ID']['output'];
  machineId: Scalars['ID']['output'];
  machineName: Scalars['String']['output'];
  origin: DowntimeOrigin;
  reason: Scalars['String']['output'];
  reasonCodeId?: Maybe<Scalars['ID']['output']>;
  /** the reason code's name */
  reasonCodeName?: Maybe<Scalars['String']['output']>;
  startedAt: Scalars['DateTimeISO']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type DowntimeRecordPage = {
  __typename?: 'DowntimeRecordPage';
  items: Array<DowntimeRecord>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** A tenant's downtime settings */
export type DowntimeSettings = {
  __typename?: 'DowntimeSettings';
  /** when on, a machine going offline opens an unplanned record (reason code AUTO_OFFLINE) from its last reading; readings coming back end it */
  autoDowntimeEnabled: Scalars['Boolean']['output'];
  /** when automatic downtime was last switched on */
  autoEnabledAt?: Maybe<Scalars['DateTimeISO']['output']>;
  tenantId: Scalars['ID']['output'];
  /** null while the defaults were never changed */
  updatedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  updatedBy?: Maybe<Scalars['ID']['output']>;
};

/** An edge agent (one per API key), as its last heartbeat described it */
export type EdgeAgent = {
  __typename?: 'EdgeAgent';
  agentVersion?: Maybe<Scalars['String']['output']>;
  apiKeyId: Scalars['ID']['output'];
  apiKeyName: Scalars['String']['output'];
  apiKeyPrefix: Scalars['String']['output'];
  /** readings waiting in its buffer */
  bufferedCount?: Maybe<Scalars['Float']['output']>;
  /** readings its buffer dropped (size cap) since it started */
  droppedCount?: Maybe<Scalars['Float']['output']>;
  firstSeenAt: Scalars['DateTimeISO']['output'];
  heartbeatCount: Scalars['Float']['output'];
  hostname?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lastSeenAt: Scalars['DateTimeISO']['output'];
  /** address of the last heartbeat as the server saw it */
  remoteAddress?: Maybe<Scalars['String']['output']>;
  /** the first sources it reported (at most 100) */
  sources?: Maybe<Array<AgentSourceHealth>>;
  sourcesTotal?: Maybe<Scalars['Int']['output']>;
};

export type EdgeAgentPage = {
  __typename?: 'EdgeAgentPage';
  items: Array<EdgeAgent>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type EscalationPolicy = {
  __typename?: 'EscalationPolicy';
  /** the channel notified when the step fires */
  channelId: Scalars['ID']['output'];
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  /** the alert severity the policy applies to */
  severity: AlertSeverity;
  updatedAt: Scalars['DateTimeISO']['output'];
  /** minutes after the alert was raised */
  waitMinutes: Scalars['Int']['output'];
};

export enum FleetDowntimeSortField {
  Category = 'category',
  DurationMinutes = 'duration_minutes',
  EndedAt = 'ended_at',
  MachineName = 'machine_name',
  StartedAt = 'started_at'
}

export type FleetMachine = {
  __typename?: 'FleetMachine';
  alertCount: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  lastReadingAt?: Maybe<Scalars['DateTimeISO']['output']>;
  name: Scalars['String']['output'];
  status: MachineStatus;
};

/** pooled over the events of every machine in scope (docs/downtime-metrics.md) */
export type FleetMttrMtbf = {
  __typename?: 'FleetMttrMtbf';
  days: Scalars['Int']['output'];
  end: Scalars['DateTimeISO']['output'];
  /** active machines in scope */
  machineCount: Scalars['Int']['output'];
  /** per machine, when includeMachines is true */
  machines?: Maybe<Array<MachineMttrMtbf>>;
  mtbfHours?: Maybe<Scalars['Float']['output']>;
  mttrHours?: Maybe<Scalars['Float']['output']>;
  start: Scalars['DateTimeISO']['output'];
  totalFailures: Scalars['Int']['output'];
  totalRepairs: Scalars['Int']['output'];
};

export type FleetOee = {
  __typename?: 'FleetOee';
  groupBy: FleetOeeGroupBy;
  groups: Array<FleetOeeGroup>;
  periodDays: Scalars['Int']['output'];
  total: FleetOeeGroup;
};

export type FleetOeeGroup = {
  __typename?: 'FleetOeeGroup';
  averageAvailability?: Maybe<Scalars['Float']['output']>;
  averageOee?: Maybe<Scalars['Float']['output']>;
  averagePerformance?: Maybe<Scalars['Float']['output']>;
  averageQuality?: Maybe<Scalars['Float']['output']>;
  /** site or machine id; null: machines in no site (or the fleet total) */
  groupId?: Maybe<Scalars['ID']['output']>;
  groupName?: Maybe<Scalars['String']['output']>;
  iso22400: Iso22400;
  machineCount: Scalars['Int']['output'];
  recordsCount: Scalars['Int']['output'];
};

export enum FleetOeeGroupBy {
  Machine = 'machine',
  Site = 'site'
}

export type FleetStatus = {
  __typename?: 'FleetStatus';
  machines: Array<FleetMachine>;
  totalMachines: Scalars['Int']['output'];
};

export enum GroupType {
  Custom = 'custom',
  Department = 'department',
  Line = 'line',
  Site = 'site'
}

export type HandoverAlert = {
  __typename?: 'HandoverAlert';
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  machineId: Scalars['ID']['output'];
  message: Scalars['String']['output'];
  resolvedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  severity: Scalars['String']['output'];
  status: Scalars['String']['output'];
};

/** alerts open at some time in the window */
export type HandoverAlerts = {
  __typename?: 'HandoverAlerts';
  bySeverity: AlertSeverityCounts;
  /** newest first, at most 100 */
  items: Array<HandoverAlert>;
  total: Scalars['Int']['output'];
};

/** downtime clipped to the window, by category */
export type HandoverDowntime = {
  __typename?: 'HandoverDowntime';
  byCategory: ShiftDowntimeMinutes;
  /** newest first, at most 100 */
  items: Array<HandoverDowntimeRecord>;
  records: Scalars['Int']['output'];
  totalMinutes: Scalars['Float']['output'];
};

export type HandoverDowntimeRecord = {
  __typename?: 'HandoverDowntimeRecord';
  category: Scalars['String']['output'];
  endedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  id: Scalars['ID']['output'];
  machineId: Scalars['ID']['output'];
  minutesInWindow: Scalars['Float']['output'];
  reason: Scalars['String']['output'];
  startedAt: Scalars['DateTimeISO']['output'];
};

export type HandoverPrevious = {
  __typename?: 'HandoverPrevious';
  date: Scalars['String']['output'];
  endedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  handoverNotes?: Maybe<Scalars['String']['output']>;
  logId: Scalars['ID']['output'];
  shiftName: Scalars['String']['output'];
};

export type HandoverProduction = {
  __typename?: 'HandoverProduction';
  goodPieces: Scalars['Int']['output'];
  scrapPieces: Scalars['Int']['output'];
  totalPieces: Scalars['Int']['output'];
};

export type ImportMachinesInput = {
  /** file content, base64 */
  contentBase64: Scalars['String']['input'];
  /** name of the uploaded file; .csv or .xlsx decides the format */
  filename: Scalars['String']['input'];
};

export type ImportRowError = {
  __typename?: 'ImportRowError';
  error: Scalars['String']['output'];
  /** spreadsheet row number (the header is row 1) */
  row: Scalars['Int']['output'];
};

export type IngestError = {
  __typename?: 'IngestError';
  error: Scalars['String']['output'];
  /** zero-based position in the batch */
  index: Scalars['Int']['output'];
  machineIdentifier?: Maybe<Scalars['String']['output']>;
};

export type IngestResult = {
  __typename?: 'IngestResult';
  acceptedCount: Scalars['Int']['output'];
  errors: Array<IngestError>;
  rejectedCount: Scalars['Int']['output'];
};

/** a device the platform polls (OPC-UA or Modbus TCP) */
export type IngestSource = {
  __typename?: 'IngestSource';
  config: IngestSourceConfig;
  createdAt: Scalars['DateTimeISO']['output'];
  health: IngestSourceHealth;
  host: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  machineId: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  pollIntervalSeconds: Scalars['Int']['output'];
  port: Scalars['Int']['output'];
  /** opcua or modbus */
  protocol: Scalars['String']['output'];
  tenantId: Scalars['ID']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

/** a source's settings; the other protocol's fields are null; the password is never returned */
export type IngestSourceConfig = {
  __typename?: 'IngestSourceConfig';
  /** OPC-UA: anonymous or username */
  authType?: Maybe<Scalars['String']['output']>;
  deadband?: Maybe<OpcuaDeadband>;
  /** OPC-UA */
  endpointUrl?: Maybe<Scalars['String']['output']>;
  /** OPC-UA: poll or subscription */
  mode?: Maybe<Scalars['String']['output']>;
  nodes?: Maybe<Array<OpcuaNode>>;
  /** whether a password is stored (encrypted) */
  passwordSet: Scalars['Boolean']['output'];
  registers?: Maybe<Array<ModbusRegister>>;
  /** OPC-UA subscription sampling; null: the poll interval */
  samplingIntervalMs?: Maybe<Scalars['Int']['output']>;
  /** OPC-UA: None, Sign, SignAndEncrypt */
  securityMode?: Maybe<Scalars['String']['output']>;
  /** OPC-UA: None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, ... */
  securityPolicy?: Maybe<Scalars['String']['output']>;
  /** Modbus */
  unitId?: Maybe<Scalars['Int']['output']>;
  username?: Maybe<Scalars['String']['output']>;
};

/** OPC-UA or Modbus settings (only the fields of the source protocol) */
export type IngestSourceConfigInput = {
  /** OPC-UA: anonymous (default) or username */
  authType?: InputMaybe<Scalars['String']['input']>;
  deadband?: InputMaybe<OpcuaDeadbandInput>;
  /** OPC-UA: opc.tcp://host[:port][/path]; or give host and port */
  endpointUrl?: InputMaybe<Scalars['String']['input']>;
  /** OPC-UA: poll (default) or subscription */
  mode?: InputMaybe<Scalars['String']['input']>;
  /** OPC-UA: 1 to 10000 nodes */
  nodes?: InputMaybe<Array<OpcuaNodeInput>>;
  /** at most 1024 characters; stored encrypted, never returned; on update: absent keeps, null clears */
  password?: InputMaybe<Scalars['String']['input']>;
  /** Modbus: 1 to 2000 registers */
  registers?: InputMaybe<Array<ModbusRegisterInput>>;
  /** 0 to 3600000; default: the poll interval */
  samplingIntervalMs?: InputMaybe<Scalars['Int']['input']>;
  /** OPC-UA: None (default), Sign, SignAndEncrypt */
  securityMode?: InputMaybe<Scalars['String']['input']>;
  /** OPC-UA: None with mode None; otherwise Basic256Sha256 (default), Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, ... */
  securityPolicy?: InputMaybe<Scalars['String']['input']>;
  /** Modbus: 0 to 255; default 1 */
  unitId?: InputMaybe<Scalars['Int']['input']>;
  /** at most 255 characters */
  username?: InputMaybe<Scalars['String']['input']>;
};

export type IngestSourceHealth = {
  __typename?: 'IngestSourceHealth';
  consecutiveFailures: Scalars['Int']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  lastPollAt?: Maybe<Scalars['DateTimeISO']['output']>;
  lastSuccessAt?: Maybe<Scalars['DateTimeISO']['output']>;
  points: Array<SourcePointStatus>;
  /** pending (never polled), ok, degraded (some points bad), failing (the last cycle failed), disabled (inactive) */
  state: Scalars['String']['output'];
};

export type IngestSourcePage = {
  __typename?: 'IngestSourcePage';
  items: Array<IngestSource>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** ISO 22400 from sums: Σrun/Σplanned, Σ(P·run)/Σrun, Σgood/Σtotal */
export type Iso22400 = {
  __typename?: 'Iso22400';
  availability?: Maybe<Scalars['Float']['output']>;
  goodPieces: Scalars['Float']['output'];
  lossMinutes: OeeLossMinutes;
  oee?: Maybe<Scalars['Float']['output']>;
  performance?: Maybe<Scalars['Float']['output']>;
  plannedMinutes: Scalars['Float']['output'];
  quality?: Maybe<Scalars['Float']['output']>;
  runMinutes: Scalars['Float']['output'];
  totalPieces: Scalars['Float']['output'];
};

export type LatestReading = {
  __typename?: 'LatestReading';
  metric: Scalars['String']['output'];
  rawTag?: Maybe<Scalars['String']['output']>;
  timestamp: Scalars['DateTimeISO']['output'];
  unit: Scalars['String']['output'];
  value: Scalars['Float']['output'];
};

export type LiveReading = {
  __typename?: 'LiveReading';
  machineId: Scalars['ID']['output'];
  machineIdentifier: Scalars['String']['output'];
  metric: Scalars['String']['output'];
  rawTag?: Maybe<Scalars['String']['output']>;
  timestamp: Scalars['DateTimeISO']['output'];
  unit: Scalars['String']['output'];
  value: Scalars['Float']['output'];
};

export type LoginInput = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};

export type Machine = {
  __typename?: 'Machine';
  createdAt: Scalars['DateTimeISO']['output'];
  /** groups the machine is a direct member of */
  groups: Array<MachineGroup>;
  id: Scalars['ID']['output'];
  /** seconds per piece at the ideal rate; OEE records derive performance from it */
  idealCycleTimeSeconds?: Maybe<Scalars['Float']['output']>;
  isActive: Scalars['Boolean']['output'];
  lastReadingAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** newest reading of each metric (batched across machines) */
  latestReadings: Array<LatestReading>;
  location?: Maybe<Scalars['String']['output']>;
  machineIdentifier: Scalars['String']['output'];
  name: Scalars['String']['output'];
  protocol: MachineProtocol;
  /** time series of this machine */
  readings: ReadingSeriesResult;
  status: MachineStatus;
  tenantId: Scalars['String']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};


export type MachineReadingsArgs = {
  aggregation?: InputMaybe<Scalars['String']['input']>;
  end?: InputMaybe<Scalars['DateTimeISO']['input']>;
  interval?: InputMaybe<Scalars['String']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  metrics?: InputMaybe<Array<Scalars['String']['input']>>;
  start?: InputMaybe<Scalars['DateTimeISO']['input']>;
};

export type MachineGroup = {
  __typename?: 'MachineGroup';
  createdAt: Scalars['DateTimeISO']['output'];
  description?: Maybe<Scalars['String']['output']>;
  groupType: GroupType;
  id: Scalars['ID']['output'];
  /** active machines directly in this group */
  machines: Array<Machine>;
  name: Scalars['String']['output'];
  parentId?: Maybe<Scalars['ID']['output']>;
  tenantId: Scalars['String']['output'];
  /** IANA zone of the site's machines (site groups only); null: the tenant's zone */
  timeZone?: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type MachineGroupPage = {
  __typename?: 'MachineGroupPage';
  items: Array<MachineGroup>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type MachineGroupTreeNode = {
  __typename?: 'MachineGroupTreeNode';
  children: Array<MachineGroupTreeNode>;
  description?: Maybe<Scalars['String']['output']>;
  groupType: GroupType;
  id: Scalars['ID']['output'];
  /** active machines directly in this group */
  machineCount: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  parentId?: Maybe<Scalars['ID']['output']>;
};

export type MachineImportResult = {
  __typename?: 'MachineImportResult';
  created: Scalars['Int']['output'];
  errors: Array<ImportRowError>;
  /** rows not created because the identifier exists already (in the file or the tenant) */
  skipped: Scalars['Int']['output'];
};

export type MachineLatestReadings = {
  __typename?: 'MachineLatestReadings';
  machineId: Scalars['ID']['output'];
  readings: Array<LatestReading>;
};

export type MachineMttrMtbf = {
  __typename?: 'MachineMttrMtbf';
  machineId: Scalars['ID']['output'];
  machineName: Scalars['String']['output'];
  mtbfHours?: Maybe<Scalars['Float']['output']>;
  mttrHours?: Maybe<Scalars['Float']['output']>;
  totalFailures: Scalars['Int']['output'];
  totalRepairs: Scalars['Int']['output'];
};

export type MachinePage = {
  __typename?: 'MachinePage';
  items: Array<Machine>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export enum MachineProtocol {
  Csv = 'csv',
  Json = 'json',
  ModbusTcp = 'modbus_tcp',
  OpcUa = 'opc_ua'
}

export enum MachineSortField {
  CreatedAt = 'created_at',
  Location = 'location',
  MachineIdentifier = 'machine_identifier',
  Name = 'name',
  Status = 'status',
  UpdatedAt = 'updated_at'
}

/** computed by the server from readings and alert rules */
export enum MachineStatus {
  Critical = 'critical',
  Healthy = 'healthy',
  Offline = 'offline',
  Warning = 'warning'
}

export type MachineStatusChange = {
  __typename?: 'MachineStatusChange';
  machineId: Scalars['ID']['output'];
  newStatus: Scalars['String']['output'];
  oldStatus: Scalars['String']['output'];
  timestamp: Scalars['DateTimeISO']['output'];
};

export enum MaintenanceChange {
  Created = 'created',
  Deleted = 'deleted',
  Updated = 'updated'
}

export type MaintenanceEvent = {
  __typename?: 'MaintenanceEvent';
  /** set when a started event is completed or cancelled */
  actualEnd?: Maybe<Scalars['DateTimeISO']['output']>;
  /** set when the event starts (in_progress) */
  actualStart?: Maybe<Scalars['DateTimeISO']['output']>;
  alertId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  createdBy?: Maybe<Scalars['ID']['output']>;
  /** starting the event opens a maintenance downtime record; completing or cancelling it ends the record */
  createsDowntime: Scalars['Boolean']['output'];
  description?: Maybe<Scalars['String']['output']>;
  downtimeRecordId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  machineId: Scalars['ID']['output'];
  machineName: Scalars['String']['output'];
  scheduledEnd: Scalars['DateTimeISO']['output'];
  scheduledStart: Scalars['DateTimeISO']['output'];
  status: MaintenanceStatus;
  title: Scalars['String']['output'];
  type: MaintenanceType;
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type MaintenanceEventChanged = {
  __typename?: 'MaintenanceEventChanged';
  change: MaintenanceChange;
  /** the event after the change (as it was, when deleted) */
  event: MaintenanceEvent;
};

export type MaintenanceEventPage = {
  __typename?: 'MaintenanceEventPage';
  items: Array<MaintenanceEvent>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** scheduled → in_progress → completed; scheduled or in_progress → cancelled; completed and cancelled are final */
export enum MaintenanceStatus {
  Cancelled = 'cancelled',
  Completed = 'completed',
  InProgress = 'in_progress',
  Scheduled = 'scheduled'
}

export enum MaintenanceType {
  Corrective = 'corrective',
  Inspection = 'inspection',
  Predictive = 'predictive',
  Preventive = 'preventive'
}

export type MapTagsInput = {
  machineId: Scalars['ID']['input'];
  /** 1 to 10000 */
  mappings: Array<TagMappingInput>;
};

export type MessageResult = {
  __typename?: 'MessageResult';
  detail: Scalars['String']['output'];
};

export type MfaCodeInput = {
  code: Scalars['String']['input'];
};

/** Re-authentication to replace (setupMfa) or remove (disableMfa) an active second factor */
export type MfaReauthInput = {
  /** a current code from the active authenticator app; each code is accepted once */
  code: Scalars['String']['input'];
  /** the account password */
  currentPassword: Scalars['String']['input'];
};

export type MfaSetupPayload = {
  __typename?: 'MfaSetupPayload';
  accountName: Scalars['String']['output'];
  issuer: Scalars['String']['output'];
  /** otpauth:// provisioning URI for authenticator apps (render as QR code) */
  otpauthUrl: Scalars['String']['output'];
  secret: Scalars['String']['output'];
};

export type MfaStatus = {
  __typename?: 'MfaStatus';
  mfaEnabled: Scalars['Boolean']['output'];
};

export type MfaVerifyInput = {
  code: Scalars['String']['input'];
  /** the pending token returned by login when mfaRequired is true; when absent, the bearer token of the Authorization header */
  mfaToken?: InputMaybe<Scalars['String']['input']>;
};

export type ModbusRegister = {
  __typename?: 'ModbusRegister';
  /** zero-based protocol address */
  address: Scalars['Int']['output'];
  /** ABCD, CDAB, BADC, DCBA */
  byteOrder: Scalars['String']['output'];
  /** registers (bits) read: the data type width */
  count: Scalars['Int']['output'];
  /** int16, uint16, int32, uint32, float32, float64 (bool for coils and discrete inputs) */
  dataType: Scalars['String']['output'];
  metricName: Scalars['String']['output'];
  offset: Scalars['Float']['output'];
  /** holding, input, coil, discrete_input */
  registerType: Scalars['String']['output'];
  /** value = raw * scale + offset */
  scale: Scalars['Float']['output'];
  unit: Scalars['String']['output'];
};

export type ModbusRegisterInput = {
  /** 0 to 65535 */
  address: Scalars['Int']['input'];
  /** ABCD (default), CDAB, BADC, DCBA */
  byteOrder?: InputMaybe<Scalars['String']['input']>;
  /** 1, 2 or 4: the data type width (default: from data_type, else 1) */
  count?: InputMaybe<Scalars['Int']['input']>;
  /** int16, uint16, int32, uint32, float32, float64, bool; default by count: 1 uint16, 2 float32, 4 float64 */
  dataType?: InputMaybe<Scalars['String']['input']>;
  /** at most 255 characters */
  metricName: Scalars['String']['input'];
  /** default 0 */
  offset?: InputMaybe<Scalars['Float']['input']>;
  /** holding (default), input, coil, discrete_input */
  registerType?: InputMaybe<Scalars['String']['input']>;
  /** default 1 */
  scale?: InputMaybe<Scalars['Float']['input']>;
  /** at most 50 characters; default none */
  unit?: InputMaybe<Scalars['String']['input']>;
};

/** see docs/downtime-metrics.md */
export type MttrMtbf = {
  __typename?: 'MttrMtbf';
  days: Scalars['Int']['output'];
  end: Scalars['DateTimeISO']['output'];
  /** (window − downtime) / failures, in hours; null without failures */
  mtbfHours?: Maybe<Scalars['Float']['output']>;
  /** mean repair hours of ended unplanned and maintenance records; null without repairs */
  mttrHours?: Maybe<Scalars['Float']['output']>;
  start: Scalars['DateTimeISO']['output'];
  totalFailures: Scalars['Int']['output'];
  totalRepairs: Scalars['Int']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** acknowledge an alert; acknowledging it again changes nothing */
  acknowledgeAlert: Alert;
  addAlertComment: AlertComment;
  /** comment on a work order (also a completed one) */
  addWorkOrderComment: WorkOrderComment;
  /** use a part on an open or in-progress work order (consumes stock) */
  addWorkOrderPart: WorkOrderPart;
  /** Edge-agent heartbeat (API key with scope agent); records when the agent was last seen and what it reported */
  agentHeartbeat: AgentHeartbeatResult;
  /** acknowledge several alerts; ids of no alert of the caller's tenant count as not found */
  bulkAcknowledgeAlerts: BulkAcknowledgeResult;
  changePassword: MessageResult;
  createAlertRule: AlertRule;
  createApiKey: CreatedApiKey;
  /** open (or record an already ended) downtime of a machine; overlapping records are refused */
  createDowntimeRecord: DowntimeRecord;
  /** at most 50 per tenant; several policies of one severity are successive steps */
  createEscalationPolicy: EscalationPolicy;
  createIngestSource: IngestSource;
  createMachine: Machine;
  createMachineGroup: MachineGroup;
  /** schedule a maintenance event (status scheduled) */
  createMaintenanceEvent: MaintenanceEvent;
  /** at most 100 per tenant; a webhook channel answers its generated signing secret here, once */
  createNotificationChannel: NotificationChannel;
  /** the direct-ingestion guide's OPC-UA door; creates an ingest source */
  createOpcuaSource: IngestSource;
  /** create a part; its initial quantity is booked as an adjust entry */
  createPart: Part;
  createPartCategory: PartCategory;
  createReasonCode: ReasonCode;
  /** duplicate names and overlapping active windows in one scope are conflicts */
  createShiftDefinition: ShiftDefinition;
  /** one non-cancelled log per definition, machine and date; one active log per machine */
  createShiftLog: ShiftLog;
  /** sign a completed work order (admin, operator; user tokens only) with the caller's password; a wrong password is FORBIDDEN and counts towards the login lock-out */
  createSignoff: Signoff;
  /** book a stock movement; a shortfall is a CONFLICT and changes nothing */
  createStockTransaction: StockTransaction;
  createUser: User;
  /** open a work order on a machine */
  createWorkOrder: WorkOrder;
  /** Deletes a rule; its active alerts are resolved and stay in the history */
  deleteAlertRule: Scalars['Boolean']['output'];
  deleteEscalationPolicy: Scalars['Boolean']['output'];
  deleteIngestSource: Scalars['Boolean']['output'];
  /** Soft delete: the machine leaves lists and ingestion; its identifier stays reserved */
  deleteMachine: Scalars['Boolean']['output'];
  /** Deletes a group without child groups (its memberships go with it) */
  deleteMachineGroup: Scalars['Boolean']['output'];
  /** delete a scheduled or cancelled event */
  deleteMaintenanceEvent: Scalars['Boolean']['output'];
  /** refused (conflict) while an escalation policy uses the channel */
  deleteNotificationChannel: Scalars['Boolean']['output'];
  deleteOeeRecord: Scalars['Boolean']['output'];
  /** archive a part (its history stays) */
  deletePart: Scalars['Boolean']['output'];
  /** delete a category no part uses */
  deletePartCategory: Scalars['Boolean']['output'];
  /** deletes an unused code without children; a code records use is refused (deactivate it instead) */
  deleteReasonCode: Scalars['Boolean']['output'];
  /** a definition with logs is a conflict (deactivate it instead) */
  deleteShiftDefinition: Scalars['Boolean']['output'];
  deleteShiftLog: Scalars['Boolean']['output'];
  /** delete an open or cancelled work order without sign-offs (its parts go back to stock) */
  deleteWorkOrder: Scalars['Boolean']['output'];
  /** Turn MFA off; needs the password and a current code */
  disableMfa: MfaStatus;
  /** end an open record now (server time); an ended record is a conflict */
  endDowntimeRecord: DowntimeRecord;
  /** Bulk-create up to 500 machines from a CSV or XLSX file */
  importMachines: MachineImportResult;
  /** Push up to 1000 readings (API key with scope ingest); per-reading errors, nothing accepted unless stored */
  ingestReadings: IngestResult;
  login: AuthPayload;
  logout: MessageResult;
  /** maps tags of a machine's sources to metric names and units (all or nothing) */
  mapTags: TagMappingResult;
  /** Rotate the refresh token (argument, or the refresh_token cookie) */
  refreshToken: AuthPayload;
  /** Create a tenant and its first admin, signed in */
  register: AuthPayload;
  /** remove a part line; its quantity returns to stock */
  removeWorkOrderPart: Scalars['Boolean']['output'];
  /** full replacement (as a create); the password is kept unless given (null clears it) */
  replaceIngestSource: IngestSource;
  /** queues a dead delivery again from its first try (conflict for any other state) */
  retryNotificationDelivery: NotificationDelivery;
  revokeApiKey: Scalars['Boolean']['output'];
  /** Replaces the group's members with exactly these machines */
  setMachineGroupMembers: MachineGroup;
  /** Start TOTP enrolment; while MFA is on (replacing the factor) input is required */
  setupMfa: MfaSetupPayload;
  /** suppress the alert's notifications until snoozeUntil; it stays active */
  snoozeAlert: Alert;
  /** stores the browser subscription for the caller (the same endpoint again updates it) */
  subscribePush: PushSubscription;
  /** one read cycle against a configuration that is not saved; nothing is stored */
  testIngestSourceConfig: ConnectionTestResult;
  /** one read cycle against the saved source's device (through the outbound address guard) */
  testIngestSourceConnection: ConnectionTestResult;
  /** one synchronous try of a sample alert.triggered ("test": true); a failed try is success false, not an error */
  testNotificationChannel: NotificationTestResult;
  /** removes the caller's subscription of that endpoint (another user's: not found) */
  unsubscribePush: Scalars['Boolean']['output'];
  /** Partial update; disabling the rule resolves its active alerts */
  updateAlertRule: AlertRule;
  /** change a record (absent fields keep their value); machineId, when given, must be the record's machine */
  updateDowntimeRecord: DowntimeRecord;
  /** Changes the tenant downtime settings (admin); fields left out keep their value */
  updateDowntimeSettings: DowntimeSettings;
  /** changes the fields given */
  updateEscalationPolicy: EscalationPolicy;
  /** partial update; the password is kept unless given (null clears it) */
  updateIngestSource: IngestSource;
  updateMachine: Machine;
  updateMachineGroup: MachineGroup;
  /** change an event (absent fields keep their value) or move it through its status transitions */
  updateMaintenanceEvent: MaintenanceEvent;
  /** changes the fields given; masked secrets sent back keep their stored value */
  updateNotificationChannel: NotificationChannel;
  /** change inputs of a record; computed factors are computed again */
  updateOeeRecord: OeeRecord;
  /** change a part (partial); a new quantityOnHand is booked as an adjust entry */
  updatePart: Part;
  updateProfile: User;
  /** partial update; a parent that is the code itself or below it is refused (cycle) */
  updateReasonCode: ReasonCode;
  /** change the fields given */
  updateShiftDefinition: ShiftDefinition;
  /** status moves only active → completed | cancelled; then only notes and counts change */
  updateShiftLog: ShiftLog;
  /** Changes the caller's tenant settings (admin); fields left out keep their value */
  updateTenantSettings: TenantSettings;
  /** Change role, name or active flag; deactivation ends the user's sessions */
  updateUser: User;
  /** change a work order (partial); status changes follow the diagram; a completed order is locked */
  updateWorkOrder: WorkOrder;
  /** create or replace the record of (machine, date); absent inputs are derived, absent factors computed */
  upsertOeeRecord: OeeRecordUpsert;
  /** Finish a login that returned mfaRequired */
  verifyMfa: AuthPayload;
  verifyMfaSetup: MfaStatus;
};


export type MutationAcknowledgeAlertArgs = {
  id: Scalars['ID']['input'];
};


export type MutationAddAlertCommentArgs = {
  alertId: Scalars['ID']['input'];
  input: AlertCommentInput;
};


export type MutationAddWorkOrderCommentArgs = {
  input: WorkOrderCommentInput;
  workOrderId: Scalars['ID']['input'];
};


export type MutationAddWorkOrderPartArgs = {
  input: AddWorkOrderPartInput;
  workOrderId: Scalars['ID']['input'];
};


export type MutationAgentHeartbeatArgs = {
  input?: InputMaybe<AgentHeartbeatInput>;
};


export type MutationBulkAcknowledgeAlertsArgs = {
  input: BulkAcknowledgeInput;
};


export type MutationChangePasswordArgs = {
  input: ChangePasswordInput;
};


export type MutationCreateAlertRuleArgs = {
  input: CreateAlertRuleInput;
};


export type MutationCreateApiKeyArgs = {
  input: CreateApiKeyInput;
};


export type MutationCreateDowntimeRecordArgs = {
  input: CreateDowntimeInput;
  machineId: Scalars['ID']['input'];
};


export type MutationCreateEscalationPolicyArgs = {
  input: CreateEscalationPolicyInput;
};


export type MutationCreateIngestSourceArgs = {
  input: CreateIngestSourceInput;
};


export type MutationCreateMachineArgs = {
  input: CreateMachineInput;
};


export type MutationCreateMachineGroupArgs = {
  input: CreateMachineGroupInput;
};


export type MutationCreateMaintenanceEventArgs = {
  input: CreateMaintenanceEventInput;
};


export type MutationCreateNotificationChannelArgs = {
  input: CreateNotificationChannelInput;
};


export type MutationCreateOpcuaSourceArgs = {
  input: CreateOpcuaSourceInput;
};


export type MutationCreatePartArgs = {
  input: CreatePartInput;
};


export type MutationCreatePartCategoryArgs = {
  input: CreatePartCategoryInput;
};


export type MutationCreateReasonCodeArgs = {
  input: CreateReasonCodeInput;
};


export type MutationCreateShiftDefinitionArgs = {
  input: CreateShiftDefinitionInput;
};


export type MutationCreateShiftLogArgs = {
  input: CreateShiftLogInput;
};


export type MutationCreateSignoffArgs = {
  input: CreateSignoffInput;
  workOrderId: Scalars['ID']['input'];
};


export type MutationCreateStockTransactionArgs = {
  input: StockTransactionInput;
  partId: Scalars['ID']['input'];
};


export type MutationCreateUserArgs = {
  input: CreateUserInput;
};


export type MutationCreateWorkOrderArgs = {
  input: CreateWorkOrderInput;
};


export type MutationDeleteAlertRuleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteEscalationPolicyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteIngestSourceArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteMachineArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteMachineGroupArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteMaintenanceEventArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteNotificationChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteOeeRecordArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePartArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePartCategoryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteReasonCodeArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteShiftDefinitionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteShiftLogArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteWorkOrderArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDisableMfaArgs = {
  input: MfaReauthInput;
};


export type MutationEndDowntimeRecordArgs = {
  id: Scalars['ID']['input'];
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationImportMachinesArgs = {
  input: ImportMachinesInput;
};


export type MutationIngestReadingsArgs = {
  readings: Array<ReadingInput>;
};


export type MutationLoginArgs = {
  input: LoginInput;
};


export type MutationLogoutArgs = {
  refreshToken?: InputMaybe<Scalars['String']['input']>;
};


export type MutationMapTagsArgs = {
  input: MapTagsInput;
};


export type MutationRefreshTokenArgs = {
  refreshToken?: InputMaybe<Scalars['String']['input']>;
};


export type MutationRegisterArgs = {
  input: RegisterInput;
};


export type MutationRemoveWorkOrderPartArgs = {
  id: Scalars['ID']['input'];
  workOrderId: Scalars['ID']['input'];
};


export type MutationReplaceIngestSourceArgs = {
  id: Scalars['ID']['input'];
  input: CreateIngestSourceInput;
};


export type MutationRetryNotificationDeliveryArgs = {
  channelId: Scalars['ID']['input'];
  deliveryId: Scalars['ID']['input'];
};


export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetMachineGroupMembersArgs = {
  id: Scalars['ID']['input'];
  machineIds: Array<Scalars['ID']['input']>;
};


export type MutationSetupMfaArgs = {
  input?: InputMaybe<MfaReauthInput>;
};


export type MutationSnoozeAlertArgs = {
  id: Scalars['ID']['input'];
  input: SnoozeAlertInput;
};


export type MutationSubscribePushArgs = {
  input: PushSubscribeInput;
};


export type MutationTestIngestSourceConfigArgs = {
  input: TestIngestSourceInput;
};


export type MutationTestIngestSourceConnectionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationTestNotificationChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUnsubscribePushArgs = {
  endpoint: Scalars['String']['input'];
};


export type MutationUpdateAlertRuleArgs = {
  id: Scalars['ID']['input'];
  input: UpdateAlertRuleInput;
};


export type MutationUpdateDowntimeRecordArgs = {
  id: Scalars['ID']['input'];
  input: UpdateDowntimeInput;
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationUpdateDowntimeSettingsArgs = {
  input: UpdateDowntimeSettingsInput;
};


export type MutationUpdateEscalationPolicyArgs = {
  id: Scalars['ID']['input'];
  input: UpdateEscalationPolicyInput;
};


export type MutationUpdateIngestSourceArgs = {
  id: Scalars['ID']['input'];
  input: UpdateIngestSourceInput;
};


export type MutationUpdateMachineArgs = {
  id: Scalars['ID']['input'];
  input: UpdateMachineInput;
};


export type MutationUpdateMachineGroupArgs = {
  id: Scalars['ID']['input'];
  input: UpdateMachineGroupInput;
};


export type MutationUpdateMaintenanceEventArgs = {
  id: Scalars['ID']['input'];
  input: UpdateMaintenanceEventInput;
};


export type MutationUpdateNotificationChannelArgs = {
  id: Scalars['ID']['input'];
  input: UpdateNotificationChannelInput;
};


export type MutationUpdateOeeRecordArgs = {
  id: Scalars['ID']['input'];
  input: UpdateOeeRecordInput;
};


export type MutationUpdatePartArgs = {
  id: Scalars['ID']['input'];
  input: UpdatePartInput;
};


export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};


export type MutationUpdateReasonCodeArgs = {
  id: Scalars['ID']['input'];
  input: UpdateReasonCodeInput;
};


export type MutationUpdateShiftDefinitionArgs = {
  id: Scalars['ID']['input'];
  input: UpdateShiftDefinitionInput;
};


export type MutationUpdateShiftLogArgs = {
  id: Scalars['ID']['input'];
  input: UpdateShiftLogInput;
};


export type MutationUpdateTenantSettingsArgs = {
  input: UpdateTenantSettingsInput;
};


export type MutationUpdateUserArgs = {
  id: Scalars['ID']['input'];
  input: UpdateUserInput;
};


export type MutationUpdateWorkOrderArgs = {
  id: Scalars['ID']['input'];
  input: UpdateWorkOrderInput;
};


export type MutationUpsertOeeRecordArgs = {
  input: UpsertOeeRecordInput;
};


export type MutationVerifyMfaArgs = {
  input: MfaVerifyInput;
};


export type MutationVerifyMfaSetupArgs = {
  input: MfaCodeInput;
};

export type NotificationChannel = {
  __typename?: 'NotificationChannel';
  /** by type (documented snake_case keys): email {"email": "a@x.com, b@y.com"} (at most 20); slack and teams {"webhook_url"}; webhook {"url", "headers": {name: value}}; may carry "min_severity". Secrets come back masked ("***"; URLs as origin + "/***"); a mask sent back keeps the stored value */
  config: Scalars['JSONObject']['output'];
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  /** alerts below this severity are not sent to the channel */
  minSeverity: AlertSeverity;
  name: Scalars['String']['output'];
  /** webhook HMAC key: in clear only in the answer that generated it, "***" afterwards; null for channels that do not sign */
  signingSecret?: Maybe<Scalars['String']['output']>;
  type: NotificationChannelType;
  updatedAt: Scalars['DateTimeISO']['output'];
};

export enum NotificationChannelType {
  Email = 'email',
  Slack = 'slack',
  Teams = 'teams',
  Webhook = 'webhook'
}

/** one notification to one target; its id is the X-Webhook-Id and the e-mail Message-ID */
export type NotificationDelivery = {
  __typename?: 'NotificationDelivery';
  alertId: Scalars['ID']['output'];
  /** tries so far */
  attempts: Scalars['Int']['output'];
  channelId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  deliveredAt?: Maybe<Scalars['DateTimeISO']['output']>;
  event: NotificationEventType;
  id: Scalars['ID']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  /** HTTP status or SMTP reply code of the last try */
  lastStatusCode?: Maybe<Scalars['Int']['output']>;
  /** when the next try is due (pending, retrying) */
  nextAttemptAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** the escalation policy (alert.escalated only) */
  policyId?: Maybe<Scalars['ID']['output']>;
  /** the push subscription (push deliveries only) */
  pushSubscriptionId?: Maybe<Scalars['ID']['output']>;
  severity: AlertSeverity;
  status: NotificationDeliveryStatus;
  updatedAt: Scalars['DateTimeISO']['output'];
};

/** a delivery changed state (written, tried, delivered, suppressed, dead, retried) */
export type NotificationDeliveryChange = {
  __typename?: 'NotificationDeliveryChange';
  alertId: Scalars['ID']['output'];
  attempts: Scalars['Int']['output'];
  channelId?: Maybe<Scalars['ID']['output']>;
  event: NotificationEventType;
  id: Scalars['ID']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  lastStatusCode?: Maybe<Scalars['Int']['output']>;
  policyId?: Maybe<Scalars['ID']['output']>;
  pushSubscriptionId?: Maybe<Scalars['ID']['output']>;
  status: NotificationDeliveryStatus;
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type NotificationDeliveryPage = {
  __typename?: 'NotificationDeliveryPage';
  items: Array<NotificationDelivery>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** pending (first try queued), retrying (a try failed, the next is queued), delivered, suppressed (alert snoozed or target inactive at send time), dead (permanent failure or out of tries; can be retried) */
export enum NotificationDeliveryStatus {
  Dead = 'dead',
  Delivered = 'delivered',
  Pending = 'pending',
  Retrying = 'retrying',
  Suppressed = 'suppressed'
}

/** alert_triggered = "alert.triggered", alert_escalated = "alert.escalated" */
export enum NotificationEventType {
  AlertEscalated = 'alert_escalated',
  AlertTriggered = 'alert_triggered'
}

export type NotificationTestResult = {
  __typename?: 'NotificationTestResult';
  /** why the try failed */
  message?: Maybe<Scalars['String']['output']>;
  /** HTTP status or SMTP reply code, when there was an answer */
  statusCode?: Maybe<Scalars['Int']['output']>;
  success: Scalars['Boolean']['output'];
};

export enum OeeFactor {
  Availability = 'availability',
  Performance = 'performance',
  Quality = 'quality'
}

/** minutes lost per category: planned·(1−A), planned·A·(1−P), planned·A·P·(1−Q); not scheduled = day − planned */
export type OeeLossMinutes = {
  __typename?: 'OeeLossMinutes';
  availabilityLoss: Scalars['Float']['output'];
  notScheduled: Scalars['Float']['output'];
  performanceLoss: Scalars['Float']['output'];
  qualityLoss: Scalars['Float']['output'];
};

/** the OEE of one machine on one local day; numbers rounded to one decimal */
export type OeeRecord = {
  __typename?: 'OeeRecord';
  actualRunTimeMinutes: Scalars['Float']['output'];
  /** percent, 0 to 100 */
  availability: Scalars['Float']['output'];
  /** the factors the server computed; the others were sent and are kept as sent */
  computedFactors: Array<OeeFactor>;
  createdAt: Scalars['DateTimeISO']['output'];
  createdBy?: Maybe<Scalars['ID']['output']>;
  /** the local production day, YYYY-MM-DD */
  date: Scalars['String']['output'];
  /** minutes of the local day (1380, 1440 or 1500) */
  dayMinutes: Scalars['Float']['output'];
  goodPieces?: Maybe<Scalars['Int']['output']>;
  id: Scalars['ID']['output'];
  idealCycleTimeSeconds?: Maybe<Scalars['Float']['output']>;
  lossMinutes: OeeLossMinutes;
  machineId: Scalars['ID']['output'];
  /** availability × performance × quality, percent */
  oee: Scalars['Float']['output'];
  /** percent, 0 to 100 */
  performance: Scalars['Float']['output'];
  plannedProductionTimeMinutes: Scalars['Float']['output'];
  /** percent, 0 to 100 */
  quality: Scalars['Float']['output'];
  /** null: neither sent nor logged */
  totalPieces?: Maybe<Scalars['Int']['output']>;
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type OeeRecordChange = {
  __typename?: 'OeeRecordChange';
  action: OeeRecordChangeAction;
  machineId: Scalars['ID']['output'];
  /** as it is now (deleted: as it was) */
  record: OeeRecord;
};

/** updated: replaced by a POST or changed by a PATCH */
export enum OeeRecordChangeAction {
  Created = 'created',
  Deleted = 'deleted',
  Updated = 'updated'
}

export type OeeRecordPage = {
  __typename?: 'OeeRecordPage';
  items: Array<OeeRecord>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type OeeRecordUpsert = {
  __typename?: 'OeeRecordUpsert';
  /** true: a new record; false: the record of that machine and date was replaced */
  created: Scalars['Boolean']['output'];
  record: OeeRecord;
};

export type OeeSummary = {
  __typename?: 'OeeSummary';
  averageAvailability?: Maybe<Scalars['Float']['output']>;
  /** product of the three averages; null without records */
  averageOee?: Maybe<Scalars['Float']['output']>;
  averagePerformance?: Maybe<Scalars['Float']['output']>;
  averageQuality?: Maybe<Scalars['Float']['output']>;
  /** first local day of the period */
  fromDate: Scalars['String']['output'];
  iso22400: Iso22400;
  machineId: Scalars['ID']['output'];
  periodDays: Scalars['Int']['output'];
  recordsCount: Scalars['Int']['output'];
  /** the machine's local today */
  toDate: Scalars['String']['output'];
};

export type OpcuaDeadband = {
  __typename?: 'OpcuaDeadband';
  /** absolute or percent */
  type: Scalars['String']['output'];
  value: Scalars['Float']['output'];
};

export type OpcuaDeadbandInput = {
  /** absolute or percent */
  type: Scalars['String']['input'];
  /** at least 0 (percent: at most 100) */
  value: Scalars['Float']['input'];
};

export type OpcuaNode = {
  __typename?: 'OpcuaNode';
  metricName: Scalars['String']['output'];
  /** ns=2;i=1001, ns=2;s=Name, ns=2;g=<GUID>, ns=2;b=<base64>, i=2258, nsu=<uri>;s=Name */
  nodeId: Scalars['String']['output'];
  unit: Scalars['String']['output'];
};

export type OpcuaNodeInput = {
  /** at most 255 characters */
  metricName: Scalars['String']['input'];
  /** ns=2;i=1001, ns=2;s=Name, ns=2;g=<GUID>, ns=2;b=<base64>, i=2258, nsu=<uri>;s=Name; at most 1024 characters */
  nodeId: Scalars['String']['input'];
  /** at most 50 characters; default none */
  unit?: InputMaybe<Scalars['String']['input']>;
};

export type Part = {
  __typename?: 'Part';
  categoryId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  /** quantity on hand at or below the reorder point */
  isLowStock: Scalars['Boolean']['output'];
  location?: Maybe<Scalars['String']['output']>;
  manufacturerPartNumber?: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  /** unique per tenant among live parts (case-insensitively) */
  partNumber: Scalars['String']['output'];
  /** changes only through the ledger */
  quantityOnHand: Scalars['Decimal']['output'];
  reorderPoint: Scalars['Decimal']['output'];
  reorderQuantity: Scalars['Decimal']['output'];
  supplier?: Maybe<Scalars['String']['output']>;
  unit: Scalars['String']['output'];
  unitCost?: Maybe<Scalars['Decimal']['output']>;
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type PartCategory = {
  __typename?: 'PartCategory';
  createdAt: Scalars['DateTimeISO']['output'];
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** parts (not archived) in the category */
  partCount: Scalars['Int']['output'];
};

export type PartCategoryPage = {
  __typename?: 'PartCategoryPage';
  items: Array<PartCategory>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type PartPage = {
  __typename?: 'PartPage';
  items: Array<Part>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** the browser's PushSubscription JSON */
export type PushSubscribeInput = {
  /** the push service URL (http or https, at most 2048 characters) */
  endpoint: Scalars['String']['input'];
  keys: PushSubscriptionKeysInput;
  /** default warning */
  minSeverity?: InputMaybe<AlertSeverity>;
};

export type PushSubscription = {
  __typename?: 'PushSubscription';
  createdAt: Scalars['DateTimeISO']['output'];
  endpoint: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** pushes below this severity are not sent */
  minSeverity: AlertSeverity;
};

export type PushSubscriptionKeysInput = {
  /** base64url auth secret (16 bytes) */
  auth: Scalars['String']['input'];
  /** base64url uncompressed P-256 public key (65 bytes) */
  p256dh: Scalars['String']['input'];
};

export type Query = {
  __typename?: 'Query';
  /** shift logs now active, by planned start */
  activeShiftLogs: ShiftLogPage;
  /** The tenant's edge agents, most recently seen first */
  agents: EdgeAgentPage;
  alert: Alert;
  /** comments on an alert, oldest first */
  alertComments: AlertCommentPage;
  alertRule: AlertRule;
  alertRules: AlertRulePage;
  /** counts over active alerts */
  alertStats: AlertStats;
  /** alerts of the tenant, newest first */
  alerts: AlertPage;
  apiKeys: ApiKeyPage;
  auditEvents: AuditEventPage;
  downtimeRecord: DowntimeRecord;
  /** a machine's downtime records, newest first */
  downtimeRecords: DowntimeRecordPage;
  /** The caller's tenant downtime settings */
  downtimeSettings: DowntimeSettings;
  /** the tenant's escalation policies by severity (critical first), then wait */
  escalationPolicies: Array<EscalationPolicy>;
  escalationPolicy: EscalationPolicy;
  /** downtime records of every active machine, filtered and sorted */
  fleetDowntime: DowntimeRecordPage;
  /** MTTR and MTBF pooled over the fleet (optionally a group subtree) */
  fleetMttrMtbf: FleetMttrMtbf;
  /** the OEE summary per site or machine over every active machine (optionally a group subtree), and in total */
  fleetOee: FleetOee;
  /** every active machine with status, open alerts and last reading */
  fleetStatus: FleetStatus;
  ingestSource: IngestSource;
  /** ingest sources of the tenant, newest first */
  ingestSources: IngestSourcePage;
  /** newest reading of each metric of a machine */
  latestReadings: MachineLatestReadings;
  /** parts at or below their reorder point */
  lowStockParts: PartPage;
  machine: Machine;
  machineGroup: MachineGroup;
  /** active machines directly in a group */
  machineGroupMembers: MachinePage;
  /** all groups as a nested forest */
  machineGroupTree: Array<MachineGroupTreeNode>;
  machineGroups: MachineGroupPage;
  /** MTTR and MTBF of a machine over the last `days` days */
  machineMttrMtbf: MttrMtbf;
  /** raw points, or buckets when an interval is given */
  machineReadings: ReadingSeriesResult;
  machines: MachinePage;
  maintenanceEvent: MaintenanceEvent;
  /** the tenant's maintenance events by scheduled start (newest first by default) */
  maintenanceEvents: MaintenanceEventPage;
  me: CurrentUser;
  notificationChannel: NotificationChannel;
  /** the tenant's notification channels, oldest first (secrets masked) */
  notificationChannels: Array<NotificationChannel>;
  /** a channel's deliveries, newest first: tries, status, last error */
  notificationDeliveries: NotificationDeliveryPage;
  oeeRecord: OeeRecord;
  /** a machine's OEE records, newest first (dates inclusive) */
  oeeRecords: OeeRecordPage;
  /** averages and ISO 22400 sums of a machine's records over its last days (1-365, default 30) */
  oeeSummary: OeeSummary;
  part: Part;
  /** part categories by name */
  partCategories: PartCategoryPage;
  /** a part's stock ledger, newest first */
  partTransactions: StockTransactionPage;
  /** spare parts by part number (filters: category, search text, low stock) */
  parts: PartPage;
  /** the caller's own push subscriptions */
  pushSubscriptions: Array<PushSubscription>;
  /** every reason code as a nested forest (inactive ones included, flagged) */
  reasonCodeTree: Array<ReasonCodeTreeNode>;
  /** the tenant's reason codes ordered by code (active ones unless activeOnly is false) */
  reasonCodes: Array<ReasonCode>;
  /** shifts compared: one row per definition, factors from sums */
  shiftComparison: ShiftComparison;
  /** shift definitions of the tenant, by start time (active ones unless activeOnly is false) */
  shiftDefinitions: Array<ShiftDefinition>;
  /** handover report of a log: the 24 h ending at its end (now while active) */
  shiftHandover: ShiftHandover;
  shiftLog: ShiftLog;
  /** shift logs, newest date first */
  shiftLogs: ShiftLogPage;
  /** The caller's tenant settings (time zone) */
  tenantSettings: TenantSettings;
  /** uptime of a machine over [start, end) (default the last 7 days, at most 366) */
  uptimeSummary: UptimeSummary;
  user: User;
  users: UserPage;
  /** the server's VAPID public key (base64url) for the browser Push API */
  vapidPublicKey: Scalars['String']['output'];
  /** recompute a sign-off's signature from the current rows; isValid false when anything signed was altered */
  verifySignoff: SignoffVerification;
  workOrder: WorkOrder;
  /** the completion certificate PDF (base64) of a completed, signed work order */
  workOrderCertificate: SignoffCertificate;
  /** comments on a work order, oldest first */
  workOrderComments: WorkOrderCommentPage;
  /** parts used by a work order, oldest first */
  workOrderParts: WorkOrderPartPage;
  /** a work order's sign-offs, newest first (at most 20) */
  workOrderSignoffs: Array<Signoff>;
  /** work orders of the tenant, newest first */
  workOrders: WorkOrderPage;
};


export type QueryActiveShiftLogsArgs = {
  machineId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAgentsArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAlertArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAlertCommentsArgs = {
  alertId: Scalars['ID']['input'];
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAlertRuleArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAlertRulesArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  isEnabled?: InputMaybe<Scalars['Boolean']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  metricName?: InputMaybe<Scalars['String']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAlertsArgs = {
  endDate?: InputMaybe<Scalars['DateTimeISO']['input']>;
  isAcknowledged?: InputMaybe<Scalars['Boolean']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  severity?: InputMaybe<AlertSeverity>;
  startDate?: InputMaybe<Scalars['DateTimeISO']['input']>;
  status?: InputMaybe<AlertStatus>;
};


export type QueryApiKeysArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAuditEventsArgs = {
  action?: InputMaybe<Scalars['String']['input']>;
  from?: InputMaybe<Scalars['DateTimeISO']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  resourceId?: InputMaybe<Scalars['String']['input']>;
  resourceType?: InputMaybe<Scalars['String']['input']>;
  to?: InputMaybe<Scalars['DateTimeISO']['input']>;
  userId?: InputMaybe<Scalars['String']['input']>;
};


export type QueryDowntimeRecordArgs = {
  id: Scalars['ID']['input'];
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryDowntimeRecordsArgs = {
  category?: InputMaybe<DowntimeCategory>;
  end?: InputMaybe<Scalars['DateTimeISO']['input']>;
  machineId: Scalars['ID']['input'];
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  reasonCodeId?: InputMaybe<Scalars['ID']['input']>;
  start?: InputMaybe<Scalars['DateTimeISO']['input']>;
};


export type QueryEscalationPolicyArgs = {
  id: Scalars['ID']['input'];
};


export type QueryFleetDowntimeArgs = {
  category?: InputMaybe<DowntimeCategory>;
  end?: InputMaybe<Scalars['DateTimeISO']['input']>;
  groupId?: InputMaybe<Scalars['ID']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  reasonCodeId?: InputMaybe<Scalars['ID']['input']>;
  sortBy?: InputMaybe<FleetDowntimeSortField>;
  sortDir?: InputMaybe<SortDirection>;
  start?: InputMaybe<Scalars['DateTimeISO']['input']>;
};


export type QueryFleetMttrMtbfArgs = {
  days?: InputMaybe<Scalars['Int']['input']>;
  groupId?: InputMaybe<Scalars['ID']['input']>;
  includeMachines?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryFleetOeeArgs = {
  days?: InputMaybe<Scalars['Int']['input']>;
  groupBy?: InputMaybe<FleetOeeGroupBy>;
  groupId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryFleetStatusArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<MachineStatus>;
};


export type QueryIngestSourceArgs = {
  id: Scalars['ID']['input'];
};


export type QueryIngestSourcesArgs = {
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  protocol?: InputMaybe<Scalars['String']['input']>;
};


export type QueryLatestReadingsArgs = {
  machineId: Scalars['ID']['input'];
};


export type QueryLowStockPartsArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMachineArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMachineGroupArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMachineGroupMembersArgs = {
  id: Scalars['ID']['input'];
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMachineGroupsArgs = {
  groupType?: InputMaybe<GroupType>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  parentId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryMachineMttrMtbfArgs = {
  days?: InputMaybe<Scalars['Int']['input']>;
  machineId: Scalars['ID']['input'];
};


export type QueryMachineReadingsArgs = {
  aggregation?: InputMaybe<Scalars['String']['input']>;
  end?: InputMaybe<Scalars['DateTimeISO']['input']>;
  interval?: InputMaybe<Scalars['String']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  machineId: Scalars['ID']['input'];
  metrics?: InputMaybe<Array<Scalars['String']['input']>>;
  start?: InputMaybe<Scalars['DateTimeISO']['input']>;
};


export type QueryMachinesArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
  sortBy?: InputMaybe<MachineSortField>;
  sortDir?: InputMaybe<SortDirection>;
  status?: InputMaybe<MachineStatus>;
};


export type QueryMaintenanceEventArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMaintenanceEventsArgs = {
  endBefore?: InputMaybe<Scalars['DateTimeISO']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  sortDir?: InputMaybe<SortDirection>;
  startAfter?: InputMaybe<Scalars['DateTimeISO']['input']>;
  status?: InputMaybe<MaintenanceStatus>;
  type?: InputMaybe<MaintenanceType>;
};


export type QueryNotificationChannelArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNotificationDeliveriesArgs = {
  channelId: Scalars['ID']['input'];
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<NotificationDeliveryStatus>;
};


export type QueryOeeRecordArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOeeRecordsArgs = {
  fromDate?: InputMaybe<Scalars['String']['input']>;
  machineId: Scalars['ID']['input'];
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  toDate?: InputMaybe<Scalars['String']['input']>;
};


export type QueryOeeSummaryArgs = {
  days?: InputMaybe<Scalars['Int']['input']>;
  machineId: Scalars['ID']['input'];
};


export type QueryPartArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPartCategoriesArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryPartTransactionsArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  partId: Scalars['ID']['input'];
};


export type QueryPartsArgs = {
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  lowStockOnly?: InputMaybe<Scalars['Boolean']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryReasonCodesArgs = {
  activeOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryShiftComparisonArgs = {
  fromDate?: InputMaybe<Scalars['String']['input']>;
  groupId?: InputMaybe<Scalars['ID']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  shiftDefinitionIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  toDate?: InputMaybe<Scalars['String']['input']>;
};


export type QueryShiftDefinitionsArgs = {
  activeOnly?: InputMaybe<Scalars['Boolean']['input']>;
  siteId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryShiftHandoverArgs = {
  logId: Scalars['ID']['input'];
};


export type QueryShiftLogArgs = {
  id: Scalars['ID']['input'];
};


export type QueryShiftLogsArgs = {
  fromDate?: InputMaybe<Scalars['String']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  shiftDefinitionId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<ShiftLogStatus>;
  toDate?: InputMaybe<Scalars['String']['input']>;
};


export type QueryUptimeSummaryArgs = {
  end?: InputMaybe<Scalars['DateTimeISO']['input']>;
  machineId: Scalars['ID']['input'];
  start?: InputMaybe<Scalars['DateTimeISO']['input']>;
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryVerifySignoffArgs = {
  signoffId: Scalars['ID']['input'];
  workOrderId: Scalars['ID']['input'];
};


export type QueryWorkOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryWorkOrderCertificateArgs = {
  workOrderId: Scalars['ID']['input'];
};


export type QueryWorkOrderCommentsArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  workOrderId: Scalars['ID']['input'];
};


export type QueryWorkOrderPartsArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  workOrderId: Scalars['ID']['input'];
};


export type QueryWorkOrderSignoffsArgs = {
  workOrderId: Scalars['ID']['input'];
};


export type QueryWorkOrdersArgs = {
  assignedTo?: InputMaybe<Scalars['ID']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
  priority?: InputMaybe<WorkOrderPriority>;
  status?: InputMaybe<WorkOrderStatus>;
};

export type ReadingInput = {
  machineIdentifier: Scalars['String']['input'];
  metricName: Scalars['String']['input'];
  rawTag?: InputMaybe<Scalars['String']['input']>;
  /** ISO 8601 with a time zone; at most 5 minutes ahead and 3650 days back */
  timestamp: Scalars['String']['input'];
  unit: Scalars['String']['input'];
  value: Scalars['Float']['input'];
};

export type ReadingSeries = {
  __typename?: 'ReadingSeries';
  metric: Scalars['String']['output'];
  points: Array<SeriesPoint>;
  /** unit of the newest reading in the range */
  unit?: Maybe<Scalars['String']['output']>;
};

export type ReadingSeriesResult = {
  __typename?: 'ReadingSeriesResult';
  aggregation?: Maybe<Scalars['String']['output']>;
  end: Scalars['DateTimeISO']['output'];
  /** bucket width; null = raw points */
  interval?: Maybe<Scalars['String']['output']>;
  machineId: Scalars['ID']['output'];
  series: Array<ReadingSeries>;
  start: Scalars['DateTimeISO']['output'];
};

export type ReasonCode = {
  __typename?: 'ReasonCode';
  /** the category a record with this code gets when it names none */
  category?: Maybe<DowntimeCategory>;
  /** unique per tenant (case-insensitively) */
  code: Scalars['String']['output'];
  createdAt: Scalars['DateTimeISO']['output'];
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  /** created by the platform (automatic downtime) */
  isSystem: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  parentId?: Maybe<Scalars['ID']['output']>;
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type ReasonCodeDowntime = {
  __typename?: 'ReasonCodeDowntime';
  count: Scalars['Int']['output'];
  downtimeSeconds: Scalars['Float']['output'];
  /** null: records without a reason code */
  reasonCodeId?: Maybe<Scalars['ID']['output']>;
  reasonCodeName?: Maybe<Scalars['String']['output']>;
};

export type ReasonCodeTreeNode = {
  __typename?: 'ReasonCodeTreeNode';
  category?: Maybe<DowntimeCategory>;
  children: Array<ReasonCodeTreeNode>;
  code: Scalars['String']['output'];
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  isSystem: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  parentId?: Maybe<Scalars['ID']['output']>;
};

export type RegisterInput = {
  email: Scalars['String']['input'];
  fullName: Scalars['String']['input'];
  password: Scalars['String']['input'];
  tenantName: Scalars['String']['input'];
};

export type SeriesPoint = {
  __typename?: 'SeriesPoint';
  /** the point, or the start of its bucket */
  timestamp: Scalars['DateTimeISO']['output'];
  value: Scalars['Float']['output'];
};

export type ShiftComparison = {
  __typename?: 'ShiftComparison';
  fromDate: Scalars['String']['output'];
  groupId?: Maybe<Scalars['ID']['output']>;
  machineId?: Maybe<Scalars['ID']['output']>;
  rows: Array<ShiftComparisonRow>;
  toDate: Scalars['String']['output'];
};

/** one definition: sums over its non-cancelled machine logs and the factors of the sums */
export type ShiftComparisonRow = {
  __typename?: 'ShiftComparisonRow';
  availability?: Maybe<Scalars['Float']['output']>;
  color: Scalars['String']['output'];
  downtimeMinutes: ShiftDowntimeMinutes;
  endTime: Scalars['String']['output'];
  goodPieces: Scalars['Float']['output'];
  isActive: Scalars['Boolean']['output'];
  logs: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  oee?: Maybe<Scalars['Float']['output']>;
  performance?: Maybe<Scalars['Float']['output']>;
  /** scheduled less planned downtime */
  plannedMinutes: Scalars['Float']['output'];
  quality?: Maybe<Scalars['Float']['output']>;
  runMinutes: Scalars['Float']['output'];
  /** planned windows up to now */
  scheduledMinutes: Scalars['Float']['output'];
  shiftDefinitionId: Scalars['ID']['output'];
  siteId?: Maybe<Scalars['ID']['output']>;
  startTime: Scalars['String']['output'];
  totalPieces: Scalars['Float']['output'];
};

/** a shift template: a local HH:MM window of the tenant or of one site */
export type ShiftDefinition = {
  __typename?: 'ShiftDefinition';
  /** #RRGGBB */
  color: Scalars['String']['output'];
  createdAt: Scalars['DateTimeISO']['output'];
  /** HH:MM local time (24:00 allowed); at or before startTime: the shift crosses midnight */
  endTime: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  /** the site group it applies to; null: tenant-wide */
  siteId?: Maybe<Scalars['ID']['output']>;
  /** HH:MM local time */
  startTime: Scalars['String']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type ShiftDowntimeMinutes = {
  __typename?: 'ShiftDowntimeMinutes';
  changeover: Scalars['Float']['output'];
  maintenance: Scalars['Float']['output'];
  planned: Scalars['Float']['output'];
  unplanned: Scalars['Float']['output'];
};

/** the 24 h ending at the log's ended_at (now while active) */
export type ShiftHandover = {
  __typename?: 'ShiftHandover';
  alerts: HandoverAlerts;
  date: Scalars['String']['output'];
  downtime: HandoverDowntime;
  handoverNotes?: Maybe<Scalars['String']['output']>;
  logId: Scalars['ID']['output'];
  machineId?: Maybe<Scalars['ID']['output']>;
  machineName?: Maybe<Scalars['String']['output']>;
  /** maintenance done in the window (empty until the maintenance module provides it) */
  maintenance: Array<Scalars['JSONObject']['output']>;
  notes?: Maybe<Scalars['String']['output']>;
  oee?: Maybe<ShiftOee>;
  /** the previous log of the same machine (or scope) and its handover notes */
  previous?: Maybe<HandoverPrevious>;
  production: HandoverProduction;
  shiftDefinitionId: Scalars['ID']['output'];
  shiftName: Scalars['String']['output'];
  status: ShiftLogStatus;
  windowEnd: Scalars['DateTimeISO']['output'];
  windowStart: Scalars['DateTimeISO']['output'];
};

export type ShiftLog = {
  __typename?: 'ShiftLog';
  createdAt: Scalars['DateTimeISO']['output'];
  createdBy?: Maybe<Scalars['ID']['output']>;
  /** local date the shift starts on (YYYY-MM-DD) */
  date: Scalars['String']['output'];
  endedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  goodPieces: Scalars['Int']['output'];
  handoverNotes?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** null: the definition's whole scope */
  machineId?: Maybe<Scalars['ID']['output']>;
  machineName?: Maybe<Scalars['String']['output']>;
  notes?: Maybe<Scalars['String']['output']>;
  /** null for a log of a whole scope */
  oee?: Maybe<ShiftOee>;
  plannedEnd: Scalars['DateTimeISO']['output'];
  plannedStart: Scalars['DateTimeISO']['output'];
  shiftDefinitionId: Scalars['ID']['output'];
  shiftName: Scalars['String']['output'];
  siteId?: Maybe<Scalars['ID']['output']>;
  startedAt: Scalars['DateTimeISO']['output'];
  status: ShiftLogStatus;
  supervisorId?: Maybe<Scalars['ID']['output']>;
  supervisorName?: Maybe<Scalars['String']['output']>;
  totalPieces: Scalars['Int']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type ShiftLogChangeEvent = {
  __typename?: 'ShiftLogChangeEvent';
  /** created, updated or deleted */
  change: Scalars['String']['output'];
  log: ShiftLog;
};

export type ShiftLogPage = {
  __typename?: 'ShiftLogPage';
  items: Array<ShiftLog>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** active → completed | cancelled, nothing else */
export enum ShiftLogStatus {
  Active = 'active',
  Cancelled = 'cancelled',
  Completed = 'completed'
}

/** ISO 22400 over the planned window up to now (percentages, one decimal) */
export type ShiftOee = {
  __typename?: 'ShiftOee';
  /** null when nothing was planned */
  availability?: Maybe<Scalars['Float']['output']>;
  oee?: Maybe<Scalars['Float']['output']>;
  /** null when the machine has no ideal cycle time */
  performance?: Maybe<Scalars['Float']['output']>;
  plannedMinutes: Scalars['Float']['output'];
  quality: Scalars['Float']['output'];
  runMinutes: Scalars['Float']['output'];
};

/** an electronic signature of a completed work order (never changed or deleted) */
export type Signoff = {
  __typename?: 'Signoff';
  comment?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  /** id of the SIGNOFF_KEYS entry that signed it */
  keyId: Scalars['String']['output'];
  meaning: SignoffMeaning;
  /** signatureHash of the previous sign-off of the order (null for the first) */
  prevHash?: Maybe<Scalars['String']['output']>;
  /** position in the order's chain of sign-offs (1 = first) */
  seq: Scalars['Int']['output'];
  /** HMAC-SHA256 (hex) over the RFC 8785 canonical JSON of the order, its parts, the signer, meaning, comment, signed_at and prevHash */
  signatureHash: Scalars['String']['output'];
  signedAt: Scalars['DateTimeISO']['output'];
  signedBy: Scalars['ID']['output'];
  /** the signer's name at signing */
  signerName: Scalars['String']['output'];
  /** the signer's role at signing */
  signerRole: Scalars['String']['output'];
  workOrderId: Scalars['ID']['output'];
};

/** the maintenance completion certificate, a PDF (REST serves the same file as a download) */
export type SignoffCertificate = {
  __typename?: 'SignoffCertificate';
  /** size of the PDF in bytes */
  byteLength: Scalars['Int']['output'];
  /** the PDF, base64-encoded */
  contentBase64: Scalars['String']['output'];
  contentType: Scalars['String']['output'];
  fileName: Scalars['String']['output'];
};

/** what the signer attests: performed the work, reviewed it, or approved it */
export enum SignoffMeaning {
  Approved = 'approved',
  Performed = 'performed',
  Reviewed = 'reviewed'
}

export type SignoffVerification = {
  __typename?: 'SignoffVerification';
  detail: Scalars['String']['output'];
  /** the signature recomputed from the current rows equals the stored one */
  isValid: Scalars['Boolean']['output'];
  signoffId: Scalars['ID']['output'];
};

export type SnoozeAlertInput = {
  /** in the future and at most 30 days ahead */
  snoozeUntil: Scalars['DateTimeISO']['input'];
};

export enum SortDirection {
  Asc = 'asc',
  Desc = 'desc'
}

/** a source's health after a change of state, error or bad points */
export type SourceHealthEvent = {
  __typename?: 'SourceHealthEvent';
  consecutiveFailures: Scalars['Int']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  lastPollAt?: Maybe<Scalars['DateTimeISO']['output']>;
  lastSuccessAt?: Maybe<Scalars['DateTimeISO']['output']>;
  machineId: Scalars['ID']['output'];
  points: Array<SourcePointStatus>;
  sourceId: Scalars['ID']['output'];
  /** pending (never polled), ok, degraded (some points bad), failing (the last cycle failed), disabled (inactive) */
  state: Scalars['String']['output'];
};

/** a point that was not good in the last cycle */
export type SourcePointStatus = {
  __typename?: 'SourcePointStatus';
  good: Scalars['Boolean']['output'];
  metricNames: Array<Scalars['String']['output']>;
  /** node id, or a register block such as holding:100-109 */
  point: Scalars['String']['output'];
  /** OPC-UA status code name (BadNodeIdUnknown, ...) or the Modbus outcome (IllegalDataAddress, ...) */
  status: Scalars['String']['output'];
};

/** one entry of the append-only stock ledger */
export type StockTransaction = {
  __typename?: 'StockTransaction';
  balanceAfter: Scalars['Decimal']['output'];
  createdAt: Scalars['DateTimeISO']['output'];
  /** signed change of the quantity on hand */
  delta: Scalars['Decimal']['output'];
  id: Scalars['ID']['output'];
  notes?: Maybe<Scalars['String']['output']>;
  partId: Scalars['ID']['output'];
  /** the amount moved (signed for adjust) */
  quantity: Scalars['Decimal']['output'];
  /** the other part of a transfer */
  relatedPartId?: Maybe<Scalars['ID']['output']>;
  type: StockTransactionType;
  userId?: Maybe<Scalars['ID']['output']>;
  workOrderId?: Maybe<Scalars['ID']['output']>;
  workOrderPartId?: Maybe<Scalars['ID']['output']>;
};

export type StockTransactionInput = {
  /** adjust only, instead of quantity: the counted stock */
  countedQuantity?: InputMaybe<Scalars['Decimal']['input']>;
  /** at most 1000 characters */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** > 0; for adjust a signed, non-zero delta */
  quantity?: InputMaybe<Scalars['Decimal']['input']>;
  /** transfer only: the part that receives the quantity */
  toPartId?: InputMaybe<Scalars['ID']['input']>;
  type: StockTransactionType;
};

export type StockTransactionPage = {
  __typename?: 'StockTransactionPage';
  items: Array<StockTransaction>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** receive and return add; consume subtracts; adjust adds a signed delta or sets a count; transfer subtracts (and adds to toPartId) */
export enum StockTransactionType {
  Adjust = 'adjust',
  Consume = 'consume',
  Receive = 'receive',
  Return = 'return',
  Transfer = 'transfer'
}

export type Subscription = {
  __typename?: 'Subscription';
  /** escalation steps fired in the caller's tenant (once per alert and policy across instances) */
  alertEscalated: AlertEscalation;
  /** alerts as they are raised (optionally of one machine, of a group, of at least a severity) */
  alertRaised: Alert;
  /** changes of alerts: escalation, new values, resolution, acknowledgement, snooze (same filters as alertRaised) */
  alertUpdated: Alert;
  /** Audit events of the caller's tenant as they are recorded */
  auditEventRecorded: AuditEvent;
  /** downtime records as they end (same filters as downtimeStarted) */
  downtimeEnded: DowntimeRecord;
  /** downtime records as they start (optionally of one machine or of a group) */
  downtimeStarted: DowntimeRecord;
  /** status changes of the tenant's machines (or of one machine) */
  machineStatusChanged: MachineStatusChange;
  /** maintenance events as they are created, changed and deleted (optionally of one machine) */
  maintenanceEventChanged: MaintenanceEventChanged;
  /** state changes of one channel's deliveries */
  notificationDeliveryUpdated: NotificationDeliveryChange;
  /** OEE records as they are created, replaced, changed or deleted (optionally of one machine) */
  oeeRecordChanged: OeeRecordChange;
  /** a part fell to or below its reorder point (once per crossing) */
  partLowStock: Part;
  /** readings of one machine as they are stored (optionally only some metrics) */
  readingAdded: LiveReading;
  /** shift logs as they are created, changed (the auto-complete job too) or deleted; optionally of one machine or status */
  shiftLogChanged: ShiftLogChangeEvent;
  /** sign-offs of one work order as they are recorded (on any instance) */
  signoffRecorded: Signoff;
  /** health changes of the tenant's sources (or of one): state, last error, bad points */
  sourceHealthChanged: SourceHealthEvent;
  /** parts whose quantity on hand changed (optionally one part) */
  stockChanged: Part;
  /** work orders as they are created, changed and deleted (optionally of one machine, in one status after the change) */
  workOrderChanged: WorkOrderChange;
  /** comments as they are added to a work order */
  workOrderCommentAdded: WorkOrderComment;
};


export type SubscriptionAlertRaisedArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  minSeverity?: InputMaybe<AlertSeverity>;
};


export type SubscriptionAlertUpdatedArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  minSeverity?: InputMaybe<AlertSeverity>;
};


export type SubscriptionDowntimeEndedArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionDowntimeStartedArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionMachineStatusChangedArgs = {
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionMaintenanceEventChangedArgs = {
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionNotificationDeliveryUpdatedArgs = {
  channelId: Scalars['ID']['input'];
};


export type SubscriptionOeeRecordChangedArgs = {
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionReadingAddedArgs = {
  machineId: Scalars['ID']['input'];
  metrics?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type SubscriptionShiftLogChangedArgs = {
  machineId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<ShiftLogStatus>;
};


export type SubscriptionSignoffRecordedArgs = {
  workOrderId: Scalars['ID']['input'];
};


export type SubscriptionSourceHealthChangedArgs = {
  sourceId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionStockChangedArgs = {
  partId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionWorkOrderChangedArgs = {
  machineId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<WorkOrderStatus>;
};


export type SubscriptionWorkOrderCommentAddedArgs = {
  workOrderId: Scalars['ID']['input'];
};

export type TagMappingInput = {
  /** at most 255 characters */
  metricName: Scalars['String']['input'];
  /** a node id (or its raw tag, ns2_i1001) or a Modbus raw tag (hr100, ir7, co3, di0) of a source of the machine */
  tag: Scalars['String']['input'];
  /** absent: the unit stays */
  unit?: InputMaybe<Scalars['String']['input']>;
};

export type TagMappingResult = {
  __typename?: 'TagMappingResult';
  machineId: Scalars['ID']['output'];
  mappings: Array<AppliedTagMapping>;
  /** every source a mapping touched */
  sourceIds: Array<Scalars['ID']['output']>;
};

/** The caller's tenant settings */
export type TenantSettings = {
  __typename?: 'TenantSettings';
  name: Scalars['String']['output'];
  tenantId: Scalars['ID']['output'];
  /** IANA zone of local dates, `days` and shift times (machines of a zoned site use the site's); UTC by default */
  timeZone: Scalars['String']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

/** a source configuration to test without saving it (machineId and name may be left out) */
export type TestIngestSourceInput = {
  config: IngestSourceConfigInput;
  host?: InputMaybe<Scalars['String']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  pollIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  port?: InputMaybe<Scalars['Int']['input']>;
  /** opcua, opc_ua, modbus, modbus_tcp (returned as opcua or modbus) */
  protocol: Scalars['String']['input'];
};

/** absent fields keep their value; the rule is validated as a whole after the change */
export type UpdateAlertRuleInput = {
  conditions?: InputMaybe<Array<AlertConditionInput>>;
  criticalThreshold?: InputMaybe<Scalars['Float']['input']>;
  deadband?: InputMaybe<Scalars['Float']['input']>;
  durationSeconds?: InputMaybe<Scalars['Int']['input']>;
  groupId?: InputMaybe<Scalars['ID']['input']>;
  isEnabled?: InputMaybe<Scalars['Boolean']['input']>;
  logic?: InputMaybe<AlertRuleLogic>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  /** at most 1000 characters; placeholders {rule_name}, {machine_name}, {metric_name}, {value}, {unit}, {operator}, {threshold}, {severity} */
  messageTemplate?: InputMaybe<Scalars['String']['input']>;
  metricName?: InputMaybe<Scalars['String']['input']>;
  /** at most 200 characters */
  name?: InputMaybe<Scalars['String']['input']>;
  /** one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, neq); returned as the symbol */
  operator?: InputMaybe<Scalars['String']['input']>;
  severity?: InputMaybe<AlertSeverity>;
  warningThreshold?: InputMaybe<Scalars['Float']['input']>;
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

/** absent fields keep their value; an ended record cannot be reopened */
export type UpdateDowntimeInput = {
  category?: InputMaybe<DowntimeCategory>;
  /** setting it on an open record ends the record */
  endedAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
  reason?: InputMaybe<Scalars['String']['input']>;
  /** an explicit null clears it */
  reasonCodeId?: InputMaybe<Scalars['ID']['input']>;
  startedAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
};

export type UpdateDowntimeSettingsInput = {
  autoDowntimeEnabled?: InputMaybe<Scalars['Boolean']['input']>;
};

/** absent fields keep their value */
export type UpdateEscalationPolicyInput = {
  channelId?: InputMaybe<Scalars['ID']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  severity?: InputMaybe<AlertSeverity>;
  waitMinutes?: InputMaybe<Scalars['Int']['input']>;
};

/** absent fields keep their value; config merges field by field; the source is validated as a whole */
export type UpdateIngestSourceInput = {
  config?: InputMaybe<IngestSourceConfigInput>;
  host?: InputMaybe<Scalars['String']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  machineId?: InputMaybe<Scalars['ID']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  pollIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  port?: InputMaybe<Scalars['Int']['input']>;
  /** opcua, opc_ua, modbus, modbus_tcp (returned as opcua or modbus) */
  protocol?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateMachineGroupInput = {
  /** at most 1000 characters */
  description?: InputMaybe<Scalars['String']['input']>;
  groupType?: InputMaybe<GroupType>;
  /** true moves the group to the top level (not together with a parentId) */
  moveToRoot?: InputMaybe<Scalars['Boolean']['input']>;
  /** at most 200 characters */
  name?: InputMaybe<Scalars['String']['input']>;
  /** new parent; an explicit null moves the group to the top level (as moveToRoot does) */
  parentId?: InputMaybe<Scalars['ID']['input']>;
  /** IANA zone of the site's machines (site groups only); an explicit null clears it */
  timeZone?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateMachineInput = {
  /** seconds per piece at the ideal rate, more than 0 and at most 86400 (OEE records derive performance from it); null clears it */
  idealCycleTimeSeconds?: InputMaybe<Scalars['Float']['input']>;
  /** at most 500 characters; empty string clears it */
  location?: InputMaybe<Scalars['String']['input']>;
  /** at most 100 characters */
  machineIdentifier?: InputMaybe<Scalars['String']['input']>;
  /** at most 200 characters */
  name?: InputMaybe<Scalars['String']['input']>;
  protocol?: InputMaybe<MachineProtocol>;
};

/** absent fields keep their value; null clears description, alertId and downtimeRecordId */
export type UpdateMaintenanceEventInput = {
  alertId?: InputMaybe<Scalars['ID']['input']>;
  /** only while scheduled */
  createsDowntime?: InputMaybe<Scalars['Boolean']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  downtimeRecordId?: InputMaybe<Scalars['ID']['input']>;
  /** only while scheduled */
  machineId?: InputMaybe<Scalars['ID']['input']>;
  scheduledEnd?: InputMaybe<Scalars['DateTimeISO']['input']>;
  scheduledStart?: InputMaybe<Scalars['DateTimeISO']['input']>;
  /** a transition of the state machine */
  status?: InputMaybe<MaintenanceStatus>;
  title?: InputMaybe<Scalars['String']['input']>;
  type?: InputMaybe<MaintenanceType>;
};

/** absent fields keep their value; a new type needs its config */
export type UpdateNotificationChannelInput = {
  /** by type (documented snake_case keys): email {"email": "a@x.com, b@y.com"} (at most 20); slack and teams {"webhook_url"}; webhook {"url", "headers": {name: value}}; may carry "min_severity". Secrets come back masked ("***"; URLs as origin + "/***"); a mask sent back keeps the stored value */
  config?: InputMaybe<Scalars['JSONObject']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  minSeverity?: InputMaybe<AlertSeverity>;
  name?: InputMaybe<Scalars['String']['input']>;
  /** webhook only: a new secret; "***" keeps the stored one */
  signingSecret?: InputMaybe<Scalars['String']['input']>;
  type?: InputMaybe<NotificationChannelType>;
};

/** absent fields keep their value; null derives an input again (a factor: computes it) */
export type UpdateOeeRecordInput = {
  /** minutes, 0 to 1500; at most the planned time */
  actualRunTimeMinutes?: InputMaybe<Scalars['Float']['input']>;
  /** percent, 0 to 100 */
  availability?: InputMaybe<Scalars['Float']['input']>;
  /** at most totalPieces */
  goodPieces?: InputMaybe<Scalars['Int']['input']>;
  /** more than 0, at most 86400; default: the machine's */
  idealCycleTimeSeconds?: InputMaybe<Scalars['Float']['input']>;
  /** percent, 0 to 100 */
  performance?: InputMaybe<Scalars['Float']['input']>;
  /** minutes, 0 to 1500; at most the local day */
  plannedProductionTimeMinutes?: InputMaybe<Scalars['Float']['input']>;
  /** percent, 0 to 100 */
  quality?: InputMaybe<Scalars['Float']['input']>;
  /** 0 to 1000000000 */
  totalPieces?: InputMaybe<Scalars['Int']['input']>;
};

/** absent fields keep their value; a new quantityOnHand is booked as an adjust entry of the difference */
export type UpdatePartInput = {
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  location?: InputMaybe<Scalars['String']['input']>;
  manufacturerPartNumber?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  partNumber?: InputMaybe<Scalars['String']['input']>;
  quantityOnHand?: InputMaybe<Scalars['Decimal']['input']>;
  reorderPoint?: InputMaybe<Scalars['Decimal']['input']>;
  reorderQuantity?: InputMaybe<Scalars['Decimal']['input']>;
  supplier?: InputMaybe<Scalars['String']['input']>;
  unit?: InputMaybe<Scalars['String']['input']>;
  unitCost?: InputMaybe<Scalars['Decimal']['input']>;
};

export type UpdateProfileInput = {
  currentPassword?: InputMaybe<Scalars['String']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  fullName?: InputMaybe<Scalars['String']['input']>;
};

/** absent fields keep their value; parentId null moves the code to the top level */
export type UpdateReasonCodeInput = {
  category?: InputMaybe<DowntimeCategory>;
  code?: InputMaybe<Scalars['String']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  /** false deactivates the code (codes in use are never deleted) */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  parentId?: InputMaybe<Scalars['ID']['input']>;
};

/** absent fields keep their value */
export type UpdateShiftDefinitionInput = {
  color?: InputMaybe<Scalars['String']['input']>;
  endTime?: InputMaybe<Scalars['String']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  /** an explicit null makes it tenant-wide */
  siteId?: InputMaybe<Scalars['ID']['input']>;
  startTime?: InputMaybe<Scalars['String']['input']>;
};

/** absent fields keep their value; a completed or cancelled log changes only notes, handoverNotes and counts */
export type UpdateShiftLogInput = {
  /** with the move to completed or cancelled (default now) */
  endedAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
  goodPieces?: InputMaybe<Scalars['Int']['input']>;
  handoverNotes?: InputMaybe<Scalars['String']['input']>;
  notes?: InputMaybe<Scalars['String']['input']>;
  startedAt?: InputMaybe<Scalars['DateTimeISO']['input']>;
  /** active → completed | cancelled */
  status?: InputMaybe<ShiftLogStatus>;
  supervisorId?: InputMaybe<Scalars['ID']['input']>;
  supervisorName?: InputMaybe<Scalars['String']['input']>;
  totalPieces?: InputMaybe<Scalars['Int']['input']>;
};

export type UpdateTenantSettingsInput = {
  /** IANA zone name such as "Europe/Berlin", at most 64 characters; null keeps it */
  timeZone?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateUserInput = {
  fullName?: InputMaybe<Scalars['String']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  role?: InputMaybe<Scalars['String']['input']>;
};

/** absent fields keep their value, an explicit null clears a nullable one; a completed order refuses every change (409) */
export type UpdateWorkOrderInput = {
  alertId?: InputMaybe<Scalars['ID']['input']>;
  assignedTo?: InputMaybe<Scalars['ID']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  downtimeRecordId?: InputMaybe<Scalars['ID']['input']>;
  maintenanceEventId?: InputMaybe<Scalars['ID']['input']>;
  priority?: InputMaybe<WorkOrderPriority>;
  /** an edge of the diagram (409 otherwise) */
  status?: InputMaybe<WorkOrderStatus>;
  title?: InputMaybe<Scalars['String']['input']>;
};

export type UpsertOeeRecordInput = {
  /** minutes, 0 to 1500; at most the planned time */
  actualRunTimeMinutes?: InputMaybe<Scalars['Float']['input']>;
  /** percent, 0 to 100 */
  availability?: InputMaybe<Scalars['Float']['input']>;
  /** the local production day, YYYY-MM-DD, not in the future */
  date: Scalars['String']['input'];
  /** at most totalPieces */
  goodPieces?: InputMaybe<Scalars['Int']['input']>;
  /** more than 0, at most 86400; default: the machine's */
  idealCycleTimeSeconds?: InputMaybe<Scalars['Float']['input']>;
  machineId: Scalars['ID']['input'];
  /** percent, 0 to 100 */
  performance?: InputMaybe<Scalars['Float']['input']>;
  /** minutes, 0 to 1500; at most the local day */
  plannedProductionTimeMinutes?: InputMaybe<Scalars['Float']['input']>;
  /** percent, 0 to 100 */
  quality?: InputMaybe<Scalars['Float']['input']>;
  /** 0 to 1000000000 */
  totalPieces?: InputMaybe<Scalars['Int']['input']>;
};

/** see docs/downtime-metrics.md */
export type UptimeSummary = {
  __typename?: 'UptimeSummary';
  /** uptime / window × 100 (null for an empty window) */
  availabilityPercent?: Maybe<Scalars['Float']['output']>;
  byCategory: Array<CategoryDowntime>;
  /** largest downtime first */
  byReasonCode: Array<ReasonCodeDowntime>;
  downtimeSeconds: Scalars['Float']['output'];
  /** the requested end, or now when that lies ahead */
  end: Scalars['DateTimeISO']['output'];
  machineId: Scalars['ID']['output'];
  /** records sharing time with the window */
  recordCount: Scalars['Int']['output'];
  start: Scalars['DateTimeISO']['output'];
  uptimeSeconds: Scalars['Float']['output'];
  windowSeconds: Scalars['Float']['output'];
};

export type User = {
  __typename?: 'User';
  createdAt: Scalars['DateTimeISO']['output'];
  email: Scalars['String']['output'];
  fullName: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  lastLoginAt?: Maybe<Scalars['DateTimeISO']['output']>;
  mfaEnabled: Scalars['Boolean']['output'];
  role: Scalars['String']['output'];
  tenantId: Scalars['String']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type UserPage = {
  __typename?: 'UserPage';
  items: Array<User>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type WorkOrder = {
  __typename?: 'WorkOrder';
  /** the alert it answers (same machine) */
  alertId?: Maybe<Scalars['ID']['output']>;
  /** the assigned user */
  assignedTo?: Maybe<Scalars['ID']['output']>;
  /** when it went cancelled */
  cancelledAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** when it went completed */
  completedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  /** the user who created it */
  createdBy?: Maybe<Scalars['ID']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  /** the downtime record it repairs (same machine) */
  downtimeRecordId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  machineId: Scalars['ID']['output'];
  machineName: Scalars['String']['output'];
  /** the maintenance event it carries out (same machine) */
  maintenanceEventId?: Maybe<Scalars['ID']['output']>;
  priority: WorkOrderPriority;
  /** when it went in_progress */
  startedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  status: WorkOrderStatus;
  tenantId: Scalars['ID']['output'];
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

/** an order as a change left it (as it was, for deleted) */
export type WorkOrderChange = {
  __typename?: 'WorkOrderChange';
  /** the alert it answers (same machine) */
  alertId?: Maybe<Scalars['ID']['output']>;
  /** the assigned user */
  assignedTo?: Maybe<Scalars['ID']['output']>;
  /** when it went cancelled */
  cancelledAt?: Maybe<Scalars['DateTimeISO']['output']>;
  /** created, updated or deleted */
  change: Scalars['String']['output'];
  /** when it went completed */
  completedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  createdAt: Scalars['DateTimeISO']['output'];
  /** the user who created it */
  createdBy?: Maybe<Scalars['ID']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  /** the downtime record it repairs (same machine) */
  downtimeRecordId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  machineId: Scalars['ID']['output'];
  machineName: Scalars['String']['output'];
  /** the maintenance event it carries out (same machine) */
  maintenanceEventId?: Maybe<Scalars['ID']['output']>;
  /** the status before the change */
  previousStatus: WorkOrderStatus;
  priority: WorkOrderPriority;
  /** when it went in_progress */
  startedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  status: WorkOrderStatus;
  tenantId: Scalars['ID']['output'];
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTimeISO']['output'];
};

export type WorkOrderComment = {
  __typename?: 'WorkOrderComment';
  /** the author's name (null once the user is deleted) */
  authorName?: Maybe<Scalars['String']['output']>;
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTimeISO']['output'];
  id: Scalars['ID']['output'];
  /** the author */
  userId: Scalars['ID']['output'];
  workOrderId: Scalars['ID']['output'];
};

export type WorkOrderCommentInput = {
  /** 1 to 5000 characters */
  body: Scalars['String']['input'];
};

export type WorkOrderCommentPage = {
  __typename?: 'WorkOrderCommentPage';
  items: Array<WorkOrderComment>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export type WorkOrderPage = {
  __typename?: 'WorkOrderPage';
  items: Array<WorkOrder>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

/** a part used by a work order (a linked consume entry of the ledger) */
export type WorkOrderPart = {
  __typename?: 'WorkOrderPart';
  createdAt: Scalars['DateTimeISO']['output'];
  createdBy?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  partId: Scalars['ID']['output'];
  partNumber: Scalars['String']['output'];
  quantity: Scalars['Decimal']['output'];
  transactionId: Scalars['ID']['output'];
  unit: Scalars['String']['output'];
  /** the part's unit cost when the line was added */
  unitCost?: Maybe<Scalars['Decimal']['output']>;
  workOrderId: Scalars['ID']['output'];
};

export type WorkOrderPartPage = {
  __typename?: 'WorkOrderPartPage';
  items: Array<WorkOrderPart>;
  page: Scalars['Int']['output'];
  pageSize: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  totalPages: Scalars['Int']['output'];
};

export enum WorkOrderPriority {
  Critical = 'critical',
  High = 'high',
  Low = 'low',
  Medium = 'medium'
}

/** open → in_progress → completed; open | in_progress → cancelled */
export enum WorkOrderStatus {
  Cancelled = 'cancelled',
  Completed = 'completed',
  InProgress = 'in_progress',
  Open = 'open'
}

export type ApiKeyFieldsFragment = { __typename?: 'ApiKey', id: string, tenantId: string, name: string, keyPrefix: string, scopes: Array<string>, expiresAt?: string | null, lastUsedAt?: string | null, createdAt: string };

export type ApiKeysQueryVariables = Exact<{
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
}>;


export type ApiKeysQuery = { __typename?: 'Query', apiKeys: { __typename?: 'ApiKeyPage', total: number, page: number, pageSize: number, totalPages: number, items: Array<{ __typename?: 'ApiKey', id: string, tenantId: string, name: string, keyPrefix: string, scopes: Array<string>, expiresAt?: string | null, lastUsedAt?: string | null, createdAt: string }> } };

export type CreateApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateApiKeyMutation = { __typename?: 'Mutation', createApiKey: { __typename?: 'CreatedApiKey', id: string, tenantId: string, name: string, keyPrefix: string, plaintextKey: string, key: string, scopes: Array<string>, expiresAt?: string | null, lastUsedAt?: string | null, createdAt: string } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type RevokeApiKeyMutation = { __typename?: 'Mutation', revokeApiKey: boolean };

export type AuditEventFieldsFragment = { __typename?: 'AuditEvent', id: string, tenantId: string, userId?: string | null, apiKeyId?: string | null, action: string, resourceType: string, resourceId?: string | null, details: Record<string, unknown>, ipAddress?: string | null, createdAt: string };

export type AuditEventsQueryVariables = Exact<{
  action?: InputMaybe<Scalars['String']['input']>;
  resourceType?: InputMaybe<Scalars['String']['input']>;
  resourceId?: InputMaybe<Scalars['String']['input']>;
  userId?: InputMaybe<Scalars['String']['input']>;
  from?: InputMaybe<Scalars['DateTimeISO']['input']>;
  to?: InputMaybe<Scalars['DateTimeISO']['input']>;
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
}>;


export type AuditEventsQuery = { __typename?: 'Query', auditEvents: { __typename?: 'AuditEventPage', total: number, page: number, pageSize: number, totalPages: number, items: Array<{ __typename?: 'AuditEvent', id: string, tenantId: string, userId?: string | null, apiKeyId?: string | null, action: string, resourceType: string, resourceId?: string | null, details: Record<string, unknown>, ipAddress?: string | null, createdAt: string }> } };

export type AuditEventRecordedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type AuditEventRecordedSubscription = { __typename?: 'Subscription', auditEventRecorded: { __typename?: 'AuditEvent', id: string, tenantId: string, userId?: string | null, apiKeyId?: string | null, action: string, resourceType: string, resourceId?: string | null, details: Record<string, unknown>, ipAddress?: string | null, createdAt: string } };

export type AuthPayloadFieldsFragment = { __typename?: 'AuthPayload', accessToken: string, tokenType: string, expiresIn: number, mfaRequired: boolean, refreshToken?: string | null };

export type RegisterMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type RegisterMutation = { __typename?: 'Mutation', register: { __typename?: 'AuthPayload', accessToken: string, tokenType: string, expiresIn: number, mfaRequired: boolean, refreshToken?: string | null } };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { __typename?: 'Mutation', login: { __typename?: 'AuthPayload', accessToken: string, tokenType: string, expiresIn: number, mfaRequired: boolean, refreshToken?: string | null } };

export type RefreshTokenMutationVariables = Exact<{
  refreshToken?: InputMaybe<Scalars['String']['input']>;
}>;


export type RefreshTokenMutation = { __typename?: 'Mutation', refreshToken: { __typename?: 'AuthPayload', accessToken: string, tokenType: string, expiresIn: number, mfaRequired: boolean, refreshToken?: string | null } };

export type LogoutMutationVariables = Exact<{
  refreshToken?: InputMaybe<Scalars['String']['input']>;
}>;


export type LogoutMutation = { __typename?: 'Mutation', logout: { __typename?: 'MessageResult', detail: string } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { __typename?: 'Query', me: { __typename?: 'CurrentUser', id: string, email: string, fullName: string, tenantId: string, role: string, isActive: boolean, mfaEnabled: boolean, onboardingCompleted: boolean, subscriptionStatus: string, subscriptionTier: string, createdAt: string } };

export type UserFieldsFragment = { __typename?: 'User', id: string, tenantId: string, email: string, fullName: string, role: string, isActive: boolean, mfaEnabled: boolean, lastLoginAt?: string | null, createdAt: string, updatedAt: string };

export type UsersQueryVariables = Exact<{
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
}>;


export type UsersQuery = { __typename?: 'Query', users: { __typename?: 'UserPage', total: number, page: number, pageSize: number, totalPages: number, items: Array<{ __typename?: 'User', id: string, tenantId: string, email: string, fullName: string, role: string, isActive: boolean, mfaEnabled: boolean, lastLoginAt?: string | null, createdAt: string, updatedAt: string }> } };

export type CreateUserMutationVariables = Exact<{
  input: CreateUserInput;
}>;


export type CreateUserMutation = { __typename?: 'Mutation', createUser: { __typename?: 'User', id: string, tenantId: string, email: string, fullName: string, role: string, isActive: boolean, mfaEnabled: boolean, lastLoginAt?: string | null, createdAt: string, updatedAt: string } };

export type UpdateUserMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  input: UpdateUserInput;
}>;


export type UpdateUserMutation = { __typename?: 'Mutation', updateUser: { __typename?: 'User', id: string, tenantId: string, email: string, fullName: string, role: string, isActive: boolean, mfaEnabled: boolean, lastLoginAt?: string | null, createdAt: string, updatedAt: string } };

export const ApiKeyFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"keyPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ApiKeyFieldsFragment, unknown>;
export const AuditEventFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"resourceType"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<AuditEventFieldsFragment, unknown>;
export const AuthPayloadFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"tokenType"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}}]}}]} as unknown as DocumentNode<AuthPayloadFieldsFragment, unknown>;
export const UserFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"mfaEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"lastLoginAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<UserFieldsFragment, unknown>;
export const ApiKeysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeys"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"page"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"pageSize"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"page"},"value":{"kind":"Variable","name":{"kind":"Name","value":"page"}}},{"kind":"Argument","name":{"kind":"Name","value":"pageSize"},"value":{"kind":"Variable","name":{"kind":"Name","value":"pageSize"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"page"}},{"kind":"Field","name":{"kind":"Name","value":"pageSize"}},{"kind":"Field","name":{"kind":"Name","value":"totalPages"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"keyPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ApiKeysQuery, ApiKeysQueryVariables>;
export const CreateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"keyPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"plaintextKey"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const AuditEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"action"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"resourceType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"resourceId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTimeISO"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTimeISO"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"page"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"pageSize"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"action"},"value":{"kind":"Variable","name":{"kind":"Name","value":"action"}}},{"kind":"Argument","name":{"kind":"Name","value":"resourceType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"resourceType"}}},{"kind":"Argument","name":{"kind":"Name","value":"resourceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"resourceId"}}},{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"page"},"value":{"kind":"Variable","name":{"kind":"Name","value":"page"}}},{"kind":"Argument","name":{"kind":"Name","value":"pageSize"},"value":{"kind":"Variable","name":{"kind":"Name","value":"pageSize"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditEventFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"page"}},{"kind":"Field","name":{"kind":"Name","value":"pageSize"}},{"kind":"Field","name":{"kind":"Name","value":"totalPages"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"resourceType"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<AuditEventsQuery, AuditEventsQueryVariables>;
export const AuditEventRecordedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AuditEventRecorded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEventRecorded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditEventFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"resourceType"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<AuditEventRecordedSubscription, AuditEventRecordedSubscriptionVariables>;
export const RegisterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Register"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"register"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthPayloadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"tokenType"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}}]}}]} as unknown as DocumentNode<RegisterMutation, RegisterMutationVariables>;
export const LoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LoginInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthPayloadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"tokenType"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const RefreshTokenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthPayloadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"tokenType"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}}]}}]} as unknown as DocumentNode<RefreshTokenMutation, RefreshTokenMutationVariables>;
export const LogoutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Logout"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"detail"}}]}}]}}]} as unknown as DocumentNode<LogoutMutation, LogoutMutationVariables>;
export const MeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"mfaEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"onboardingCompleted"}},{"kind":"Field","name":{"kind":"Name","value":"subscriptionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"subscriptionTier"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const UsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Users"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"page"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"pageSize"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"page"},"value":{"kind":"Variable","name":{"kind":"Name","value":"page"}}},{"kind":"Argument","name":{"kind":"Name","value":"pageSize"},"value":{"kind":"Variable","name":{"kind":"Name","value":"pageSize"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"page"}},{"kind":"Field","name":{"kind":"Name","value":"pageSize"}},{"kind":"Field","name":{"kind":"Name","value":"totalPages"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"mfaEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"lastLoginAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<UsersQuery, UsersQueryVariables>;
export const CreateUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"mfaEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"lastLoginAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<CreateUserMutation, CreateUserMutationVariables>;
export const UpdateUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"mfaEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"lastLoginAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<UpdateUserMutation, UpdateUserMutationVariables>;