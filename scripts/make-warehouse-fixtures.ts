/**
 * Writes the signature fixture PDFs and the sandbox trust anchor to a folder, for manual checks
 * with external tools (e.g. `pdfsig`, `qpdf --check`). Tests do not need it: they build the same
 * files at run time, so no key material is committed.
 *
 *   npx tsx scripts/make-warehouse-fixtures.ts [outDir=data/warehouse-fixtures] [isoInstant]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeSignatureFixtures } from '../src/sandbox/pki/index.js'

const outDir = process.argv[2] ?? 'data/warehouse-fixtures'
const now = process.argv[3] ? new Date(process.argv[3]) : new Date()
if (Number.isNaN(now.getTime())) throw new Error(`invalid instant: ${process.argv[3]}`)

const fx = makeSignatureFixtures(now)
mkdirSync(outDir, { recursive: true })
for (const name of ['valid', 'tampered', 'expired', 'untrusted', 'unsigned', 'truncated', 'garbage'] as const) {
  writeFileSync(join(outDir, `${name}.pdf`), fx[name])
}
writeFileSync(join(outDir, 'trust-anchor.pem'), fx.pki.trustAnchorsPem.join(''))
console.log(`wrote 7 PDFs and trust-anchor.pem to ${outDir} (signing time ${now.toISOString()})`)
