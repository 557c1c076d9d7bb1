import type { HubConfig } from '../config/schema.js'
import { openDb } from '../store/index.js'
import { AuditWriter, auditWriterOptions } from './index.js'
import { openAuditEvidence } from './evidence/index.js'
import { archiveOldSegments } from './evidence/archive.js'
import { ProofError } from './evidence/proof.js'

export const AUDIT_USAGE = `usage: lgsp-hub audit <command>
  verify            walk the audit chain, archived segments and signed checkpoints; exit 1 at the first that does not verify
  proof <recordId>  print the inclusion proof of one audit record (JSON; check it with scripts/verify-audit-proof.mjs)
  checkpoint        sign a checkpoint of the records not yet signed
  public-key        print the public key that verifies checkpoints (PEM), to publish
  archive           archive the segments past AUDIT_RETENTION_DAYS now`

type Out = { out: (s: string) => void; err: (s: string) => void }
const stdio: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }

/** `lgsp-hub audit …`: returns the exit code (0 ok, 1 verification failed or not found, 64 usage). */
export async function runAuditCommand(args: string[], config: HubConfig, io: Out = stdio): Promise<number> {
  const [cmd, arg] = args
  if (!cmd || !['verify', 'proof', 'checkpoint', 'public-key', 'archive'].includes(cmd) || (cmd === 'proof' && !arg)) {
    io.err(`${AUDIT_USAGE}\n`)
    return 64
  }
  const evidence = openAuditEvidence(config)
  if (cmd === 'public-key') {
    io.out(evidence.signer.publicKeyPem())
    return 0
  }
  const db = await openDb(config, 'audit')
  const audit = new AuditWriter(db, config.AUDIT_HASH_KEY, () => undefined, { ...auditWriterOptions(config, evidence), checkpointIntervalMs: 0 })
  try {
    if (cmd === 'verify') {
      const r = await audit.verify()
      io.out(`${JSON.stringify(r, null, 2)}\n`)
      io.err(
        r.ok
          ? `audit log verifies: ${r.records} records (${r.archivedRecords} archived), ${r.checkpoints} signed checkpoints, ${r.ms} ms\n`
          : `audit log does NOT verify: ${r.problem!.kind}: ${r.problem!.message}\n`,
      )
      return r.ok ? 0 : 1
    }
    if (cmd === 'proof') {
      io.out(`${JSON.stringify(await audit.prove(arg!), null, 2)}\n`)
      return 0
    }
    if (cmd === 'checkpoint') {
      io.err((await audit.checkpoint()) ? 'checkpoint signed\n' : 'no new records to sign\n')
      return 0
    }
    const r = await archiveOldSegments(db, evidence.archive, config.AUDIT_RETENTION_DAYS)
    io.err(`${r.segments} segment(s), ${r.records} record(s) archived\n`)
    return 0
  } catch (e) {
    if (e instanceof ProofError) {
      io.err(`lgsp-hub audit: ${e.message}\n`)
      return 1
    }
    throw e
  } finally {
    await audit.close()
    await db.close()
  }
}
