import type { RequestContext } from '../common/context.js';
import { invalid, type DomainError } from '../common/errors.js';
import { uniqueOrThrow } from '../common/persistence.js';
import type { AuditEvent } from '../audit/audit-event.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Database } from '../infra/database.js';
import { Machine } from './machine.entity.js';
import { MachineErrors } from './machine.errors.js';
import { IMPORT_MAX_BYTES, ImportFileError, parseMachineImport, type ImportRowError } from './machine-import.parser.js';

/** An uploaded file as bytes: what the REST door's multipart reader holds, and GraphQL's base64 decodes to. */
export interface ImportFile {
  filename: string;
  content: Buffer;
}

export interface ImportResult {
  created: number;
  skipped: number;
  errors: ImportRowError[];
}

/** Maps a whole-file problem to its transport-neutral error (413 / 415 / 422 on the file field). */
function fileError(err: ImportFileError): DomainError {
  switch (err.kind) {
    case 'too_large':
      return MachineErrors.importFileTooLarge(err.message);
    case 'unsupported_type':
      return MachineErrors.importFileUnsupported(err.message);
    default:
      return MachineErrors.importFileInvalid(err.message, err.kind);
  }
}

/** The uploaded name as audit text: no control characters or lone surrogates (jsonb refuses them), at most 200 characters. */
function auditFilename(name: string): string {
  return [...name.replace(/[\p{Cc}\p{Cs}]/gu, '')].slice(0, 200).join('');
}

/** Bulk machine registration from CSV/XLSX: validated first, then written in one transaction. */
export class MachineImportService {
  constructor(private readonly db: Database, private readonly audit: AuditService) {}

  /** GraphQL entry: the file arrives base64-encoded. */
  async importBase64(ctx: RequestContext, filename: string, contentBase64: string): Promise<ImportResult> {
    if (contentBase64.length > Math.ceil((IMPORT_MAX_BYTES * 4) / 3) + 4) {
      throw MachineErrors.importFileTooLarge(`File larger than ${IMPORT_MAX_BYTES} bytes`);
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(contentBase64)) throw invalid('contentBase64', 'Input should be base64', 'value_error');
    return this.import(ctx, { filename, content: Buffer.from(contentBase64, 'base64') });
  }

  /**
   * Creates every valid row whose identifier is new, or nothing at all: the rows and their audit
   * entries commit in one transaction. Invalid rows and duplicates are reported per row.
   */
  async import(ctx: RequestContext, file: ImportFile): Promise<ImportResult> {
    let parsed;
    try {
      parsed = await parseMachineImport(file);
    } catch (err) {
      if (err instanceof ImportFileError) throw fileError(err);
      throw err;
    }
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    const ids = parsed.rows.map((r) => r.machineIdentifier);
    const existing = new Set(
      ids.length
        ? (await em.find(Machine, { tenantId, machineIdentifier: { $in: ids } }, { fields: ['machineIdentifier'] })).map((m) => m.machineIdentifier)
        : [],
    );
    const toCreate = parsed.rows.filter((r) => !existing.has(r.machineIdentifier));
    const existingErrors = parsed.rows
      .filter((r) => existing.has(r.machineIdentifier))
      .map((r) => ({ row: r.row, error: `Duplicate machine_identifier: ${r.machineIdentifier} (already registered)` }));
    // Someone may register one of these identifiers between our check and our insert: nothing is written then.
    const events = await uniqueOrThrow(
      () =>
        em.transactional(async (tem) => {
          const staged: AuditEvent[] = [];
          for (const r of toCreate) {
            const m = tem.create(Machine, { tenantId, name: r.name, machineIdentifier: r.machineIdentifier, protocol: r.protocol, location: r.location } as Machine);
            staged.push(
              this.audit.stage(tem, ctx, { action: 'create_machine', resourceType: 'machine', resourceId: m.id, details: { name: m.name, identifier: m.machineIdentifier, source: 'import' } }),
            );
          }
          staged.push(
            this.audit.stage(tem, ctx, {
              action: 'import_machines',
              resourceType: 'machine',
              details: { filename: auditFilename(file.filename), created: toCreate.length, skipped: parsed.duplicates.length + existingErrors.length, errors: parsed.errors.length },
            }),
          );
          await tem.flush();
          return staged;
        }),
      MachineErrors.importConcurrentDuplicate,
    );
    await this.audit.announce(events);
    const errors = [...parsed.errors, ...parsed.duplicates, ...existingErrors].sort((a, b) => a.row - b.row);
    return { created: toCreate.length, skipped: parsed.duplicates.length + existingErrors.length, errors };
  }
}
