import type { CivilStatusModule } from './from-civil-status.js'

/** Requests to the civil-status contract (docs/contracts/civil-status.md). */

/** The request body of the contract: by the subject's personal id or by registration number. */
export function toCivilStatusRequest(
  module: CivilStatusModule,
  key: { readonly idNumber: string } | { readonly registrationNumber: string; readonly registrarCode: string },
  requestId: string,
): Record<string, string> {
  return 'idNumber' in key
    ? { module, soDinhDanh: key.idNumber, maYeuCau: requestId }
    : { module, soDangKy: key.registrationNumber, maCoQuanDangKy: key.registrarCode, maYeuCau: requestId }
}
