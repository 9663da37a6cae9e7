/**
 * The handover report's extension point: a module that knows more about a shift's context (the
 * maintenance module: the maintenance done) registers a section through the shifts manifest's
 * service (`shifts.registerHandoverSection`), and the report calls it for every handover. Until one
 * registers, the section is an empty list.
 */
export const HANDOVER_SECTIONS = ['maintenance'] as const;
export type HandoverSectionName = (typeof HANDOVER_SECTIONS)[number];

/** What a section is asked about: the tenant, the machines of the log, and the report's window. */
export interface HandoverScope {
  tenantId: string;
  logId: string;
  /** the log's machine, or every active machine of its scope */
  machineIds: string[];
  start: Date;
  end: Date;
}

export interface HandoverSection {
  name: HandoverSectionName;
  /** the section's items (plain JSON objects), at most the report's item limit, newest first */
  build(scope: HandoverScope): Promise<Record<string, unknown>[]>;
}
