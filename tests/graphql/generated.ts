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
  /** The `JSONObject` scalar type represents JSON objects as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }
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

export type ChangePasswordInput = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
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

export type CreateMachineGroupInput = {
  /** at most 1000 characters */
  description?: InputMaybe<Scalars['String']['input']>;
  groupType: GroupType;
  /** at most 200 characters */
  name: Scalars['String']['input'];
  parentId?: InputMaybe<Scalars['ID']['input']>;
};

export type CreateMachineInput = {
  /** at most 500 characters */
  location?: InputMaybe<Scalars['String']['input']>;
  /** at most 100 characters: letters, digits and - _ . : / # */
  machineIdentifier: Scalars['String']['input'];
  /** at most 200 characters */
  name: Scalars['String']['input'];
  protocol: MachineProtocol;
};

export type CreateUserInput = {
  email: Scalars['String']['input'];
  fullName: Scalars['String']['input'];
  /** initial password */
  password: Scalars['String']['input'];
  /** admin, operator or viewer */
  role: Scalars['String']['input'];
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

export type FleetMachine = {
  __typename?: 'FleetMachine';
  alertCount: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  lastReadingAt?: Maybe<Scalars['DateTimeISO']['output']>;
  name: Scalars['String']['output'];
  status: MachineStatus;
};

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

export type Mutation = {
  __typename?: 'Mutation';
  /** acknowledge an alert; acknowledging it again changes nothing */
  acknowledgeAlert: Alert;
  addAlertComment: AlertComment;
  /** acknowledge several alerts; ids of no alert of the caller's tenant count as not found */
  bulkAcknowledgeAlerts: BulkAcknowledgeResult;
  changePassword: MessageResult;
  createAlertRule: AlertRule;
  createApiKey: CreatedApiKey;
  createMachine: Machine;
  createMachineGroup: MachineGroup;
  createUser: User;
  /** Deletes a rule; its active alerts are resolved and stay in the history */
  deleteAlertRule: Scalars['Boolean']['output'];
  /** Soft delete: the machine leaves lists and ingestion; its identifier stays reserved */
  deleteMachine: Scalars['Boolean']['output'];
  /** Deletes a group without child groups (its memberships go with it) */
  deleteMachineGroup: Scalars['Boolean']['output'];
  /** Turn MFA off; needs the password and a current code */
  disableMfa: MfaStatus;
  /** Bulk-create up to 500 machines from a CSV or XLSX file */
  importMachines: MachineImportResult;
  /** Push up to 1000 readings (API key with scope ingest); per-reading errors, nothing accepted unless stored */
  ingestReadings: IngestResult;
  login: AuthPayload;
  logout: MessageResult;
  /** Rotate the refresh token (argument, or the refresh_token cookie) */
  refreshToken: AuthPayload;
  /** Create a tenant and its first admin, signed in */
  register: AuthPayload;
  revokeApiKey: Scalars['Boolean']['output'];
  /** Replaces the group's members with exactly these machines */
  setMachineGroupMembers: MachineGroup;
  /** Start TOTP enrolment; while MFA is on (replacing the factor) input is required */
  setupMfa: MfaSetupPayload;
  /** suppress the alert's notifications until snoozeUntil; it stays active */
  snoozeAlert: Alert;
  /** Partial update; disabling the rule resolves its active alerts */
  updateAlertRule: AlertRule;
  updateMachine: Machine;
  updateMachineGroup: MachineGroup;
  updateProfile: User;
  /** Change role, name or active flag; deactivation ends the user's sessions */
  updateUser: User;
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


export type MutationCreateMachineArgs = {
  input: CreateMachineInput;
};


export type MutationCreateMachineGroupArgs = {
  input: CreateMachineGroupInput;
};


export type MutationCreateUserArgs = {
  input: CreateUserInput;
};


export type MutationDeleteAlertRuleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteMachineArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteMachineGroupArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDisableMfaArgs = {
  input: MfaReauthInput;
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


export type MutationRefreshTokenArgs = {
  refreshToken?: InputMaybe<Scalars['String']['input']>;
};


export type MutationRegisterArgs = {
  input: RegisterInput;
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


export type MutationUpdateAlertRuleArgs = {
  id: Scalars['ID']['input'];
  input: UpdateAlertRuleInput;
};


export type MutationUpdateMachineArgs = {
  id: Scalars['ID']['input'];
  input: UpdateMachineInput;
};


export type MutationUpdateMachineGroupArgs = {
  id: Scalars['ID']['input'];
  input: UpdateMachineGroupInput;
};


export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};


export type MutationUpdateUserArgs = {
  id: Scalars['ID']['input'];
  input: UpdateUserInput;
};


export type MutationVerifyMfaArgs = {
  input: MfaVerifyInput;
};


export type MutationVerifyMfaSetupArgs = {
  input: MfaCodeInput;
};

export type Query = {
  __typename?: 'Query';
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
  /** every active machine with status, open alerts and last reading */
  fleetStatus: FleetStatus;
  /** newest reading of each metric of a machine */
  latestReadings: MachineLatestReadings;
  machine: Machine;
  machineGroup: MachineGroup;
  /** active machines directly in a group */
  machineGroupMembers: MachinePage;
  /** all groups as a nested forest */
  machineGroupTree: Array<MachineGroupTreeNode>;
  machineGroups: MachineGroupPage;
  /** raw points, or buckets when an interval is given */
  machineReadings: ReadingSeriesResult;
  machines: MachinePage;
  me: CurrentUser;
  user: User;
  users: UserPage;
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


export type QueryFleetStatusArgs = {
  groupId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<MachineStatus>;
};


export type QueryLatestReadingsArgs = {
  machineId: Scalars['ID']['input'];
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


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  page?: InputMaybe<Scalars['Int']['input']>;
  pageSize?: InputMaybe<Scalars['Int']['input']>;
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

export type SnoozeAlertInput = {
  /** in the future and at most 30 days ahead */
  snoozeUntil: Scalars['DateTimeISO']['input'];
};

export enum SortDirection {
  Asc = 'asc',
  Desc = 'desc'
}

export type Subscription = {
  __typename?: 'Subscription';
  /** alerts as they are raised (optionally of one machine, of a group, of at least a severity) */
  alertRaised: Alert;
  /** changes of alerts: escalation, new values, resolution, acknowledgement, snooze (same filters as alertRaised) */
  alertUpdated: Alert;
  /** Audit events of the caller's tenant as they are recorded */
  auditEventRecorded: AuditEvent;
  /** status changes of the tenant's machines (or of one machine) */
  machineStatusChanged: MachineStatusChange;
  /** readings of one machine as they are stored (optionally only some metrics) */
  readingAdded: LiveReading;
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


export type SubscriptionMachineStatusChangedArgs = {
  machineId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionReadingAddedArgs = {
  machineId: Scalars['ID']['input'];
  metrics?: InputMaybe<Array<Scalars['String']['input']>>;
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
};

export type UpdateMachineInput = {
  /** at most 500 characters; empty string clears it */
  location?: InputMaybe<Scalars['String']['input']>;
  /** at most 100 characters */
  machineIdentifier?: InputMaybe<Scalars['String']['input']>;
  /** at most 200 characters */
  name?: InputMaybe<Scalars['String']['input']>;
  protocol?: InputMaybe<MachineProtocol>;
};

export type UpdateProfileInput = {
  currentPassword?: InputMaybe<Scalars['String']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  fullName?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateUserInput = {
  fullName?: InputMaybe<Scalars['String']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  role?: InputMaybe<Scalars['String']['input']>;
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