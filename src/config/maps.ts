import { readFileSync } from 'node:fs'
import type { HubConfig } from './schema.js'
import { ConfigError } from './load.js'
import { parseStatusMap, type StatusMap } from '../mappings/dvcqg/status-map.js'

/** The province's code tables, read once at boot (never inside a capability). */
export interface HubMaps {
  /** Provincial status code → DVCQG TrangThaiHoSo (STATUS_MAP_FILE). */
  status: StatusMap
  /** Provincial procedure code → national code, for provinces whose codes differ (PROCEDURE_CODE_MAP_FILE; empty when unset). */
  procedureCodes: Readonly<Record<string, string>>
}

function readJson(variable: string, file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new ConfigError(variable, `${variable}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new ConfigError(variable, `${variable}: ${file} is not JSON (${(e as Error).message})`)
  }
}

/** Loads and checks the maps; a bad one is one ConfigError line naming its variable (exit 78). */
export function loadMaps(cfg: Pick<HubConfig, 'STATUS_MAP_FILE' | 'PROCEDURE_CODE_MAP_FILE'>): HubMaps {
  let status: StatusMap
  try {
    status = parseStatusMap(readJson('STATUS_MAP_FILE', cfg.STATUS_MAP_FILE))
  } catch (e) {
    if (e instanceof ConfigError) throw e
    throw new ConfigError('STATUS_MAP_FILE', `STATUS_MAP_FILE: ${(e as Error).message}`)
  }
  const procedureCodes: Record<string, string> = {}
  if (cfg.PROCEDURE_CODE_MAP_FILE) {
    const json = readJson('PROCEDURE_CODE_MAP_FILE', cfg.PROCEDURE_CODE_MAP_FILE)
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ConfigError('PROCEDURE_CODE_MAP_FILE', 'PROCEDURE_CODE_MAP_FILE: expected a JSON object of "<provincial code>": "<national code>"')
    }
    for (const [k, v] of Object.entries(json)) {
      if (k.startsWith('$')) continue
      if (typeof v !== 'string' || v.trim() === '')
        throw new ConfigError('PROCEDURE_CODE_MAP_FILE', `PROCEDURE_CODE_MAP_FILE: "${k}" must map to a national procedure code (a non-empty string)`)
      procedureCodes[k] = v
    }
  }
  return { status, procedureCodes }
}
