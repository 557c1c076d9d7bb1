import type { SignatureCheck } from './types.js'

/** Where a document came from. */
export type DocumentSource = 'local' | 'mirror' | 'import'
/** What it is: a procedure's result (has a result code), a dossier component (a dossier, no result code), anything else. */
export type DocumentKind = 'result' | 'component' | 'other'
/** What a failed check does: `require` blocks the document (not pushed, not offered for reuse), `warn` flags it, `accept` lets it pass. */
export type PolicyMode = 'require' | 'warn' | 'accept'
/** Offline behaviour when neither OCSP nor CRL answered. */
export type RevocationOffline = 'soft-fail' | 'hard-fail'

export const SOURCES: readonly DocumentSource[] = ['local', 'mirror', 'import']
export const KINDS: readonly DocumentKind[] = ['result', 'component', 'other']
const MODES: readonly PolicyMode[] = ['require', 'warn', 'accept']

/**
 * The built-in rules, before SIGNATURE_POLICY: what the province digitises itself (pushed to the
 * national warehouse, or imported from its backlog) must be signed by a trusted, unrevoked signer;
 * what the national warehouse holds is mirrored and offered with its outcome flagged.
 */
export const DEFAULT_POLICY = 'local.*=require,import.*=require,mirror.*=warn'

export interface SignaturePolicy {
  /** The mode of a source and kind (the most specific rule wins: `source.kind`, then `source.*`, `*.kind`, `*.*`). */
  mode(source: DocumentSource, kind: DocumentKind): PolicyMode
  /** Every source.kind with its mode (documentation, /admin views). */
  readonly table: Readonly<Record<`${DocumentSource}.${DocumentKind}`, PolicyMode>>
}

/** Thrown on a bad SIGNATURE_POLICY (a boot error naming the variable). */
export class PolicyError extends Error {}

/**
 * Parses `source.kind=mode` rules separated by commas, over {@link DEFAULT_POLICY}: source
 * `local|mirror|import|*`, kind `result|component|other|*`, mode `require|warn|accept`.
 * Later rules override earlier ones of the same key; a key given twice in one value is an error.
 */
export function parseSignaturePolicy(text: string): SignaturePolicy {
  const rules = new Map<string, PolicyMode>()
  const read = (value: string, name: string, strictDuplicates: boolean) => {
    const seen = new Set<string>()
    for (const raw of value.split(',')) {
      const item = raw.trim()
      if (item === '') continue
      const eq = item.indexOf('=')
      const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase()
      const mode =
        eq < 0
          ? ''
          : item
              .slice(eq + 1)
              .trim()
              .toLowerCase()
      const dot = key.indexOf('.')
      const source = dot < 0 ? key : key.slice(0, dot)
      const kind = dot < 0 ? '' : key.slice(dot + 1)
      if (eq < 0 || dot < 0) throw new PolicyError(`${name}: "${item.slice(0, 60)}" is not source.kind=mode (e.g. local.result=require)`)
      if (source !== '*' && !SOURCES.includes(source as DocumentSource))
        throw new PolicyError(`${name}: unknown source "${source.slice(0, 30)}" in "${item.slice(0, 60)}" (one of ${SOURCES.join(', ')}, *)`)
      if (kind !== '*' && !KINDS.includes(kind as DocumentKind))
        throw new PolicyError(`${name}: unknown kind "${kind.slice(0, 30)}" in "${item.slice(0, 60)}" (one of ${KINDS.join(', ')}, *)`)
      if (!MODES.includes(mode as PolicyMode))
        throw new PolicyError(`${name}: unknown mode "${mode.slice(0, 30)}" in "${item.slice(0, 60)}" (one of ${MODES.join(', ')})`)
      if (strictDuplicates && seen.has(key)) throw new PolicyError(`${name}: ${key} is given twice`)
      seen.add(key)
      rules.set(key, mode as PolicyMode)
    }
  }
  read(DEFAULT_POLICY, 'DEFAULT_POLICY', true)
  // A rule of SIGNATURE_POLICY replaces the defaults it is at least as general as (`*.*=accept` turns everything off).
  const given = new Map<string, PolicyMode>()
  const before = new Map(rules)
  rules.clear()
  read(text, 'SIGNATURE_POLICY', true)
  for (const [k, v] of rules) given.set(k, v)
  rules.clear()
  const covers = (general: string, specific: string) => {
    const [gs, gk] = general.split('.')
    const [ss, sk] = specific.split('.')
    return (gs === '*' || gs === ss) && (gk === '*' || gk === sk)
  }
  for (const [k, v] of before) if (![...given.keys()].some((g) => covers(g, k))) rules.set(k, v)
  for (const [k, v] of given) rules.set(k, v)
  const mode = (source: DocumentSource, kind: DocumentKind): PolicyMode =>
    rules.get(`${source}.${kind}`) ?? rules.get(`${source}.*`) ?? rules.get(`*.${kind}`) ?? rules.get('*.*') ?? 'warn'
  const table = {} as Record<`${DocumentSource}.${DocumentKind}`, PolicyMode>
  for (const s of SOURCES) for (const k of KINDS) table[`${s}.${k}`] = mode(s, k)
  return { mode, table }
}

/** The kind of a document from what it carries. */
export function documentKind(d: { resultCode?: string | null; dossierCode?: string | null }): DocumentKind {
  return d.resultCode ? 'result' : d.dossierCode ? 'component' : 'other'
}

/** What the policy made of a check: `pass`, `warn` (stored, pushed and offered, flagged) or `blocked`. */
export interface PolicyDecision {
  readonly mode: PolicyMode
  readonly decision: 'pass' | 'warn' | 'blocked'
  /** Why it is not `pass`: `unsigned`, `invalid:<reason>`, `untrusted:<reason>`, or a warning (`revocation_unknown`…). */
  readonly reasons: readonly string[]
}

/**
 * Applies a mode to a check. Failures (unsigned, invalid — including revoked, expired signer and
 * weak algorithms after the cut-off —, untrusted, and `revocation_unknown` under hard-fail) block
 * under `require` and are flagged under `warn`; warnings are flagged under `require` and `warn`;
 * `accept` lets everything pass (the outcome is still stored).
 */
export function decide(mode: PolicyMode, check: SignatureCheck, offline: RevocationOffline): PolicyDecision {
  const failures: string[] = []
  if (check.status !== 'valid') failures.push(check.reason ? `${check.status}:${check.reason}` : check.status)
  const warnings: string[] = []
  for (const w of check.warnings) {
    if (w === 'revocation_unknown' && offline === 'hard-fail') failures.push(w)
    else warnings.push(w)
  }
  const reasons = [...failures, ...warnings]
  if (mode === 'accept') return { mode, decision: 'pass', reasons }
  if (failures.length > 0) return { mode, decision: mode === 'require' ? 'blocked' : 'warn', reasons }
  return { mode, decision: warnings.length > 0 ? 'warn' : 'pass', reasons }
}
