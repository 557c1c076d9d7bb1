import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'
import { ConfigSchema, type HubConfig } from './schema.js'

/** Thrown when configuration is invalid; `message` is one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message)
    this.name = 'ConfigError'
  }
}

const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: false, strict: false })
const validate = ajv.compile<HubConfig>(ConfigSchema)
const KEYS = Object.keys(ConfigSchema.properties) as (keyof HubConfig)[]

function describe(key: string): { description: string; secret: boolean } {
  const prop = (ConfigSchema.properties as Record<string, { description?: string; secret?: boolean }>)[key]
  return { description: prop?.description ?? '', secret: prop?.secret === true }
}

function explain(err: ErrorObject, input: Record<string, unknown>): ConfigError {
  const key = err.instancePath.replace(/^\//, '').split('/')[0] || String(err.params['missingProperty'] ?? '')
  if (err.keyword === 'additionalProperties') {
    const extra = String(err.params['additionalProperty'])
    return new ConfigError(extra, `config error: ${extra} is not a known setting (see README, Configuration)`)
  }
  const { description, secret } = describe(key)
  const raw = input[key]
  const got = raw === undefined ? 'nothing' : secret ? 'a value (hidden)' : JSON.stringify(raw)
  return new ConfigError(key, `config error: ${key} is invalid (${err.message ?? 'bad value'}): ${description}; got ${got}`)
}

/**
 * Builds the configuration from an optional JSON file (`HUB_CONFIG_FILE`) overlaid
 * by environment variables. Only the schema's keys are read from the environment;
 * empty strings count as unset so `FOO=` does not override a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  let fromFile: Record<string, unknown> = {}
  const file = env['HUB_CONFIG_FILE']
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    } catch (e) {
      throw new ConfigError('HUB_CONFIG_FILE', `config error: HUB_CONFIG_FILE ${file} cannot be read as JSON (${(e as Error).message})`)
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError('HUB_CONFIG_FILE', `config error: HUB_CONFIG_FILE ${file} must hold a JSON object`)
    }
  }
  const input: Record<string, unknown> = { ...fromFile }
  for (const key of KEYS) {
    const v = env[key]
    if (v !== undefined && v !== '') input[key] = v
  }
  const candidate = structuredClone(input)
  if (!validate(candidate)) {
    const first = validate.errors?.[0]
    throw first ? explain(first, input) : new ConfigError('?', 'config error: invalid configuration')
  }
  return Object.freeze(candidate) as HubConfig
}

/** The configuration documented for README (name, default, description). */
export function configReference(): { name: string; default: unknown; description: string }[] {
  return KEYS.map((name) => {
    const prop = (ConfigSchema.properties as Record<string, { default?: unknown; description?: string }>)[name]
    return { name, default: prop?.default, description: prop?.description ?? '' }
  })
}
