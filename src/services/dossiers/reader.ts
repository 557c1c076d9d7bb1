/** What other capabilities may ask about dossiers (the dossier capability implements it). */
export interface DossierReader {
  /** The agency of a dossier the hub holds; undefined when it holds none. */
  agencyOf(dossierCode: string): Promise<string | undefined>
}
