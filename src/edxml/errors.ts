import { HubError, type HubErrorCode } from '../errors.js'

/** The `HUB_ERR_EDXML_*` codes (declared in src/errors.ts). */
export type EdxmlErrorCode = Extract<HubErrorCode, `HUB_ERR_EDXML_${string}`>

/**
 * A message refused by the edXML parser or builder. `element` is the path of the element at
 * fault (`/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId`, `/` before the root),
 * also reported as the problem's field, so an operator sees which element broke which rule.
 */
export class EdxmlError extends HubError {
  declare readonly code: EdxmlErrorCode
  constructor(
    code: EdxmlErrorCode,
    readonly element: string,
    message: string,
    opts: { cause?: unknown; line?: number } = {},
  ) {
    const where = opts.line === undefined ? element : `${element} (line ${opts.line})`
    super(code, `${message} at ${where}`, { errors: [{ field: element, message }], cause: opts.cause })
    this.name = 'EdxmlError'
  }
}

export function isEdxmlError(err: unknown): err is EdxmlError {
  return err instanceof EdxmlError
}
