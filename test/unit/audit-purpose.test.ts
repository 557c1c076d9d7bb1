import { describe, expect, it } from 'vitest'
import { HubError } from '../../src/errors.js'
import { DEFAULT_PURPOSES, auditBeforeServing, purposeCatalogue, requirePurpose } from '../../src/audit/purpose.js'
import { csvField, subjectCsv, subjectId } from '../../src/audit/subjects.js'
import { ConfigSchema } from '../../src/config/schema.js'
import { captureLogger } from '../helpers/logs.js'
import type { AuditEntry } from '../../src/audit/index.js'

const catalogue = purposeCatalogue('TTHC,KIEM-TRA-HO-SO, THANH-TRA ,')
const refusal = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return { code: (e as HubError).code, status: (e as HubError).status, error: (e as HubError).errors?.[0] }
  }
  return undefined
}

describe('purpose rule', () => {
  it('the configured default is the documented catalogue', () => {
    expect(ConfigSchema.properties.AUDIT_PURPOSES.default).toBe(
      'TTHC,KIEM-TRA-HO-SO,XAC-MINH-DANH-TINH,TAI-SU-DUNG-GIAY-TO,HO-TRO-CONG-DAN,THANH-TRA,YEU-CAU-CHU-THE',
    )
    expect(DEFAULT_PURPOSES.join(',')).toBe(ConfigSchema.properties.AUDIT_PURPOSES.default)
    expect(ConfigSchema.properties.AUDIT_DEGRADED_MODE.default).toBe('refuse')
  })

  it('accepts dossier codes and catalogue codes, trimmed', () => {
    expect([...catalogue]).toEqual(['TTHC', 'KIEM-TRA-HO-SO', 'THANH-TRA'])
    expect(requirePurpose('000.00.06.H56-231027-0361', catalogue)).toBe('000.00.06.H56-231027-0361')
    expect(requirePurpose(' TTHC ', catalogue)).toBe('TTHC')
    expect(requirePurpose('THANH-TRA', catalogue)).toBe('THANH-TRA')
  })

  it('refuses free text, identifiers, unknown or lower-case codes and impossible dossier dates, naming the field', () => {
    for (const p of ['kiem tra', '001099012345', 'tthc', 'TTHC: ho so ong A', 'XAC-MINH-DANH-TINH', '000.00.06.H56-231327-0361', 'x'.repeat(300)]) {
      expect(
        refusal(() => requirePurpose(p, catalogue)),
        p,
      ).toEqual({
        code: 'HUB_ERR_VALIDATION',
        status: 400,
        error: expect.objectContaining({ field: '/headers/x-purpose', rule: 'HUB_PURPOSE_FORMAT' }),
      })
    }
    for (const p of [undefined, '', '   '])
      expect(refusal(() => requirePurpose(p, catalogue))?.error).toMatchObject({ field: '/headers/x-purpose', rule: 'HUB_PURPOSE_REQUIRED' })
  })
})

describe('auditBeforeServing', () => {
  const entry: AuditEntry = { clientId: 'c', service: 'citizens', action: 'citizen.lookup', subjectId: '001099012345', outcome: 'found', requestId: 'r-1' }
  const down = { write: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) }

  it('resolves once the write is done', async () => {
    const written: AuditEntry[] = []
    await auditBeforeServing({ write: async (e) => void written.push(e) }, entry, { mode: 'refuse', logger: captureLogger().logger })
    expect(written).toEqual([entry])
  })

  it('refuse: 503 HUB_ERR_AUDIT_UNAVAILABLE with Retry-After; the log names no subject', async () => {
    const logs = captureLogger()
    const err = (await auditBeforeServing(down, entry, { mode: 'refuse', logger: logs.logger }).catch((e: unknown) => e)) as HubError
    expect(err).toBeInstanceOf(HubError)
    expect({ code: err.code, status: err.status, retryAfter: err.retryAfter }).toEqual({ code: 'HUB_ERR_AUDIT_UNAVAILABLE', status: 503, retryAfter: 5 })
    expect(logs.text()).not.toContain('001099012345')
  })

  it('serve-and-log: resolves, and an error line says the answer was served unaudited', async () => {
    const logs = captureLogger()
    await auditBeforeServing(down, entry, { mode: 'serve-and-log', logger: logs.logger })
    const line = logs.lines().find((l) => l['unaudited'] === true)
    expect(line).toMatchObject({ level: 'error', requestId: 'r-1', service: 'citizens', action: 'citizen.lookup' })
    expect(String(line?.['msg'])).toContain('SERVED UNAUDITED')
    expect(logs.text()).not.toContain('001099012345')
  })
})

describe('data-subject report helpers', () => {
  it('checks the identifier by its type', () => {
    expect(subjectId('mst', '0100109106')).toBe('0100109106')
    expect(refusal(() => subjectId('cccd', '12345'))).toMatchObject({ code: 'HUB_ERR_BAD_IDENTIFIER', error: { field: '/params/idNumber' } })
  })

  it('CSV fields follow RFC 4180 and never start a formula', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField(undefined)).toBe('')
    expect(csvField(200)).toBe('200')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvField('-1+2')).toBe("'-1+2")
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(subjectCsv([{ id: '7', at: '2026-12-01T00:00:00.000Z', clientId: 'c', service: 's', action: 'a', outcome: 'found', status: 200 }])).toBe(
      'id,at,clientId,service,action,purpose,outcome,status,requestId,upstream\r\n7,2026-12-01T00:00:00.000Z,c,s,a,,found,200,,\r\n',
    )
  })
})

describe('auditBeforeServing deadline', () => {
  it('a write that never answers is refused after the deadline', async () => {
    const hung = { write: () => new Promise<void>(() => undefined) }
    const entry: AuditEntry = { clientId: 'c', service: 'warehouse', action: 'document', outcome: 'found' }
    const started = Date.now()
    const err = (await auditBeforeServing(hung, entry, { mode: 'refuse', logger: captureLogger().logger, timeoutMs: 50 }).catch((e: unknown) => e)) as HubError
    expect(err.code).toBe('HUB_ERR_AUDIT_UNAVAILABLE')
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })
})
