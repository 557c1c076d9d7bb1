import type { HubConfig } from '../../../config/schema.js'
import type { ImportReport } from './index.js'

const USAGE = `usage: lgsp-hub import <folder> [--json]
  Imports a backlog of previously issued results: <folder>/manifest.csv (or manifest.json) and the PDFs it
  names, optionally <folder>/inventory.csv (agencyCode,pages,documents). Prints the per-agency report.
  Needs DATABASE_URL (or the embedded PGlite, with no other process using it) and REDIS_URL.`

/** One readable report: row outcomes, refused rows, per-agency progress against the declared inventory. */
export function formatReport(r: ImportReport): string {
  const lines = [
    `import ${r.importId} (${r.state}): ${r.rows} rows, ${r.stored} stored, ${r.already} already stored, ${r.blocked} blocked by the signature policy, ${r.failed} refused`,
  ]
  for (const e of r.errors) lines.push(`  row ${e.row}${e.documentId ? ` (${e.documentId})` : ''}: ${e.rule} ${e.field} ${e.message}`)
  lines.push('agency\tdocuments\tpages\tblocked\tdeclared documents\tdeclared pages\tdocuments %\tpages %')
  for (const a of r.agencies) {
    lines.push(
      [
        a.agencyCode,
        a.documents,
        a.pages,
        a.blocked,
        a.declared?.documents ?? '',
        a.declared?.pages ?? '',
        a.documentsPercent ?? '',
        a.pagesPercent ?? '',
      ].join('\t'),
    )
  }
  return `${lines.join('\n')}\n`
}

/** `lgsp-hub import <folder>`: runs the import in this process (the hub's services, no HTTP) and prints its report. */
export async function runImportCommand(argv: string[], config: HubConfig): Promise<number> {
  const folder = argv.find((a) => !a.startsWith('--'))
  if (!folder || argv.includes('--help')) {
    process.stderr.write(`${USAGE}\n`)
    return folder ? 0 : 64
  }
  const { createHub } = await import('../../../hub.js')
  // No workers, no HTTP: the services only. PGlite (no DATABASE_URL) serves one process, hence the single-process role then.
  const hub = await createHub(config, config.DATABASE_URL ? 'api' : 'all')
  try {
    const report = await hub.services.imports.run(folder)
    process.stdout.write(argv.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
    return report.failed > 0 ? 2 : 0
  } finally {
    await hub.close()
  }
}
