import { mkdtempSync, writeFileSync } from 'node:fs'
import type https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createDvcqgConnector } from '../../src/connectors/dvcqg/index.js'
import { createTaxConnector } from '../../src/connectors/tax/index.js'
import { configReference } from '../../src/config/load.js'
import { createTestPki } from '../../src/sandbox/pki/test-pki.js'
import { buildConnector } from '../helpers/connectors.js'

/** DVCQG reads the same upstream TLS settings as every lookup, through the one mutual-TLS strategy. */
const pki = createTestPki()
function files(signer: 'valid' | 'expired') {
  const dir = mkdtempSync(join(tmpdir(), 'dvcqg-tls-'))
  writeFileSync(join(dir, 'c.pem'), pki.signers[signer].certificatePem)
  writeFileSync(join(dir, 'k.pem'), pki.signers[signer].privateKeyPem)
  writeFileSync(join(dir, 'ca.pem'), pki.rootCa.certificatePem)
  return { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem'), ca: join(dir, 'ca.pem') }
}
const agentOptions = (b: { transports: { axios: { defaults: { httpsAgent?: unknown } } }[] }) =>
  (b.transports[0]!.axios.defaults.httpsAgent as https.Agent & { options: https.AgentOptions }).options

describe('DVCQG upstream settings', () => {
  it('has the same TLS variables as the lookup upstreams', () => {
    const names = new Set(configReference().map((c) => c.name))
    for (const suffix of ['CLIENT_CERT_FILE', 'CLIENT_KEY_FILE', 'CLIENT_PFX_FILE', 'CLIENT_CERT_PASSPHRASE', 'CA_FILE']) {
      expect(names.has(`TAX_${suffix}`), `TAX_${suffix}`).toBe(true)
      expect(names.has(`DVCQG_${suffix}`), `DVCQG_${suffix}`).toBe(true)
    }
  })

  it('refuses to boot with an expired client certificate, like a lookup upstream', () => {
    const f = files('expired')
    expect(() => buildConnector(createDvcqgConnector, { DVCQG_CLIENT_CERT_FILE: f.cert, DVCQG_CLIENT_KEY_FILE: f.key })).toThrow(/expired on/)
    expect(() => buildConnector(createTaxConnector, { TAX_CLIENT_CERT_FILE: f.cert, TAX_CLIENT_KEY_FILE: f.key })).toThrow(/expired on/)
  })

  it('presents a valid client certificate, trusts DVCQG_CA_FILE and exports the certificate expiry', async () => {
    const f = files('valid')
    const b = buildConnector(createDvcqgConnector, { DVCQG_CLIENT_CERT_FILE: f.cert, DVCQG_CLIENT_KEY_FILE: f.key, DVCQG_CA_FILE: f.ca })
    const o = agentOptions(b)
    expect(String(o.cert)).toContain('BEGIN CERTIFICATE')
    expect(String(o.key)).toContain('PRIVATE KEY')
    expect(o.ca).toBe(pki.rootCa.certificatePem)
    expect(await b.metrics.registry.getSingleMetricAsString('lgsp_hub_client_cert_expiry_seconds')).toMatch(/upstream="dvcqg"\} \d{10}/)
    b.close()
  })

  it('a CA bundle alone changes the trusted roots without a client certificate; nothing set: no TLS options', () => {
    const f = files('valid')
    const withCa = buildConnector(createDvcqgConnector, { DVCQG_CA_FILE: f.ca })
    expect(agentOptions(withCa).ca).toBe(pki.rootCa.certificatePem)
    expect(agentOptions(withCa).cert).toBeUndefined()
    withCa.close()
    const plain = buildConnector(createDvcqgConnector, {})
    expect(agentOptions(plain).ca).toBeUndefined()
    expect(agentOptions(plain).cert).toBeUndefined()
    plain.close()
  })
})
