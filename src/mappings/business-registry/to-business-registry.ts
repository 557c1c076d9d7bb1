/** Requests to the business registry contract (docs/contracts/business-registry.md). */

/** The request body of the contract. */
export function toBusinessRegistryRequest(taxCode: string): { type: 'ChiTietDoanhNghiep'; msdn: string } {
  return { type: 'ChiTietDoanhNghiep', msdn: taxCode }
}
