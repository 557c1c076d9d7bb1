/** A value that cannot be translated to (or from) a national format. Never retried. */
export class MappingError extends Error {
  readonly code = 'HUB_ERR_MAPPING'
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
    this.name = 'MappingError'
  }
}
