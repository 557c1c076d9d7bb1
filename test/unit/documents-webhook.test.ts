import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signWebhook } from '../../src/services/documents/webhook.js'

describe('document webhook signature', () => {
  it('is HMAC-SHA256 over "<unix seconds>.<body>" with the timestamp in the header', () => {
    const body = '{"event":"document.received","id":"x"}'
    const header = signWebhook('s3cret', body, Date.UTC(2026, 11, 1, 0, 0, 0, 500))
    const t = Date.UTC(2026, 11, 1) / 1000
    // Computed here with node:crypto directly, as a receiver would.
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', 's3cret').update(`${t}.${body}`).digest('hex')}`)
    expect(signWebhook('other', body, Date.UTC(2026, 11, 1))).not.toBe(header)
  })
})
