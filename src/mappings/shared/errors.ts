/**
 * A mapping could not translate its input (unparseable date, unmapped code …).
 * Permanent by nature: retrying the same input gives the same error, so delivery
 * code must park rather than retry. Messages never carry personal data.
 */
export class MappingError extends Error {
  readonly code = 'HUB_ERR_MAPPING' as const
  /** Path of the offending input field, e.g. `status`, `receivedAt`, `step`. */
  readonly field: string

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MappingError'
    this.field = field
  }
}

export function isMappingError(err: unknown): err is MappingError {
  return err instanceof MappingError
}
