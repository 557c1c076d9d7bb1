import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  fromDigitizedRecord,
  mapGetGiayToByUrlReply,
  mapGetKetQuaGiayToReply,
  toDigitizedRecord,
  toGetKetQuaGiayToRequest,
  WarehouseMappingError,
  type GetKetQuaGiayToInput,
  type WarehouseDocumentRecord,
  type WireStyle,
} from '../../../src/mappings/dvcqg/warehouse/index.js'

const CASES = join(dirname(fileURLToPath(import.meta.url)), 'cases')

/** Each mapper under test, with its output made JSON-comparable. */
const MAPPERS: Record<string, (input: unknown, context: unknown) => unknown> = {
  'get-ket-qua-giay-to': (input) => mapGetKetQuaGiayToReply(input),
  'get-giay-to-by-url': (input) => {
    const out = mapGetGiayToByUrlReply(input)
    return out.kind === 'found' ? { kind: 'found', value: { base64: out.value.toString('base64'), size: out.value.length } } : out
  },
  'from-digitized-record': (input) => fromDigitizedRecord(input),
  'to-digitized-record': (input, context) => toDigitizedRecord(input as WarehouseDocumentRecord, context as WireStyle | undefined),
  'to-get-ket-qua-request': (input) => toGetKetQuaGiayToRequest(input as GetKetQuaGiayToInput),
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown
}

/** Runs a mapper; a WarehouseMappingError becomes `{ error: { issues } }` so error cases are fixtures too. */
function run(mapper: (input: unknown, context: unknown) => unknown, input: unknown, context: unknown): unknown {
  try {
    // round-trip through JSON: the expected files cannot hold undefined
    return JSON.parse(JSON.stringify(mapper(input, context))) as unknown
  } catch (err) {
    if (err instanceof WarehouseMappingError) return { error: { issues: err.issues } }
    throw err
  }
}

const folders = readdirSync(CASES)

it('has a mapper for every case folder and cases for every mapper', () => {
  expect(folders.sort()).toEqual(Object.keys(MAPPERS).sort())
})

for (const folder of folders) {
  describe(folder, () => {
    const names = readdirSync(join(CASES, folder))
      .filter((f) => f.endsWith('.input.json'))
      .map((f) => f.slice(0, -'.input.json'.length))
    it('has cases', () => expect(names.length).toBeGreaterThan(1))
    for (const name of names) {
      it(name, () => {
        const base = join(CASES, folder, name)
        const context = existsSync(`${base}.context.json`) ? readJson(`${base}.context.json`) : undefined
        const mapper = MAPPERS[folder]!
        expect(run(mapper, readJson(`${base}.input.json`), context)).toEqual(readJson(`${base}.expected.json`))
      })
    }
  })
}

describe('digitised record round trip', () => {
  it('fromDigitizedRecord(toDigitizedRecord(doc)) gives doc back', () => {
    const doc = fromDigitizedRecord(readJson(join(CASES, 'from-digitized-record', 'full-compact-dates.input.json')))
    for (const style of [
      { dateFormat: 'yyyyMMddHHmmss', booleans: 'TrueFalse' },
      { dateFormat: 'dd/MM/yyyy', booleans: '01' },
    ] as const) {
      expect(fromDigitizedRecord(toDigitizedRecord(doc, style))).toEqual(doc)
    }
  })
})
