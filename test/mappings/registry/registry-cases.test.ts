import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fromBusinessRegistry } from '../../../src/mappings/business-registry/from-business-registry.js'
import { fromTaxpayerStatus } from '../../../src/mappings/tax/from-tax.js'
import { fromBhxhParticipation } from '../../../src/mappings/bhxh/from-bhxh.js'
import { fromCivilStatus } from '../../../src/mappings/civil-status/from-civil-status.js'
import type { CivilStatusModule } from '../../../src/mappings/civil-status/from-civil-status.js'

const casesRoot = join(fileURLToPath(new URL('.', import.meta.url)), 'cases')

/** Input: `.input.json` (parsed body), `.input.txt` (raw body text) or `.input.xml` (SOAP). */
function loadCases(system: string): Array<[string, unknown, unknown]> {
  const dir = join(casesRoot, system)
  return readdirSync(dir)
    .filter((f) => /\.input\.(json|txt|xml)$/.test(f))
    .sort()
    .map((f) => {
      const name = f.replace(/\.input\.\w+$/, '')
      const raw = readFileSync(join(dir, f), 'utf8')
      const input: unknown = f.endsWith('.json') ? JSON.parse(raw) : raw
      return [name, input, JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8'))]
    })
}

const mappers: Record<string, (name: string, input: unknown) => unknown> = {
  business: (_n, input) => fromBusinessRegistry(input),
  tax: (_n, input) => fromTaxpayerStatus(input),
  bhxh: (_n, input) => fromBhxhParticipation(input as string),
  'civil-status': (name, input) => fromCivilStatus(name.slice(0, 2).toUpperCase() as CivilStatusModule, input),
}

for (const [system, map] of Object.entries(mappers)) {
  describe(`${system} reply cases`, () => {
    const cases = loadCases(system)
    it('has at least 3 cases including a not-found and a fault', () => {
      expect(cases.length).toBeGreaterThanOrEqual(3)
      const kinds = cases.map(([, , expected]) => (expected as { kind: string }).kind)
      expect(kinds).toContain('found')
      expect(kinds).toContain('not_found')
      expect(kinds).toContain('fault')
    })
    it.each(cases)('%s', (name, input, expected) => {
      const actual = map(name, input)
      expect(actual).toEqual(expected)
      expect(JSON.parse(JSON.stringify(actual))).toEqual(expected)
    })
  })
}

describe('raw text and parsed JSON give the same outcome', () => {
  it('business registry', () => {
    const [, input, expected] = loadCases('business').find(([n]) => n === 'active-company')!
    expect(fromBusinessRegistry(JSON.stringify(input))).toEqual(expected)
  })
})
