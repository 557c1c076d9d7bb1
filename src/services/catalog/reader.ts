/**
 * What other capabilities may ask of the national catalog (the catalog capability
 * implements it; dossiers and the warehouse receive it at construction, never a
 * table of their own to query).
 */
export interface CatalogReader {
  /**
   * Throws HUB_ERR_UNKNOWN_CODE, naming each field, when the procedure or a component's
   * document code is not in the synced catalog. Passes while the catalog is empty
   * (never synced): the portal then judges the codes itself.
   */
  checkDossierCodes(procedureCode: string, componentCodes: readonly (string | undefined)[], resultCodes?: readonly (string | undefined)[]): Promise<void>
  /**
   * Throws HUB_ERR_UNKNOWN_CODE naming `/body/documentCode` or `/body/resultCode` when a
   * warehouse document's code is in no active procedure of the synced catalog; passes while
   * the catalog was never synced.
   */
  checkDocumentCodes(documentCode: string | undefined, resultCode: string | undefined): Promise<void>
  /** Document and result codes that may stand in for a procedure's components (warehouse reuse). */
  reusableCodes(procedureCode: string): Promise<{ inCatalog: boolean; documentCodes: string[]; resultCodes: string[] }>
}
