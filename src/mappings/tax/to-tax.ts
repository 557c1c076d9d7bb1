/** Requests to the tax authority's taxpayer-status contract (docs/contracts/tax.md). */

/** The request body of the contract. */
export function toTaxpayerStatusRequest(taxCode: string, requestId: string, unitCode: string): { mst: string; maYeuCau: string; maDonVi: string } {
  return { mst: taxCode, maYeuCau: requestId, maDonVi: unitCode }
}
