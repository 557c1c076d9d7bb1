import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import ajvFormats from 'ajv-formats'

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats) as unknown as (ajv: Ajv) => Ajv

/** A strict ajv with formats, as close as possible to Fastify's. */
export function createAjv(): Ajv {
  return addFormats(new Ajv({ allErrors: true, strict: true }))
}

export function compileFile(ajv: Ajv, url: URL): ValidateFunction {
  return ajv.compile(JSON.parse(readFileSync(url, 'utf8')) as object)
}

/** Readable ajv errors for a failing assertion. */
export function errorsOf(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')
}
