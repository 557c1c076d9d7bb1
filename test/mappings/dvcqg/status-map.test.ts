import { describe, expect, it } from 'vitest'
import { isTerminalStatus, parseStatusMap, toNationalStatus } from '../../../src/mappings/dvcqg/status-map.js'
import { readJson, repoRoot } from './run-case.js'

describe('parseStatusMap', () => {
  it('accepts the shipped config/status-map.json and covers every national code', () => {
    const map = parseStatusMap(readJson(new URL('config/status-map.json', repoRoot)))
    expect(new Set(map.values())).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    expect(toNationalStatus(map, 'DA_TIEP_NHAN')).toBe(2)
    expect(toNationalStatus(map, 'DA_TRA_KET_QUA')).toBe(10)
    expect(toNationalStatus(map, '0')).toBe(1)
  })

  it('skips $-prefixed documentation keys', () => {
    const map = parseStatusMap({ $comment: 'docs', $schema: 'x', MOI: 1 })
    expect([...map.keys()]).toEqual(['MOI'])
  })

  it.each([
    ['zero', { OK: 2, BAD: 0 }, 'BAD'],
    ['eleven', { BAD: 11 }, 'BAD'],
    ['fraction', { BAD: 2.5 }, 'BAD'],
    ['numeric string', { BAD: '4' }, 'BAD'],
    ['null', { BAD: null }, 'BAD'],
    ['object', { BAD: { code: 4 } }, 'BAD'],
    ['blank key', { ' ': 4 }, '" "'],
    ['key with spaces', { ' DA_TIEP_NHAN': 2 }, 'DA_TIEP_NHAN'],
  ])('rejects %s and names the key', (_label, json, key) => {
    expect(() => parseStatusMap(json)).toThrow(key)
  })

  it.each([
    ['an array', [1, 2]],
    ['null', null],
    ['a string', 'MOI=1'],
    ['an empty object', {}],
    ['only comments', { $comment: 'nothing' }],
  ])('rejects %s as a whole', (_label, json) => {
    expect(() => parseStatusMap(json)).toThrow(/status map/)
  })

  it('looks codes up exactly: no case folding, no prototype keys', () => {
    const map = parseStatusMap({ DA_TIEP_NHAN: 2 })
    expect(toNationalStatus(map, 'da_tiep_nhan')).toBeUndefined()
    expect(toNationalStatus(map, 'constructor')).toBeUndefined()
    expect(toNationalStatus(map, '__proto__')).toBeUndefined()
  })
})

describe('isTerminalStatus', () => {
  it.each([
    [1, false],
    [2, false],
    [3, true],
    [4, false],
    [5, false],
    [6, false],
    [7, true],
    [8, false],
    [9, false],
    [10, true],
  ])('%i → %s', (code, terminal) => {
    expect(isTerminalStatus(code)).toBe(terminal)
  })
})
