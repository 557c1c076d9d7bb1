import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { agencyDepth, agencyPath, childUnder, isUnder, parentAgency, subtreeRange } from '../../src/services/indicators/agency.js'
import { parseScores, scoreOf } from '../../src/services/indicators/scores.js'
import { period, vnMidnight, currentMonth } from '../../src/services/indicators/period.js'
import { upsertFacts } from '../../src/services/indicators/facts/derive.js'
import { dossierBody } from '../helpers/dossiers.js'

describe('agency hierarchy by agency code (docs/indicators.md)', () => {
  it('depth, parent and path follow the positional fields, zero meaning "not this specific"', () => {
    expect([
      agencyDepth('000.00.00.H56'),
      agencyDepth('000.00.06.H56'),
      agencyDepth('000.01.06.H56'),
      agencyDepth('001.01.06.H56'),
      agencyDepth('000.01.00.H56'),
    ]).toEqual([1, 2, 3, 4, 3])
    expect(parentAgency('001.01.06.H56')).toBe('000.01.06.H56')
    expect(parentAgency('000.01.06.H56')).toBe('000.00.06.H56')
    expect(parentAgency('000.00.06.H56')).toBe('000.00.00.H56')
    expect(parentAgency('000.01.00.H56')).toBe('000.00.00.H56') // the sandbox's Sở Xây dựng under the province
    expect(parentAgency('002.00.20.H13')).toBe('000.00.20.H13')
    expect(parentAgency('000.00.00.H56')).toBeUndefined()
    expect(agencyPath('000.01.06.H56')).toBe('H56.06.01.000')
  })

  it('an agency covers exactly its subtree, and the path range says the same', () => {
    const codes = [
      '000.00.00.H56',
      '000.00.06.H56',
      '000.01.06.H56',
      '001.01.06.H56',
      '000.00.07.H56',
      '000.01.07.H56',
      '000.01.00.H56',
      '000.00.00.H41',
      '000.00.06.H41',
    ]
    // Written out by hand: who is under whom.
    const expected: Record<string, string[]> = {
      '000.00.00.H56': ['000.00.00.H56', '000.00.06.H56', '000.01.06.H56', '001.01.06.H56', '000.00.07.H56', '000.01.07.H56', '000.01.00.H56'],
      '000.00.06.H56': ['000.00.06.H56', '000.01.06.H56', '001.01.06.H56'],
      '000.01.06.H56': ['000.01.06.H56', '001.01.06.H56'],
      '000.01.00.H56': ['000.01.00.H56'],
      '000.00.00.H41': ['000.00.00.H41', '000.00.06.H41'],
    }
    for (const [root, members] of Object.entries(expected)) {
      expect(codes.filter((c) => isUnder(c, root))).toEqual(members)
      const { lower, upper } = subtreeRange(root)
      // The SQL range under COLLATE "C" (byte order, as JS compares these ASCII strings).
      expect(codes.filter((c) => agencyPath(c) >= lower && agencyPath(c) < upper)).toEqual(members)
    }
  })

  it('groups a code under the child of the root it belongs to (the root itself for its own)', () => {
    expect(childUnder('001.01.06.H56', '000.00.00.H56')).toBe('000.00.06.H56')
    expect(childUnder('000.01.00.H56', '000.00.00.H56')).toBe('000.01.00.H56')
    expect(childUnder('000.00.00.H56', '000.00.00.H56')).toBe('000.00.00.H56')
    expect(childUnder('001.01.06.H56', '000.00.06.H56')).toBe('000.01.06.H56')
    expect(childUnder('001.01.06.H56', undefined)).toBe('000.00.00.H56')
  })
})

describe('scores and periods', () => {
  it('the shipped config/indicators.json is complete, each entry with its source', () => {
    const table = parseScores(JSON.parse(readFileSync('config/indicators.json', 'utf8')))
    expect(table.size).toBe(10)
    for (const r of table.values()) expect(r.source.length).toBeGreaterThan(10)
  })

  it('score = min(1, ratio / fullAt) × maxScore; null for a null ratio or an unscored metric', () => {
    const rule = { fullAt: 0.8, maxScore: 6, source: 'x' }
    expect(scoreOf(rule, 0.4)).toBe(3)
    expect(scoreOf(rule, 0.95)).toBe(6)
    expect(scoreOf(rule, null)).toBeNull()
    expect(scoreOf({ fullAt: null, maxScore: null, source: 'x' }, 0.5)).toBeNull()
  })

  it('refuses a config missing a code, with a bad fullAt or without a source', () => {
    const good = JSON.parse(readFileSync('config/indicators.json', 'utf8'))
    const without = structuredClone(good)
    delete without.metrics.ON_TIME
    expect(() => parseScores(without)).toThrow(/ON_TIME/)
    const bad = structuredClone(good)
    bad.metrics.ONLINE_INTAKE.fullAt = 1.5
    expect(() => parseScores(bad)).toThrow(/ONLINE_INTAKE/)
    const noSource = structuredClone(good)
    delete noSource.metrics.REUSED_DATA.source
    expect(() => parseScores(noSource)).toThrow(/REUSED_DATA/)
  })

  it('periods are [from, to) of calendar days in Asia/Ho_Chi_Minh', () => {
    expect(vnMidnight('2026-10-01', '/x').toISOString()).toBe('2026-09-30T17:00:00.000Z')
    expect(() => vnMidnight('2026-02-30', '/querystring/from')).toThrow(/calendar day/)
    expect(() => period('2026-11-01', '2026-10-01')).toThrow(/after/)
    expect(currentMonth(new Date('2026-12-31T17:30:00Z'))).toEqual({ from: '2027-01-01', to: '2027-02-01' })
  })

  it('upsert facts: deleted documents are not components; a zero fee is no fee', () => {
    const { eventId: _e, ...d } = dossierBody(1)
    const f = upsertFacts({
      ...d,
      documents: [
        { id: 'a', name: 'A', digitized: true, deleted: true },
        { id: 'b', name: 'B', reused: true },
      ],
      fees: [{ name: 'x', amount: 0 }],
      results: [{ id: 'r', name: 'R', resultCode: 'KQ.G15.000031' }],
    })
    expect(f).toMatchObject({
      component: true,
      digitised: false,
      reused: true,
      nationalWh: false,
      fee: false,
      resultDigitised: true,
      agencyPath: 'H56.06.00.000',
    })
  })
})
