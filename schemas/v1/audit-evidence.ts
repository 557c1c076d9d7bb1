/** Admin API: verification of the tamper-evident audit log (docs/audit.md). */
import { Type } from '@sinclair/typebox'

const Opt = Type.Optional

export const AuditVerifyReport = Type.Object(
  {
    ok: Type.Boolean({ description: 'true when every record, archived segment and checkpoint verifies' }),
    records: Type.Integer({ description: 'Chain positions checked (online and archived)' }),
    archivedRecords: Type.Integer(),
    legacyRecords: Type.Integer({ description: 'Rows written before the chain began (not covered)' }),
    checkpoints: Type.Integer({ description: 'Signed checkpoints verified' }),
    headSize: Type.Integer({ description: 'Records the chain head counts' }),
    problem: Opt(
      Type.Object({
        kind: Type.Union(
          ['modified', 'deleted', 'inserted', 'reordered', 'truncated', 'bad-signature', 'unknown-key', 'checkpoint-mismatch', 'archive-corrupt'].map((k) =>
            Type.Literal(k),
          ),
        ),
        recordId: Opt(Type.String({ description: 'audit_log id of the first record that does not verify' })),
        seq: Opt(Type.Integer({ description: 'Its chain position (or the first missing one)' })),
        checkpointId: Opt(Type.String()),
        message: Type.String(),
      }),
    ),
    ms: Type.Integer(),
  },
  { description: 'The first record or checkpoint that does not verify, and why' },
)
