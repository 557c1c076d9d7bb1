import type { HandlerResult } from '../framework.js'

/**
 * The provincial LGSP REST façade's answers (NATIONAL-ENDPOINTS §4): every answer is a
 * JSON envelope `{status: "OK"|"FAIL", errorCode, errorDesc, data}`; `errorCode` is
 * the façade's code (0 ok, 10 invalid file, 15 wrong SystemId/SecretKey, 18 receiving
 * unit does not exist, 19 sending unit not registered, 20 LGSP system error, 21
 * file-processing error, 22 edXML not in the required format, 23 receiving unit locked).
 */

export const ERROR_CODES = [10, 15, 18, 19, 20, 21, 22, 23] as const
export type VdxpErrorCode = (typeof ERROR_CODES)[number]

export const ERROR_DESC: Record<VdxpErrorCode, string> = {
  10: 'File không hợp lệ',
  15: 'Sai SystemId hoặc SecretKey',
  18: 'Đơn vị nhận không tồn tại',
  19: 'Đơn vị gửi chưa được đăng ký',
  20: 'Lỗi hệ thống LGSP',
  21: 'Lỗi xử lý file',
  22: 'edXML không đúng định dạng',
  23: 'Đơn vị nhận đang bị khóa',
}

export interface Envelope<T = unknown> {
  status: 'OK' | 'FAIL'
  errorCode: number
  errorDesc: string
  data: T | null
}

export const OK = <T>(data: T, outcome = 'accepted'): HandlerResult => ({
  body: { status: 'OK', errorCode: 0, errorDesc: '', data } satisfies Envelope<T>,
  outcome,
})

/** A refusal with the façade's code; HTTP 200 unless the request itself was malformed (400) or named nothing known (404). */
export const FAIL = (code: VdxpErrorCode, detail?: string, httpStatus = 200): HandlerResult => {
  const errorDesc = detail ? `${ERROR_DESC[code]}: ${detail}` : ERROR_DESC[code]
  return { status: httpStatus, body: { status: 'FAIL', errorCode: code, errorDesc, data: null } satisfies Envelope, outcome: `rejected: ${code} ${errorDesc}` }
}

/** A missing, unknown or expired bearer token (§6: the client refreshes once on 401). */
export const UNAUTHORIZED: HandlerResult = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  body: { error: 'invalid_token', error_description: 'Access token is missing, unknown or expired' },
  outcome: 'rejected: invalid_token',
}

/** One row of `syncReceivedEdocList` and `getSentEdocList`. */
export interface EdocListItem {
  docId: string
  from: string
  to: string
  status: string
  statusDesc: string
  createdTime: string
  updatedTime: string
}

/** `getEdoc`'s data. */
export interface EdocPayload {
  docId: string
  /** The edXML file exactly as the sender sent it, base64. */
  edxml: string
  from: string
  fromName: string
  edocCode: string
  edocAbstract: string
  attachments: { fileName: string; fileContent: string }[]
}
