import { readFileSync } from 'node:fs'
import { createDvcqgConnector, type DvcqgApi } from '../../src/connectors/dvcqg/index.js'
import type { DongBoHoSoMC } from '../../src/mappings/dvcqg/types.js'
import type { TestSandbox } from '../helpers/hub.js'
import { describeConnectorContract } from './describe-connector-contract.js'

/**
 * DVCQG through the same connector contract as the lookups, against the sandbox's
 * portal simulator (adapter style: session login, operation in the body). The read is
 * TraCuuHoSo (does the portal know this dossier?); the refusal is a DongBoHoSoMC the
 * portal's own schema rejects.
 */
// A create the portal accepts: a mapping fixture whose expected output is checked against the portal's JSON schema.
const DOSSIER = JSON.parse(readFileSync('test/mappings/dvcqg/cases/citizen-in-person.expected.json', 'utf8')) as DongBoHoSoMC
const CODE = DOSSIER.data[0]!.MaHoSo
const seeded = new WeakSet<TestSandbox>()
async function known(c: DvcqgApi, sb: TestSandbox): Promise<boolean> {
  if (!seeded.has(sb)) {
    await c.syncDossier(DOSSIER)
    seeded.add(sb)
  }
  return c.lookupDossier(CODE)
}

describeConnectorContract<DvcqgApi, boolean>('dvcqg', {
  id: 'dvcqg',
  prefix: 'DVCQG',
  factory: createDvcqgConnector,
  operation: 'TraCuuHoSo',
  found: known,
  missing: (c) => c.lookupDossier('000.00.06.H56-231027-9999'),
  kindOf: (exists) => (exists ? 'found' : 'not_found'),
  rejected: (c) => c.syncDossier({ isUpdating: 'False', data: [{ MaHoSo: 'x' }] } as unknown as DongBoHoSoMC),
  rejectedOperation: 'DongBoHoSoMC',
  env: { UPSTREAM_TIMEOUT_MS: 400 },
  // DVCQG reads: two bounded retries.
  attempts: 3,
  credentialRequests: (sb) => sb.kit.recorder.query({ sim: 'dvcqg', operation: 'login' }).length,
})
