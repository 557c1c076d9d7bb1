import { describe, expect, it } from 'vitest'
import { parseDvcqgReply } from '../../../src/mappings/dvcqg/from-dvcqg.js'
import type { DvcqgOutcome } from '../../../src/mappings/dvcqg/from-dvcqg.js'

const JSON_TYPE = 'application/json; charset=utf-8'
const HTML_502 = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

type Row = [label: string, status: number, contentType: string | undefined, body: unknown, expected: DvcqgOutcome | { kind: DvcqgOutcome['kind'] }]

const rows: Row[] = [
  [
    'error_code 0 (number), parsed',
    200,
    JSON_TYPE,
    { error_code: 0, message: 'Thành công', result: [{ MaHoSo: 'X' }] },
    { kind: 'ok', result: [{ MaHoSo: 'X' }], message: 'Thành công' },
  ],
  ['error_code "0", raw text', 200, JSON_TYPE, '{"error_code":"0","result":[]}', { kind: 'ok', result: [] }],
  ['error_code "00" without result', 200, JSON_TYPE, { error_code: '00', message: '' }, { kind: 'ok', result: [] }],
  [
    'errorCode 0 with an object result (Kho dữ liệu style)',
    200,
    JSON_TYPE,
    { errorCode: 0, message: 'OK', result: { DanhSachGiayToKetQua: [] } },
    { kind: 'ok', result: [{ DanhSachGiayToKetQua: [] }], message: 'OK' },
  ],
  ['JSON sent as text/plain', 200, 'text/plain', '{"error_code":0,"result":[1]}', { kind: 'ok', result: [1] }],
  ['double-encoded JSON', 200, JSON_TYPE, JSON.stringify(JSON.stringify({ error_code: 0, result: [] })), { kind: 'ok', result: [] }],
  ['Buffer body', 200, JSON_TYPE, Buffer.from('{"error_code":"0","result":[]}'), { kind: 'ok', result: [] }],
  ['BOM before JSON', 200, JSON_TYPE, '\uFEFF{"error_code":0}', { kind: 'ok', result: [] }],
  [
    'error_code 1 with "đã tồn tại"',
    200,
    JSON_TYPE,
    { error_code: 1, message: 'Hồ sơ 000.00.06.H56-231027-0361 đã tồn tại trên hệ thống' },
    { kind: 'already_exists', message: 'Hồ sơ 000.00.06.H56-231027-0361 đã tồn tại trên hệ thống' },
  ],
  [
    '"đã tồn tại" in decomposed Unicode and capitals',
    200,
    JSON_TYPE,
    { error_code: '-1', message: 'MÃ HỒ SƠ ĐÃ TỒN TẠI'.normalize('NFD') },
    { kind: 'already_exists' },
  ],
  ['plain text "Cập nhật thành công"', 200, 'text/plain; charset=utf-8', 'Cập nhật thành công', { kind: 'ok', result: [], message: 'Cập nhật thành công' }],
  ['JSON string "Đồng bộ thành công"', 200, JSON_TYPE, '"Đồng bộ thành công"', { kind: 'ok', result: [], message: 'Đồng bộ thành công' }],
  [
    'plain text "Cập nhật không thành công"',
    200,
    'text/plain',
    'Cập nhật không thành công',
    { kind: 'rejected', errorCode: 'TEXT', message: 'Cập nhật không thành công' },
  ],
  ['plain text "thành công" on a 500', 500, 'text/plain', 'Thành công', { kind: 'malformed' }],
  ['HTML 502 page', 502, 'text/html', HTML_502, { kind: 'malformed', message: 'HTTP 502: HTML/XML page instead of JSON (502 Bad Gateway)' }],
  ['HTML without content type', 200, undefined, '<html><body>Maintenance</body></html>', { kind: 'malformed' }],
  [
    'invalid session (Vietnamese)',
    200,
    JSON_TYPE,
    { error_code: 2, message: 'Phiên làm việc không hợp lệ hoặc đã hết hạn' },
    { kind: 'auth', message: 'Phiên làm việc không hợp lệ hoặc đã hết hạn' },
  ],
  ['invalid session (English)', 200, JSON_TYPE, { error_code: '-1', message: 'Invalid session' }, { kind: 'auth' }],
  ['token expired', 200, JSON_TYPE, { error_code: 9, message: 'Token đã hết hạn' }, { kind: 'auth' }],
  ['expired token (English)', 200, JSON_TYPE, { error_code: 9, message: 'Expired access token' }, { kind: 'auth' }],
  ['auth error_code 401 without message', 200, JSON_TYPE, { error_code: '401' }, { kind: 'auth', message: 'error_code 401' }],
  ['HTTP 401 with a JSON body lacking error_code', 401, JSON_TYPE, { message: 'Unauthorized' }, { kind: 'auth', message: 'Unauthorized' }],
  ['HTTP 403 plain text', 403, 'text/plain', 'Forbidden', { kind: 'auth' }],
  [
    '"phiên bản" (version) is not a session error',
    200,
    JSON_TYPE,
    { error_code: 3, message: 'Phiên bản thủ tục không hợp lệ' },
    { kind: 'rejected', errorCode: '3', message: 'Phiên bản thủ tục không hợp lệ' },
  ],
  [
    'business rejection',
    200,
    JSON_TYPE,
    { error_code: -1, message: 'Ngày hẹn trả không đúng định dạng yyyyMMddHHmmss' },
    { kind: 'rejected', errorCode: '-1', message: 'Ngày hẹn trả không đúng định dạng yyyyMMddHHmmss' },
  ],
  [
    'rejection with Message (capital M)',
    200,
    JSON_TYPE,
    { error_code: '5', Message: 'Không tìm thấy hồ sơ' },
    { kind: 'rejected', errorCode: '5', message: 'Không tìm thấy hồ sơ' },
  ],
  ['empty body', 200, JSON_TYPE, '', { kind: 'malformed', message: 'HTTP 200: empty body' }],
  ['whitespace body', 200, undefined, '  \n', { kind: 'malformed', message: 'HTTP 200: empty body' }],
  ['undefined body', 204, undefined, undefined, { kind: 'malformed', message: 'HTTP 204: empty body' }],
  ['JSON null', 200, JSON_TYPE, 'null', { kind: 'malformed' }],
  ['truncated JSON', 200, JSON_TYPE, '{"error_code":0,"res', { kind: 'malformed', message: 'HTTP 200: invalid JSON body' }],
  ['JSON without error_code', 200, JSON_TYPE, { status: 'ok' }, { kind: 'malformed', message: 'HTTP 200: JSON reply without error_code' }],
  ['JSON array', 200, JSON_TYPE, [{ error_code: 0 }], { kind: 'malformed' }],
  ['unrecognised plain text', 200, 'text/plain', 'Service Unavailable', { kind: 'malformed' }],
  ['a number', 200, JSON_TYPE, 42, { kind: 'malformed' }],
]

describe('parseDvcqgReply', () => {
  it.each(rows)('%s', (_label, status, contentType, body, expected) => {
    const outcome = parseDvcqgReply(status, contentType, body)
    if (Object.keys(expected).length === 1) expect(outcome.kind).toBe(expected.kind)
    else expect(outcome).toEqual(expected)
  })

  it('clips very long portal messages', () => {
    const outcome = parseDvcqgReply(200, JSON_TYPE, { error_code: 7, message: 'x'.repeat(5000) })
    expect(outcome.kind).toBe('rejected')
    expect(outcome.message?.length).toBeLessThanOrEqual(501)
  })
})
