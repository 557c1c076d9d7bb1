import { existsSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DossierEventBody, DossierUpsertBody, DOSSIER_CODE_PATTERN } from '../../../schemas/v1/dossier.js'
import { compileFile, createAjv, errorsOf } from './ajv.js'
import { casesDir, readJson, repoRoot, runCase } from './run-case.js'
import type { CaseInput } from './run-case.js'

const ajv = createAjv()
const validateDongBo = compileFile(ajv, new URL('schemas/dvcqg/DongBoHoSoMC.schema.json', repoRoot))
const validateTienDo = compileFile(ajv, new URL('schemas/dvcqg/CapNhatTienDoHoSoMC.schema.json', repoRoot))
const validateUpsert = ajv.compile(DossierUpsertBody)
const validateEvent = ajv.compile(DossierEventBody)

const names = readdirSync(casesDir)
  .filter((name) => name.endsWith('.input.json'))
  .map((name) => name.slice(0, -'.input.json'.length))
  .sort()

describe('DVCQG mapping fixtures', () => {
  it('has the cases the contract needs, each with an expected file', () => {
    expect(names.length).toBeGreaterThanOrEqual(12)
    for (const name of names) expect(existsSync(new URL(`${name}.expected.json`, casesDir)), name).toBe(true)
  })

  describe.each(names)('%s', (name) => {
    const input = readJson(new URL(`${name}.input.json`, casesDir)) as CaseInput
    const expected = readJson(new URL(`${name}.expected.json`, casesDir))

    it('input is a valid normalized API body (unless the case says why not)', () => {
      if (input.apiInvalid !== undefined) {
        // Such a case exists to show the mapping defends itself: the API must refuse it.
        expect(validateUpsert(input.dossier)).toBe(false)
        return
      }
      if (input.dossier !== undefined) expect(validateUpsert(input.dossier), errorsOf(validateUpsert)).toBe(true)
      for (const event of input.events ?? (input.event ? [input.event] : [])) {
        expect(validateEvent(event), errorsOf(validateEvent)).toBe(true)
      }
      if (input.dossierCode !== undefined) expect(input.dossierCode).toMatch(new RegExp(DOSSIER_CODE_PATTERN))
    })

    it('maps to the expected payload', () => {
      expect(runCase(input).payload).toEqual(expected)
    })

    it('expected payload conforms to the portal schema', () => {
      const { kind } = runCase(input)
      if (kind === 'error') {
        expect(expected).toMatchObject({ error: { code: 'HUB_ERR_MAPPING', field: expect.any(String) } })
      } else if (kind === 'hoso') {
        expect(validateDongBo(expected), errorsOf(validateDongBo)).toBe(true)
      } else if (kind === 'tiendo') {
        expect(validateTienDo(expected), errorsOf(validateTienDo)).toBe(true)
      } else {
        expect(Array.isArray(expected)).toBe(true)
        for (const chunk of expected as unknown[]) expect(validateTienDo(chunk), errorsOf(validateTienDo)).toBe(true)
      }
    })
  })
})
