import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { HubConfig } from '../config/schema.js'
import { ConfigError } from '../config/load.js'

type Cfg = Pick<HubConfig, 'DATA_DIR' | 'NODE_ENV' | 'WAREHOUSE_TRUST_ANCHORS_FILE'> & Partial<Pick<HubConfig, 'TRUST_ANCHORS'>>

/**
 * The documented default trust-anchor file (DATA_DIR/sandbox-trust-anchors.pem), read when
 * WAREHOUSE_TRUST_ANCHORS_FILE is empty outside production. The hub only reads it: the
 * sandbox writes its signing root there at `all`/`sandbox` start-up (src/server.ts).
 */
export const sandboxTrustAnchorsPath = (cfg: Pick<HubConfig, 'DATA_DIR'>) => join(cfg.DATA_DIR, 'sandbox-trust-anchors.pem')

/** Splits a PEM bundle into its certificates. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
}

const CERT_FILE = /\.(pem|crt|cer)$/i

/** The PEM certificates of TRUST_ANCHORS: each entry a file, or a folder whose *.pem / *.crt / *.cer files are read (sorted, not recursive). */
function readAnchorList(list: string): { pems: string[]; files: string[] } {
  const pems: string[] = []
  const files: string[] = []
  for (const entry of list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    let paths: string[]
    try {
      paths = statSync(entry).isDirectory()
        ? readdirSync(entry)
            .filter((f) => CERT_FILE.test(f))
            .sort()
            .map((f) => join(entry, f))
        : [entry]
    } catch (e) {
      throw new ConfigError(
        'TRUST_ANCHORS',
        `config error: TRUST_ANCHORS: ${entry} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      )
    }
    if (paths.length === 0) throw new ConfigError('TRUST_ANCHORS', `config error: TRUST_ANCHORS: folder ${entry} holds no .pem, .crt or .cer file`)
    for (const file of paths) {
      const found = splitPem(readFileSync(file, 'utf8'))
      if (found.length === 0) throw new ConfigError('TRUST_ANCHORS', `config error: TRUST_ANCHORS: ${file} holds no PEM certificate`)
      pems.push(...found)
      files.push(file)
    }
  }
  return { pems, files }
}

/**
 * The trust anchors of document signatures: WAREHOUSE_TRUST_ANCHORS_FILE and TRUST_ANCHORS (files
 * or folders) together; when neither is set, outside production, the sandbox root in DATA_DIR when
 * present; else none (every signer is then untrusted). The sandbox root is never read in production.
 */
export function loadTrustAnchors(cfg: Cfg): { pems: string[]; source: string } {
  const pems: string[] = []
  const sources: string[] = []
  if (cfg.WAREHOUSE_TRUST_ANCHORS_FILE) {
    let text: string
    try {
      text = readFileSync(cfg.WAREHOUSE_TRUST_ANCHORS_FILE, 'utf8')
    } catch (e) {
      throw new ConfigError(
        'WAREHOUSE_TRUST_ANCHORS_FILE',
        `WAREHOUSE_TRUST_ANCHORS_FILE: ${cfg.WAREHOUSE_TRUST_ANCHORS_FILE} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      )
    }
    const found = splitPem(text)
    if (found.length === 0)
      throw new ConfigError('WAREHOUSE_TRUST_ANCHORS_FILE', `WAREHOUSE_TRUST_ANCHORS_FILE: ${cfg.WAREHOUSE_TRUST_ANCHORS_FILE} holds no PEM certificate`)
    pems.push(...found)
    sources.push(cfg.WAREHOUSE_TRUST_ANCHORS_FILE)
  }
  if (cfg.TRUST_ANCHORS) {
    const list = readAnchorList(cfg.TRUST_ANCHORS)
    pems.push(...list.pems)
    sources.push(...list.files)
  }
  if (pems.length > 0) return { pems, source: sources.join(',') }
  const sandbox = sandboxTrustAnchorsPath(cfg)
  if (cfg.NODE_ENV !== 'production' && existsSync(sandbox)) return { pems: splitPem(readFileSync(sandbox, 'utf8')), source: sandbox }
  return { pems: [], source: 'none' }
}
