import { describe, expect, it } from 'vitest'
import { csvObjects, parseCsv, parseInventory, validateRows } from '../../../src/services/digitisation/import/manifest.js'

const ROW = { file: 'a.pdf', documentId: 'd-1', ownerId: '056085001701', documentCode: 'GT.KS.001', pages: '2' }

describe('backlog import manifest', () => {
  it('reads RFC 4180 CSV: quoted commas and quotes, CRLF, a BOM, a missing final newline', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n1,2')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', '2'],
    ])
    expect(csvObjects('file,title,pages\na.pdf,,3\n')).toEqual([{ file: 'a.pdf', pages: '3' }])
  })

  it('validates each row: pages coerced, missing fields and unsafe paths named with their row', () => {
    const [ok, noPages, escape, absolute, extra] = validateRows([
      ROW,
      { ...ROW, pages: undefined },
      { ...ROW, file: '../etc/passwd' },
      { ...ROW, file: '/etc/passwd' },
      { ...ROW, colour: 'blue' },
    ])
    expect(ok).toEqual({ row: 1, ok: true, value: { ...ROW, pages: 2 } })
    expect(noPages).toMatchObject({ row: 2, ok: false, error: { rule: 'HUB_IMPORT_PAGES', field: '/pages', documentId: 'd-1' } })
    expect(escape).toMatchObject({ row: 3, ok: false, error: { rule: 'HUB_IMPORT_FILE', field: '/file' } })
    expect(absolute).toMatchObject({ row: 4, ok: false, error: { rule: 'HUB_IMPORT_FILE', field: '/file' } })
    expect(extra).toMatchObject({ row: 5, ok: false, error: { rule: 'HUB_IMPORT_ROW', field: '/colour' } })
  })

  it('reads a declared inventory and skips rows that are not agencyCode,pages,documents', () => {
    expect(parseInventory('agencyCode,pages,documents\n000.00.06.H56,300,100\nbad,x,1\n')).toEqual([
      { agencyCode: '000.00.06.H56', pages: 300, documents: 100 },
    ])
  })
})
