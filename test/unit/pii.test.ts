import { describe, expect, it } from 'vitest'
import { maskText, redact } from '../../src/pii.js'
import { captureLogger } from '../helpers/logs.js'

describe('personal data masking', () => {
  it('masks identity-shaped numbers, e-mails and credentials in free text', () => {
    const s = maskText('CCCD 001090123456, CMND 123456789, BHXH 0123456789, tel 0912345678, mst 0101234567-001, mail an.nguyen@example.vn, Bearer abc.def')
    for (const clear of ['001090123456', '123456789', '0123456789', '0912345678', '0101234567', 'an.nguyen@', 'abc.def']) expect(s).not.toContain(clear)
    expect(s).toContain('**********56')
  })

  it('leaves ids that are not personal (UUIDs, hex request ids, short numbers) alone', () => {
    expect(maskText('req 11271849-017a-4eb9-a8b9-5ceb632da9c9 took 1234 ms')).toBe('req 11271849-017a-4eb9-a8b9-5ceb632da9c9 took 1234 ms')
  })

  it('masks values under personal-data keys at any depth and removes secrets', () => {
    const out = redact({ applicant: { name: 'Nguyễn Văn An', idNumber: '001090123456' }, HoVaTen: { Ho: 'Nguyễn', Ten: 'An' }, password: 'p@ss', nested: [{ SoDinhDanh: '001090123456' }] }) as Record<string, unknown>
    const json = JSON.stringify(out)
    for (const clear of ['Nguyễn', 'An"', '001090123456', 'p@ss']) expect(json).not.toContain(clear)
    expect(json).toContain('[secret]')
  })

  it('a logged error message is masked too', () => {
    const cap = captureLogger()
    cap.logger.error(new Error('no citizen 001090123456 in the population database'))
    cap.logger.warn({ err: new Error('upstream said 001090123456') }, 'lookup failed')
    expect(cap.text()).not.toContain('001090123456')
    expect(cap.lines()).toHaveLength(2)
  })
})
