import { readFileSync } from 'node:fs'
import { ConfigError } from '../../config/load.js'
import type { IndicatorCode } from './types.js'
import { RATIO_CODES } from './types.js'

/** Per metric: score = min(1, ratio / fullAt) × maxScore; both null when the metric is not scored. */
export interface ScoreRule {
  fullAt: number | null
  maxScore: number | null
  source: string
}
export type ScoreTable = ReadonlyMap<IndicatorCode, ScoreRule>

const ALL_CODES: readonly IndicatorCode[] = [...RATIO_CODES, 'AVG_PROCESSING_DAYS']

/**
 * Checks config/indicators.json (`{ metrics: { CODE: { fullAt, maxScore, source } } }`): every
 * code present, fullAt in (0, 1] or null, maxScore ≥ 0 or null (both null or neither), a
 * non-empty source. @throws Error naming the code at fault.
 */
export function parseScores(json: unknown): ScoreTable {
  const metrics = (json as { metrics?: unknown } | null)?.metrics
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics))
    throw new Error('expected { "metrics": { "<code>": { fullAt, maxScore, source } } }')
  const out = new Map<IndicatorCode, ScoreRule>()
  for (const [code, v] of Object.entries(metrics)) {
    if (!ALL_CODES.includes(code as IndicatorCode)) throw new Error(`unknown metric code ${JSON.stringify(code)} (known: ${ALL_CODES.join(', ')})`)
    const r = v as Partial<ScoreRule>
    const fullAt = r.fullAt ?? null
    const maxScore = r.maxScore ?? null
    if (fullAt !== null && !(typeof fullAt === 'number' && fullAt > 0 && fullAt <= 1)) throw new Error(`${code}: fullAt must be a number in (0, 1] or null`)
    if (maxScore !== null && !(typeof maxScore === 'number' && maxScore >= 0 && Number.isFinite(maxScore)))
      throw new Error(`${code}: maxScore must be ≥ 0 or null`)
    if ((fullAt === null) !== (maxScore === null)) throw new Error(`${code}: fullAt and maxScore are both set or both null`)
    if (typeof r.source !== 'string' || !r.source.trim()) throw new Error(`${code}: "source" (where the default comes from) is required`)
    out.set(code as IndicatorCode, { fullAt, maxScore, source: r.source })
  }
  const missing = ALL_CODES.filter((c) => !out.has(c))
  if (missing.length) throw new Error(`missing metric codes: ${missing.join(', ')}`)
  return out
}

/** Reads and checks INDICATORS_CONFIG_FILE; a bad file is a ConfigError naming the variable. */
export function loadScores(file: string): ScoreTable {
  try {
    return parseScores(JSON.parse(readFileSync(file, 'utf8')))
  } catch (e) {
    throw new ConfigError('INDICATORS_CONFIG_FILE', `INDICATORS_CONFIG_FILE: ${file}: ${(e as Error).message}`)
  }
}

/** min(1, ratio / fullAt) × maxScore, two decimals; null when not scored or the ratio is null. */
export function scoreOf(rule: ScoreRule | undefined, ratio: number | null): number | null {
  if (!rule || ratio === null || rule.fullAt === null || rule.maxScore === null) return null
  return Math.round(Math.min(1, ratio / rule.fullAt) * rule.maxScore * 100) / 100
}
