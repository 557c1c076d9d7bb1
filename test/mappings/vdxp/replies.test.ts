import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MalformedVdxpReply, facadeDay, readAgencies, readEdoc, readEdocList, readSentDocId } from '../../../src/mappings/vdxp/from-vdxp.js'

const f = JSON.parse(readFileSync(new URL('./cases/replies.json', import.meta.url), 'utf8')) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('VDXP façade replies (fixtures)', () => {
  it('reads the received list', () => expect(readEdocList(f['list'].reply)).toEqual(f['list'].expected))
  it('getEdoc: base64 edxml (stray bytes kept) and attachments decoded', () => {
    const d = readEdoc('d-1', f['getEdocBase64'].reply)
    expect(d.edxml.toString('utf8')).toBe(f['getEdocBase64'].edxmlText)
    expect(d.attachments[0]!.content.toString('latin1')).toBe(f['getEdocBase64'].attachment)
  })
  it('getEdoc: edxml given as text', () => expect(readEdoc('d', f['getEdocText'].reply).edxml.toString()).toBe(f['getEdocText'].edxmlText))
  it('sendEdoc: the DocID wherever it sits', () => {
    for (const c of f['sent']) expect(readSentDocId(c.reply)).toBe(c.docId)
  })
  it('agencies: locked ones inactive', () => expect(readAgencies(f['agencies'].reply)).toEqual(f['agencies'].expected))
  it('the façade day is the Vietnam calendar day', () => {
    for (const c of f['facadeDay']) expect(facadeDay(Date.parse(c.utc))).toBe(c.day)
  })
  it('unreadable replies are MalformedVdxpReply', () => {
    expect(() => readEdocList({ data: 'x' })).toThrow(MalformedVdxpReply)
    expect(() => readEdocList({ data: [{ from: 'a' }] })).toThrow(MalformedVdxpReply)
    expect(() => readEdoc('d', { data: {} })).toThrow(MalformedVdxpReply)
    expect(() => readSentDocId({ status: 'OK' })).toThrow(MalformedVdxpReply)
  })
})
