import { describe, expect, it } from 'vitest'
import { MAX_LOGGED_CHARS, maskText, redact, serializeError, truncateText } from '../../src/pii.js'
import { captureLogger } from '../helpers/logs.js'
import { bestMs } from '../helpers/timing.js'

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
    const out = redact({
      applicant: { name: 'Nguyễn Văn An', idNumber: '001090123456' },
      HoVaTen: { Ho: 'Nguyễn', Ten: 'An' },
      password: 'p@ss',
      nested: [{ SoDinhDanh: '001090123456' }],
    }) as Record<string, unknown>
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

  it('masks passports: a letter (or two) + 7–8 digits in text, any value under passport keys; ordinary ids stay', () => {
    const s = maskText('hộ chiếu C1234567, passport AB12345678, cũ B7654321; ticket H56-231027, build v2, order 1234567')
    for (const clear of ['C1234567', 'AB12345678', 'B7654321']) expect(s).not.toContain(clear)
    expect(s).toContain('C*****67')
    expect(s).toContain('H56-231027')
    expect(s).toContain('order 1234567')
    const json = JSON.stringify(redact({ passportNumber: 'X9Y8Z7W6', soHoChieu: 'N1234567', traveller: { passport: 'PA123456' } }))
    for (const clear of ['X9Y8Z7W6', 'N1234567', 'PA123456']) expect(json).not.toContain(clear)
  })

  it('masks e-mail addresses without rescanning (the local part is found from the @)', () => {
    expect(maskText('write to an.nguyen@example.vn or b@x.org today')).toBe('write to a***@example.vn or b***@x.org today')
    expect(maskText('handle @mention and a@b without a domain')).toBe('handle @mention and a@b without a domain')
  })

  it('every masking pattern answers a 1 MB adversarial string in < 100 ms', () => {
    const MB = 1_048_576
    const inputs = {
      'no @ (quadratic for the old e-mail pattern)': 'a'.repeat(MB),
      'local-part characters and one late @': 'a.'.repeat(MB / 2) + '@',
      'many @ with dotted domains, no TLD': '@a.1'.repeat(MB / 4),
      'digit runs': '0123456789 '.repeat(MB / 11),
      'Bearer without token': 'Bearer     '.repeat(MB / 11),
      'passport-like runs': 'C1234567x'.repeat(MB / 9),
    }
    for (const [label, input] of Object.entries(inputs)) {
      maskText(input.slice(0, 10_000))
      expect(maskText(input).length, label).toBeLessThan(MAX_LOGGED_CHARS + 64)
      // Best of three, each the smaller of wall and CPU time (test/helpers/timing.ts): a busy
      // shared machine stretches wall time; a backtracking pattern is slow on every run.
      expect(
        bestMs(() => maskText(input)),
        label,
      ).toBeLessThan(100)
      // The patterns themselves are linear: the whole megabyte, untruncated, is still fast.
      expect(
        bestMs(() => maskText(input, Infinity)),
        `${label} (untruncated)`,
      ).toBeLessThan(500)
    }
  })

  it('long text is truncated with a length marker, never cutting an identifier in two', () => {
    const text = 'x'.repeat(MAX_LOGGED_CHARS - 5) + ' 001090123456 tail'
    const out = truncateText(text)
    expect(out).toBe(`${'x'.repeat(MAX_LOGGED_CHARS - 5)} …[+${text.length - (MAX_LOGGED_CHARS - 4)} chars]`)
    expect(maskText(text)).not.toMatch(/0010901/)
    expect(truncateText('short')).toBe('short')
  })

  it('an error is reduced to type, code, message and stack, with at most two causes; own properties are dropped', () => {
    const root = Object.assign(new Error('root 001090123456'), { code: 'E_ROOT', params: ['Lê Văn Tám'] })
    const chain = new Error('top', { cause: new Error('middle', { cause: new Error('bottom', { cause: root }) }) })
    const withProps = Object.assign(chain, { config: { data: { name: 'Lê Văn Tám' } }, response: { body: 'Lê Văn Tám' } })
    const out = serializeError(withProps)
    expect(Object.keys(out).sort()).toEqual(['cause', 'message', 'stack', 'type'])
    expect(out).toMatchObject({ type: 'Error', message: 'top', cause: { message: 'middle', cause: { message: 'bottom', cause: '[more causes]' } } })
    expect(JSON.stringify(out)).not.toContain('Lê Văn Tám')
    expect(serializeError(new Error('x', { cause: { name: 'Lê Văn Tám' } }))['cause']).toBe('[object]')
    // Anywhere in a logged object, not only under `err`.
    const nested = JSON.stringify(redact({ job: { failures: [root] } }))
    expect(nested).not.toContain('Lê Văn Tám')
    expect(nested).not.toContain('001090123456')
    expect(nested).toContain('"code":"E_ROOT"')
  })
})
