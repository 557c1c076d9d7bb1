import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { classifyVdxpReply, describeVdxpOutcome } from '../../../src/mappings/vdxp/errors.js'

interface Case {
  reply: unknown
  kind: string
  reason: string
  description?: string
}
const fixture = JSON.parse(readFileSync(new URL('./cases/error-codes.json', import.meta.url), 'utf8')) as { cases: Case[] }

describe('VDXP façade result codes (fixture from NATIONAL-ENDPOINTS §4)', () => {
  for (const c of fixture.cases) {
    it(`${JSON.stringify(c.reply)} → ${c.kind} ${c.reason}`, () => {
      const o = classifyVdxpReply(c.reply)
      expect(o.kind).toBe(c.kind)
      expect(o.reason).toBe(c.reason)
      if (c.description) expect(o.description).toBe(c.description)
    })
  }

  it('the five permanent refusals of the issue are exactly 10, 18, 19, 22, 23', () => {
    const permanent = ['0', '10', '15', '18', '19', '20', '21', '22', '23'].filter((code) => classifyVdxpReply({ errorCode: code }).kind === 'permanent')
    expect(permanent).toEqual(['10', '18', '19', '22', '23'])
  })

  it('describes an outcome in one line with the axis text', () => {
    expect(describeVdxpOutcome(classifyVdxpReply({ errorCode: 18, errorDesc: 'khong ton tai' }))).toBe(
      '18 unknown_receiver: the receiving unit does not exist (axis: khong ton tai)',
    )
  })
})
