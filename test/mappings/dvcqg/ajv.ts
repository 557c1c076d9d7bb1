import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import ajvFormats from 'ajv-formats'
import { registerHubFormats } from '../../../src/validation/text.js'

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats) as unknown as (ajv: Ajv) => Ajv

/** A strict ajv with formats (the standard ones and the hub's own text rules), as close as possible to Fastify's. */
export function createAjv(): Ajv {
  return registerHubFormats(addFormats(new Ajv({ allErrors: true, strict: true })))
}

export function compileFile(ajv: Ajv, url: URL): ValidateFunction {
  return ajv.compile(JSON.parse(readFileSync(url, 'utf8')) as object)
}

/** Readable ajv errors for a failing assertion. */
export function errorsOf(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')
}
