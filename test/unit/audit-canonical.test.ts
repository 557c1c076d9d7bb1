import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canonicalJson, canonicalRecord, recordHash, type RecordContent } from '../../src/audit/evidence/canonical.js'

const base: RecordContent = {
  v: 1,
  at: '2026-12-01T05:00:00.123Z',
  requestId: 'req-1',
  clientId: 'province-test',
  service: 'population',
  action: 'citizen.lookup',
  purpose: '000.00.06.H56-231027-0361',
  subjectHash: 'ab'.repeat(32),
  outcome: 'found',
  status: 200,
  latencyMs: 12,
  detail: { upstream: 'population', z: [1, 'a', { y: null, b: true }], é: 0.5 },
  prev: '0'.repeat(64),
}

describe('canonical form of audit records (RFC 8785 style)', () => {
  it('sorts keys at every depth, no whitespace, JSON string escapes', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 'x"y', e: null }], c: 'é\n' } })).toBe('{"a":{"c":"é\\n","d":[3,{"e":null,"f":"x\\"y"}]},"b":1}')
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}')
    expect(() => canonicalJson({ a: NaN })).toThrow()
  })

  it('the unrolled record form equals the generic canonical JSON, for full and sparse records', () => {
    const sparse: RecordContent = { ...base, requestId: null, purpose: null, subjectHash: null, status: null, latencyMs: null, detail: null }
    for (const c of [base, sparse]) {
      expect(canonicalRecord(c)).toBe(canonicalJson(c))
      expect(recordHash(c)).toBe(createHash('sha256').update(canonicalJson(c)).digest('hex'))
    }
  })

  it('every field is covered by the hash', () => {
    const h = recordHash(base)
    const changes: Partial<RecordContent>[] = [
      { at: '2026-12-01T05:00:00.124Z' },
      { requestId: 'req-2' },
      { clientId: 'x' },
      { service: 'x' },
      { action: 'x' },
      { purpose: null },
      { subjectHash: null },
      { outcome: 'not_found' },
      { status: 404 },
      { latencyMs: 13 },
      { detail: { ...base.detail, upstream: 'x' } },
      { prev: '1'.repeat(64) },
    ]
    for (const c of changes) expect(recordHash({ ...base, ...c })).not.toBe(h)
  })
})
