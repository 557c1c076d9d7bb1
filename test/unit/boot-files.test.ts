import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config/load.js'
import { loadMaps } from '../../src/config/maps.js'
import { loadTrustAnchors } from '../../src/documents/trust-anchors.js'

/** Files named by configuration are read at boot; a bad one is the one-line config error (exit 78), naming its variable. */
describe('configuration files read at boot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-boot-files-'))
  const file = (name: string, text: string) => {
    const p = join(dir, name)
    writeFileSync(p, text)
    return p
  }
  const configError = (fn: () => unknown): ConfigError => {
    try {
      fn()
    } catch (e) {
      if (e instanceof ConfigError) return e
      throw e
    }
    throw new Error('expected a ConfigError')
  }

  it('loads the shipped status map and an optional procedure-code map', () => {
    const maps = loadMaps({ STATUS_MAP_FILE: 'config/status-map.json', PROCEDURE_CODE_MAP_FILE: file('codes.json', '{"P-01": "1.001234"}') })
    expect(maps.status.size).toBeGreaterThan(0)
    expect(maps.procedureCodes).toEqual({ 'P-01': '1.001234' })
  })

  it('a missing, non-JSON or ill-formed status map names STATUS_MAP_FILE', () => {
    expect(configError(() => loadMaps({ STATUS_MAP_FILE: join(dir, 'absent.json'), PROCEDURE_CODE_MAP_FILE: '' })).variable).toBe('STATUS_MAP_FILE')
    expect(configError(() => loadMaps({ STATUS_MAP_FILE: file('bad.json', '{ nope'), PROCEDURE_CODE_MAP_FILE: '' })).message).toMatch(
      /^STATUS_MAP_FILE: .* is not JSON/,
    )
    const e = configError(() => loadMaps({ STATUS_MAP_FILE: file('range.json', '{"DA_TIEP_NHAN": 42}'), PROCEDURE_CODE_MAP_FILE: '' }))
    expect(e.variable).toBe('STATUS_MAP_FILE')
    expect(e.message).toContain('DA_TIEP_NHAN')
  })

  it('a procedure-code map that is not an object of codes names PROCEDURE_CODE_MAP_FILE', () => {
    const e = configError(() => loadMaps({ STATUS_MAP_FILE: 'config/status-map.json', PROCEDURE_CODE_MAP_FILE: file('list.json', '["1.001234"]') }))
    expect(e.variable).toBe('PROCEDURE_CODE_MAP_FILE')
    expect(
      configError(() => loadMaps({ STATUS_MAP_FILE: 'config/status-map.json', PROCEDURE_CODE_MAP_FILE: file('empty.json', '{"P-01": ""}') })).message,
    ).toContain('"P-01"')
  })

  it('an unreadable or certificate-less trust-anchor file names WAREHOUSE_TRUST_ANCHORS_FILE', () => {
    const base = { DATA_DIR: dir, NODE_ENV: 'test' as const }
    expect(configError(() => loadTrustAnchors({ ...base, WAREHOUSE_TRUST_ANCHORS_FILE: join(dir, 'absent.pem') })).variable).toBe(
      'WAREHOUSE_TRUST_ANCHORS_FILE',
    )
    expect(configError(() => loadTrustAnchors({ ...base, WAREHOUSE_TRUST_ANCHORS_FILE: file('none.pem', 'not a certificate') })).message).toContain(
      'holds no PEM certificate',
    )
  })
})
