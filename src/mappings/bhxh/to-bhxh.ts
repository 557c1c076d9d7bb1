import { NS_BHXH } from './from-bhxh.js'

/** Requests to BHXH's TraCuuQuaTrinhThamGia (bhxh.wsdl): node-soap arguments and the raw XML of the contract. */
// ---------------------------------------------------------------- XML of the contract

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const leaf = (name: string, v: string | undefined): string => (v === undefined ? '' : `<bh:${name}>${esc(v)}</bh:${name}>`)
const envelope = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`

/** Key of a lookup: the 10-digit BHXH number or the 12-digit CCCD. */
export type BhxhLookupKey = { readonly bhxhNumber: string } | { readonly idNumber: string }

/** Arguments of `TraCuuQuaTrinhThamGia` for a node-soap client built from `bhxh.wsdl`. */
export function toBhxhArgs(key: BhxhLookupKey, requestId: string, unitCode: string): Record<string, string> {
  return 'bhxhNumber' in key
    ? { MaYeuCau: requestId, MaDonVi: unitCode, MaSoBHXH: key.bhxhNumber }
    : { MaYeuCau: requestId, MaDonVi: unitCode, SoDinhDanh: key.idNumber }
}

/** The request element (SOAP body content). */
export function buildBhxhRequestBody(key: BhxhLookupKey, requestId: string, unitCode: string): string {
  const inner = Object.entries(toBhxhArgs(key, requestId, unitCode))
    .map(([k, v]) => leaf(k, v))
    .join('')
  return `<bh:TraCuuQuaTrinhThamGiaRequest xmlns:bh="${NS_BHXH}">${inner}</bh:TraCuuQuaTrinhThamGiaRequest>`
}

/** The full SOAP request envelope. */
export function buildBhxhRequestXml(key: BhxhLookupKey, requestId: string, unitCode: string): string {
  return envelope(buildBhxhRequestBody(key, requestId, unitCode))
}
