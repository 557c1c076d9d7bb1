import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestSandbox } from './hub.js'
import type { SeedDocument } from '../../src/sandbox/dvcqg/warehouse/index.js'

/** Writes the sandbox's signing root to a temp PEM file (WAREHOUSE_TRUST_ANCHORS_FILE). */
export function trustAnchorsFile(sandbox: TestSandbox): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lgsp-anchors-')), 'anchors.pem')
  writeFileSync(file, sandbox.sims.warehouse.trustAnchorsPem())
  return file
}

/** Picks `n` seeded owners (from `start`) such that every signature case appears among their documents. */
export function ownersCoveringSignatureCases(sandbox: TestSandbox, n: number, start = 0): string[] {
  const w = sandbox.sims.warehouse
  const owners = w.owners()
  const picked: string[] = []
  const need = new Set<SeedDocument['signature']>(['tampered', 'expired', 'untrusted', 'unsigned'])
  for (const o of owners.slice(start)) {
    const kinds = w.documentsOf(o).map((d) => d.signature)
    if (kinds.some((k) => need.has(k))) {
      picked.push(o)
      for (const k of kinds) need.delete(k)
    }
    if (need.size === 0) break
  }
  for (const o of owners.slice(start)) {
    if (picked.length >= n) break
    if (!picked.includes(o)) picked.push(o)
  }
  return picked
}
