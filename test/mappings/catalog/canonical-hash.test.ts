import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { canonicalHash, canonicalJson } from '../../../src/mappings/dvcqg/catalog/canonical-hash.js'
import { mapThuTuc } from '../../../src/mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import type { Procedure } from '../../../src/mappings/dvcqg/catalog/types.js'

const input = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'cases', 'thu-tuc-full.input.json'), 'utf8')) as Record<string, unknown>
const base = (): Procedure => mapThuTuc(structuredClone(input))

describe('canonicalHash', () => {
  it('is a sha256 hex digest, stable across calls', () => {
    expect(canonicalHash(base())).toMatch(/^[0-9a-f]{64}$/)
    expect(canonicalHash(base())).toBe(canonicalHash(base()))
  })

  it('ignores property order and the order of unordered lists', () => {
    const p = base()
    const shuffled: Procedure = Object.fromEntries(Object.entries(p).reverse()) as unknown as Procedure
    shuffled.channels = [...p.channels].reverse()
    shuffled.subjects = [...p.subjects].reverse()
    shuffled.related = [...p.related].reverse()
    shuffled.components = p.components.map((c) => ({ ...c, documents: [...c.documents].reverse() }))
    expect(canonicalHash(shuffled)).toBe(canonicalHash(p))
  })

  it('sees a reorder of the steps of a case (their order is meaningful)', () => {
    const p = base()
    const q = base()
    q.cases[0]!.steps.reverse()
    expect(canonicalHash(q)).not.toBe(canonicalHash(p))
  })

  it('changes when any value changes, however deep', () => {
    const p = base()
    const q = base()
    q.channels[1]!.durations[0]!.fees[0]!.amount = 75001
    expect(canonicalHash(q)).not.toBe(canonicalHash(p))
  })

  it('treats an absent optional property like undefined, not like null', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }))
    expect(canonicalJson({ a: 1, b: null })).not.toBe(canonicalJson({ a: 1 }))
  })
})
