/**
 * The agency hierarchy by agency code (mã định danh `A.B.C.D`, e.g. `000.01.06.H56`,
 * NATIONAL-ENDPOINTS.md §5). The fields are positional, most general last: `D` the
 * province or ministry (`H56`), `C` a level-2 unit (`000.00.06.H56`, a department or
 * district), `B` a level-3 unit under it (`000.01.06.H56`), `A` a level-4 unit
 * (`001.01.06.H56`). A zero field (`00`, `000`) is "not this specific".
 *
 * - An agency's **depth** is the position of its most specific non-zero field
 *   (`000.00.00.H56` 1, `000.00.06.H56` 2, `000.01.00.H56` and `000.01.06.H56` 3).
 * - Its **parent** is the code with that field zeroed (`000.01.06.H56` → `000.00.06.H56`,
 *   `000.01.00.H56` → `000.00.00.H56`); a depth-1 code has none.
 * - X is **under** A (A itself included) when X's fields, read most general first, start
 *   with A's fields up to A's depth: `000.00.06.H56` covers `???.??.06.H56`;
 *   `000.01.00.H56` covers `???.01.00.H56`; `000.00.00.H56` covers the whole province.
 *
 * The fact table stores the **path**, the fields most general first (`H56.06.01.000`),
 * so "under A" is one range of a `COLLATE "C"` column: `[prefix, prefix + 1)`.
 */

const FIELDS = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$/

/** The four fields most general first (`D, C, B, A`), or undefined when not an agency code. */
function fields(code: string): [string, string, string, string] | undefined {
  const m = FIELDS.exec(code)
  return m ? [m[4]!, m[3]!, m[2]!, m[1]!] : undefined
}

const isZero = (f: string) => /^0+$/.test(f)

function depthOf(f: string[]): number {
  for (let i = f.length - 1; i > 0; i--) if (!isZero(f[i]!)) return i + 1
  return 1
}

/** `000.01.06.H56` → `H56.06.01.000`. */
export function agencyPath(code: string): string {
  const f = fields(code)
  if (!f) throw new Error(`not an agency code: ${code}`)
  return f.join('.')
}

/** `H56.06.01.000` → `000.01.06.H56`. */
export function codeOfPath(path: string): string {
  return path.split('.').reverse().join('.')
}

export function agencyDepth(code: string): number {
  const f = fields(code)
  if (!f) throw new Error(`not an agency code: ${code}`)
  return depthOf(f)
}

/** The parent agency code, or undefined for a province/ministry (depth 1). */
export function parentAgency(code: string): string | undefined {
  const f = fields(code)
  if (!f) throw new Error(`not an agency code: ${code}`)
  const d = depthOf(f)
  if (d === 1) return undefined
  f[d - 1] = '0'.repeat(f[d - 1]!.length)
  return codeOfPath(f.join('.'))
}

/** The path range `[lower, upper)` holding the agency and everything under it. */
export function subtreeRange(code: string): { lower: string; upper: string } {
  const f = fields(code)
  if (!f) throw new Error(`not an agency code: ${code}`)
  const prefix = f.slice(0, depthOf(f)).join('.') + '.'
  // '.' + 1 = '/': every path starting with `prefix` sorts before it under COLLATE "C".
  return { lower: prefix, upper: prefix.slice(0, -1) + '/' }
}

/** True when `code` is `agency` or under it. */
export function isUnder(code: string, agency: string): boolean {
  const { lower } = subtreeRange(agency)
  return (agencyPath(code) + '.').startsWith(lower)
}

/**
 * The child of `root` (or the province/ministry when `root` is undefined) that `code`
 * belongs to: `code` with every field more specific than that child's zeroed. A dossier
 * of `root` itself is keyed by `root`. `code` must be under `root`.
 */
export function childUnder(code: string, root: string | undefined): string {
  const f = fields(code)
  if (!f) throw new Error(`not an agency code: ${code}`)
  const start = root === undefined ? 0 : agencyDepth(root)
  let j = start
  if (start > 0) {
    while (j < f.length && isZero(f[j]!)) j++
    if (j === f.length) return root!
  }
  const out = f.map((v, i) => (i <= j ? v : '0'.repeat(v.length)))
  return codeOfPath(out.join('.'))
}
